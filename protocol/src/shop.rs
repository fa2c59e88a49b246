//! The shop profile: what this shop offers.

use serde::{Deserialize, Serialize};

use crate::contact::Channel;
use crate::preferences::PaymentMethod;

/// `GET /v1/shop`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopProfile {
    pub name: String,
    /// IANA time zone, e.g. `Europe/Warsaw`.
    pub time_zone: String,
    /// The channels the shop answers on, in the shop's order.
    pub channels: Vec<Channel>,
    pub payment_methods: Vec<PaymentOffer>,
}

/// A payment method the shop accepts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentOffer {
    pub method: PaymentMethod,
}

impl ShopProfile {
    /// Whether the shop answers on `channel`.
    pub fn offers_channel(&self, channel: Channel) -> bool {
        self.channels.contains(&channel)
    }

    /// Whether the shop accepts `method`.
    pub fn offers_payment(&self, method: PaymentMethod) -> bool {
        self.payment_methods.iter().any(|o| o.method == method)
    }
}
