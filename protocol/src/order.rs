//! The order view, its timeline, and the receipt of an agreement.

use serde::{Deserialize, Serialize};

use crate::chat::ChangeRequest;
use crate::preferences::{PaymentMethod, Preferences};
use crate::shop::PaymentCondition;

/// schema.org OrderStatus values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum OrderStatus {
    OrderPaymentDue,
    OrderProcessing,
    OrderPickupAvailable,
    OrderInTransit,
    OrderDelivered,
    OrderCancelled,
    OrderReturned,
    OrderProblem,
    /// A value this version does not know (sent by a newer server); shown as "updated".
    #[serde(skip)]
    Unknown,
}

impl OrderStatus {
    /// Every status this version knows.
    pub const ALL: [OrderStatus; 8] = [
        OrderStatus::OrderPaymentDue,
        OrderStatus::OrderProcessing,
        OrderStatus::OrderPickupAvailable,
        OrderStatus::OrderInTransit,
        OrderStatus::OrderDelivered,
        OrderStatus::OrderCancelled,
        OrderStatus::OrderReturned,
        OrderStatus::OrderProblem,
    ];

    /// Whether the customer may still change preferences (before the shop starts picking).
    pub fn allows_edits(self) -> bool {
        matches!(self, OrderStatus::OrderPaymentDue | OrderStatus::OrderProcessing)
    }
}

/// An amount in minor units (cents, grosze, kopecks) of an ISO 4217 currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Money {
    pub amount_minor: i64,
    pub currency: String,
}

/// An item the shop suggests in place of another.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Replacement {
    pub id: String,
    pub name: String,
    pub unit_price: Money,
}

/// One line of the order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Item {
    pub id: String,
    pub name: String,
    pub quantity: u32,
    pub unit_price: Money,
    /// The shop's option set for this item (see `ShopProfile::option_sets`), if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub option_set: Option<String>,
    /// The shop's suggested replacements, for a "specific replacement" rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replacements: Vec<Replacement>,
    /// Whether the item is still in the order (false once removed).
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// When the order is delivered, as instants (RFC 3339) and as shop-local times of day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DeliverySlot {
    pub start: String,
    pub end: String,
}

/// Whether a payment method can be chosen for this order, and if not, which condition rules it out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PaymentOption {
    pub method: PaymentMethod,
    pub available: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unavailable_because: Option<PaymentCondition>,
}

/// Something that happened to the order, as the customer sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TimelineEvent {
    Status {
        status: OrderStatus,
    },
    PreferencesAgreed {
        version: u32,
    },
    PromiseBroken {
        report: i64,
        receipt_version: u32,
        promise: crate::chat::Promise,
    },
    ItemResolved {
        item: String,
        resolution: ItemResolution,
    },
    ChangeRequested {
        change_request: i64,
    },
    ChangeAnswered {
        change_request: i64,
        accepted: bool,
    },
    CallbackRequested {
        callback: i64,
    },
    SurveyAnswered {
        rating: u8,
    },
    /// The shop logged a phone call (only ever allowed when the agreement allows calls).
    CallLogged {
        call: i64,
    },
    /// The shop changed the order (items, slot, payment options); what the agreement said about
    /// items that are gone was dropped, and those items are named here.
    OrderUpdated {
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        dropped: Vec<String>,
    },
    /// A value this version does not know (sent by a newer server); shown as "updated".
    #[serde(skip)]
    Unknown,
}

/// What became of a missing item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ItemResolution {
    Substituted {
        replacement: String,
        name: String,
        unit_price: Money,
    },
    Removed {
        refund: Money,
    },
    AskedCustomer {
        channel: crate::contact::Channel,
        deadline: String,
    },
    OrderCancelled,
    /// A value this version does not know (sent by a newer server); shown as "updated".
    #[serde(skip)]
    Unknown,
}

/// One timeline entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TimelineEntry {
    /// RFC 3339, UTC.
    pub at: String,
    pub event: TimelineEvent,
    /// The shop's person who did it (their display name), when a named operator did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

/// What the backend answers after storing preferences: the agreement, kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OrderView {
    pub id: String,
    pub status: OrderStatus,
    /// The order's ISO 4217 currency: its prices, refunds and caps are in it. Backends written
    /// before it existed leave it out; then it is the items' currency.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub currency: String,
    pub items: Vec<Item>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_slot: Option<DeliverySlot>,
    /// The shop's payment methods as they apply to this order.
    #[serde(default)]
    pub payment_options: Vec<PaymentOption>,
    #[serde(default)]
    pub timeline: Vec<TimelineEntry>,
    /// The current agreement, if the customer has made one.
    pub receipt: Option<Receipt>,
    /// Whether preferences may still change (until the shop starts picking).
    pub editable: bool,
    /// Change requests from the shop, answered or not.
    #[serde(default)]
    pub change_requests: Vec<ChangeRequest>,
    /// Whether the one-question survey is waiting for an answer.
    #[serde(default)]
    pub survey_due: bool,
    /// Contact details the shop already knows, to prefill; shown to nobody but the customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_contact: Option<crate::backend::KnownContact>,
}

impl OrderView {
    /// A new order with these items: no slot, no agreement yet, nothing on its timeline.
    pub fn new(id: impl Into<String>, status: OrderStatus, items: Vec<Item>) -> OrderView {
        OrderView {
            id: id.into(),
            status,
            currency: items.first().map(|i| i.unit_price.currency.clone()).unwrap_or_default(),
            items,
            delivery_slot: None,
            payment_options: Vec::new(),
            timeline: Vec::new(),
            receipt: None,
            editable: status.allows_edits(),
            change_requests: Vec::new(),
            survey_due: false,
            known_contact: None,
        }
    }

    /// The order's currency (see [`OrderView::currency`](field@OrderView::currency)).
    pub fn currency(&self) -> &str {
        match (self.currency.as_str(), self.items.first()) {
            ("", Some(first)) => &first.unit_price.currency,
            (c, _) => c,
        }
    }

    /// The item with this id.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }

    /// Whether `method` can be chosen for this order.
    pub fn payment_available(&self, method: PaymentMethod) -> bool {
        self.payment_options.iter().any(|o| o.method == method && o.available)
    }
}
