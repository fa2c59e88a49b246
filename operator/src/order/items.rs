//! The order's items, each with the customer's rule and "out of stock" done by that rule.

use kept_protocol::summary::rule_text;
use kept_protocol::{Item, OrderView};
use leptos::prelude::*;

use super::text::candidates;
use super::Ctx;
use crate::i18n::{words, T};

/// One item: its price, the customer's rule for it, and "out of stock" done by that rule.
pub fn item_row(ctx: Ctx, order: &OrderView, item: &Item) -> impl IntoView {
    let l = ctx.l;
    let rule = order.receipt.as_ref().map(|r| r.preferences.substitutions.rule_for(&item.id).clone());
    let rule_words = rule.as_ref().map(|r| rule_text(r, words(l), order, Some(&item.id))).unwrap_or_default();
    let item_id = item.id.clone();
    let control = if matches!(rule, Some(kept_protocol::SubstitutionRule::Similar { .. })) {
        // The operator picks; the server refuses anything above the customer's cap.
        let options = candidates(order, item);
        let choice = RwSignal::new(0usize);
        let select_id = format!("op-replacement-{}", item.id);
        let picked = options.clone();
        view! {
            <label class="op-visually-hidden" for=select_id.clone()>{format!("{} {}", T::ReplacementFor.get(l), item.name)}</label>
            <select id=select_id.clone() data-testid=select_id
                on:change=move |ev| choice.set(event_target_value(&ev).parse().unwrap_or(0))>
                {options.iter().enumerate().map(|(n, r)| view! {
                    <option value=n.to_string()>{format!("{} · {}", r.name, words(l).money(&r.unit_price))}</option>
                }).collect_view()}
            </select>
            <button type="button" class="op-button" data-testid=format!("op-substitute-{}", item.id)
                on:click=move |_| ctx.out_of_stock(&item_id, picked.get(choice.get_untracked()).cloned())>
                {T::Substitute.get(l)}
            </button>
        }
        .into_any()
    } else {
        view! {
            <button type="button" class="op-button" data-testid=format!("op-out-of-stock-{}", item.id)
                on:click=move |_| ctx.out_of_stock(&item_id, None)>{T::OutOfStock.get(l)}</button>
        }
        .into_any()
    };
    view! {
        <tr>
            <th scope="row">{item.name.clone()}</th>
            <td>{words(l).money(&item.unit_price)}</td>
            <td>{rule_words}</td>
            <td class="op-actions">{control}</td>
        </tr>
    }
}
