//! The receipt: the agreement the backend stored, in plain words.

use kept_protocol::{Locale, Receipt};
use leptos::prelude::*;

use crate::i18n::Text;

/// Shows a stored agreement: version, time, summary.
#[component]
pub fn ReceiptCard(receipt: Receipt, locale: Locale, editable: bool, on_change: Callback<()>) -> impl IntoView {
    let when = crate::format::date_time(&receipt.accepted_at, locale);
    let lines = super::list(receipt.summary);
    view! {
        <section class="kept-receipt" aria-labelledby="kept-receipt-heading" data-testid="receipt">
            <h3 id="kept-receipt-heading" class="kept-receipt__heading">{Text::ReceiptHeading.in_locale(locale)}</h3>
            <p class="kept-receipt__meta">
                <span data-testid="receipt-version">{Text::Version.with(locale, &[("version", &receipt.version.to_string())])}</span>
                " · "
                <time datetime=receipt.accepted_at>{when}</time>
            </p>
            <ul class="kept-receipt__summary" data-testid="receipt-summary">{lines}</ul>
            {editable.then(|| view! {
                <button type="button" class="kept-button kept-button--secondary" on:click=move |_| on_change.run(())>
                    {Text::Change.in_locale(locale)}
                </button>
            })}
        </section>
    }
}
