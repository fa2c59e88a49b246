//! Locales, the keys of the catalogs that hold every customer-facing text, and the words a
//! summary is written with.
//!
//! The texts themselves live in `protocol/locales/<tag>.json`, one flat object of keys per
//! locale: a key maps to a text with `{name}` placeholders, or, where a number decides the
//! grammar, to its plural forms by CLDR category (`one`, `few`, `many`, `other`). The widget
//! fetches only its customer's locale; the server and the console read them through
//! [`crate::catalog`] (feature `catalogs`).

use serde::{Deserialize, Serialize};

use crate::contact::Channel;
use crate::order::Money;
use crate::preferences::PaymentMethod;
use crate::problem::ProblemCode;

/// A language Kept speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    #[default]
    En,
    Ru,
    Pl,
    Uk,
    De,
}

impl Locale {
    /// Every supported locale.
    pub const ALL: [Locale; 5] = [Locale::En, Locale::Ru, Locale::Pl, Locale::Uk, Locale::De];

    /// The locale for a BCP 47 tag such as `pl-PL`, if supported.
    pub fn parse(tag: &str) -> Option<Locale> {
        Locale::parse_among(tag, &Locale::ALL)
    }

    /// The locale for a tag, if it is one of `among`.
    pub fn parse_among(tag: &str, among: &[Locale]) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or("");
        among.iter().copied().find(|l| primary.eq_ignore_ascii_case(l.tag()))
    }

    /// The first supported locale among the customer's preferred ones, else English.
    pub fn negotiate<'a>(tags: impl IntoIterator<Item = &'a str>) -> Locale {
        Locale::negotiate_among(tags, &Locale::ALL)
    }

    /// The first of `among` in the preferred `tags`, else English.
    pub fn negotiate_among<'a>(tags: impl IntoIterator<Item = &'a str>, among: &[Locale]) -> Locale {
        tags.into_iter().find_map(|t| Locale::parse_among(t, among)).unwrap_or_default()
    }

    /// The BCP 47 language tag.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Ru => "ru",
            Locale::Pl => "pl",
            Locale::Uk => "uk",
            Locale::De => "de",
        }
    }

    /// The CLDR plural category of `n` in this language (the rules for cardinals; for the
    /// browser, `Intl.PluralRules` gives the same, which the widget's tests check).
    pub fn plural(self, n: f64) -> &'static str {
        let n = n.abs();
        let integer = n.fract() == 0.0;
        match self {
            Locale::En | Locale::De => {
                if n == 1.0 {
                    "one"
                } else {
                    "other"
                }
            }
            Locale::Ru | Locale::Uk => {
                if !integer {
                    return "other";
                }
                let (m10, m100) = (n % 10.0, n % 100.0);
                if m10 == 1.0 && m100 != 11.0 {
                    "one"
                } else if (2.0..=4.0).contains(&m10) && !(12.0..=14.0).contains(&m100) {
                    "few"
                } else {
                    "many"
                }
            }
            Locale::Pl => {
                if !integer {
                    return "other";
                }
                let (m10, m100) = (n % 10.0, n % 100.0);
                if n == 1.0 {
                    "one"
                } else if (2.0..=4.0).contains(&m10) && !(12.0..=14.0).contains(&m100) {
                    "few"
                } else {
                    "many"
                }
            }
        }
    }
}

/// Fills `{name}` placeholders in `template` from `args`; unknown placeholders stay as written.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').and_then(|close| {
            let name = &after[..close];
            args.iter().find(|(k, _)| *k == name).map(|(_, v)| (close, *v))
        }) {
            Some((close, value)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Where the texts of one locale come from: the widget's fetched catalog, or the catalogs the
/// server and the console carry. A summary is written through it.
pub trait Words {
    /// The locale these words are in.
    fn locale(&self) -> Locale;
    /// The text for `key` with its placeholders filled.
    fn text(&self, key: &str, args: &[(&str, &str)]) -> String;
    /// The text for `key` in the plural form `n` takes, `{n}` written as the locale writes numbers.
    fn count(&self, key: &str, n: f64, args: &[(&str, &str)]) -> String;
    /// An amount as the locale writes it, in its currency's own minor units.
    fn money(&self, m: &Money) -> String;
}

impl Channel {
    /// The catalog key of the channel's name.
    pub fn key(self) -> &'static str {
        match self {
            Channel::Chat => "channel.chat",
            Channel::Sms => "channel.sms",
            Channel::Whatsapp => "channel.whatsapp",
            Channel::Telegram => "channel.telegram",
            Channel::Email => "channel.email",
            Channel::Phone => "channel.phone",
            Channel::Unknown => "channel.unknown",
        }
    }

    /// The channel's name in `w`'s language.
    pub fn label(self, w: &dyn Words) -> String {
        w.text(self.key(), &[])
    }
}

impl crate::order::OrderStatus {
    /// The catalog key of the status as a customer reads it.
    pub fn key(self) -> &'static str {
        use crate::order::OrderStatus::*;
        match self {
            OrderPaymentDue => "status.payment_due",
            OrderProcessing => "status.processing",
            OrderPickupAvailable => "status.pickup_available",
            OrderInTransit => "status.in_transit",
            OrderDelivered => "status.delivered",
            OrderCancelled => "status.cancelled",
            OrderReturned => "status.returned",
            OrderProblem => "status.problem",
            Unknown => "status.unknown",
        }
    }

    /// The status in `w`'s language.
    pub fn label(self, w: &dyn Words) -> String {
        w.text(self.key(), &[])
    }
}

impl crate::order::ItemResolution {
    /// What became of a missing item, as the customer and the operator read it.
    pub fn label(&self, w: &dyn Words) -> String {
        use crate::order::ItemResolution::*;
        match self {
            Substituted { name, unit_price, .. } => {
                w.text("resolution.substituted", &[("name", name), ("price", &w.money(unit_price))])
            }
            Removed { refund } => w.text("resolution.removed", &[("amount", &w.money(refund))]),
            AskedCustomer { channel, .. } => w.text("resolution.asked", &[("channel", &channel.label(w))]),
            OrderCancelled => w.text("resolution.order_cancelled", &[]),
            Unknown => w.text("resolution.unknown", &[]),
        }
    }
}

impl PaymentMethod {
    /// The catalog key of the method's name.
    pub fn key(self) -> &'static str {
        match self {
            PaymentMethod::CardOnline => "payment.card_online",
            PaymentMethod::CardOnDelivery => "payment.card_on_delivery",
            PaymentMethod::CashOnDelivery => "payment.cash_on_delivery",
            PaymentMethod::BankTransfer => "payment.bank_transfer",
            PaymentMethod::Unknown => "payment.unknown",
        }
    }

    /// The method's name in `w`'s language.
    pub fn label(self, w: &dyn Words) -> String {
        w.text(self.key(), &[])
    }
}

impl ProblemCode {
    /// The catalog key of what to tell the customer about this problem.
    pub fn key(self) -> &'static str {
        use ProblemCode::*;
        match self {
            Required => "problem.required",
            Invalid | Unknown => "problem.invalid",
            InvalidPhone => "problem.invalid_phone",
            InvalidEmail => "problem.invalid_email",
            InvalidTelegram => "problem.invalid_telegram",
            ContactMissing => "problem.contact_missing",
            CallsForbidden => "problem.calls_forbidden",
            DuplicateChannel => "problem.duplicate_channel",
            ChannelNotOffered => "problem.channel_not_offered",
            PaymentNotOffered => "problem.payment_not_offered",
            PaymentUnavailable => "problem.payment_unavailable",
            TooLong => "problem.too_long",
            OutOfRange => "problem.out_of_range",
            UnknownItem => "problem.unknown_item",
            UnknownOption => "problem.unknown_option",
            UnknownReplacement => "problem.unknown_replacement",
            Duplicate => "problem.duplicate",
            ChannelNotInPlan => "problem.channel_not_in_plan",
            OutsideHours => "problem.outside_hours",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_subtags_and_case_do_not_matter() {
        assert_eq!(Locale::parse("pl-PL"), Some(Locale::Pl));
        assert_eq!(Locale::parse("RU"), Some(Locale::Ru));
        assert_eq!(Locale::parse("uk_UA"), Some(Locale::Uk));
        assert_eq!(Locale::parse("de-AT"), Some(Locale::De));
        assert_eq!(Locale::parse("fr"), None);
    }

    #[test]
    fn negotiation_takes_the_first_supported_language_else_english() {
        assert_eq!(Locale::negotiate(["fr-FR", "de-DE", "ru"]), Locale::De);
        assert_eq!(Locale::negotiate(["fr", "it"]), Locale::En);
        assert_eq!(Locale::negotiate_among(["de", "uk", "pl"], &[Locale::En, Locale::Pl]), Locale::Pl);
    }

    #[test]
    fn plural_categories_follow_cldr_for_slavic_numbers() {
        let cats = |l: Locale| [1.0, 2.0, 5.0, 21.0, 22.0, 25.0, 0.5, 11.0, 12.0, 111.0].map(|n| l.plural(n));
        let slavic = ["one", "few", "many", "one", "few", "many", "other", "many", "many", "many"];
        assert_eq!(cats(Locale::Ru), slavic);
        assert_eq!(cats(Locale::Uk), slavic);
        assert_eq!(cats(Locale::Pl), ["one", "few", "many", "many", "few", "many", "other", "many", "many", "many"]);
        assert_eq!(cats(Locale::En)[..3], ["one", "other", "other"]);
        assert_eq!(Locale::De.plural(0.5), "other");
    }

    #[test]
    fn placeholders_are_filled_by_name_and_unknown_ones_stay() {
        assert_eq!(fill("Note for {item}", &[("item", "Coffee")]), "Note for Coffee");
        assert_eq!(fill("{a}{b} {c}", &[("b", "2"), ("a", "1")]), "12 {c}");
        assert_eq!(fill("{ {x", &[("x", "no")]), "{ {x");
    }
}
