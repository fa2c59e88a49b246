//! Reaching the customer where she is: what she has seen in the widget, and the notifications
//! that carry what she has not seen to her channel.

use serde::{Deserialize, Serialize};

use crate::contact::Channel;
use crate::order::OrderStatus;

/// `POST /v1/orders/{order}/seen`: the newest of what the shop said that is on her screen in a
/// visible tab. A mark left out (or no body at all, as the widget's beacon sends) is everything
/// the order has now. Marks only move forward; an older mark than the stored one changes nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Seen {
    /// The newest message on screen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<i64>,
    /// The newest change request or question on screen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_request: Option<i64>,
    /// The order's status as shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<OrderStatus>,
}

/// What became of one notification (a batch of what she had not seen).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum NotificationState {
    /// Waiting for `due_at`: sent then unless she sees it first.
    Pending,
    /// She saw it in the widget first: nothing was sent.
    Seen,
    /// Her contact plan has no channel that can carry it (only this site's chat, or phone): nothing
    /// was sent.
    NoChannel,
    /// Sent by email by Kept.
    Sent,
    /// Handed to the shop's servers (`notification.requested`) to send with their provider.
    Requested,
    /// The shop's provider delivered it.
    Delivered,
    /// It could not be sent (`error` says why).
    Failed,
}

impl NotificationState {
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationState::Pending => "pending",
            NotificationState::Seen => "seen",
            NotificationState::NoChannel => "no_channel",
            NotificationState::Sent => "sent",
            NotificationState::Requested => "requested",
            NotificationState::Delivered => "delivered",
            NotificationState::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<NotificationState> {
        [
            NotificationState::Pending,
            NotificationState::Seen,
            NotificationState::NoChannel,
            NotificationState::Sent,
            NotificationState::Requested,
            NotificationState::Delivered,
            NotificationState::Failed,
        ]
        .into_iter()
        .find(|n| n.as_str() == s)
    }
}

/// One notification of an order, as the console and the shop's servers see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NotificationEntry {
    pub id: i64,
    pub state: NotificationState,
    /// The channel it went (or goes) over, once decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// How many things she had not seen it carried (messages, questions, status changes).
    pub items: u32,
    /// RFC 3339: when the first unseen thing was said.
    pub created_at: String,
    /// RFC 3339: when it is (or was) due.
    pub due_at: String,
    /// RFC 3339: when it was sent, handed over, found seen or given up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `POST /v1/backend/notifications/{id}`: what the shop's provider made of a
/// `notification.requested`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NotificationResult {
    /// `delivered` or `failed`.
    pub state: NotificationState,
    /// Why it failed, in the provider's words (at most 500 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl NotificationResult {
    /// Every problem with this result.
    pub fn problems(&self) -> Vec<crate::problem::Problem> {
        let mut p = Vec::new();
        if !matches!(self.state, NotificationState::Delivered | NotificationState::Failed) {
            p.push(crate::problem::Problem::new("state", crate::problem::ProblemCode::Invalid));
        }
        crate::chat::text_problems(&mut p, "error", self.error.as_deref().unwrap_or(""), 500, false);
        p
    }
}

/// `POST /v1/backend/inbound-mail`: a mail the shop's mail provider received for one of Kept's
/// reply addresses, in the shape inbound-mail webhooks commonly give it: the whole message as
/// received (`raw`, as SendGrid's and Mailgun's raw modes send it), or its parts (as Postmark's
/// and Mailgun's parsed modes do). Her reply goes into the order's chat as her message.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct InboundMail {
    /// The whole message, headers and body (at most 4 MiB); when given, the other fields are
    /// read from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
    /// The sender's address: it must be the one she gave for the order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Where it was sent: one of them is the order's reply address. A list, or one string of
    /// addresses separated by commas (as Mailgun's `recipient` and Postmark's `To` give them).
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "addresses")]
    pub to: Vec<String>,
    /// Her mail program's Message-ID: the same one twice is one message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// The plain-text body (the quoted history and signature are cut off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The HTML body, read when there is no plain text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
}

/// The answer to an inbound mail: the order's chat message it became.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct InboundMailTaken {
    pub order: String,
    pub message: crate::chat::Message,
    /// This Message-ID was taken in before: nothing new was stored.
    pub duplicate: bool,
}

/// A list of addresses, or one string of them separated by commas.
fn addresses<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        List(Vec<String>),
        One(String),
    }
    Ok(match Either::deserialize(d)? {
        Either::List(list) => list,
        Either::One(one) => one.split(',').map(|a| a.trim().to_owned()).filter(|a| !a.is_empty()).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipients_come_as_a_list_or_as_one_string() {
        let list: InboundMail = serde_json::from_str(r#"{"to": ["a@x", "b@x"]}"#).unwrap();
        let one: InboundMail = serde_json::from_str(r#"{"to": "a@x, Kawa <b@x>"}"#).unwrap();
        assert_eq!(list.to, ["a@x", "b@x"]);
        assert_eq!(one.to, ["a@x", "Kawa <b@x>"]);
        assert!(serde_json::from_str::<InboundMail>(r#"{"to": 7}"#).is_err());
    }
}
