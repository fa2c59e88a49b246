//! The agreement in plain words, one sentence a line, in the customer's language.

use crate::i18n::Locale;
use crate::order::{Money, OrderView};
use crate::preferences::Preferences;
use crate::shop::ShopProfile;
use crate::substitution::{Fallback, PriceCap, SubstitutionRule};

/// `+10 %` or `+5.00 PLN`.
fn cap_text(cap: PriceCap, currency: &str) -> String {
    match cap {
        PriceCap::Percent { percent } => format!("+{percent} %"),
        PriceCap::Amount { amount_minor } => {
            let m = Money { amount_minor, currency: currency.to_owned() };
            format!("+{}", money_text(&m))
        }
    }
}

/// Minor units as `5.00 PLN`; the widget formats money with Intl instead.
pub fn money_text(m: &Money) -> String {
    let sign = if m.amount_minor < 0 { "-" } else { "" };
    let abs = m.amount_minor.unsigned_abs();
    format!("{sign}{}.{:02} {}", abs / 100, abs % 100, m.currency)
}

/// A substitution rule in plain words; `item` names the item a specific replacement is for.
pub fn rule_text(rule: &SubstitutionRule, l: Locale, order: &OrderView, item: Option<&str>) -> String {
    let currency = order.items.first().map_or("", |i| i.unit_price.currency.as_str());
    let similar = |cap: PriceCap| {
        let mut s = l
            .pick("substitute similar, at most ", "заменить похожим, не дороже чем на ", "zastąpić podobnym, najwyżej ")
            .to_owned();
        s.push_str(&cap_text(cap, currency));
        s
    };
    match rule {
        SubstitutionRule::Similar { max_increase } => similar(*max_increase),
        SubstitutionRule::Specific { replacement } => {
            let item = item.and_then(|id| order.item(id));
            let name = item
                .and_then(|i| i.replacements.iter().find(|r| &r.id == replacement))
                .map_or(replacement.as_str(), |r| r.name.as_str());
            let mut s = l.pick("replace with ", "заменить на ", "zastąpić przez ").to_owned();
            s.push_str(name);
            s
        }
        SubstitutionRule::AskFirst { channel, wait_minutes, fallback } => {
            let then = match fallback {
                Fallback::Similar { max_increase } => similar(*max_increase),
                Fallback::Remove => {
                    l.pick("remove and refund", "убрать и вернуть деньги", "usunąć i zwrócić pieniądze").to_owned()
                }
            };
            format!(
                "{}{}{}{wait_minutes}{}{then}",
                l.pick("ask me first via ", "сначала спросить меня: ", "najpierw zapytać mnie: "),
                channel.label(l),
                l.pick(", wait ", ", ждать ", ", czekać "),
                l.pick(" min, then ", " мин, затем ", " min, potem "),
            )
        }
        SubstitutionRule::Remove => {
            l.pick("remove and refund", "убрать и вернуть деньги", "usunąć i zwrócić pieniądze").to_owned()
        }
        SubstitutionRule::CancelOrder => {
            l.pick("cancel the whole order", "отменить весь заказ", "anulować całe zamówienie").to_owned()
        }
    }
}

impl Preferences {
    /// The plain-words summary a receipt carries.
    pub fn summary(&self, shop: &ShopProfile, order: &OrderView) -> Vec<String> {
        let l = self.locale;
        let mut lines = Vec::new();
        if self.contact.do_not_call {
            lines.push(
                l.pick("We will not call you.", "Мы не будем вам звонить.", "Nie będziemy do Ciebie dzwonić.")
                    .to_owned(),
            );
        }
        if !self.contact.channels.is_empty() {
            let then = l.pick(", then ", ", затем ", ", potem ");
            let names: Vec<&str> = self.contact.channels.iter().map(|c| c.label(l)).collect();
            lines.push(format!(
                "{}{}.",
                l.pick("We contact you by: ", "Связь с вами: ", "Kontakt z Tobą: "),
                names.join(then)
            ));
        }
        if let Some(w) = self.contact.callback_window {
            lines.push(format!(
                "{}{}–{}.",
                l.pick("Callbacks only between ", "Перезванивать только с ", "Oddzwaniać tylko w godzinach "),
                String::from(w.start),
                String::from(w.end)
            ));
        }
        let missing = l.pick("Missing items: ", "Если товара нет: ", "Brakujące produkty: ");
        lines.push(format!("{missing}{}.", rule_text(&self.substitutions.default, l, order, None)));
        for o in &self.substitutions.overrides {
            let name = order.item(&o.item).map_or(o.item.as_str(), |i| i.name.as_str());
            lines.push(format!("{name}: {}.", rule_text(&o.rule, l, order, Some(&o.item))));
        }
        if let Some(method) = self.payment {
            lines.push(format!("{}{}.", l.pick("You pay: ", "Оплата: ", "Płatność: "), method.label(l)));
        }
        for note in &self.notes {
            let item = order.item(&note.item);
            let mut parts: Vec<String> = Vec::new();
            if let Some(option) = &note.option {
                let set = item.and_then(|i| i.option_set.as_deref()).and_then(|id| shop.option_set(id));
                let label = set.and_then(|s| s.options.iter().find(|o| &o.id == option)).map(|o| o.label.get(l));
                parts.push(label.unwrap_or(option).to_owned());
            }
            if let Some(text) = &note.text {
                parts.push(format!("«{text}»"));
            }
            let name = item.map_or(note.item.as_str(), |i| i.name.as_str());
            lines.push(format!("{name}: {}.", parts.join("; ")));
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use crate::order::{Item, Money, OrderStatus, OrderView};
    use crate::shop::{ItemOption, Localized, OptionSet, ShopProfile};
    use crate::{Channel, ContactPlan, ItemNote, Locale, PaymentMethod, Preferences, PriceCap, SubstitutionPolicy};
    use crate::{ItemRule, SubstitutionRule};

    fn shop() -> ShopProfile {
        ShopProfile {
            option_sets: vec![OptionSet {
                id: "grind".into(),
                label: Localized::default(),
                options: vec![ItemOption {
                    id: "whole".into(),
                    label: Localized { en: "whole beans".into(), ru: Some("в зёрнах".into()), pl: None },
                }],
            }],
            ..ShopProfile::new("Kept Coffee", "Europe/Warsaw", vec![], vec![])
        }
    }

    fn order() -> OrderView {
        OrderView::new(
            "KC-1",
            OrderStatus::OrderProcessing,
            vec![Item {
                id: "coffee-3".into(),
                name: "Kenya AA".into(),
                quantity: 1,
                unit_price: Money { amount_minor: 5900, currency: "PLN".into() },
                option_set: Some("grind".into()),
                replacements: vec![],
                active: true,
            }],
        )
    }

    fn coffee_story(locale: Locale) -> Preferences {
        Preferences {
            contact: ContactPlan {
                channels: vec![Channel::Chat, Channel::Whatsapp],
                do_not_call: true,
                phone: Some("+48600100200".into()),
                ..ContactPlan::default()
            },
            substitutions: SubstitutionPolicy {
                default: SubstitutionRule::Similar { max_increase: PriceCap::Percent { percent: 10 } },
                overrides: vec![ItemRule { item: "coffee-3".into(), rule: SubstitutionRule::Remove }],
            },
            payment: Some(PaymentMethod::CardOnDelivery),
            notes: vec![ItemNote {
                item: "coffee-3".into(),
                option: Some("whole".into()),
                text: Some("beans, not ground".into()),
            }],
            locale,
        }
    }

    #[test]
    fn the_summary_says_every_promise_in_plain_words() {
        assert_eq!(
            coffee_story(Locale::En).summary(&shop(), &order()),
            vec![
                "We will not call you.",
                "We contact you by: Chat on this site, then WhatsApp.",
                "Missing items: substitute similar, at most +10 %.",
                "Kenya AA: remove and refund.",
                "You pay: Card on delivery.",
                "Kenya AA: whole beans; «beans, not ground».",
            ]
        );
    }

    #[test]
    fn the_summary_speaks_the_customers_language() {
        let ru = coffee_story(Locale::Ru).summary(&shop(), &order());
        assert_eq!(ru[0], "Мы не будем вам звонить.");
        assert_eq!(ru[5], "Kenya AA: в зёрнах; «beans, not ground».");
        assert_eq!(coffee_story(Locale::Pl).summary(&shop(), &order())[4], "Płatność: Kartą przy odbiorze.");
    }

    #[test]
    fn amount_caps_are_written_in_the_orders_currency() {
        assert_eq!(super::money_text(&Money { amount_minor: 500, currency: "PLN".into() }), "5.00 PLN");
        let mut p = coffee_story(Locale::En);
        p.substitutions.default = SubstitutionRule::Similar { max_increase: PriceCap::Amount { amount_minor: 250 } };
        assert_eq!(p.summary(&shop(), &order())[2], "Missing items: substitute similar, at most +2.50 PLN.");
    }
}
