//! The one JSON shape every error response has.

use serde::{Deserialize, Serialize};

use crate::problem::Problem;

/// What kind of failure an error response reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    ValidationFailed,
    MalformedRequest,
    NotFound,
    Unauthorized,
    IdempotencyConflict,
    /// The order can no longer change (the shop has started picking).
    NotEditable,
    /// The request does not fit the current state (an answered change request, a survey not due...).
    Conflict,
    PayloadTooLarge,
    /// A body that is not sent as `application/json`.
    UnsupportedMediaType,
    /// The path exists, the method does not.
    MethodNotAllowed,
    RateLimited,
    Unavailable,
    Internal,
    #[serde(other)]
    Unknown,
}

/// `{ "error": { "code", "message", "fields": [{ "path", "code" }] } }`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// The inside of an [`ErrorBody`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ErrorDetail {
    pub code: ErrorCode,
    /// For developers reading logs; customers see translated text built from `code` and `fields`.
    pub message: String,
    #[serde(default)]
    pub fields: Vec<Problem>,
}
