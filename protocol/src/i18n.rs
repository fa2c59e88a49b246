//! Locales and the names of protocol values in each of them.

use serde::{Deserialize, Serialize};

use crate::contact::Channel;
use crate::preferences::PaymentMethod;

/// A language Kept speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    #[default]
    En,
    Ru,
    Pl,
}

impl Locale {
    /// Every supported locale.
    pub const ALL: [Locale; 3] = [Locale::En, Locale::Ru, Locale::Pl];

    /// The locale for a BCP 47 tag such as `pl-PL`, if supported.
    pub fn parse(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or("");
        Locale::ALL.into_iter().find(|l| primary.eq_ignore_ascii_case(l.tag()))
    }

    /// The first supported locale among the customer's preferred ones, else English.
    pub fn negotiate<'a>(tags: impl IntoIterator<Item = &'a str>) -> Locale {
        tags.into_iter().find_map(Locale::parse).unwrap_or_default()
    }

    /// The BCP 47 language tag.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Ru => "ru",
            Locale::Pl => "pl",
        }
    }

    /// Picks the text for this locale.
    pub fn pick(self, en: &'static str, ru: &'static str, pl: &'static str) -> &'static str {
        match self {
            Locale::En => en,
            Locale::Ru => ru,
            Locale::Pl => pl,
        }
    }
}

impl Channel {
    /// The channel's name as a customer reads it.
    pub fn label(self, l: Locale) -> &'static str {
        match self {
            Channel::Chat => l.pick("Chat on this site", "Чат на сайте", "Czat na stronie"),
            Channel::Sms => "SMS",
            Channel::Whatsapp => "WhatsApp",
            Channel::Telegram => "Telegram",
            Channel::Email => l.pick("Email", "Электронная почта", "E-mail"),
            Channel::Phone => l.pick("Phone call", "Звонок", "Połączenie telefoniczne"),
            Channel::Unknown => l.pick("Another channel", "Другой канал", "Inny kanał"),
        }
    }
}

impl crate::order::OrderStatus {
    /// The status as a customer reads it.
    pub fn label(self, l: Locale) -> &'static str {
        use crate::order::OrderStatus::*;
        match self {
            OrderPaymentDue => l.pick("Waiting for payment", "Ожидает оплаты", "Oczekuje na płatność"),
            OrderProcessing => l.pick("Being prepared", "Собирается", "W przygotowaniu"),
            OrderPickupAvailable => l.pick("Ready for pickup", "Готов к выдаче", "Gotowe do odbioru"),
            OrderInTransit => l.pick("On its way", "В пути", "W drodze"),
            OrderDelivered => l.pick("Delivered", "Доставлен", "Dostarczone"),
            OrderCancelled => l.pick("Cancelled", "Отменён", "Anulowane"),
            OrderReturned => l.pick("Returned", "Возвращён", "Zwrócone"),
            OrderProblem => l.pick("There is a problem", "Возникла проблема", "Wystąpił problem"),
            Unknown => l.pick("Updated", "Обновлён", "Zaktualizowane"),
        }
    }
}

impl crate::order::ItemResolution {
    /// What became of a missing item, as the customer and the operator read it.
    pub fn label(&self, l: Locale) -> String {
        use crate::order::ItemResolution::*;
        match self {
            Substituted { name, unit_price, .. } => format!(
                "{} {name} ({})",
                l.pick("replaced with", "заменён на", "zastąpiony przez"),
                crate::summary::money_text(unit_price)
            ),
            Removed { refund } => format!(
                "{} {}",
                l.pick("removed, refund", "убран, возврат", "usunięty, zwrot"),
                crate::summary::money_text(refund)
            ),
            AskedCustomer { channel, .. } => format!(
                "{} {}",
                l.pick(
                    "out of stock; we ask you first:",
                    "нет в наличии; сначала спросим вас:",
                    "brak; najpierw pytamy Ciebie:"
                ),
                channel.label(l)
            ),
            OrderCancelled => l.pick("the order is cancelled", "заказ отменён", "zamówienie anulowane").to_owned(),
            Unknown => l.pick("updated", "обновлено", "zaktualizowano").to_owned(),
        }
    }
}

impl PaymentMethod {
    /// The method's name as a customer reads it.
    pub fn label(self, l: Locale) -> &'static str {
        match self {
            PaymentMethod::CardOnline => l.pick("Card online", "Картой онлайн", "Kartą online"),
            PaymentMethod::CardOnDelivery => l.pick("Card on delivery", "Картой при получении", "Kartą przy odbiorze"),
            PaymentMethod::CashOnDelivery => {
                l.pick("Cash on delivery", "Наличными при получении", "Gotówką przy odbiorze")
            }
            PaymentMethod::BankTransfer => l.pick("Bank transfer", "Банковский перевод", "Przelew bankowy"),
            PaymentMethod::Unknown => l.pick("Another payment method", "Другой способ оплаты", "Inna metoda płatności"),
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
        assert_eq!(Locale::parse("de"), None);
    }

    #[test]
    fn negotiation_takes_the_first_supported_language_else_english() {
        assert_eq!(Locale::negotiate(["de-DE", "ru-RU", "en"]), Locale::Ru);
        assert_eq!(Locale::negotiate(["de", "fr"]), Locale::En);
    }
}
