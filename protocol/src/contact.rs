//! Contact channels and the contact details they need, parsed at the edge.

use serde::{Deserialize, Serialize};

use crate::problem::ProblemCode;

/// A way the shop may reach the customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Chat,
    Sms,
    Whatsapp,
    Telegram,
    Email,
    Phone,
    /// A value this version does not know (sent by a newer server); shown as "updated".
    #[serde(skip)]
    Unknown,
}

impl Channel {
    /// Every channel, in the order a form lists them.
    pub const ALL: [Channel; 6] =
        [Channel::Chat, Channel::Sms, Channel::Whatsapp, Channel::Telegram, Channel::Email, Channel::Phone];

    /// The contact detail the shop needs to use this channel, if any.
    pub fn needs(self) -> Option<ContactDetail> {
        match self {
            Channel::Chat => None,
            Channel::Sms | Channel::Whatsapp | Channel::Phone => Some(ContactDetail::Phone),
            Channel::Telegram => Some(ContactDetail::Telegram),
            Channel::Email => Some(ContactDetail::Email),
            Channel::Unknown => None,
        }
    }

    /// Whether using this channel means phoning the customer.
    pub fn is_call(self) -> bool {
        self == Channel::Phone
    }

    /// The wire name, as serde writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Chat => "chat",
            Channel::Sms => "sms",
            Channel::Whatsapp => "whatsapp",
            Channel::Telegram => "telegram",
            Channel::Email => "email",
            Channel::Phone => "phone",
            Channel::Unknown => "unknown",
        }
    }

    /// The channel with this wire name.
    pub fn from_wire(name: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

/// A contact detail that one or more channels need.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContactDetail {
    Phone,
    Email,
    Telegram,
}

impl ContactDetail {
    /// The field path of this detail inside `Preferences`.
    pub fn path(self) -> &'static str {
        match self {
            ContactDetail::Phone => "contact.phone",
            ContactDetail::Email => "contact.email",
            ContactDetail::Telegram => "contact.telegram",
        }
    }

    /// Checks a raw value and returns it in canonical form.
    pub fn parse(self, raw: &str) -> Result<String, ProblemCode> {
        match self {
            ContactDetail::Phone => E164::parse(raw).map(|p| p.0),
            ContactDetail::Email => Email::parse(raw).map(|e| e.0),
            ContactDetail::Telegram => TelegramHandle::parse(raw).map(|t| t.0),
        }
    }
}

/// A phone number in E.164 form: `+`, country code, at most 15 digits in all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct E164(String);

impl E164 {
    /// Accepts the usual separators people type (spaces, dashes, dots, parentheses).
    pub fn parse(raw: &str) -> Result<E164, ProblemCode> {
        let raw = raw.trim();
        let Some(rest) = raw.strip_prefix('+') else {
            return Err(ProblemCode::InvalidPhone);
        };
        let mut digits = String::with_capacity(16);
        digits.push('+');
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => return Err(ProblemCode::InvalidPhone),
            }
        }
        let count = digits.len() - 1;
        if !(8..=15).contains(&count) || digits.as_bytes()[1] == b'0' {
            return Err(ProblemCode::InvalidPhone);
        }
        Ok(E164(digits))
    }

    /// The canonical text, e.g. `+48600100200`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An email address with one `@`, a local part and a dotted domain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// A deliberately light check; the mail server is the final judge.
    pub fn parse(raw: &str) -> Result<Email, ProblemCode> {
        let raw = raw.trim();
        let bad = Err(ProblemCode::InvalidEmail);
        if raw.len() > 254 || raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return bad;
        }
        let Some((local, domain)) = raw.split_once('@') else {
            return bad;
        };
        if local.is_empty()
            || local.len() > 64
            || domain.contains('@')
            || !domain.contains('.')
            || domain.split('.').any(str::is_empty)
        {
            return bad;
        }
        Ok(Email(raw.to_owned()))
    }

    /// The address as given, trimmed.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A Telegram username: 5 to 32 letters, digits or underscores, starting with a letter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TelegramHandle(String);

impl TelegramHandle {
    /// Accepts the handle with or without the leading `@`; stores it with one.
    pub fn parse(raw: &str) -> Result<TelegramHandle, ProblemCode> {
        let name = raw.trim();
        let name = name.strip_prefix('@').unwrap_or(name);
        let ok = (5..=32).contains(&name.len())
            && name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok {
            return Err(ProblemCode::InvalidTelegram);
        }
        let mut handle = String::with_capacity(name.len() + 1);
        handle.push('@');
        handle.push_str(name);
        Ok(TelegramHandle(handle))
    }

    /// The handle with its `@`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_with_separators_become_canonical() {
        assert_eq!(E164::parse(" +48 600-100 (200) ").unwrap().as_str(), "+48600100200");
        assert_eq!(E164::parse("+7.916.123.45.67").unwrap().as_str(), "+79161234567");
    }

    #[test]
    fn phone_numbers_without_plus_or_with_wrong_length_are_refused() {
        for bad in ["600100200", "+0123456789", "+1234", "+1234567890123456", "+48 600 abc", ""] {
            assert_eq!(E164::parse(bad), Err(ProblemCode::InvalidPhone), "{bad}");
        }
    }

    #[test]
    fn emails_need_one_at_and_a_dotted_domain() {
        assert_eq!(Email::parse(" anna@example.pl ").unwrap().as_str(), "anna@example.pl");
        for bad in ["anna", "anna@", "@example.pl", "anna@example", "an na@example.pl", "a@b@c.pl", "a@b..pl"] {
            assert_eq!(Email::parse(bad), Err(ProblemCode::InvalidEmail), "{bad}");
        }
    }

    #[test]
    fn telegram_handles_gain_one_at_sign() {
        assert_eq!(TelegramHandle::parse("anna_k").unwrap().as_str(), "@anna_k");
        assert_eq!(TelegramHandle::parse("@anna_k").unwrap().as_str(), "@anna_k");
        for bad in ["@ann", "1anna", "anna-k", "@@annak"] {
            assert_eq!(TelegramHandle::parse(bad), Err(ProblemCode::InvalidTelegram), "{bad}");
        }
    }

    #[test]
    fn only_messaging_channels_need_details() {
        assert_eq!(Channel::Chat.needs(), None);
        assert_eq!(Channel::Whatsapp.needs(), Some(ContactDetail::Phone));
        assert_eq!(Channel::Email.needs(), Some(ContactDetail::Email));
        assert_eq!(Channel::from_wire("telegram"), Some(Channel::Telegram));
        assert_eq!(Channel::from_wire("pigeon"), None);
    }
}
