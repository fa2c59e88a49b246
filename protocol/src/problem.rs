//! Validation problems: a field path and a code the widget translates.

use serde::{Deserialize, Serialize};

/// What is wrong with a field; the widget turns it into a sentence in the customer's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProblemCode {
    /// Nothing was given where something is needed.
    Required,
    /// The value is not one this field can take.
    Invalid,
    InvalidPhone,
    InvalidEmail,
    InvalidTelegram,
    /// The chosen channel needs a contact detail that was not given.
    ContactMissing,
    /// A phone call was chosen together with "do not call me".
    CallsForbidden,
    /// The same channel appears twice in the plan.
    DuplicateChannel,
    ChannelNotOffered,
    PaymentNotOffered,
    /// The payment method is offered, but one of its conditions rules it out for this order.
    PaymentUnavailable,
    TooLong,
    /// A number outside its allowed range (a negative price cap, a wait of 0 minutes...).
    OutOfRange,
    /// An item id that is not in this order.
    UnknownItem,
    /// An option that is not in the item's option set.
    UnknownOption,
    /// A replacement the shop did not suggest for this item.
    UnknownReplacement,
    /// The same item appears twice where it may appear once.
    Duplicate,
    /// An ask-first channel that is not in the contact plan.
    ChannelNotInPlan,
    /// A callback window outside the shop's working hours.
    OutsideHours,
    /// A code this version of the protocol does not know yet.
    #[serde(other)]
    Unknown,
}

/// One problem with one field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Problem {
    /// Dotted path with indices, e.g. `contact.channels[0]`.
    pub path: String,
    pub code: ProblemCode,
}

impl Problem {
    /// A problem at `path`.
    pub fn new(path: impl Into<String>, code: ProblemCode) -> Problem {
        Problem { path: path.into(), code }
    }
}
