//! Her reply by email: which order it is for (a per-order reply address), whether it is hers, and
//! what she wrote without the quoted history and signature her mail program adds.

use kept_protocol::chat::{clean_text, MESSAGE_MAX_CHARS};

/// Longest message Kept takes in, in bytes (headers, text and attachments).
pub const MAIL_MAX_BYTES: usize = 4 * 1024 * 1024;

/// Characters of a reply tag: lowercase base32, 20 of them (100 random bits).
const TAG_CHARS: usize = 20;
const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// A new reply tag from 13 random bytes (the first 100 bits are used).
pub fn new_tag(random: [u8; 13]) -> String {
    let mut bits: u128 = 0;
    for b in random {
        bits = (bits << 8) | u128::from(b);
    }
    (0..TAG_CHARS).map(|i| ALPHABET[((bits >> (i * 5)) & 31) as usize] as char).collect()
}

/// The order's reply address: the sender's mailbox with the tag after a `+`
/// (`orders@kawa.example` → `orders+tag@kawa.example`), so the shop's MX can route every such
/// address to Kept.
pub fn reply_address(from: &str, tag: &str) -> Option<String> {
    let (local, domain) = from.rsplit_once('@')?;
    Some(format!("{local}+{tag}@{domain}"))
}

/// The tag in a recipient address, if it has one of the right shape.
pub fn tag_of(recipient: &str) -> Option<String> {
    let address = recipient.trim().trim_start_matches('<').trim_end_matches('>');
    let (local, _) = address.rsplit_once('@')?;
    let (_, tag) = local.rsplit_once('+')?;
    let tag = tag.to_ascii_lowercase();
    (tag.len() == TAG_CHARS && tag.bytes().all(|b| ALPHABET.contains(&b))).then_some(tag)
}

/// Whether `from` is her address (`plan`), whatever the case and the angle brackets.
pub fn is_hers(from: &str, plan: Option<&str>) -> bool {
    // "Ola Nowak <ola@example.pl>" as providers give it: the address in the brackets.
    let norm = |a: &str| {
        let a = a.rsplit_once('<').map_or(a, |(_, rest)| rest.split('>').next().unwrap_or(rest));
        a.trim().to_ascii_lowercase()
    };
    plan.is_some_and(|p| !p.trim().is_empty() && norm(p) == norm(from))
}

/// Why a reply is not taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No order has this reply address.
    NoOrder,
    /// Not from the address she gave for this order.
    NotHers,
    /// Nothing left once the quoted history is taken away.
    Empty,
    /// Longer than a chat message may be.
    TooLong,
    /// Over [`MAIL_MAX_BYTES`].
    TooLarge,
    /// Not a mail message.
    Malformed,
}

impl Refusal {
    /// The field a webhook caller is told about.
    pub fn field(self) -> &'static str {
        match self {
            Refusal::NoOrder => "to",
            Refusal::NotHers => "from",
            Refusal::Empty | Refusal::TooLong => "text",
            Refusal::TooLarge | Refusal::Malformed => "raw",
        }
    }

    /// The SMTP answer: a permanent refusal, so the sender's mail server bounces it to her.
    pub fn smtp(self) -> (u16, &'static str) {
        match self {
            Refusal::NoOrder => (550, "5.1.1 No order has this reply address"),
            Refusal::NotHers => (550, "5.7.1 Only the address given for this order can reply to it"),
            Refusal::Empty => (550, "5.6.0 The reply has no text of its own"),
            Refusal::TooLong => (552, "5.3.4 The reply is longer than 2000 characters; please use the shop's chat"),
            Refusal::TooLarge => (552, "5.3.4 The message is larger than 4 MB"),
            Refusal::Malformed => (554, "5.6.0 Not a mail message"),
        }
    }
}

/// What she wrote: the plain text (or the HTML made text, its quoted part cut off first) without
/// the quoted history, the attribution line, forwarded headers or the signature.
pub fn reply_text(text: Option<&str>, html: Option<&str>) -> Result<String, Refusal> {
    let text = match (text, html) {
        (Some(t), _) if !t.trim().is_empty() => t.to_owned(),
        (_, Some(h)) => mail_parser::decoders::html::html_to_text(cut_html(h)),
        _ => String::new(),
    };
    let kept = clean_text(&strip(&text));
    if kept.is_empty() {
        Err(Refusal::Empty)
    } else if kept.chars().count() > MESSAGE_MAX_CHARS {
        Err(Refusal::TooLong)
    } else {
        Ok(kept)
    }
}

/// The HTML before the quoted message mail programs append (Gmail's `gmail_quote`, Outlook's
/// reply header, Apple Mail's and Thunderbird's `blockquote`).
fn cut_html(html: &str) -> &str {
    let lower = html.to_ascii_lowercase();
    let marks = [
        "class=\"gmail_quote",
        "id=\"divrplyfwdmsg\"",
        "id=\"appendonsend\"",
        "<blockquote",
        "class=\"moz-cite-prefix",
    ];
    let cut = marks.iter().filter_map(|m| lower.find(m)).min().unwrap_or(html.len());
    // Back to the start of the tag the mark is in.
    let start = lower[..cut].rfind('<').filter(|_| !lower[cut..].starts_with('<')).unwrap_or(cut);
    &html[..start]
}

/// Words that end a reply's attribution line ("On Mon, … Anna wrote:"), in the five languages
/// and as common mail programs write them.
const WROTE: [&str; 10] = [
    "wrote:",
    "napisał:",
    "napisała:",
    "napisał(a):",
    "pisze:",
    "schrieb:",
    "написал:",
    "написала:",
    "написав:",
    "пише:",
];
/// How an attribution line may start when a mail program wraps it over two lines.
const OPENERS: [&str; 6] = ["on ", "w dniu ", "am ", "dnia ", "в ", "у "];
/// Outlook's header block of the quoted message: its first and second lines.
const FROM_LINE: [&str; 5] = ["from:", "od:", "von:", "от:", "від:"];
const SENT_LINE: [&str; 10] =
    ["sent:", "date:", "wysłano:", "data:", "gesendet:", "datum:", "отправлено:", "дата:", "надіслано:", "to:"];

fn strip(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut kept: Vec<&str> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        let lower = t.to_lowercase();
        let signature = *line == "-- " || t == "--" || t == "—";
        let original = lower.contains("original message") || (t.len() >= 20 && t.chars().all(|c| c == '_'));
        let outlook = FROM_LINE.iter().any(|f| lower.starts_with(f))
            && lines.get(i + 1).is_some_and(|n| SENT_LINE.iter().any(|s| n.trim().to_lowercase().starts_with(s)));
        if signature || original || outlook {
            break;
        }
        if WROTE.iter().any(|w| lower.ends_with(w)) {
            // The first half of a wrapped attribution line is not hers either.
            if kept.last().is_some_and(|p| OPENERS.iter().any(|o| p.trim().to_lowercase().starts_with(o))) {
                kept.pop();
            }
            break;
        }
        if t.starts_with('>') || lower.starts_with("sent from my ") || lower.starts_with("get outlook for ") {
            continue;
        }
        kept.push(line);
    }
    kept.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_address_carries_an_unguessable_tag_and_finds_its_way_back() {
        let tag = new_tag([7; 13]);
        assert_eq!(tag.len(), 20);
        assert_ne!(tag, new_tag([8; 13]));
        let address = reply_address("orders@kawa.example", &tag).unwrap();
        assert_eq!(address, format!("orders+{tag}@kawa.example"));
        assert_eq!(tag_of(&address).as_deref(), Some(tag.as_str()));
        assert_eq!(tag_of(&format!("<{}>", address.to_uppercase())).as_deref(), Some(tag.as_str()));
        assert_eq!(tag_of("orders@kawa.example"), None);
        assert_eq!(tag_of("orders+short@kawa.example"), None);
        assert_eq!(tag_of("orders+0123456789012345678!@kawa.example"), None);
    }

    #[test]
    fn only_her_address_replies() {
        assert!(is_hers("Ola@Example.PL", Some("ola@example.pl")));
        assert!(is_hers("<ola@example.pl>", Some("ola@example.pl")));
        assert!(is_hers("Ola Nowak <Ola@example.pl>", Some("ola@example.pl")));
        assert!(!is_hers("ola@example.pl <mallory@example.com>", Some("ola@example.pl")));
        assert!(!is_hers("mallory@example.com", Some("ola@example.pl")));
        assert!(!is_hers("ola@example.pl", None));
    }

    #[test]
    fn the_quoted_history_and_the_signature_are_cut_off() {
        let gmail = "Tak, poproszę o wymianę.\nDziękuję!\n\nOn Mon, Dec 7, 2026 at 10:42 AM Kawa & Co <\norders+abc@kawa.example> wrote:\n> Dzień dobry\n> Kurier";
        assert_eq!(reply_text(Some(gmail), None).unwrap(), "Tak, poproszę o wymianę.\nDziękuję!");
        let wrapped = "Yes please\n\nOn Mon, Dec 7, 2026 at 10:42 AM Kawa & Co\n<orders@kawa.example> wrote:\n> hi";
        assert_eq!(reply_text(Some(wrapped), None).unwrap(), "Yes please");
        let polish = "Pasuje.\n\nW dniu pon., 7 gru 2026 o 10:42 Kawa & Co napisał(a):\n> Dzień dobry";
        assert_eq!(reply_text(Some(polish), None).unwrap(), "Pasuje.");
        let outlook = "Please leave it at the door.\n\n________________________________\nFrom: Kawa & Co <orders@kawa.example>\nSent: Monday, December 7, 2026 10:42\nSubject: news";
        assert_eq!(reply_text(Some(outlook), None).unwrap(), "Please leave it at the door.");
        let outlook_de = "Passt.\n\nVon: Kawa & Co <orders@kawa.example>\nGesendet: Montag, 7. Dezember 2026 10:42";
        assert_eq!(reply_text(Some(outlook_de), None).unwrap(), "Passt.");
        let signed = "Thanks\n-- \nOla Nowak\n+48 600 100 200";
        assert_eq!(reply_text(Some(signed), None).unwrap(), "Thanks");
        let phone = "OK\n\nSent from my iPhone";
        assert_eq!(reply_text(Some(phone), None).unwrap(), "OK");
        assert_eq!(reply_text(Some("> only quoted\n> text"), None), Err(Refusal::Empty));
        assert_eq!(reply_text(None, None), Err(Refusal::Empty));
        assert_eq!(reply_text(Some(&"a".repeat(2001)), None), Err(Refusal::TooLong));
    }

    #[test]
    fn an_html_reply_is_cut_before_its_quote_and_read_as_text() {
        let html = "<div dir=\"ltr\">Tak, <b>poproszę</b>.</div><br><div class=\"gmail_quote\"><div dir=\"ltr\" class=\"gmail_attr\">On Mon wrote:<br></div><blockquote class=\"gmail_quote\">Dzień dobry</blockquote></div>";
        assert_eq!(reply_text(None, Some(html)).unwrap(), "Tak, poproszę.");
        assert_eq!(
            reply_text(Some("  \n"), Some(html)).unwrap(),
            "Tak, poproszę.",
            "an empty text part is not her reply"
        );
    }
}
