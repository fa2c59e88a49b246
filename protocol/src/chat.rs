//! The order-status chat and everything the customer and the shop send each other there.

use serde::{Deserialize, Serialize};

use crate::order::{DeliverySlot, ItemResolution, OrderStatus, Receipt, TimelineEntry};
use crate::preferences::PaymentMethod;
use crate::problem::{Problem, ProblemCode};
use crate::shop::Availability;
use crate::time::TimeWindow;

/// Longest chat message, in characters.
pub const MESSAGE_MAX_CHARS: usize = 2000;
/// Longest free-text note on a report or survey, in characters.
pub const NOTE_MAX_CHARS: usize = 1000;
/// Longest client id, in bytes.
pub const CLIENT_ID_MAX: usize = 64;

/// Who wrote a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AuthorKind {
    Customer,
    Operator,
    System,
    /// An automatic answer; always labelled as one.
    Bot,
    /// A value this version does not know (sent by a newer server); shown as "updated".
    #[serde(skip)]
    Unknown,
}

impl AuthorKind {
    /// Every author this version knows.
    pub const ALL: [AuthorKind; 4] = [AuthorKind::Customer, AuthorKind::Operator, AuthorKind::System, AuthorKind::Bot];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthorKind::Customer => "customer",
            AuthorKind::Operator => "operator",
            AuthorKind::System => "system",
            AuthorKind::Bot => "bot",
            AuthorKind::Unknown => "unknown",
        }
    }
}

/// A chat message; its text is plain text, never HTML.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Message {
    /// Increasing within an order; also the paging cursor.
    pub id: i64,
    /// The sender's de-duplication id, for the customer's own messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    pub author: AuthorKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_name: Option<String>,
    pub text: String,
    /// RFC 3339, UTC.
    pub sent_at: String,
}

/// `POST /v1/orders/{order}/messages`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NewMessage {
    /// Chosen by the sender; posting the same client id twice stores one message.
    pub client_id: String,
    pub text: String,
}

impl NewMessage {
    /// Every problem with this message.
    pub fn problems(&self) -> Vec<Problem> {
        let mut p = Vec::new();
        let id = self.client_id.trim();
        if id.is_empty() {
            p.push(Problem::new("client_id", ProblemCode::Required));
        } else if id.len() > CLIENT_ID_MAX {
            p.push(Problem::new("client_id", ProblemCode::TooLong));
        }
        text_problems(&mut p, "text", &self.text, MESSAGE_MAX_CHARS, true);
        p
    }
}

/// Adds the problems of a free-text field: required (if so), at most `max` characters.
pub fn text_problems(p: &mut Vec<Problem>, path: &str, text: &str, max: usize, required: bool) {
    if required && text.chars().all(renders_as_nothing) {
        p.push(Problem::new(path, ProblemCode::Required));
    } else if text.chars().count() > max {
        p.push(Problem::new(path, ProblemCode::TooLong));
    }
}

/// Whether a character shows nothing on screen: white space, control and format characters
/// (zero-width spaces and joiners, bidi marks, the BOM, soft hyphens, variation selectors, tags).
pub fn renders_as_nothing(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}' | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF0}'..='\u{FFF8}' | '\u{E0000}'..='\u{E0FFF}')
}

/// Text as stored: control characters other than line breaks and tabs removed, trimmed.
pub fn clean_text(text: &str) -> String {
    let kept: String = text.chars().filter(|&c| !c.is_control() || c == '\n' || c == '\t').collect();
    kept.trim().to_owned()
}

/// `GET /v1/orders/{order}/messages`: a page of messages, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MessagePage {
    pub messages: Vec<Message>,
    /// Pass as `before` to get the page of older messages, if there are any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub older: Option<i64>,
}

/// A promise in the agreement that the shop broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Promise {
    CalledMe,
    AskedToPrepay,
    SubstitutedAgainstRule,
    Other,
}

/// `POST /v1/orders/{order}/reports`: "the shop broke this".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BrokenPromiseReport {
    /// The receipt version the customer was looking at.
    pub receipt_version: u32,
    pub promise: Promise,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl BrokenPromiseReport {
    /// Every problem with this report; `current_version` is the order's newest receipt, if any.
    pub fn problems(&self, current_version: Option<u32>) -> Vec<Problem> {
        let mut p = Vec::new();
        if !current_version.is_some_and(|v| (1..=v).contains(&self.receipt_version)) {
            p.push(Problem::new("receipt_version", ProblemCode::Invalid));
        }
        let note = self.note.as_deref().unwrap_or("");
        text_problems(&mut p, "note", note, NOTE_MAX_CHARS, self.promise == Promise::Other);
        p
    }
}

/// A stored report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Report {
    pub id: i64,
    pub receipt_version: u32,
    pub promise: Promise,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub reported_at: String,
}

/// `POST /v1/orders/{order}/callbacks`: call me back in this window, in the shop's time zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CallbackRequest {
    /// The day, `YYYY-MM-DD` in the shop's time zone.
    pub date: String,
    pub window: TimeWindow,
}

/// Where a callback stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CallbackStatus {
    Pending,
    Done,
    /// The window passed without the call.
    Overdue,
}

/// A stored callback promise.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Callback {
    pub id: i64,
    /// RFC 3339 instants of the window.
    pub window_start: String,
    pub window_end: String,
    pub status: CallbackStatus,
}

/// What the shop asks to change, which needs the customer's consent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChangeKind {
    /// Pay with another method (e.g. prepay online instead of card on delivery).
    Payment { method: PaymentMethod },
    /// Substitute an item outside the customer's rule.
    Substitution { item: String, replacement: String, name: String, unit_price: crate::order::Money },
    /// Deliver in another slot.
    DeliverySlot { slot: DeliverySlot },
    /// Remove an item and refund it (an ask-first question when there is nothing to offer instead).
    Removal { item: String, refund: crate::order::Money },
    /// A value this version does not know (sent by a newer server); shown as "updated".
    #[serde(skip)]
    Unknown,
}

impl ChangeStatus {
    /// Every status this version knows.
    pub const ALL: [ChangeStatus; 5] = [
        ChangeStatus::Pending,
        ChangeStatus::Accepted,
        ChangeStatus::Declined,
        ChangeStatus::Expired,
        ChangeStatus::Withdrawn,
    ];
}

impl ChangeKind {
    /// The item this change is about, if it is about one.
    pub fn item(&self) -> Option<&str> {
        match self {
            ChangeKind::Substitution { item, .. } | ChangeKind::Removal { item, .. } => Some(item),
            _ => None,
        }
    }
}

/// Where a change request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeStatus {
    Pending,
    Accepted,
    Declined,
    /// An ask-first question nobody answered in time: the customer's fallback was applied.
    Expired,
    /// Overtaken by another change to the same item before the customer answered.
    Withdrawn,
    /// A value this version does not know (sent by a newer server); shown as "updated".
    #[serde(skip)]
    Unknown,
}

/// A change the shop proposed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ChangeRequest {
    pub id: i64,
    pub change: ChangeKind,
    /// The shop's reason, in its own words.
    pub reason: String,
    pub status: ChangeStatus,
    pub created_at: String,
    /// Set when this is an ask-first question: it waits for the customer until its deadline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<Question>,
}

/// An ask-first question: the customer answers by the deadline, or their fallback applies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Question {
    /// RFC 3339 instant after which the fallback applies.
    pub deadline: String,
    pub fallback: crate::substitution::Fallback,
    /// Where the customer asked to be asked, so the shop's own messaging can reach them there too.
    pub channel: crate::contact::Channel,
}

/// `POST /v1/orders/{order}/change-requests/{id}/answer`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ConsentAnswer {
    pub accept: bool,
}

/// `POST /v1/orders/{order}/survey`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SurveyAnswer {
    /// 1 (bad) to 5 (very good).
    pub rating: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl SurveyAnswer {
    /// Every problem with this answer.
    pub fn problems(&self) -> Vec<Problem> {
        let mut p = Vec::new();
        if !(1..=5).contains(&self.rating) {
            p.push(Problem::new("rating", ProblemCode::OutOfRange));
        }
        text_problems(&mut p, "comment", self.comment.as_deref().unwrap_or(""), NOTE_MAX_CHARS, false);
        p
    }
}

/// A live update, delivered as a Server-Sent Event whose `id` is `id` and whose `event` is the type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Event {
    /// Increasing within an order; resume with `Last-Event-ID`.
    pub id: i64,
    pub data: EventData,
}

/// What an event carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventData {
    Message {
        message: Message,
    },
    Timeline {
        entry: TimelineEntry,
    },
    Status {
        status: OrderStatus,
    },
    Receipt {
        receipt: Receipt,
    },
    ChangeRequest {
        change_request: ChangeRequest,
    },
    ItemResolved {
        item: String,
        resolution: ItemResolution,
    },
    Availability {
        availability: Availability,
    },
    /// A promise was made, kept, broken or answered.
    Promise {
        promise: crate::record::PromiseEntry,
    },
    /// An open promise falls due soon (the shop's console and its servers are told; the lead is
    /// configurable).
    PromiseDueSoon {
        promise: crate::record::PromiseEntry,
    },
    /// A notification of what she had not seen was sent, handed to the shop, found seen or
    /// failed (the console shows "sent by email 10:42").
    Notification {
        notification: crate::notify::NotificationEntry,
    },
    /// A value this version does not know (sent by a newer server); shown as "updated".
    #[serde(skip)]
    Unknown,
}

impl EventData {
    /// The SSE event name.
    pub fn name(&self) -> &'static str {
        match self {
            EventData::Message { .. } => "message",
            EventData::Timeline { .. } => "timeline",
            EventData::Status { .. } => "status",
            EventData::Receipt { .. } => "receipt",
            EventData::ChangeRequest { .. } => "change_request",
            EventData::ItemResolved { .. } => "item_resolved",
            EventData::Availability { .. } => "availability",
            EventData::Promise { .. } => "promise",
            EventData::PromiseDueSoon { .. } => "promise_due_soon",
            EventData::Notification { .. } => "notification",
            EventData::Unknown => "unknown",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_that_renders_as_nothing_is_refused() {
        for text in ["\u{200B}\u{200C}\u{200D}", "\u{0001}\u{0007}", "\u{FEFF}\u{2060} \u{00AD}", "\u{E0041}\u{FE0F}"] {
            let m = NewMessage { client_id: "c1".into(), text: text.into() };
            assert_eq!(m.problems(), vec![Problem::new("text", ProblemCode::Required)], "{text:?}");
        }
        let m = NewMessage { client_id: "c1".into(), text: "\u{200B}ok".into() };
        assert!(m.problems().is_empty());
    }

    #[test]
    fn control_characters_are_stripped_but_line_breaks_kept() {
        assert_eq!(clean_text("  a\u{0000}b\u{001B}[31m\nc\u{007F}  "), "ab[31m\nc");
    }

    #[test]
    fn an_empty_or_overlong_message_is_refused() {
        let m = NewMessage { client_id: "c1".into(), text: "  ".into() };
        assert_eq!(m.problems(), vec![Problem::new("text", ProblemCode::Required)]);
        let m = NewMessage { client_id: "".into(), text: "ё".repeat(MESSAGE_MAX_CHARS + 1) };
        assert_eq!(
            m.problems(),
            vec![Problem::new("client_id", ProblemCode::Required), Problem::new("text", ProblemCode::TooLong)]
        );
        let m = NewMessage { client_id: "c1".into(), text: "ё".repeat(MESSAGE_MAX_CHARS) };
        assert!(m.problems().is_empty());
    }

    #[test]
    fn a_report_must_name_an_existing_receipt_version_and_explain_other() {
        let r = BrokenPromiseReport { receipt_version: 2, promise: Promise::CalledMe, note: None };
        assert!(r.problems(Some(2)).is_empty());
        assert_eq!(r.problems(Some(1)), vec![Problem::new("receipt_version", ProblemCode::Invalid)]);
        assert_eq!(r.problems(None), vec![Problem::new("receipt_version", ProblemCode::Invalid)]);
        let other = BrokenPromiseReport { receipt_version: 1, promise: Promise::Other, note: None };
        assert_eq!(other.problems(Some(1)), vec![Problem::new("note", ProblemCode::Required)]);
    }

    #[test]
    fn survey_ratings_run_from_one_to_five() {
        assert!(SurveyAnswer { rating: 5, comment: None }.problems().is_empty());
        assert_eq!(
            SurveyAnswer { rating: 0, comment: None }.problems(),
            vec![Problem::new("rating", ProblemCode::OutOfRange)]
        );
    }
}
