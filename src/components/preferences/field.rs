//! The pieces every field shares: a text input with its label and its problem.

use kept_protocol::{Locale, ProblemCode};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::i18n::problem_text;

/// The problem under a field, if any, referenced by the field's `aria-describedby`.
#[component]
pub fn FieldError(id: &'static str, #[prop(into)] code: Signal<Option<ProblemCode>>, locale: Locale) -> impl IntoView {
    move || {
        code.get().map(|c| {
            view! { <p id=id class="kept-field__error" data-testid=id>{problem_text(c, locale)}</p> }
        })
    }
}

/// A labelled text input bound to `value`.
#[component]
pub fn TextField(
    id: &'static str,
    label: String,
    kind: &'static str,
    autocomplete: &'static str,
    value: RwSignal<String>,
    #[prop(into)] code: Signal<Option<ProblemCode>>,
    locale: Locale,
) -> impl IntoView {
    let error_id = error_id(id);
    view! {
        <div class="kept-field" class:kept-field--invalid=move || code.get().is_some()>
            <label for=id class="kept-field__label">{label}</label>
            <input
                id=id
                class="kept-input"
                type=kind
                autocomplete=autocomplete
                data-testid=id
                value=value.get_untracked()
                on:input=move |ev| value.set(event_target_value(&ev))
                aria-invalid=move || code.get().map(|_| "true")
                aria-describedby=move || code.get().map(|_| error_id)
            />
            <FieldError id=error_id code locale/>
        </div>
    }
}

/// The id of a field's problem text.
pub fn error_id(id: &'static str) -> &'static str {
    match id {
        "kept-phone" => "kept-phone-error",
        "kept-email" => "kept-email-error",
        "kept-telegram" => "kept-telegram-error",
        "kept-channel" => "kept-channel-error",
        "kept-payment" => "kept-payment-error",
        "kept-callback" => "kept-callback-error",
        "kept-substitution" => "kept-substitution-error",
        "kept-wo-email" => "kept-wo-email-error",
        _ => "kept-error",
    }
}

/// The `toggle` handler of a disclosure (`<details>`) whose content is built the first time it
/// opens and kept from then on: a closed one costs the first screen nothing but its summary.
pub fn build_when_opened(opened: RwSignal<bool>) -> impl Fn(leptos::ev::Event) + Copy + 'static {
    move |ev| {
        let open =
            ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).is_some_and(|d| d.has_attribute("open"));
        if open && !opened.get_untracked() {
            opened.set(true);
        }
    }
}
