//! Validation problems: a field path and a code the widget translates.

use serde::{Deserialize, Serialize};

/// What is wrong with a field; the widget turns it into a sentence in the customer's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
    TooLong,
    /// A code this version of the protocol does not know yet.
    #[serde(other)]
    Unknown,
}

/// One problem with one field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
