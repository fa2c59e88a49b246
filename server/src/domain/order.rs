//! The order the rules decide over.

use kept_protocol::{DeliverySlot, Item, OrderStatus};

/// An order as the rules see it (and as it is stored): its items, slot and payment offers,
/// without its history.
#[derive(Clone, Debug)]
pub struct Order {
    pub id: String,
    pub status: OrderStatus,
    pub items: Vec<Item>,
    pub editable: bool,
    pub delivery_slot: Option<DeliverySlot>,
    /// This order's own payment methods (from the shop's servers); the shop's when None.
    pub payment_methods: Option<Vec<kept_protocol::PaymentOffer>>,
    pub contact: Option<kept_protocol::backend::KnownContact>,
    pub locale: Option<kept_protocol::Locale>,
}
