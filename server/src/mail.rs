//! Kept's own email: a notification built as plain text and HTML, with threading headers (one
//! thread per order), sent over SMTP to the shop's mail server (lettre: STARTTLS or implicit TLS,
//! auth from the URL).

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// The mail server and the sender.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The sender's domain: Message-IDs are made in it.
    domain: String,
}

/// Why a message was not sent.
#[derive(Debug)]
pub struct SendError {
    /// The server refused it for good (a 5xx): trying again will not help.
    pub permanent: bool,
    pub text: String,
}

/// One email.
pub struct Mail<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
    pub locale: kept_protocol::Locale,
    /// The order it is about: its thread.
    pub order: &'a str,
    /// The order's reply address tag: `Reply-To` is the sender with it after a `+`.
    pub reply_tag: Option<&'a str>,
    /// The notification it carries: its Message-ID, the same however often it is sent.
    pub notification: i64,
    pub date: jiff::Timestamp,
}

impl Mailer {
    /// A mailer for `url` (`smtp://…`, `smtp://…?tls=required`, `smtps://…`) sending as `from`.
    pub fn new(url: &str, from: &str) -> Result<Mailer, String> {
        let from: Mailbox = from.parse().map_err(|e| format!("--mail-from is not an address: {e}"))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("--smtp-url: {e}"))?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        let domain = from.email.domain().to_owned();
        Ok(Mailer { transport, from, domain })
    }

    /// The sender's domain.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The Message-ID of a notification's email (angle brackets included).
    pub fn message_id(&self, order: &str, notification: i64) -> String {
        format!("<kept.{}.{notification}@{}>", safe(order), self.domain)
    }

    /// The reply address of an order's tag, e.g. `Kawa & Co <orders+tag@kawa.example>`.
    pub fn reply_to(&self, tag: &str) -> Option<Mailbox> {
        let address = crate::domain::inbound::reply_address(self.from.email.as_ref(), tag)?;
        Some(Mailbox::new(self.from.name.clone(), address.parse().ok()?))
    }

    /// The order's thread: every notification of the order answers it.
    pub fn thread_id(&self, order: &str) -> String {
        format!("<kept.{}@{}>", safe(order), self.domain)
    }

    /// Builds `mail` as a message.
    pub fn build(&self, mail: &Mail) -> Result<Message, SendError> {
        let bad = |text: String| SendError { permanent: true, text };
        let to: Mailbox = mail.to.parse().map_err(|e| bad(format!("not an address: {e}")))?;
        let thread = self.thread_id(mail.order);
        let date = std::time::SystemTime::UNIX_EPOCH
            + std::time::Duration::from_millis(mail.date.as_millisecond().max(0) as u64);
        let mut m = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject)
            .date(date)
            .message_id(Some(self.message_id(mail.order, mail.notification)))
            .in_reply_to(thread.clone())
            .references(thread);
        if let Some(reply) = mail.reply_tag.and_then(|tag| self.reply_to(tag)) {
            m = m.reply_to(reply);
        }
        let mut m = m
            .multipart(MultiPart::alternative_plain_html(mail.text.to_owned(), mail.html.to_owned()))
            .map_err(|e| bad(e.to_string()))?;
        let raw =
            |name: &'static str, value: &str| HeaderValue::new(HeaderName::new_from_ascii_str(name), value.into());
        // In her language; automatic mail, so no out-of-office answers come back to it.
        m.headers_mut().insert_raw(raw("Content-Language", mail.locale.tag()));
        m.headers_mut().insert_raw(raw("Auto-Submitted", "auto-generated"));
        Ok(m)
    }

    /// Sends `mail`; the server's refusal as a [`SendError`].
    pub async fn send(&self, mail: &Mail<'_>) -> Result<(), SendError> {
        let message = self.build(mail)?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) => Err(SendError { permanent: e.is_permanent(), text: e.to_string() }),
        }
    }
}

/// An order id as it may stand in a Message-ID (letters, digits, `-`, `_`; others as `_`).
fn safe(order: &str) -> String {
    order.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

/// Checks `--smtp-url` and `--mail-from` at start: they go together and must parse.
pub fn check(url: Option<&str>, from: Option<&str>) -> Result<(), String> {
    match (url, from) {
        (Some(url), Some(from)) => Mailer::new(url, from).map(|_| ()),
        (None, None) => Ok(()),
        _ => Err("--smtp-url and --mail-from go together".to_owned()),
    }
}
