//! What the shop's operator console and the server exchange under `/v1/operator/`.

use serde::{Deserialize, Serialize};

use crate::chat::{Callback, ChangeKind, Message, Report};
use crate::order::{OrderStatus, OrderView, Replacement};
use crate::problem::{Problem, ProblemCode};

/// One row of the order list, with what needs attention.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OrderSummary {
    pub id: String,
    pub status: OrderStatus,
    /// When the oldest customer message still without a reply was sent (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_since: Option<String>,
    pub pending_change_requests: u32,
    pub reports: u32,
    pub callbacks_due: u32,
}

/// `GET /v1/operator/orders/{order}`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OrderDetail {
    pub order: OrderView,
    /// The newest messages, oldest first.
    pub messages: Vec<Message>,
    pub callbacks: Vec<Callback>,
    pub reports: Vec<Report>,
    /// Every promise Kept made on this order, and what became of it.
    #[serde(default)]
    pub promises: Vec<crate::record::PromiseEntry>,
    /// What followed her to her channel when she had not seen it, and what became of it.
    #[serde(default)]
    pub notifications: Vec<crate::notify::NotificationEntry>,
}

/// `POST /v1/operator/orders/{order}/messages`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OperatorMessage {
    pub text: String,
}

impl OperatorMessage {
    /// Every problem with this message.
    pub fn problems(&self) -> Vec<Problem> {
        let mut p = Vec::new();
        crate::chat::text_problems(&mut p, "text", &self.text, crate::chat::MESSAGE_MAX_CHARS, true);
        p
    }
}

/// `POST /v1/operator/orders/{order}/status`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StatusChange {
    pub status: OrderStatus,
}

/// `POST /v1/operator/orders/{order}/items/{item}/out-of-stock`
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OutOfStock {
    /// The substitute the operator picked, for a "similar" rule; the server checks the price cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<Replacement>,
}

/// `POST /v1/operator/orders/{order}/calls`: the operator phoned the customer. Refused for a
/// customer who said "do not call", naming the channels to use instead.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CallLog {
    /// The callback this call answers, if any; it is marked done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl CallLog {
    /// Every problem with this log entry.
    pub fn problems(&self) -> Vec<Problem> {
        let mut p = Vec::new();
        if let Some(note) = &self.note {
            crate::chat::text_problems(&mut p, "note", note, crate::chat::NOTE_MAX_CHARS, false);
        }
        p
    }
}

/// A logged call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LoggedCall {
    pub id: i64,
    pub logged_at: String,
}

/// `POST /v1/operator/session`: a named operator signs in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SignIn {
    pub name: String,
    pub password: String,
}

/// The operator a session belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OperatorMe {
    pub name: String,
    pub display_name: String,
}

/// `POST /v1/operator/orders/{order}/change-requests`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NewChangeRequest {
    pub change: ChangeKind,
    pub reason: String,
}

impl NewChangeRequest {
    /// Every problem with this request.
    pub fn problems(&self) -> Vec<Problem> {
        let mut p = Vec::new();
        crate::chat::text_problems(&mut p, "reason", &self.reason, crate::chat::NOTE_MAX_CHARS, true);
        if let ChangeKind::Substitution { unit_price, .. } = &self.change {
            if unit_price.amount_minor < 0 {
                p.push(Problem::new("change.unit_price.amount_minor", ProblemCode::OutOfRange));
            }
        }
        p
    }
}

/// A person of the shop's as its staff system sees them (`GET /v1/backend/operators`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OperatorAccount {
    pub name: String,
    pub display_name: String,
    /// A disabled operator cannot sign in; their sessions ended when they were disabled.
    pub disabled: bool,
    pub created_at: String,
}

/// `POST /v1/backend/operators`: a new person. Without a password, one is made and answered once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NewOperator {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// Longest operator name and display name, in characters.
pub const OPERATOR_NAME_MAX_CHARS: usize = 64;
/// Shortest password an operator may have, in characters.
pub const PASSWORD_MIN_CHARS: usize = 10;

impl NewOperator {
    /// Every problem with this request: a name (no white space inside, at most 64 characters),
    /// a display name that is not blank, a password of at least 10 characters when one is given.
    pub fn problems(&self) -> Vec<Problem> {
        let mut p = Vec::new();
        let name = self.name.trim();
        if name.is_empty() {
            p.push(Problem::new("name", ProblemCode::Required));
        } else if name.chars().count() > OPERATOR_NAME_MAX_CHARS
            || name.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            p.push(Problem::new("name", ProblemCode::Invalid));
        }
        if let Some(display) = &self.display_name {
            if display.trim().is_empty() {
                p.push(Problem::new("display_name", ProblemCode::Required));
            } else if display.chars().count() > OPERATOR_NAME_MAX_CHARS || display.chars().any(char::is_control) {
                p.push(Problem::new("display_name", ProblemCode::Invalid));
            }
        }
        password_problems(&mut p, self.password.as_deref());
        p
    }
}

/// `POST /v1/backend/operators/{name}/password`: a new password (every old session ends).
/// Without one, one is made and answered once.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PasswordReset {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

impl PasswordReset {
    /// Every problem with this request.
    pub fn problems(&self) -> Vec<Problem> {
        let mut p = Vec::new();
        password_problems(&mut p, self.password.as_deref());
        p
    }
}

fn password_problems(p: &mut Vec<Problem>, password: Option<&str>) {
    if password.is_some_and(|pw| pw.chars().count() < PASSWORD_MIN_CHARS) {
        p.push(Problem::new("password", ProblemCode::Invalid));
    }
}

/// A new operator or a reset password; `password` only when the server made it (shown once).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OperatorSaved {
    pub operator: OperatorAccount,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}
