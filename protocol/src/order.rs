//! The order view and the receipt of an agreement.

use serde::{Deserialize, Serialize};

use crate::preferences::Preferences;

/// schema.org OrderStatus values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderStatus {
    OrderPaymentDue,
    OrderProcessing,
    OrderPickupAvailable,
    OrderInTransit,
    OrderDelivered,
    OrderCancelled,
    OrderReturned,
    OrderProblem,
}

/// An amount in minor units (cents, grosze, kopecks) of an ISO 4217 currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    pub amount_minor: i64,
    pub currency: String,
}

/// One line of the order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub id: String,
    pub name: String,
    pub quantity: u32,
    pub unit_price: Money,
}

/// What the shop's backend answers after storing preferences: the agreement, kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// 1 for the first agreement; each change is a new version.
    pub version: u32,
    /// RFC 3339, UTC.
    pub accepted_at: String,
    /// `sha256:` and the hex digest of the canonical JSON of `preferences`.
    pub digest: String,
    /// The agreement in plain words, in the customer's language.
    pub summary: Vec<String>,
    pub preferences: Preferences,
}

/// `GET /v1/orders/{order}`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderView {
    pub id: String,
    pub status: OrderStatus,
    pub items: Vec<Item>,
    /// The current agreement, if the customer has made one.
    pub receipt: Option<Receipt>,
    /// Whether preferences may still change (until the shop starts picking).
    pub editable: bool,
}
