//! The payment method, chosen only among what the shop offers for this order.

use kept_protocol::{Locale, PaymentMethod, Problem};
use leptos::prelude::*;

use super::field::{error_id, FieldError};
use super::{problem_at, Draft};
use crate::i18n::Text;

/// One radio button per offered payment method.
#[component]
pub fn PaymentFields(
    methods: Vec<PaymentMethod>,
    draft: Draft,
    locale: Locale,
    problems: Signal<Vec<Problem>>,
) -> impl IntoView {
    let problem = Signal::derive(move || problems.with(|p| problem_at(p, "payment")));
    let described = move || problem.get().map(|_| error_id("kept-payment"));
    let options = methods
        .into_iter()
        .map(|m| {
            view! {
                <label class="kept-choice">
                    <input
                        type="radio"
                        name="kept-payment"
                        class="kept-choice__input"
                        value=m.as_str()
                        data-testid=["payment-", m.as_str()].concat()
                        checked=draft.payment.get_untracked() == Some(m)
                        on:change=move |_| draft.payment.set(Some(m))
                    />
                    <span class="kept-choice__label">{m.label(locale)}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset
            class="kept-field kept-fieldset"
            class:kept-field--invalid=move || problem.get().is_some()
            aria-describedby=described
        >
            <legend class="kept-field__label">{Text::PaymentLegend.in_locale(locale)}</legend>
            <div class="kept-choices">{options}</div>
            <FieldError id=error_id("kept-payment") code=problem locale/>
        </fieldset>
    }
}
