//! The backend API, for the shop's own servers: orders in, the agreement out.

use serde::{Deserialize, Serialize};

use crate::contact::{Email, TelegramHandle, E164};
use crate::i18n::Locale;
use crate::order::{DeliverySlot, Item, OrderStatus, OrderView, Receipt};
use crate::problem::{Problem, ProblemCode};
use crate::shop::{safe_url, PaymentOffer};

/// Longest order id, in bytes.
pub const ORDER_ID_MAX: usize = 64;
/// Most items in one order.
pub const ITEMS_MAX: usize = 200;

/// Whether `id` can name an order: 1 to 64 of `A-Z a-z 0-9 . _ -`.
pub fn valid_order_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= ORDER_ID_MAX
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The customer's contact details the shop already knows; the widget prefills them, and they
/// are shown to nobody but the customer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct KnownContact {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telegram: Option<String>,
}

/// `PUT /v1/backend/orders/{order}`: create or update an order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BackendOrder {
    pub items: Vec<Item>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_slot: Option<DeliverySlot>,
    /// This order's payment methods with the conditions that rule one out; the shop's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_methods: Option<Vec<PaymentOffer>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<KnownContact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<Locale>,
    /// Set to cancel the order (`OrderCancelled`) or move it on; new orders start `OrderProcessing`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<OrderStatus>,
}

impl BackendOrder {
    /// Every problem with this order, each naming its field.
    pub fn problems(&self) -> Vec<Problem> {
        let mut p = Vec::new();
        if self.items.is_empty() {
            p.push(Problem::new("items", ProblemCode::Required));
        } else if self.items.len() > ITEMS_MAX {
            p.push(Problem::new("items", ProblemCode::TooLong));
        }
        let currency = self.items.first().map(|i| i.unit_price.currency.clone());
        let mut ids = std::collections::HashSet::new();
        for (n, item) in self.items.iter().enumerate() {
            let at = |f: &str| format!("items[{n}].{f}");
            if item.id.trim().is_empty() || item.id.len() > ORDER_ID_MAX {
                p.push(Problem::new(at("id"), ProblemCode::Invalid));
            } else if !ids.insert(item.id.as_str()) {
                p.push(Problem::new(at("id"), ProblemCode::Duplicate));
            }
            if item.name.trim().is_empty() {
                p.push(Problem::new(at("name"), ProblemCode::Required));
            }
            if item.quantity == 0 {
                p.push(Problem::new(at("quantity"), ProblemCode::OutOfRange));
            }
            money_problems(&mut p, &at("unit_price"), &item.unit_price, currency.as_deref());
            let mut replacement_ids = std::collections::HashSet::new();
            for (r, rep) in item.replacements.iter().enumerate() {
                let at = |f: &str| format!("items[{n}].replacements[{r}].{f}");
                if rep.id.trim().is_empty() {
                    p.push(Problem::new(at("id"), ProblemCode::Required));
                } else if !replacement_ids.insert(rep.id.as_str()) {
                    p.push(Problem::new(at("id"), ProblemCode::Duplicate));
                }
                if rep.name.trim().is_empty() {
                    p.push(Problem::new(at("name"), ProblemCode::Required));
                }
                money_problems(&mut p, &at("unit_price"), &rep.unit_price, currency.as_deref());
            }
        }
        if let Some(c) = &self.customer {
            if let Some(phone) = &c.phone {
                if let Err(code) = E164::parse(phone) {
                    p.push(Problem::new("customer.phone", code));
                }
            }
            if let Some(email) = &c.email {
                if let Err(code) = Email::parse(email) {
                    p.push(Problem::new("customer.email", code));
                }
            }
            if let Some(t) = &c.telegram {
                if let Err(code) = TelegramHandle::parse(t) {
                    p.push(Problem::new("customer.telegram", code));
                }
            }
        }
        if let Some(slot) = &self.delivery_slot {
            if slot.start.trim().is_empty() || slot.end.trim().is_empty() || slot.end <= slot.start {
                p.push(Problem::new("delivery_slot", ProblemCode::Invalid));
            }
        }
        p
    }
}

fn money_problems(p: &mut Vec<Problem>, path: &str, m: &crate::order::Money, currency: Option<&str>) {
    if m.amount_minor < 0 {
        p.push(Problem::new(format!("{path}.amount_minor"), ProblemCode::OutOfRange));
    }
    let code_ok = m.currency.len() == 3 && m.currency.bytes().all(|b| b.is_ascii_uppercase());
    // One currency per order: every price and replacement in the first item's currency.
    if !code_ok || currency.is_some_and(|c| c != m.currency) {
        p.push(Problem::new(format!("{path}.currency"), ProblemCode::Invalid));
    }
}

/// The attributes of the script tag that embeds the widget for this order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Embed {
    /// The server's public URL, when it is configured (`--public-url`).
    #[serde(rename = "data-endpoint", default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    #[serde(rename = "data-order")]
    pub order: String,
    /// Only when the token was just made (on create and rotation).
    #[serde(rename = "data-token", default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    #[serde(rename = "data-locale", default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<Locale>,
}

/// The answer to `PUT /v1/backend/orders/{order}` and to a token rotation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BackendOrderSaved {
    pub order: OrderView,
    /// The customer token: on create and rotation only (it is stored hashed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_token: Option<String>,
    pub embed: Embed,
}

/// `GET /v1/backend/orders/{order}`: the order with every agreed version, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BackendOrderDetail {
    pub order: OrderView,
    pub versions: Vec<Receipt>,
}

/// One order that changed, in `GET /v1/backend/orders?after=CURSOR`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OrderChange {
    pub id: String,
    pub status: OrderStatus,
    /// The current agreement's version, if there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_version: Option<u32>,
    /// Pass the last one as `after` to get what changed since.
    pub cursor: i64,
}

/// `GET /v1/backend/orders?after=CURSOR&limit=N`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OrderChanges {
    pub orders: Vec<OrderChange>,
    /// The cursor to ask with next (the same one when nothing changed).
    pub next: i64,
}

/// `POST /v1/backend/webhooks`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NewWebhook {
    pub url: String,
    /// The event types to send; every type when empty.
    #[serde(default)]
    pub event_types: Vec<String>,
}

impl NewWebhook {
    /// Every problem with this endpoint; `known` lists the event types there are.
    pub fn problems(&self, known: &[&str]) -> Vec<Problem> {
        let mut p = Vec::new();
        if !safe_url(&self.url) {
            p.push(Problem::new("url", ProblemCode::Invalid));
        }
        for (n, t) in self.event_types.iter().enumerate() {
            if !known.contains(&t.as_str()) {
                p.push(Problem::new(format!("event_types[{n}]"), ProblemCode::Invalid));
            }
        }
        p
    }
}

/// A webhook endpoint; its secret is shown once, when it is made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    pub event_types: Vec<String>,
    /// Set when the endpoint answered 410 Gone: nothing more is sent to it.
    pub disabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// A webhook delivery as the console lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Delivery {
    pub id: i64,
    pub order: String,
    pub event_type: String,
    pub url: String,
    pub attempts: u32,
    /// `pending` (being retried), `failed` (given up) or `delivered`.
    pub state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    pub created_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::Money;

    fn item(id: &str, amount: i64, currency: &str) -> Item {
        Item {
            id: id.into(),
            name: "Coffee".into(),
            quantity: 1,
            unit_price: Money { amount_minor: amount, currency: currency.into() },
            option_set: None,
            replacements: vec![],
            active: true,
        }
    }

    fn order(items: Vec<Item>) -> BackendOrder {
        BackendOrder { items, delivery_slot: None, payment_methods: None, customer: None, locale: None, status: None }
    }

    #[test]
    fn an_order_has_items_with_unique_ids_prices_at_or_above_zero_and_one_currency() {
        assert!(order(vec![item("a", 100, "PLN"), item("b", 0, "PLN")]).problems().is_empty());
        assert_eq!(order(vec![]).problems(), vec![Problem::new("items", ProblemCode::Required)]);
        let p = order(vec![item("a", -1, "PLN"), item("a", 5, "EUR"), item("c", 5, "pln")]).problems();
        assert_eq!(
            p,
            vec![
                Problem::new("items[0].unit_price.amount_minor", ProblemCode::OutOfRange),
                Problem::new("items[1].id", ProblemCode::Duplicate),
                Problem::new("items[1].unit_price.currency", ProblemCode::Invalid),
                Problem::new("items[2].unit_price.currency", ProblemCode::Invalid),
            ]
        );
    }

    #[test]
    fn a_replacement_in_another_currency_is_named() {
        let mut a = item("a", 100, "PLN");
        a.replacements = vec![crate::order::Replacement {
            id: "r".into(),
            name: "R".into(),
            unit_price: Money { amount_minor: 90, currency: "EUR".into() },
        }];
        assert_eq!(
            order(vec![a]).problems(),
            vec![Problem::new("items[0].replacements[0].unit_price.currency", ProblemCode::Invalid)]
        );
    }

    #[test]
    fn known_contact_details_are_checked_like_the_customers_own() {
        let mut o = order(vec![item("a", 1, "PLN")]);
        o.customer = Some(KnownContact { phone: Some("12".into()), email: Some("x@".into()), telegram: None });
        let paths: Vec<String> = o.problems().into_iter().map(|p| p.path).collect();
        assert_eq!(paths, vec!["customer.phone", "customer.email"]);
    }

    #[test]
    fn order_ids_are_short_and_plain() {
        assert!(valid_order_id("KC-1001"));
        assert!(valid_order_id("a.b_c-9"));
        assert!(!valid_order_id(""));
        assert!(!valid_order_id("a/b"));
        assert!(!valid_order_id(&"x".repeat(65)));
    }
}
