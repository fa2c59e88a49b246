//! The shop profile: who the shop is, when it answers, and what it offers.

use serde::{Deserialize, Serialize};

use crate::problem::{Problem, ProblemCode};

use crate::contact::Channel;
use crate::i18n::Locale;
use crate::preferences::PaymentMethod;
use crate::time::{LocalTime, TimeWindow};

/// A day of the week.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    /// Monday first, as ISO 8601 counts.
    pub const ALL: [Weekday; 7] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];

    /// 0 for Monday to 6 for Sunday.
    pub fn index(self) -> usize {
        Weekday::ALL.iter().position(|d| *d == self).unwrap_or(0)
    }
}

/// The intervals one weekday is open; an interval whose close is before its open ends the next day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DayHours {
    pub day: Weekday,
    pub intervals: Vec<TimeWindow>,
}

/// A date the shop is closed all day, `YYYY-MM-DD` in the shop's time zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Holiday {
    pub date: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Whether someone can answer now, computed by the backend when it answers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Availability {
    /// Inside working hours and not a holiday.
    pub open_now: bool,
    /// Operators with the console open right now; 0 means nobody will see a message soon.
    pub operators_online: u32,
    /// When the current open interval ends (RFC 3339), if open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closes_at: Option<String>,
    /// When the shop next opens (RFC 3339), if closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_opening: Option<String>,
    /// The display names of the named operators online now ("Anna").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub online: Vec<String>,
}

/// A condition that makes a payment method unavailable for some orders.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PaymentCondition {
    /// Only for delivery slots that start at or after this time (e.g. no card terminal in the morning).
    SlotStartsFrom { time: LocalTime },
    /// Only for orders of at most this total, in minor units.
    MaxTotal { amount_minor: i64 },
}

/// A payment method the shop accepts, with the conditions it puts on it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PaymentOffer {
    pub method: PaymentMethod,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<PaymentCondition>,
}

/// The measured time to a first human reply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ReplyTime {
    /// Median seconds from a customer's message to the first operator reply, counting working hours only.
    pub median_seconds: u32,
    /// How many exchanges the median is over.
    pub sample_size: u32,
    /// The window measured, in days.
    pub window_days: u32,
}

impl ReplyTime {
    /// The minutes a shop may promise before it has measured any exchange.
    pub const UNMEASURED_MINUTES: u32 = 15;

    /// The median in whole minutes, rounded up, at least 1: what the shop promises.
    pub fn minutes(&self) -> u32 {
        self.median_seconds.div_ceil(60).max(1)
    }

    /// The promise in minutes: the measured one, else [`ReplyTime::UNMEASURED_MINUTES`].
    pub fn promised_minutes(measured: Option<&ReplyTime>) -> u32 {
        measured.map_or(ReplyTime::UNMEASURED_MINUTES, ReplyTime::minutes)
    }
}

/// The person who looks after the customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Manager {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo_url: Option<String>,
}

/// Whether `host` (with or without `:port`) names this machine: `localhost`, `127.0.0.1`, `[::1]`.
pub fn loopback_host(host: &str) -> bool {
    let name =
        host.rsplit_once(':').map_or(host, |(h, port)| if port.bytes().all(|b| b.is_ascii_digit()) { h } else { host });
    matches!(name, "localhost" | "127.0.0.1" | "[::1]")
}

/// Whether a URL may be stored and shown: `https://` with a host, or `http://` on loopback (for
/// tests); no white space or control characters anywhere (browsers drop them, which is how
/// `java\tscript:` slips past naive checks).
pub fn safe_url(url: &str) -> bool {
    if url.len() > 2048 || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let lower = url.to_ascii_lowercase();
    let rest = if let Some(rest) = lower.strip_prefix("https://") {
        rest
    } else if let Some(rest) = lower.strip_prefix("http://") {
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
        if !loopback_host(host) {
            return false;
        }
        rest
    } else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    !host.is_empty() && !host.starts_with(':') && !host.starts_with('@')
}

impl ShopProfile {
    /// Every problem with a profile a shop sends (the time zone is checked by the server).
    pub fn problems(&self) -> Vec<Problem> {
        let mut p = Vec::new();
        if self.name.trim().is_empty() {
            p.push(Problem::new("name", ProblemCode::Required));
        }
        if let Some(m) = &self.manager {
            if m.name.trim().is_empty() {
                p.push(Problem::new("manager.name", ProblemCode::Required));
            }
            if m.photo_url.as_deref().is_some_and(|u| !safe_url(u)) {
                p.push(Problem::new("manager.photo_url", ProblemCode::Invalid));
            }
        }
        p
    }
}

/// A question and its answer, in one locale.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FaqEntry {
    pub id: String,
    pub locale: Locale,
    pub question: String,
    pub answer: String,
}

/// A text the shop writes in each language it supports.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Localized {
    pub en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ru: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pl: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub de: Option<String>,
}

impl Localized {
    /// The text in `l`, falling back to English.
    pub fn get(&self, l: Locale) -> &str {
        let text = match l {
            Locale::En => None,
            Locale::Ru => self.ru.as_deref(),
            Locale::Pl => self.pl.as_deref(),
            Locale::Uk => self.uk.as_deref(),
            Locale::De => self.de.as_deref(),
        };
        text.unwrap_or(&self.en)
    }
}

/// Structured options the shop defines for some items (coffee: whole beans, ground for espresso...).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OptionSet {
    pub id: String,
    pub label: Localized,
    pub options: Vec<ItemOption>,
}

/// One choice in an option set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ItemOption {
    pub id: String,
    pub label: Localized,
}

/// `GET /v1/shop`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ShopProfile {
    pub name: String,
    /// IANA time zone, e.g. `Europe/Warsaw`.
    pub time_zone: String,
    #[serde(default)]
    pub hours: Vec<DayHours>,
    #[serde(default)]
    pub holidays: Vec<Holiday>,
    #[serde(default)]
    pub availability: Availability,
    /// The channels the shop answers on, in the shop's order.
    pub channels: Vec<Channel>,
    pub payment_methods: Vec<PaymentOffer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_time: Option<ReplyTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<Manager>,
    #[serde(default)]
    pub faq: Vec<FaqEntry>,
    #[serde(default)]
    pub option_sets: Vec<OptionSet>,
    /// Whether the widget shows the shop's record ("kept 97 % of 1,204 promises"): the shop opts in.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub show_record: bool,
}

impl ShopProfile {
    /// A shop with a name, a time zone, channels and payment methods, and nothing else yet.
    pub fn new(name: &str, time_zone: &str, channels: Vec<Channel>, payment_methods: Vec<PaymentOffer>) -> ShopProfile {
        ShopProfile {
            name: name.to_owned(),
            time_zone: time_zone.to_owned(),
            hours: Vec::new(),
            holidays: Vec::new(),
            availability: Availability::default(),
            channels,
            payment_methods,
            reply_time: None,
            manager: None,
            faq: Vec::new(),
            option_sets: Vec::new(),
            show_record: false,
        }
    }

    /// Whether the shop answers on `channel`.
    pub fn offers_channel(&self, channel: Channel) -> bool {
        self.channels.contains(&channel)
    }

    /// Whether the shop accepts `method` at all.
    pub fn offers_payment(&self, method: PaymentMethod) -> bool {
        self.payment_methods.iter().any(|o| o.method == method)
    }

    /// Whether `window` lies inside one open interval on at least one weekday.
    pub fn within_hours(&self, window: TimeWindow) -> bool {
        self.hours.iter().flat_map(|d| &d.intervals).any(|i| i.contains(window))
    }

    /// The option set with this id.
    pub fn option_set(&self, id: &str) -> Option<&OptionSet> {
        self.option_sets.iter().find(|s| s.id == id)
    }
}

#[cfg(test)]
mod url_tests {
    use super::safe_url;

    #[test]
    fn only_https_urls_or_loopback_http_are_safe() {
        for ok in [
            "https://shop.example/anna.jpg",
            "HTTPS://cdn.example:8443/a?b#c",
            "http://127.0.0.1:8080/a.png",
            "http://localhost/x",
        ] {
            assert!(safe_url(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "java\tscript:alert(1)",
            "data:image/svg+xml,<svg onload=alert(1)>",
            "vbscript:msgbox",
            "not a url",
            "http://shop.example/a.jpg",
            "https://",
            "https:///path",
            "//shop.example/a.jpg",
            "http://localhost.evil.example/",
            " https://shop.example/a.jpg",
        ] {
            assert!(!safe_url(bad), "{bad}");
        }
    }
}
