//! The pieces every field shares: a text input with its label and its problem.

use kept_protocol::{Locale, ProblemCode};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::i18n::problem_text;

/// The problem under a field, if any, referenced by the field's `aria-describedby`.
#[component]
pub fn FieldError(id: &'static str, code: Memo<Option<ProblemCode>>, locale: Locale) -> impl IntoView {
    move || {
        code.get().map(|c| {
            view! { <p id=id class="kept-field__error" data-testid=id>{problem_text(c, locale)}</p> }
        })
    }
}

/// A group of fields with its legend and its problem, which the group's `aria-describedby` names:
/// every section of the step takes this one shape. `tail` comes after the problem.
pub fn fieldset(
    legend: String,
    error: &'static str,
    code: Memo<Option<ProblemCode>>,
    locale: Locale,
    content: AnyView,
    tail: AnyView,
) -> AnyView {
    view! {
        <fieldset
            class="kept-field kept-fieldset"
            class:kept-field--invalid=move || code.get().is_some()
            aria-describedby=move || code.get().map(|_| error)
        >
            <legend class="kept-field__label">{legend}</legend>
            {content}
            <FieldError id=error code locale/>
            {tail}
        </fieldset>
    }
    .into_any()
}

/// A labelled text input bound to `value`.
#[component]
pub fn TextField(
    id: &'static str,
    label: String,
    kind: &'static str,
    autocomplete: &'static str,
    value: RwSignal<String>,
    code: Memo<Option<ProblemCode>>,
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

/// A checkbox or a radio button with its label: every choice in the step takes this one shape,
/// so its view code exists once (each differently written `view!` is a type of its own, and its
/// building, updating and dropping code is generated per type).
pub struct Choice {
    /// `kept-choice`, with a modifier when it needs one.
    pub class: &'static str,
    /// `checkbox` or `radio`.
    pub kind: &'static str,
    /// The radio group's name (empty for a checkbox).
    pub name: &'static str,
    pub value: &'static str,
    pub test_id: String,
    /// The label, read again when what it reads changes.
    pub label: Box<dyn Fn() -> String + Send + Sync>,
    /// Said under the label: a condition, or why the choice is not available.
    pub reason: Option<String>,
    pub checked: Memo<bool>,
    pub disabled: Memo<bool>,
}

impl Choice {
    /// An enabled checkbox.
    pub fn checkbox(test_id: &str, label: Box<dyn Fn() -> String + Send + Sync>, checked: Memo<bool>) -> Choice {
        Choice {
            class: "kept-choice",
            kind: "checkbox",
            name: "",
            value: "",
            test_id: test_id.to_owned(),
            label,
            reason: None,
            checked,
            disabled: crate::components::memo(|| false),
        }
    }

    /// An enabled radio button of the group `name`.
    pub fn radio(
        name: &'static str,
        value: &'static str,
        test_id: String,
        label: String,
        checked: Memo<bool>,
    ) -> Choice {
        Choice { kind: "radio", name, value, test_id, ..Choice::checkbox("", fixed(label), checked) }
    }
}

/// The view of `c`; `on_change` is told whether it is now checked.
pub fn choice(c: Choice, on_change: impl Fn(bool) + 'static) -> AnyView {
    choice_view(c, Box::new(on_change))
}

fn choice_view(c: Choice, on_change: Box<dyn Fn(bool)>) -> AnyView {
    let label = c.label;
    view! {
        <label class=c.class>
            <input type=c.kind name=c.name class="kept-choice__input" value=c.value data-testid=c.test_id
                prop:checked=c.checked prop:disabled=c.disabled
                on:change=move |ev| on_change(event_target_checked(&ev))/>
            <span class="kept-choice__label">{move || label()}</span>
            {c.reason.map(|r| view! { <span class="kept-choice__reason">{r}</span> })}
        </label>
    }
    .into_any()
}

/// A select of `options` (value, label) with `selected` chosen: every select in the step is this
/// one view. `on_change` is given the chosen value.
pub fn select(
    id: Option<String>,
    test_id: String,
    options: Vec<(String, String)>,
    selected: &str,
    on_change: impl Fn(String) + 'static,
) -> AnyView {
    select_view(id, test_id, options, selected, Box::new(on_change))
}

fn select_view(
    id: Option<String>,
    test_id: String,
    options: Vec<(String, String)>,
    selected: &str,
    on_change: Box<dyn Fn(String)>,
) -> AnyView {
    let options = options
        .into_iter()
        .map(|(value, label)| {
            let is = value == selected;
            view! { <option value=value selected=is>{label}</option> }
        })
        .collect_view();
    view! {
        <select id=id class="kept-input" data-testid=test_id on:change=move |ev| on_change(event_target_value(&ev))>
            {options}
        </select>
    }
    .into_any()
}

/// A label that never changes.
pub fn fixed(text: String) -> Box<dyn Fn() -> String + Send + Sync> {
    Box::new(move || text.clone())
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
