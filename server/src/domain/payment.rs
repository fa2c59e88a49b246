//! Payment conditions: which of the shop's methods this order can be paid by, and why not
//! (a morning slot has no card terminal, a total over a limit), decided before the customer
//! chooses, not after.

use jiff::tz::TimeZone;
use jiff::Timestamp;
use kept_protocol::{Item, LocalTime, OrderView, PaymentCondition, PaymentOption, ShopProfile};

use super::order::Order;

/// Whether `condition` rules a method out for this order.
fn rules_out(condition: &PaymentCondition, order: &Order, tz: Option<&TimeZone>) -> bool {
    match condition {
        PaymentCondition::SlotStartsFrom { time } => {
            let start = order.delivery_slot.as_ref().and_then(|s| s.start.parse::<Timestamp>().ok());
            match (start, tz) {
                (Some(start), Some(tz)) => {
                    let local = start.to_zoned(tz.clone()).time();
                    LocalTime::hm(local.hour() as u16, local.minute() as u16) < *time
                }
                _ => false,
            }
        }
        PaymentCondition::MaxTotal { amount_minor } => total_minor(&order.items) > *amount_minor,
    }
}

fn total_minor(items: &[Item]) -> i64 {
    items.iter().filter(|i| i.active).map(|i| i.unit_price.amount_minor * i.quantity as i64).sum()
}

/// What validating preferences needs of an order (items, slot, payment options, editable),
/// without reading its history: a submission must not get slower as the timeline grows.
pub fn checkable(shop: &ShopProfile, order: Order) -> OrderView {
    let tz = TimeZone::get(&shop.time_zone).ok();
    let offers = order.payment_methods.as_ref().unwrap_or(&shop.payment_methods);
    let payment_options = offers
        .iter()
        .map(|offer| {
            let blocking = offer.conditions.iter().find(|c| rules_out(c, &order, tz.as_ref())).cloned();
            PaymentOption { method: offer.method, available: blocking.is_none(), unavailable_because: blocking }
        })
        .collect();
    OrderView {
        editable: order.editable && order.status.allows_edits(),
        payment_options,
        delivery_slot: order.delivery_slot,
        // The order's currency (the shop's servers give every price in one, which is checked).
        ..OrderView::new(order.id, order.status, order.items)
    }
}
