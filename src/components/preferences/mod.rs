//! The preference step: the customer's choices, checked with the shared protocol rules.

pub mod contact_plan;
pub mod field;
pub mod payment;

use kept_protocol::{
    Channel, ContactPlan, Locale, OrderView, PaymentMethod, Preferences, Problem, ProblemCode, ShopProfile,
};
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::i18n::Text;
use contact_plan::ContactPlanFields;
use payment::PaymentFields;

/// What the customer has chosen so far; one signal per field, owned by the form.
#[derive(Clone, Copy)]
pub struct Draft {
    /// What this form does not edit yet, kept as it was so a new version does not lose it.
    pub rest: StoredValue<Preferences>,
    pub channel: RwSignal<Option<Channel>>,
    pub do_not_call: RwSignal<bool>,
    pub phone: RwSignal<String>,
    pub email: RwSignal<String>,
    pub telegram: RwSignal<String>,
    pub payment: RwSignal<Option<PaymentMethod>>,
}

impl Draft {
    /// A draft starting from earlier preferences, or empty.
    pub fn new(initial: Option<&Preferences>) -> Draft {
        let contact = initial.map(|p| p.contact.clone()).unwrap_or_default();
        let rest = initial.cloned().unwrap_or(Preferences {
            contact: ContactPlan::default(),
            substitutions: Default::default(),
            payment: None,
            notes: Vec::new(),
            locale: Locale::En,
        });
        Draft {
            rest: StoredValue::new(rest),
            channel: RwSignal::new(contact.channels.first().copied()),
            do_not_call: RwSignal::new(contact.do_not_call),
            phone: RwSignal::new(contact.phone.unwrap_or_default()),
            email: RwSignal::new(contact.email.unwrap_or_default()),
            telegram: RwSignal::new(contact.telegram.unwrap_or_default()),
            payment: RwSignal::new(initial.and_then(|p| p.payment)),
        }
    }

    /// The draft as protocol preferences (tracks every field).
    pub fn preferences(&self, locale: Locale) -> Preferences {
        let text = |s: RwSignal<String>| Some(s.get()).filter(|v| !v.trim().is_empty());
        let mut prefs = self.rest.get_value();
        prefs.contact = ContactPlan {
            channels: self.channel.get().into_iter().collect(),
            do_not_call: self.do_not_call.get(),
            phone: text(self.phone),
            email: text(self.email),
            telegram: text(self.telegram),
            callback_window: prefs.contact.callback_window.filter(|_| !self.do_not_call.get()),
        };
        prefs.payment = self.payment.get();
        prefs.locale = locale;
        prefs
    }
}

/// The first problem whose path starts with `prefix`.
pub fn problem_at(problems: &[Problem], prefix: &str) -> Option<ProblemCode> {
    problems.iter().find(|p| p.path.starts_with(prefix)).map(|p| p.code)
}

/// The preference form; calls `on_submit` only with preferences that pass the shared rules.
#[component]
pub fn PreferenceForm(
    shop: ShopProfile,
    order: OrderView,
    locale: Locale,
    initial: Option<Preferences>,
    on_submit: Callback<Preferences>,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] server_problems: Signal<Vec<Problem>>,
    #[prop(into)] failure: Signal<Option<Text>>,
) -> impl IntoView {
    let draft = Draft::new(initial.as_ref());
    let attempted = RwSignal::new(false);
    let channels = shop.channels.clone();
    // Only what the shop offers and this order allows; when the backend lists no per-order
    // options, everything the shop offers.
    let methods: Vec<PaymentMethod> = shop
        .payment_methods
        .iter()
        .map(|o| o.method)
        .filter(|&m| order.payment_options.is_empty() || order.payment_available(m))
        .collect();
    let order_id = order.id.clone();
    let context = StoredValue::new((shop, order));
    // Every change is kept at once, so a reload or a closed tab loses nothing typed.
    Effect::new(move |_| {
        let prefs = draft.preferences(locale);
        crate::storage::save_draft(&order_id, &prefs);
    });
    let local = Memo::new(move |_| {
        let prefs = draft.preferences(locale);
        context.with_value(|(shop, order)| prefs.problems(shop, order))
    });
    // Contradictions show at once; missing answers only after a first try to submit.
    let problems = Signal::derive(move || {
        let shown = attempted.get();
        let mut list: Vec<Problem> =
            local.with(|l| l.iter().filter(|p| shown || p.code == ProblemCode::CallsForbidden).cloned().collect());
        list.extend(server_problems.get());
        list
    });
    let form_ref = NodeRef::<html::Form>::new();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        attempted.set(true);
        if local.with_untracked(Vec::is_empty) {
            on_submit.run(untrack(|| draft.preferences(locale)));
        } else {
            focus_first_problem(form_ref);
        }
    };
    view! {
        <form class="kept-form" novalidate node_ref=form_ref on:submit=submit data-testid="preferences">
            <p class="kept-form__intro">{Text::Intro.in_locale(locale)}</p>
            <ContactPlanFields channels draft locale problems/>
            <PaymentFields methods draft locale problems/>
            <Show when=move || attempted.get() && !problems.with(Vec::is_empty)>
                <p class="kept-alert" role="alert" data-testid="fix-problems">{Text::FixProblems.in_locale(locale)}</p>
            </Show>
            {move || failure.get().map(|t| view! {
                <p class="kept-alert" role="alert" data-testid="send-failure">{t.in_locale(locale)}</p>
            })}
            <button type="submit" class="kept-button" data-testid="submit" prop:disabled=move || pending.get()>
                {move || if pending.get() { Text::Sending } else { Text::Submit }.in_locale(locale)}
            </button>
        </form>
    }
}

/// Moves focus to the first field with a problem, once the DOM shows it.
fn focus_first_problem(form: NodeRef<html::Form>) {
    request_animation_frame(move || {
        let Some(form) = form.get_untracked() else {
            return;
        };
        let first = form.query_selector(".kept-field--invalid input:not([disabled])").ok().flatten();
        if let Some(el) = first.and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = el.focus();
        }
    });
}
