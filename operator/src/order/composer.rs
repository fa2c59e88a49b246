//! Writing to the customer.

use kept_protocol::operator::OperatorMessage;
use leptos::prelude::*;

use super::Ctx;
use crate::i18n::T;

/// Writing to the customer.
#[component]
pub fn Composer(ctx: Ctx) -> impl IntoView {
    let l = ctx.l;
    let text = RwSignal::new(String::new());
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let t = text.get_untracked();
        if t.trim().is_empty() {
            return;
        }
        ctx.post(
            "/messages".to_owned(),
            OperatorMessage { text: t },
            move |_: Option<serde_json::Value>| {
                text.set(String::new());
                String::new()
            },
            |_| None,
        );
    };
    view! {
        <form class="op-composer" on:submit=send>
            <label for="op-composer">{T::Message.get(l)}</label>
            <textarea id="op-composer" rows="3" data-testid="op-composer" prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            <button type="submit" class="op-button" data-testid="op-send">{T::Send.get(l)}</button>
        </form>
    }
}
