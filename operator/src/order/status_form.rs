//! The order's status.

use kept_protocol::operator::StatusChange;
use kept_protocol::OrderStatus;
use leptos::prelude::*;

use super::Ctx;
use crate::i18n::{words, T};

/// The order's status; delivered brings the customer the survey.
#[component]
pub fn StatusForm(ctx: Ctx) -> impl IntoView {
    let l = ctx.l;
    let status = RwSignal::new(OrderStatus::OrderProcessing);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let s = status.get_untracked();
        ctx.post(
            "/status".to_owned(),
            StatusChange { status: s },
            move |_: Option<serde_json::Value>| format!("{} {}", T::Done.get(l), s.label(words(l))),
            |_| None,
        );
    };
    view! {
        <form class="op-form" aria-labelledby="op-status-heading" on:submit=submit>
            <h3 id="op-status-heading">{T::Status.get(l)}</h3>
            <label for="op-status">{T::Status.get(l)}</label>
            <select id="op-status" data-testid="op-status"
                on:change=move |ev| status.set(OrderStatus::ALL[event_target_value(&ev).parse::<usize>().unwrap_or(1).min(7)])>
                {OrderStatus::ALL.iter().enumerate().map(|(n, s)| view! {
                    <option value=n.to_string() selected=*s == OrderStatus::OrderProcessing>{s.label(words(l))}</option>
                }).collect_view()}
            </select>
            <button type="submit" class="op-button" data-testid="op-set-status">{T::SetStatus.get(l)}</button>
        </form>
    }
}
