//! The payment method: what the shop offers, with its conditions said before the choice.

use kept_protocol::{Locale, PaymentCondition, PaymentMethod, Problem};
use leptos::prelude::*;

use super::field::{self, error_id, Choice};
use super::{problem_at, Draft};
use crate::components::memo;
use crate::i18n::{Text, Words};

/// An offered method, whether this order allows it, and the condition the shop puts on it.
#[derive(Clone, Debug, PartialEq)]
pub struct PaymentChoice {
    pub method: PaymentMethod,
    pub available: bool,
    pub condition: Option<PaymentCondition>,
}

/// A condition in the customer's words, with money and times formatted by the browser.
pub fn condition_text(c: &PaymentCondition, currency: &str, locale: Locale) -> String {
    match c {
        PaymentCondition::SlotStartsFrom { time } => Text::SlotFrom.with(locale, &[("time", &String::from(*time))]),
        PaymentCondition::MaxTotal { amount_minor } => {
            Text::MaxTotal.with(locale, &[("amount", &crate::format::money(*amount_minor, currency, locale))])
        }
    }
}

/// One radio button per offered payment method; unavailable ones say why.
#[component]
pub fn PaymentFields(
    choices: Vec<PaymentChoice>,
    currency: String,
    draft: Draft,
    locale: Locale,
    problems: Memo<Vec<Problem>>,
) -> impl IntoView {
    let problem = memo(move || problems.with(|p| problem_at(p, "payment")));
    let options = choices
        .into_iter()
        .map(|choice| {
            let m = choice.method;
            let reason = choice.condition.as_ref().map(|c| {
                let mut text = condition_text(c, &currency, locale);
                if !choice.available {
                    text = [Text::NotForThisOrder.in_locale(locale), text].join(" ");
                }
                text
            });
            let available = choice.available;
            let method = Choice {
                reason,
                disabled: memo(move || !available),
                ..Choice::radio(
                    "kept-payment",
                    m.as_str(),
                    ["payment-", m.as_str()].concat(),
                    m.label(&Words(locale)),
                    memo(move || draft.payment.with(|p| p == m.as_str())),
                )
            };
            field::choice(method, move |_| draft.payment.set(m.as_str().to_owned()))
        })
        .collect_view();
    let options = view! { <div class="kept-choices kept-choices--cards">{options}</div> }.into_any();
    field::fieldset(
        Text::PaymentLegend.in_locale(locale),
        error_id("kept-payment"),
        problem,
        locale,
        options,
        ().into_any(),
    )
}
