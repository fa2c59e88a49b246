//! Substitution rules: what the shop does when an item is missing.

use serde::{Deserialize, Serialize};

use crate::contact::Channel;
use crate::order::Money;

/// How much dearer a substitute may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PriceCap {
    /// At most this many percent above the original price.
    Percent { percent: i32 },
    /// At most this many minor units above the original price, in the order's currency.
    Amount { amount_minor: i64 },
}

impl PriceCap {
    /// Whether a substitute at `candidate` stays within the cap over `original`.
    pub fn allows(self, original: &Money, candidate: &Money) -> bool {
        if original.currency != candidate.currency {
            return false;
        }
        let extra = candidate.amount_minor - original.amount_minor;
        match self {
            // Integer arithmetic, rounding the allowance down: a cap is a promise, never exceeded.
            PriceCap::Percent { percent } => {
                extra <= 0 || extra.saturating_mul(100) <= original.amount_minor.saturating_mul(percent as i64)
            }
            PriceCap::Amount { amount_minor } => extra <= amount_minor,
        }
    }

    /// Whether the cap itself makes sense (not negative, percent at most 1000).
    pub fn is_valid(self) -> bool {
        match self {
            PriceCap::Percent { percent } => (0..=1000).contains(&percent),
            PriceCap::Amount { amount_minor } => amount_minor >= 0,
        }
    }
}

/// What to do when an ask-first question gets no answer in time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "then", rename_all = "snake_case")]
pub enum Fallback {
    Similar { max_increase: PriceCap },
    Remove,
}

/// The customer's rule for a missing item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum SubstitutionRule {
    /// Substitute a similar item, within the price cap.
    Similar { max_increase: PriceCap },
    /// Substitute this specific item (one of the shop's suggestions for the item).
    Specific { replacement: String },
    /// Ask over `channel`, wait `wait_minutes`, then apply `fallback`.
    AskFirst { channel: Channel, wait_minutes: u32, fallback: Fallback },
    /// Remove the item and refund it.
    Remove,
    /// Cancel the whole order.
    CancelOrder,
}

impl Default for SubstitutionRule {
    /// Asking nothing of the customer, the shop may only remove and refund.
    fn default() -> SubstitutionRule {
        SubstitutionRule::Remove
    }
}

impl SubstitutionRule {
    /// Whether the shop may put `candidate` (id and price) in place of an item priced `original`
    /// without asking.
    pub fn allows(&self, original: &Money, candidate_id: &str, candidate: &Money) -> bool {
        match self {
            SubstitutionRule::Similar { max_increase } => max_increase.allows(original, candidate),
            SubstitutionRule::Specific { replacement } => replacement == candidate_id,
            SubstitutionRule::AskFirst { .. } | SubstitutionRule::Remove | SubstitutionRule::CancelOrder => false,
        }
    }

    /// The channel an ask-first rule uses.
    pub fn ask_channel(&self) -> Option<Channel> {
        match self {
            SubstitutionRule::AskFirst { channel, .. } => Some(*channel),
            _ => None,
        }
    }
}

/// One rule for the order and optional overrides per item.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SubstitutionPolicy {
    #[serde(default)]
    pub default: SubstitutionRule,
    #[serde(default)]
    pub overrides: Vec<ItemRule>,
}

/// A per-item override.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ItemRule {
    pub item: String,
    pub rule: SubstitutionRule,
}

impl SubstitutionPolicy {
    /// The rule that applies to `item`.
    pub fn rule_for(&self, item: &str) -> &SubstitutionRule {
        self.overrides.iter().find(|o| o.item == item).map_or(&self.default, |o| &o.rule)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pln(amount_minor: i64) -> Money {
        Money { amount_minor, currency: "PLN".into() }
    }

    #[test]
    fn a_ten_percent_cap_allows_exactly_ten_percent_more_and_not_a_grosz_above() {
        let cap = PriceCap::Percent { percent: 10 };
        assert!(cap.allows(&pln(5000), &pln(5500)));
        assert!(!cap.allows(&pln(5000), &pln(5501)));
        assert!(cap.allows(&pln(5000), &pln(3000)));
    }

    #[test]
    fn an_amount_cap_is_in_minor_units_and_never_crosses_currencies() {
        let cap = PriceCap::Amount { amount_minor: 500 };
        assert!(cap.allows(&pln(4900), &pln(5400)));
        assert!(!cap.allows(&pln(4900), &pln(5401)));
        assert!(!cap.allows(&pln(4900), &Money { amount_minor: 4900, currency: "EUR".into() }));
    }

    #[test]
    fn negative_caps_are_not_valid() {
        assert!(!PriceCap::Percent { percent: -5 }.is_valid());
        assert!(!PriceCap::Amount { amount_minor: -1 }.is_valid());
        assert!(PriceCap::Percent { percent: 0 }.is_valid());
    }

    #[test]
    fn only_similar_within_cap_or_the_named_item_may_replace_without_asking() {
        let specific = SubstitutionRule::Specific { replacement: "coffee-11".into() };
        assert!(specific.allows(&pln(4900), "coffee-11", &pln(9900)));
        assert!(!specific.allows(&pln(4900), "coffee-12", &pln(4900)));
        assert!(!SubstitutionRule::Remove.allows(&pln(4900), "coffee-11", &pln(4000)));
    }

    #[test]
    fn an_override_wins_over_the_order_rule() {
        let policy = SubstitutionPolicy {
            default: SubstitutionRule::Remove,
            overrides: vec![ItemRule { item: "coffee-3".into(), rule: SubstitutionRule::CancelOrder }],
        };
        assert_eq!(policy.rule_for("coffee-3"), &SubstitutionRule::CancelOrder);
        assert_eq!(policy.rule_for("coffee-1"), &SubstitutionRule::Remove);
    }

    #[test]
    fn rules_are_tagged_on_the_wire() {
        let rule = SubstitutionRule::AskFirst {
            channel: Channel::Whatsapp,
            wait_minutes: 15,
            fallback: Fallback::Similar { max_increase: PriceCap::Percent { percent: 10 } },
        };
        let json = serde_json::to_value(&rule).unwrap();
        assert_eq!(json["rule"], "ask_first");
        assert_eq!(json["fallback"]["then"], "similar");
        assert_eq!(json["fallback"]["max_increase"]["kind"], "percent");
    }
}
