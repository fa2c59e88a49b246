//! When the shop misses its own reply time: a way out of the wait, prefilled from the contact plan.
//! A callback inside working hours (only when calls are allowed), the conversation moved to a
//! messenger the customer chose, or an answer by email. Nothing is typed twice.

use kept_protocol::{CallbackRequest, Channel, ContactDetail, ContactPlan, Email, LocalTime, Locale, TimeWindow};
use leptos::prelude::*;
use wasm_bindgen::JsValue;

use super::super::preferences::field::{FieldError, TextField};
use crate::api::{new_idempotency_key, Api, ApiError};
use crate::components::chat::text::ChatText;
use crate::components::memo;
use crate::format;
use crate::i18n::{Text, Words};

/// The ways out this contact plan allows.
#[derive(Debug, Default, PartialEq)]
pub struct Routes {
    /// The number to call back, when calls are allowed and a number is given.
    pub callback: Option<String>,
    /// Messengers from the plan, in its order, with the detail they reach.
    pub messengers: Vec<(Channel, String)>,
    /// The address from the plan, if any; the customer may also type one.
    pub email: String,
}

/// What the plan offers besides waiting in this chat.
pub fn routes(plan: Option<&ContactPlan>) -> Routes {
    let Some(plan) = plan else { return Routes::default() };
    let messengers = plan
        .channels
        .iter()
        .filter(|c| matches!(c, Channel::Telegram | Channel::Whatsapp | Channel::Sms))
        .filter_map(|&c| Some((c, plan.detail(c.needs()?)?.to_owned())))
        .collect();
    Routes {
        callback: plan.allows_calls().then(|| plan.detail(ContactDetail::Phone).map(str::to_owned)).flatten(),
        messengers,
        email: plan.detail(ContactDetail::Email).unwrap_or_default().to_owned(),
    }
}

/// The window to suggest: the customer's own callback window, else the next whole hour.
pub fn suggested_window(plan: Option<&ContactPlan>, now: LocalTime) -> TimeWindow {
    if let Some(w) = plan.and_then(|p| p.callback_window) {
        return w;
    }
    let start = (now.minutes() / 60 + 1) % 24;
    TimeWindow { start: LocalTime::hm(start, 0), end: LocalTime::hm((start + 1) % 24, 0) }
}

/// Today's date (`YYYY-MM-DD`) and the time of day in `time_zone`, from the browser's clock.
fn shop_now(time_zone: &str) -> (String, LocalTime) {
    let part = |locale: &str, pairs: &[(&str, &str)]| {
        let mut all = pairs.to_vec();
        all.push(("timeZone", time_zone));
        let f =
            js_sys::Intl::DateTimeFormat::new(&js_sys::Array::of1(&JsValue::from_str(locale)), &format::options(&all));
        f.format()
            .call1(&JsValue::UNDEFINED, &js_sys::Date::new_0())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    };
    let date = part("en-CA", &[("year", "numeric"), ("month", "2-digit"), ("day", "2-digit")]);
    let time = part("en-GB", &[("hour", "2-digit"), ("minute", "2-digit"), ("hourCycle", "h23")]);
    (date, LocalTime::parse(&time).unwrap_or(LocalTime::hm(12, 0)))
}

/// The offer, shown once the promised reply time has passed without an answer.
#[component]
pub fn WayOut(
    api: Api,
    plan: Memo<Option<ContactPlan>>,
    time_zone: String,
    locale: Locale,
    on_message: Callback<String>,
) -> impl IntoView {
    let scope = crate::task::Scope::here();
    let (today, now) = shop_now(&time_zone);
    let routes = plan.with_untracked(|p| routes(p.as_ref()));
    let window = plan.with_untracked(|p| suggested_window(p.as_ref(), now));
    let date = RwSignal::new(today);
    let start = RwSignal::new(String::from(window.start));
    let end = RwSignal::new(String::from(window.end));
    let email = RwSignal::new(routes.email.clone());
    let email_problem = RwSignal::new(None);
    let window_problem = RwSignal::new(None);
    let done = RwSignal::new(None::<String>);
    let request_callback = move |_| {
        let (Some(s), Some(e)) = (LocalTime::parse(&start.get_untracked()), LocalTime::parse(&end.get_untracked()))
        else {
            window_problem.set(Some(kept_protocol::ProblemCode::Invalid));
            return;
        };
        let req = CallbackRequest { date: date.get_untracked(), window: TimeWindow { start: s, end: e } };
        let Some(key) = new_idempotency_key() else { return };
        let api = api.clone();
        scope.spawn(async move {
            match api.request_callback(&req, &key).await {
                Ok(_) => {
                    window_problem.set(None);
                    done.set(Some(ChatText::CallbackBooked.in_locale(locale)));
                }
                Err(ApiError::Invalid(problems)) => window_problem.set(problems.first().map(|p| p.code)),
                Err(_) => done.set(Some(Text::SendFailed.in_locale(locale))),
            }
        });
    };
    let by_email = move |_| match Email::parse(&email.get_untracked()) {
        Ok(address) => {
            email_problem.set(None);
            on_message.run(ChatText::AnswerByEmailNote.with(locale, &[("address", address.as_str())]));
            done.set(Some(ChatText::WayOutSent.in_locale(locale)));
        }
        Err(code) => email_problem.set(Some(code)),
    };
    let phone = routes.callback.clone();
    let messengers = routes
        .messengers
        .into_iter()
        .map(|(channel, detail)| {
            let name = channel.label(&Words(locale));
            let note = ChatText::ContinueNote.with(locale, &[("channel", &name), ("detail", &detail)]);
            let label = ChatText::ContinueIn.with(locale, &[("channel", &name), ("detail", &detail)]);
            view! {
                <button type="button" class="kept-button kept-button--secondary" data-testid="continue-in"
                    on:click=move |_| {
                        on_message.run(note.clone());
                        done.set(Some(ChatText::WayOutSent.in_locale(locale)));
                    }>{label}</button>
            }
        })
        .collect_view();
    view! {
        <section class="kept-receipt" aria-labelledby="kept-way-out-heading" data-testid="way-out">
            <h4 id="kept-way-out-heading" class="kept-receipt__heading">{ChatText::SlowerThanPromised.in_locale(locale)}</h4>
            {phone.map(|phone| view! {
                <fieldset class="kept-fieldset" class:kept-field--invalid=move || window_problem.get().is_some()
                    aria-describedby=move || window_problem.get().map(|_| "kept-wo-window-error")>
                    <legend class="kept-field__label">{ChatText::CallMeBack.with(locale, &[("phone", &phone)])}</legend>
                    <div class="kept-row">
                        <TextField id="kept-wo-date" label=ChatText::Day.in_locale(locale) kind="date" autocomplete="off"
                            value=date code=memo(|| None) locale/>
                        <TextField id="kept-wo-start" label=Text::From.in_locale(locale) kind="time" autocomplete="off"
                            value=start code=memo(|| None) locale/>
                        <TextField id="kept-wo-end" label=Text::To.in_locale(locale) kind="time" autocomplete="off"
                            value=end code=memo(|| None) locale/>
                    </div>
                    <FieldError id="kept-wo-window-error" code=memo(move || window_problem.get()) locale/>
                    <button type="button" class="kept-button" data-testid="request-callback" on:click=request_callback>
                        {ChatText::RequestCallback.in_locale(locale)}
                    </button>
                </fieldset>
            })}
            <div class="kept-row">{messengers}</div>
            <TextField id="kept-wo-email" label=Text::EmailLabel.in_locale(locale) kind="email" autocomplete="email"
                value=email code=memo(move || email_problem.get()) locale/>
            <button type="button" class="kept-button kept-button--secondary" data-testid="answer-by-email" on:click=by_email>
                {ChatText::AnswerByEmail.in_locale(locale)}
            </button>
            {move || done.get().map(|t| view! { <p role="status" class="kept-hint" data-testid="way-out-status">{t}</p> })}
        </section>
    }
}
