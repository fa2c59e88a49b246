//! Receipt versions: what the customer is shown as agreed. Every new version, whoever causes it
//! (the customer's submission, an accepted payment change, the shop's order update that drops
//! items), is made here.

use jiff::Timestamp;
use kept_protocol::{OrderView, Preferences, Receipt, ShopProfile};

use crate::{canonical, clock, ApiError};

/// The receipt of `preferences` (already valid for `view`) accepted `at`, without its version
/// (the store numbers versions), and the canonical JSON its digest is of.
pub fn receipt(
    shop: &ShopProfile,
    view: &OrderView,
    preferences: Preferences,
    at: Timestamp,
) -> Result<(String, Receipt), ApiError> {
    let canonical = canonical::json(&preferences)?;
    let digest = canonical::digest(&canonical);
    let summary = preferences.summary(shop, view, kept_protocol::catalog::words(preferences.locale));
    let receipt = Receipt { version: 0, accepted_at: clock::rfc3339(at), digest, summary, preferences };
    Ok((canonical, receipt))
}
