//! One-tap answers from a notification: a link per answer to a question or change request,
//! signed with the server's key and bound to the order, the request, the answer and its expiry.
//! A link only opens a page; the answer is given by the page's confirming POST (mail scanners
//! fetch every link). It is single-use because the request it answers is: once answered, every
//! link of it says so.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use jiff::{SignedDuration, Timestamp};
use kept_protocol::chat::{ChangeKind, ChangeRequest};
use kept_protocol::i18n::Words;
use sha2::Sha256;

/// How long a link to a request without a deadline stays good.
pub const UNDATED: SignedDuration = SignedDuration::from_hours(7 * 24);

/// Signature bytes kept in a link (128 bits).
const SIG_BYTES: usize = 16;

/// What a link answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Answer {
    pub change_request: i64,
    pub accept: bool,
    /// Unix seconds after which the link answers nothing.
    pub expires: i64,
}

fn mac(key: &[u8], order: &str, a: &Answer) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC accepts any key length");
    let accept = if a.accept { "accept" } else { "decline" };
    mac.update(format!("kept-answer\n{order}\n{}\n{accept}\n{}", a.change_request, a.expires).as_bytes());
    mac
}

/// The link's token: `{request}-{a|d}-{expires}-{signature}`, URL-safe.
pub fn sign(key: &[u8], order: &str, a: &Answer) -> String {
    let sig = mac(key, order, a).finalize().into_bytes();
    let tag = if a.accept { "a" } else { "d" };
    format!("{}-{tag}-{}-{}", a.change_request, a.expires, B64.encode(&sig[..SIG_BYTES]))
}

/// The answer a token of `order` carries; None when it is not one this server signed for this
/// order (a link of another order, or one edited by hand).
pub fn verify(key: &[u8], order: &str, token: &str) -> Option<Answer> {
    let mut parts = token.splitn(4, '-');
    let change_request = parts.next()?.parse().ok()?;
    let accept = match parts.next()? {
        "a" => true,
        "d" => false,
        _ => return None,
    };
    let expires = parts.next()?.parse().ok()?;
    let sig = B64.decode(parts.next()?).ok()?;
    let a = Answer { change_request, accept, expires };
    (sig.len() == SIG_BYTES && mac(key, order, &a).verify_truncated_left(&sig).is_ok()).then_some(a)
}

/// When the links of `cr` stop answering: its question's deadline, else a week after it was asked.
pub fn expiry(cr: &ChangeRequest) -> i64 {
    let deadline = cr.question.as_ref().and_then(|q| q.deadline.parse::<Timestamp>().ok());
    let asked = cr.created_at.parse::<Timestamp>().ok();
    deadline.or_else(|| asked.and_then(|t| t.checked_add(UNDATED).ok())).map_or(0, |t| t.as_second())
}

/// The two answers to `cr` as she reads them: (accept, decline). An ask-first substitute is
/// "Accept the substitute" / "Remove it", since declining removes the item.
pub fn labels(cr: &ChangeRequest, w: &dyn Words) -> (String, String) {
    match (&cr.question, &cr.change) {
        (Some(_), ChangeKind::Substitution { .. }) => {
            (w.text("mail.accept_substitute", &[]), w.text("mail.remove_it", &[]))
        }
        _ => (w.text("chat.accept", &[]), w.text("chat.decline", &[])),
    }
}

/// The page a token opens, under `base` (the server as browsers reach it).
pub fn url(base: &str, order: &str, token: &str) -> String {
    format!("{}/v1/orders/{order}/answers/{token}", base.trim_end_matches('/'))
}

/// A link to one answer, for a notification.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Link {
    pub label: String,
    pub url: String,
}

/// Both links of `cr`, accept first.
pub fn links(key: &[u8], base: &str, order: &str, cr: &ChangeRequest, w: &dyn Words) -> [Link; 2] {
    let (yes, no) = labels(cr, w);
    let expires = expiry(cr);
    let link = |accept, label| {
        let token = sign(key, order, &Answer { change_request: cr.id, accept, expires });
        Link { label, url: url(base, order, &token) }
    };
    [link(true, yes), link(false, no)]
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn a_link_answers_only_what_it_was_signed_for() {
        let a = Answer { change_request: 7, accept: true, expires: 1_796_000_000 };
        let token = sign(KEY, "KC-1001", &a);
        assert_eq!(verify(KEY, "KC-1001", &token), Some(a));
        assert_eq!(verify(KEY, "KC-1002", &token), None, "another order");
        assert_eq!(verify(b"another key", "KC-1001", &token), None, "another server");
        // Edited by hand: the other answer, another request, a later expiry.
        for edited in
            [token.replacen("-a-", "-d-", 1), token.replacen("7-", "8-", 1), token.replacen("1796", "1797", 1)]
        {
            assert_eq!(verify(KEY, "KC-1001", &edited), None, "{edited}");
        }
        for junk in ["", "7", "7-a", "7-a-1", "7-x-1-AAAA", "-a-1-AAAA", "7-a-1-not base64!"] {
            assert_eq!(verify(KEY, "KC-1001", junk), None, "{junk}");
        }
        assert!(token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{token}");
    }
}
