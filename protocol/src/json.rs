//! Writing the values the widget sends and keeps as JSON, without serde.
//!
//! Why: serde's serializer is monomorphised per type, and with serde_json's error type (which
//! brings std's I/O error texts) it cost the widget's first screen about 2 KB gzip of wasm. This
//! writer is a handful of non-generic helpers; its output is byte for byte what serde_json's
//! `to_string` writes for the same value (the tests below compare the two over every variant), so
//! the server, the host page and a stored draft see the same JSON either way.

use crate::chat::{BrokenPromiseReport, CallbackRequest, ConsentAnswer, NewMessage, Promise, SurveyAnswer};
use crate::order::Receipt;
use crate::preferences::{ContactPlan, ItemNote, PaymentMethod, Preferences};
use crate::problem::{Problem, ProblemCode};
use crate::substitution::{Fallback, ItemRule, PriceCap, SubstitutionPolicy, SubstitutionRule};
use crate::time::{LocalTime, TimeWindow};
use crate::{Channel, Locale};

/// JSON text being written. `ok` turns false when a value has no wire form (an `Unknown`
/// variant read from a newer server), as serde refuses to write those too.
pub struct Json {
    out: String,
    /// No member or element written yet in the innermost object or array.
    first: bool,
    ok: bool,
}

/// A value with a JSON form.
pub trait ToJson {
    /// Appends the value to `j`.
    fn write(&self, j: &mut Json);
}

/// `value` as compact JSON, or None when part of it has no wire form.
pub fn to_json<T: ToJson + ?Sized>(value: &T) -> Option<String> {
    let mut j = Json { out: String::new(), first: true, ok: true };
    value.write(&mut j);
    j.ok.then_some(j.out)
}

impl Json {
    fn open(&mut self, bracket: char) {
        self.out.push(bracket);
        self.first = true;
    }

    fn close(&mut self, bracket: char) {
        self.out.push(bracket);
        self.first = false;
    }

    fn comma(&mut self) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
    }

    /// The next member's name, inside an object.
    fn key(&mut self, name: &str) {
        self.comma();
        self.string(name);
        self.out.push(':');
    }

    /// A string, escaped as serde_json escapes it.
    fn string(&mut self, s: &str) {
        self.out.push('"');
        for c in s.chars() {
            match c {
                '"' => self.out.push_str("\\\""),
                '\\' => self.out.push_str("\\\\"),
                '\n' => self.out.push_str("\\n"),
                '\r' => self.out.push_str("\\r"),
                '\t' => self.out.push_str("\\t"),
                '\u{8}' => self.out.push_str("\\b"),
                '\u{c}' => self.out.push_str("\\f"),
                c if c < ' ' => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    let b = c as u8;
                    self.out.push_str("\\u00");
                    self.out.push(char::from(HEX[usize::from(b >> 4)]));
                    self.out.push(char::from(HEX[usize::from(b & 15)]));
                }
                c => self.out.push(c),
            }
        }
        self.out.push('"');
    }

    fn int(&mut self, n: i64) {
        if n < 0 {
            self.out.push('-');
        }
        let mut digits = [0u8; 20];
        let (mut n, mut i) = (n.unsigned_abs(), digits.len());
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        for d in &digits[i..] {
            self.out.push(char::from(*d));
        }
    }

    /// A wire name, or a refusal when the value has none.
    fn name(&mut self, name: Option<&str>) {
        match name {
            Some(n) => self.string(n),
            None => self.ok = false,
        }
    }

    /// `"name":value` for each value that is present.
    fn field(&mut self, name: &str, value: &dyn ToJson) {
        self.key(name);
        value.write(self);
    }

    fn optional(&mut self, name: &str, value: Option<&dyn ToJson>) {
        if let Some(v) = value {
            self.field(name, v);
        }
    }

    /// An object whose first member is the variant's tag.
    fn tagged(&mut self, tag: &str, variant: &str) {
        self.open('{');
        self.key(tag);
        self.string(variant);
    }
}

impl ToJson for str {
    fn write(&self, j: &mut Json) {
        j.string(self);
    }
}

impl ToJson for String {
    fn write(&self, j: &mut Json) {
        j.string(self);
    }
}

impl ToJson for bool {
    fn write(&self, j: &mut Json) {
        j.out.push_str(if *self { "true" } else { "false" });
    }
}

macro_rules! integers {
    ($($t:ty),*) => {$(
        impl ToJson for $t {
            fn write(&self, j: &mut Json) {
                j.int(i64::from(*self));
            }
        }
    )*};
}
integers!(i64, i32, u32, u16, u8);

impl<T: ToJson> ToJson for Option<T> {
    fn write(&self, j: &mut Json) {
        match self {
            Some(v) => v.write(j),
            None => j.out.push_str("null"),
        }
    }
}

impl<T: ToJson> ToJson for [T] {
    fn write(&self, j: &mut Json) {
        j.open('[');
        for v in self {
            j.comma();
            v.write(j);
        }
        j.close(']');
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn write(&self, j: &mut Json) {
        self.as_slice().write(j);
    }
}

/// Structs written member by member in declaration order, as serde derives them: `req` always,
/// `skip` only when present (serde's `skip_serializing_if = "Option::is_none"`).
macro_rules! structs {
    ($($t:ty { $($f:ident: $how:ident),* $(,)? })*) => {$(
        impl ToJson for $t {
            fn write(&self, j: &mut Json) {
                j.open('{');
                $(structs!(@$how j, self, $f);)*
                j.close('}');
            }
        }
    )*};
    (@req $j:ident, $s:ident, $f:ident) => { $j.field(stringify!($f), &$s.$f) };
    (@skip $j:ident, $s:ident, $f:ident) => { $j.optional(stringify!($f), $s.$f.as_ref().map(|v| v as &dyn ToJson)) };
}

structs! {
    ContactPlan { channels: req, do_not_call: req, phone: skip, email: skip, telegram: skip, callback_window: skip }
    TimeWindow { start: req, end: req }
    SubstitutionPolicy { default: req, overrides: req }
    ItemRule { item: req, rule: req }
    ItemNote { item: req, option: skip, text: skip }
    Receipt { version: req, accepted_at: req, digest: req, summary: req, preferences: req }
    Problem { path: req, code: req }
    NewMessage { client_id: req, text: req }
    ConsentAnswer { accept: req }
    SurveyAnswer { rating: req, comment: skip }
    CallbackRequest { date: req, window: req }
    BrokenPromiseReport { receipt_version: req, promise: req, note: skip }
}

impl ToJson for Preferences {
    fn write(&self, j: &mut Json) {
        j.open('{');
        j.field("contact", &self.contact);
        j.field("substitutions", &self.substitutions);
        j.field("payment", &self.payment);
        if !self.notes.is_empty() {
            j.field("notes", &self.notes);
        }
        j.field("locale", &self.locale);
        j.close('}');
    }
}

impl ToJson for LocalTime {
    fn write(&self, j: &mut Json) {
        j.string(&String::from(*self));
    }
}

impl ToJson for Locale {
    fn write(&self, j: &mut Json) {
        j.string(self.tag());
    }
}

impl ToJson for Channel {
    fn write(&self, j: &mut Json) {
        j.name((*self != Channel::Unknown).then(|| self.as_str()));
    }
}

impl ToJson for PaymentMethod {
    fn write(&self, j: &mut Json) {
        j.name((*self != PaymentMethod::Unknown).then(|| self.as_str()));
    }
}

impl ToJson for Promise {
    fn write(&self, j: &mut Json) {
        j.string(match self {
            Promise::CalledMe => "called_me",
            Promise::AskedToPrepay => "asked_to_prepay",
            Promise::SubstitutedAgainstRule => "substituted_against_rule",
            Promise::Other => "other",
        });
    }
}

impl ToJson for ProblemCode {
    fn write(&self, j: &mut Json) {
        j.string(match self {
            ProblemCode::Required => "required",
            ProblemCode::Invalid => "invalid",
            ProblemCode::InvalidPhone => "invalid_phone",
            ProblemCode::InvalidEmail => "invalid_email",
            ProblemCode::InvalidTelegram => "invalid_telegram",
            ProblemCode::ContactMissing => "contact_missing",
            ProblemCode::CallsForbidden => "calls_forbidden",
            ProblemCode::DuplicateChannel => "duplicate_channel",
            ProblemCode::ChannelNotOffered => "channel_not_offered",
            ProblemCode::PaymentNotOffered => "payment_not_offered",
            ProblemCode::PaymentUnavailable => "payment_unavailable",
            ProblemCode::TooLong => "too_long",
            ProblemCode::OutOfRange => "out_of_range",
            ProblemCode::UnknownItem => "unknown_item",
            ProblemCode::UnknownOption => "unknown_option",
            ProblemCode::UnknownReplacement => "unknown_replacement",
            ProblemCode::Duplicate => "duplicate",
            ProblemCode::ChannelNotInPlan => "channel_not_in_plan",
            ProblemCode::OutsideHours => "outside_hours",
            ProblemCode::Unknown => "unknown",
        });
    }
}

impl ToJson for PriceCap {
    fn write(&self, j: &mut Json) {
        match self {
            PriceCap::Percent { percent } => {
                j.tagged("kind", "percent");
                j.field("percent", percent);
            }
            PriceCap::Amount { amount_minor } => {
                j.tagged("kind", "amount");
                j.field("amount_minor", amount_minor);
            }
        }
        j.close('}');
    }
}

impl ToJson for Fallback {
    fn write(&self, j: &mut Json) {
        match self {
            Fallback::Similar { max_increase } => {
                j.tagged("then", "similar");
                j.field("max_increase", max_increase);
            }
            Fallback::Remove => j.tagged("then", "remove"),
        }
        j.close('}');
    }
}

impl ToJson for SubstitutionRule {
    fn write(&self, j: &mut Json) {
        match self {
            SubstitutionRule::Similar { max_increase } => {
                j.tagged("rule", "similar");
                j.field("max_increase", max_increase);
            }
            SubstitutionRule::Specific { replacement } => {
                j.tagged("rule", "specific");
                j.field("replacement", replacement);
            }
            SubstitutionRule::AskFirst { channel, wait_minutes, fallback } => {
                j.tagged("rule", "ask_first");
                j.field("channel", channel);
                j.field("wait_minutes", wait_minutes);
                j.field("fallback", fallback);
            }
            SubstitutionRule::Remove => j.tagged("rule", "remove"),
            SubstitutionRule::CancelOrder => j.tagged("rule", "cancel_order"),
        }
        j.close('}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    /// This writer and serde_json agree on `value`, byte for byte (or both refuse it).
    fn same<T: ToJson + Serialize + ?Sized>(value: &T) {
        assert_eq!(to_json(value), serde_json::to_string(value).ok());
    }

    const AWKWARD: &str = "beans, \"not\" ground \\ \n\r\t\u{8}\u{c}\u{1}\u{1f}\u{7f} é ż я 漢 🍵 </script>";

    fn prefs(rule: SubstitutionRule, payment: Option<PaymentMethod>, notes: Vec<ItemNote>) -> Preferences {
        Preferences {
            contact: ContactPlan {
                channels: vec![Channel::Telegram, Channel::Sms, Channel::Chat, Channel::Whatsapp, Channel::Email],
                do_not_call: true,
                phone: Some("+48 601 234 567".into()),
                email: None,
                telegram: Some(AWKWARD.into()),
                callback_window: Some(TimeWindow {
                    start: LocalTime::parse("09:05").unwrap(),
                    end: LocalTime::parse("23:59").unwrap(),
                }),
            },
            substitutions: SubstitutionPolicy {
                default: rule.clone(),
                overrides: vec![ItemRule { item: "beans".into(), rule }],
            },
            payment,
            notes,
            locale: Locale::Pl,
        }
    }

    fn every_rule() -> Vec<SubstitutionRule> {
        let caps = [
            PriceCap::Percent { percent: 0 },
            PriceCap::Percent { percent: -15 },
            PriceCap::Amount { amount_minor: i64::MAX },
            PriceCap::Amount { amount_minor: i64::MIN },
        ];
        let mut rules = vec![
            SubstitutionRule::Specific { replacement: AWKWARD.into() },
            SubstitutionRule::Remove,
            SubstitutionRule::CancelOrder,
        ];
        for cap in caps {
            rules.push(SubstitutionRule::Similar { max_increase: cap });
            for fallback in [Fallback::Remove, Fallback::Similar { max_increase: cap }] {
                for channel in Channel::ALL {
                    rules.push(SubstitutionRule::AskFirst { channel, wait_minutes: 90, fallback });
                }
            }
        }
        rules
    }

    #[test]
    fn preferences_are_written_as_serde_writes_them_for_every_rule_payment_and_note() {
        let notes = vec![
            ItemNote { item: "beans".into(), option: Some("whole".into()), text: Some(AWKWARD.into()) },
            ItemNote { item: "milk".into(), option: None, text: None },
        ];
        for rule in every_rule() {
            for payment in PaymentMethod::ALL.into_iter().map(Some).chain([None]) {
                same(&prefs(rule.clone(), payment, notes.clone()));
                same(&prefs(rule.clone(), payment, Vec::new()));
            }
        }
        for locale in Locale::ALL {
            let bare = Preferences {
                contact: ContactPlan::default(),
                substitutions: SubstitutionPolicy::default(),
                payment: None,
                notes: Vec::new(),
                locale,
            };
            same(&bare);
        }
    }

    #[test]
    fn values_with_no_wire_form_are_refused_as_serde_refuses_them() {
        let mut unknown_channel = prefs(SubstitutionRule::Remove, None, Vec::new());
        unknown_channel.contact.channels.push(Channel::Unknown);
        same(&unknown_channel);
        assert_eq!(to_json(&unknown_channel), None);
        let unknown_payment = prefs(SubstitutionRule::Remove, Some(PaymentMethod::Unknown), Vec::new());
        assert_eq!(to_json(&unknown_payment), None);
        same(&unknown_payment);
    }

    #[test]
    fn receipts_problems_and_the_chats_requests_are_written_as_serde_writes_them() {
        same(&Receipt {
            version: u32::MAX,
            accepted_at: "2026-11-24T18:00:00Z".into(),
            digest: "sha256:00ff".into(),
            summary: vec![AWKWARD.into(), String::new()],
            preferences: prefs(SubstitutionRule::Remove, Some(PaymentMethod::CardOnDelivery), Vec::new()),
        });
        let codes = [
            ProblemCode::Required,
            ProblemCode::Invalid,
            ProblemCode::InvalidPhone,
            ProblemCode::InvalidEmail,
            ProblemCode::InvalidTelegram,
            ProblemCode::ContactMissing,
            ProblemCode::CallsForbidden,
            ProblemCode::DuplicateChannel,
            ProblemCode::ChannelNotOffered,
            ProblemCode::PaymentNotOffered,
            ProblemCode::PaymentUnavailable,
            ProblemCode::TooLong,
            ProblemCode::OutOfRange,
            ProblemCode::UnknownItem,
            ProblemCode::UnknownOption,
            ProblemCode::UnknownReplacement,
            ProblemCode::Duplicate,
            ProblemCode::ChannelNotInPlan,
            ProblemCode::OutsideHours,
            ProblemCode::Unknown,
        ];
        let problems: Vec<Problem> =
            codes.into_iter().map(|code| Problem { path: "notes[0].text".into(), code }).collect();
        same(&problems);
        same(&Vec::<Problem>::new());
        same(&vec![NewMessage { client_id: "c-1".into(), text: AWKWARD.into() }]);
        same(&ConsentAnswer { accept: false });
        same(&ConsentAnswer { accept: true });
        same(&SurveyAnswer { rating: 5, comment: Some(AWKWARD.into()) });
        same(&SurveyAnswer { rating: 1, comment: None });
        same(&CallbackRequest {
            date: "2026-11-25".into(),
            window: TimeWindow { start: LocalTime::parse("00:00").unwrap(), end: LocalTime::parse("10:30").unwrap() },
        });
        for promise in [Promise::CalledMe, Promise::AskedToPrepay, Promise::SubstitutedAgainstRule, Promise::Other] {
            same(&BrokenPromiseReport { receipt_version: 3, promise, note: Some(AWKWARD.into()) });
            same(&BrokenPromiseReport { receipt_version: 1, promise, note: None });
        }
        same("idempotency-key");
    }
}
