//! Asking the customer to accept a change.

use kept_protocol::operator::NewChangeRequest;
use kept_protocol::{ChangeKind, DeliverySlot, Item, PaymentMethod, ProblemCode};
use leptos::prelude::*;
use wasm_bindgen::JsValue;

use super::text::candidates;
use super::Ctx;
use crate::i18n::{words, T};

/// A change the customer must accept: another payment method, a substitution outside their rule,
/// another delivery slot.
#[component]
pub fn ChangeForm(ctx: Ctx) -> impl IntoView {
    let l = ctx.l;
    let kind = RwSignal::new(String::from("payment"));
    let method = RwSignal::new(PaymentMethod::CardOnline);
    let item = RwSignal::new(0usize);
    let candidate = RwSignal::new(0usize);
    let start = RwSignal::new(String::new());
    let end = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let order = move || ctx.detail.with(|d| d.as_ref().map(|d| d.order.clone()));
    let active =
        move || order().map(|o| o.items.into_iter().filter(|i| i.active).collect::<Vec<_>>()).unwrap_or_default();
    let iso = |local: String| -> Option<String> {
        let d = js_sys::Date::new(&JsValue::from_str(&local));
        (!d.get_time().is_nan()).then(|| d.to_iso_string().into())
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let change = match kind.get_untracked().as_str() {
            "payment" => Some(ChangeKind::Payment { method: method.get_untracked() }),
            "substitution" => order().and_then(|o| {
                let items: Vec<Item> = o.items.iter().filter(|i| i.active).cloned().collect();
                let it = items.get(item.get_untracked())?;
                let r = candidates(&o, it).get(candidate.get_untracked()).cloned()?;
                Some(ChangeKind::Substitution {
                    item: it.id.clone(),
                    replacement: r.id,
                    name: r.name,
                    unit_price: r.unit_price,
                })
            }),
            _ => iso(start.get_untracked())
                .zip(iso(end.get_untracked()))
                .map(|(start, end)| ChangeKind::DeliverySlot { slot: DeliverySlot { start, end } }),
        };
        let Some(change) = change else {
            ctx.notice.set(Some((false, T::Failed.get(l).to_owned())));
            return;
        };
        let body = NewChangeRequest { change, reason: reason.get_untracked() };
        ctx.post(
            "/change-requests".to_owned(),
            body,
            move |_: Option<serde_json::Value>| {
                reason.set(String::new());
                T::RequestSent.get(l).to_owned()
            },
            move |f| f.has(ProblemCode::Required).then(|| T::ReasonNeeded.get(l).to_owned()),
        );
    };
    let methods = [
        PaymentMethod::CardOnline,
        PaymentMethod::BankTransfer,
        PaymentMethod::CashOnDelivery,
        PaymentMethod::CardOnDelivery,
    ];
    view! {
        <form class="op-form" aria-labelledby="op-change-heading" on:submit=submit>
            <h3 id="op-change-heading">{T::AskChange.get(l)}</h3>
            <label for="op-change-kind">{T::ChangeKind.get(l)}</label>
            <select id="op-change-kind" data-testid="op-change-kind" on:change=move |ev| kind.set(event_target_value(&ev))>
                <option value="payment">{T::Prepayment.get(l)}</option>
                <option value="substitution">{T::OtherSubstitution.get(l)}</option>
                <option value="slot">{T::OtherSlot.get(l)}</option>
            </select>
            {move || match kind.get().as_str() {
                "payment" => view! {
                    <label for="op-change-method">{T::Method.get(l)}</label>
                    <select id="op-change-method" data-testid="op-change-method"
                        on:change=move |ev| method.set(methods[event_target_value(&ev).parse::<usize>().unwrap_or(0).min(3)])>
                        {methods.iter().enumerate().map(|(n, m)| view! { <option value=n.to_string()>{m.label(words(l))}</option> }).collect_view()}
                    </select>
                }.into_any(),
                "substitution" => view! {
                    <label for="op-change-item">{T::Items.get(l)}</label>
                    <select id="op-change-item" on:change=move |ev| { item.set(event_target_value(&ev).parse().unwrap_or(0)); candidate.set(0) }>
                        {active().iter().enumerate().map(|(n, i)| view! { <option value=n.to_string()>{i.name.clone()}</option> }).collect_view()}
                    </select>
                    <label for="op-change-replacement">{T::Replacement.get(l)}</label>
                    <select id="op-change-replacement" on:change=move |ev| candidate.set(event_target_value(&ev).parse().unwrap_or(0))>
                        {move || {
                            let (o, items) = (order(), active());
                            let list = o.zip(items.get(item.get()).cloned()).map(|(o, i)| candidates(&o, &i)).unwrap_or_default();
                            list.into_iter().enumerate().map(|(n, r)| view! {
                                <option value=n.to_string()>{format!("{} · {}", r.name, words(l).money(&r.unit_price))}</option>
                            }).collect_view()
                        }}
                    </select>
                }.into_any(),
                _ => view! {
                    <label for="op-change-start">{T::SlotStart.get(l)}</label>
                    <input id="op-change-start" type="datetime-local" on:input=move |ev| start.set(event_target_value(&ev))/>
                    <label for="op-change-end">{T::SlotEnd.get(l)}</label>
                    <input id="op-change-end" type="datetime-local" on:input=move |ev| end.set(event_target_value(&ev))/>
                }.into_any(),
            }}
            <label for="op-change-reason">{T::Reason.get(l)}</label>
            <textarea id="op-change-reason" rows="2" data-testid="op-change-reason" prop:value=move || reason.get()
                on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
            <button type="submit" class="op-button" data-testid="op-send-change">{T::SendRequest.get(l)}</button>
        </form>
    }
}
