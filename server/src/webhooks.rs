//! Webhooks to the shop's own servers, per the Standard Webhooks specification: each change
//! queues a delivery row in the transaction that makes it (so none is lost and none is sent for
//! a change that did not commit); a worker sends them in order per order, with exponential
//! backoff and full jitter, for at least 24 hours.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use kept_protocol::{ChangeStatus, EventData, TimelineEvent};
use serde_json::{json, Value};
use sha2::Sha256;

/// The event types a shop can subscribe to.
pub const EVENT_TYPES: [&str; 8] = [
    "agreement.created",
    "change_request.answered",
    "question.asked",
    "callback.requested",
    "report.created",
    "message.created",
    "survey.submitted",
    "order.status_changed",
];

/// A webhook secret: `whsec_` and base64 of 32 random bytes.
pub fn new_secret() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(format!("whsec_{}", B64.encode(bytes)))
}

/// The key bytes of a `whsec_` secret; None when it is not one.
pub fn secret_key(secret: &str) -> Option<Vec<u8>> {
    let key = B64.decode(secret.strip_prefix("whsec_")?).ok()?;
    (!key.is_empty()).then_some(key)
}

/// `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, the `webhook-signature` header.
pub fn sign(key: &[u8], id: &str, timestamp: i64, body: &str) -> String {
    // HMAC takes a key of any length.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!("v1,{}", B64.encode(mac.finalize().into_bytes()))
}

/// The webhook a stored event causes, if any: its type and its `data`.
pub fn for_event(order: &str, event: &EventData) -> Option<(&'static str, Value)> {
    Some(match event {
        EventData::Receipt { receipt } => ("agreement.created", json!({ "order": order, "receipt": receipt })),
        EventData::ChangeRequest { change_request } => match change_request.status {
            ChangeStatus::Accepted | ChangeStatus::Declined => {
                ("change_request.answered", json!({ "order": order, "change_request": change_request }))
            }
            ChangeStatus::Pending if change_request.question.is_some() => {
                ("question.asked", json!({ "order": order, "change_request": change_request }))
            }
            _ => return None,
        },
        EventData::Message { message } if message.author == kept_protocol::chat::AuthorKind::Customer => {
            ("message.created", json!({ "order": order, "message": message }))
        }
        // Once per breach: when the sweeper breaks it, or when it is decided broken as it closes
        // (not again when one the sweeper broke is done late).
        EventData::Promise { promise }
            if promise.state == kept_protocol::PromiseState::Broken
                && (promise.closed_at.is_none() || promise.closed_at == promise.decided_at) =>
        {
            ("promise.broken", json!({ "order": order, "promise": promise }))
        }
        EventData::PromiseDueSoon { promise } => ("promise.due_soon", json!({ "order": order, "promise": promise })),
        EventData::Status { status } => ("order.status_changed", json!({ "order": order, "status": status })),
        EventData::Timeline { entry } => match &entry.event {
            TimelineEvent::CallbackRequested { callback } => {
                ("callback.requested", json!({ "order": order, "callback": callback }))
            }
            TimelineEvent::PromiseBroken { report, receipt_version, promise } => (
                "report.created",
                json!({ "order": order, "report": report, "receipt_version": receipt_version, "promise": promise }),
            ),
            TimelineEvent::SurveyAnswered { rating } => {
                ("survey.submitted", json!({ "order": order, "rating": rating }))
            }
            _ => return None,
        },
        _ => return None,
    })
}

/// How long to wait before attempt `n + 1` after `n` failed ones: full jitter over an
/// exponential cap (1 s, 2 s, 4 s... at most an hour); `unit` in [0, 1) is the random draw.
pub fn backoff_ms(failed: u32, unit: f64) -> i64 {
    let cap = 1000f64 * 2f64.powi(failed.saturating_sub(1).min(12) as i32);
    let cap = cap.min(3_600_000.0);
    // At least 100 ms, so a failing endpoint is never hammered.
    (cap * unit.clamp(0.0, 1.0)).max(100.0) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example of the Standard Webhooks specification's reference libraries.
    #[test]
    fn signatures_match_the_standard_webhooks_reference() {
        let key = secret_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = r#"{"test": 2432232314}"#;
        let sig = sign(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body);
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn secrets_are_whsec_and_base64() {
        let s = new_secret().unwrap();
        assert!(s.starts_with("whsec_"));
        assert_eq!(secret_key(&s).unwrap().len(), 32);
        assert_eq!(secret_key("nope"), None);
        assert_eq!(secret_key("whsec_!!!"), None);
    }

    #[test]
    fn backoff_grows_to_an_hour_and_jitters_down_to_a_tenth_of_a_second() {
        assert_eq!(backoff_ms(1, 0.5), 500);
        assert_eq!(backoff_ms(3, 1.0), 4000);
        assert_eq!(backoff_ms(40, 1.0), 3_600_000);
        assert_eq!(backoff_ms(5, 0.0), 100);
    }
}
