//! The preference step: the customer's choices, checked with the shared protocol rules.

pub mod contact_plan;
pub mod field;
pub mod notes;
pub mod payment;
pub mod substitutions;

use kept_protocol::{
    Channel, ContactPlan, ItemNote, ItemRule, LocalTime, Locale, OrderView, PaymentMethod, Preferences, Problem,
    ProblemCode, ShopProfile, SubstitutionPolicy, TimeWindow,
};
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::{memo, shown_when};
use crate::host::{self, InstanceId};
use crate::i18n::{Text, Words};
use contact_plan::ContactPlanFields;
use notes::NoteFields;
use payment::{PaymentChoice, PaymentFields};
use substitutions::{RuleFields, SubstitutionFields};

/// What the customer has chosen so far; one signal per field, owned by the form.
#[derive(Clone, Copy)]
pub struct Draft {
    /// Chosen channels, most preferred first.
    pub channels: RwSignal<Vec<Channel>>,
    pub do_not_call: RwSignal<bool>,
    pub phone: RwSignal<String>,
    pub email: RwSignal<String>,
    pub telegram: RwSignal<String>,
    /// The callback window as typed, `HH:MM` each; empty means none.
    pub callback_start: RwSignal<String>,
    pub callback_end: RwSignal<String>,
    /// The order rule, as its editor's fields.
    pub rule: RuleFields,
    pub overrides: RwSignal<Vec<ItemRule>>,
    /// The chosen method's wire name, empty for none.
    pub payment: RwSignal<String>,
    pub notes: RwSignal<Vec<ItemNote>>,
}

impl Draft {
    /// A draft starting from earlier preferences, or empty; `digits` are those of the order
    /// currency's minor unit.
    pub fn new(initial: Option<&Preferences>, digits: u32) -> Draft {
        let contact = initial.map(|p| p.contact.clone()).unwrap_or_default();
        let window = contact.callback_window;
        let subs = initial.map(|p| p.substitutions.clone()).unwrap_or_default();
        Draft {
            channels: RwSignal::new(contact.channels),
            do_not_call: RwSignal::new(contact.do_not_call),
            phone: RwSignal::new(contact.phone.unwrap_or_default()),
            email: RwSignal::new(contact.email.unwrap_or_default()),
            telegram: RwSignal::new(contact.telegram.unwrap_or_default()),
            callback_start: RwSignal::new(window.map(|w| String::from(w.start)).unwrap_or_default()),
            callback_end: RwSignal::new(window.map(|w| String::from(w.end)).unwrap_or_default()),
            rule: RuleFields::from_rule(&subs.default, digits),
            overrides: RwSignal::new(subs.overrides),
            payment: RwSignal::new(initial.and_then(|p| p.payment).map_or("", PaymentMethod::as_str).to_owned()),
            notes: RwSignal::new(initial.map(|p| p.notes.clone()).unwrap_or_default()),
        }
    }

    /// The draft as protocol preferences (tracks every field).
    pub fn preferences(&self, locale: Locale) -> Preferences {
        let text = |s: RwSignal<String>| Some(s.get()).filter(|v| !v.trim().is_empty());
        let (start, end) = (self.callback_start.get(), self.callback_end.get());
        let callback_window = match (LocalTime::parse(&start), LocalTime::parse(&end)) {
            (Some(start), Some(end)) => Some(TimeWindow { start, end }),
            _ => None,
        };
        let channels = self.channels.get();
        let default = self.rule.rule(&channels);
        Preferences {
            contact: ContactPlan {
                channels,
                do_not_call: self.do_not_call.get(),
                phone: text(self.phone),
                email: text(self.email),
                telegram: text(self.telegram),
                callback_window,
            },
            substitutions: SubstitutionPolicy { default, overrides: self.overrides.get() },
            payment: self.payment.with(|p| PaymentMethod::from_wire(p)),
            notes: self.notes.get().into_iter().filter(|n| n.option.is_some() || n.text.is_some()).collect(),
            locale,
        }
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
    // The checkout's own signals, not `Signal`s: a wrapper type per value costs bytes.
    /// Submissions in flight.
    sending: RwSignal<u32>,
    server_problems: RwSignal<Vec<Problem>>,
    failure: RwSignal<Option<Text>>,
) -> impl IntoView {
    let currency = order.currency().to_owned();
    let digits = crate::format::minor_digits(&currency, locale);
    let draft = Draft::new(initial.as_ref(), digits);
    // What the shop already knows is filled in, never asked again (a draft or agreement wins).
    if let (None, Some(known)) = (&initial, &order.known_contact) {
        for (field, value) in
            [(draft.phone, &known.phone), (draft.email, &known.email), (draft.telegram, &known.telegram)]
        {
            if let Some(v) = value.as_ref().filter(|_| field.with_untracked(String::is_empty)) {
                field.set(v.clone());
            }
        }
    }
    let attempted = RwSignal::new(false);
    let channels = shop.channels.clone();
    let choices: Vec<PaymentChoice> = shop
        .payment_methods
        .iter()
        .map(|o| PaymentChoice {
            method: o.method,
            // When the backend lists no per-order options, everything the shop offers.
            available: order.payment_options.is_empty() || order.payment_available(o.method),
            condition: o.conditions.first().cloned(),
        })
        .collect();
    let items = order.items.clone();
    let sets = shop.option_sets.clone();
    let order_id = order.id.clone();
    let context = StoredValue::new((shop, order));
    let local = memo(move || {
        let prefs = draft.preferences(locale);
        context.with_value(|(shop, order)| prefs.problems(shop, order))
    });
    let instance = use_context::<InstanceId>();
    // Every change is kept at once, so a reload or a closed tab loses nothing typed; and the
    // host page hears about it (`kept:change`, with the problems, valid or not).
    Effect::new(move |_| {
        let prefs = draft.preferences(locale);
        crate::storage::save_draft(&order_id, &prefs);
        if let Some(id) = instance {
            let problems = local.get();
            let mut detail = String::from(if problems.is_empty() { "{\"valid\":true," } else { "{\"valid\":false," });
            detail.push_str(&crate::components::app::problems_json(&problems)[1..]);
            host::emit(id, "kept:change", &detail);
        }
    });
    // Contradictions show at once; missing answers only after a first try to submit.
    let problems = memo(move || {
        let shown = attempted.get();
        let mut list: Vec<Problem> =
            local.with(|l| l.iter().filter(|p| shown || p.code == ProblemCode::CallsForbidden).cloned().collect());
        list.extend(server_problems.get());
        list
    });
    let form_ref = NodeRef::<html::Form>::new();
    let try_submit = move || {
        attempted.set(true);
        let problems = local.get_untracked();
        if problems.is_empty() {
            on_submit.run(untrack(|| draft.preferences(locale)));
        } else {
            if let Some(id) = instance {
                host::settle(id, Err(&crate::components::app::problems_json(&problems)));
            }
            focus_first_problem(form_ref);
        }
    };
    if let Some(id) = instance {
        host::set_submitter(id, Some(std::rc::Rc::new(try_submit)));
        on_cleanup(move || host::set_submitter(id, None));
    }
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        try_submit();
    };
    view! {
        <form class="kept-form" novalidate node_ref=form_ref on:submit=submit data-testid="preferences">
            <p class="kept-form__intro">{Text::Intro.in_locale(locale)}</p>
            <ContactPlanFields channels draft locale problems/>
            <SubstitutionFields items=items.clone() draft locale problems/>
            <PaymentFields choices currency draft locale problems/>
            <NoteFields items sets draft locale problems/>
            <section class="kept-summary" aria-labelledby="kept-summary-heading">
                <h3 id="kept-summary-heading" class="kept-field__label">{Text::SummaryHeading.in_locale(locale)}</h3>
                <ul class="kept-receipt__summary" data-testid="live-summary" aria-live="polite">
                    {move || {
                        let prefs = draft.preferences(locale);
                        context
                            .with_value(|(shop, order)| prefs.summary(shop, order, &Words(locale)))
                            .into_iter()
                            .map(|line| view! { <li>{line}</li> })
                            .collect_view()
                    }}
                </ul>
            </section>
            {shown_when(move || attempted.get() && !problems.with(Vec::is_empty), move || view! {
                <p class="kept-alert" role="alert" data-testid="fix-problems">{Text::FixProblems.in_locale(locale)}</p>
            })}
            {move || failure.get().map(|t| view! {
                <p class="kept-alert" role="alert" data-testid="send-failure">{t.in_locale(locale)}</p>
            })}
            <button type="submit" class="kept-button" data-testid="submit" prop:disabled=move || { sending.get() > 0 }>
                {move || {
                    if sending.get() > 0 {
                        Text::Sending
                    } else if failure.get() == Some(Text::SendFailed) {
                        Text::Retry
                    } else {
                        Text::Submit
                    }
                    .in_locale(locale)
                }}
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
        let first = form
            .query_selector(".kept-field--invalid input:not([disabled]), .kept-field--invalid select")
            .ok()
            .flatten();
        if let Some(el) = first.and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = el.focus();
        }
    });
}
