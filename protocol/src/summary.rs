//! The agreement in plain words, one sentence a line, in the customer's language.

use crate::i18n::Words;
use crate::order::{Money, OrderView};
use crate::preferences::Preferences;
use crate::shop::ShopProfile;
use crate::substitution::{Fallback, PriceCap, SubstitutionRule};

/// `10 %` or `5,00 zł`: how much dearer a substitute may be.
fn cap_text(cap: PriceCap, order: &OrderView, w: &dyn Words) -> String {
    match cap {
        PriceCap::Percent { percent } => format!("{percent}\u{a0}%"),
        PriceCap::Amount { amount_minor } => w.money(&Money { amount_minor, currency: order.currency().to_owned() }),
    }
}

/// A substitution rule in plain words; `item` names the item a specific replacement is for.
pub fn rule_text(rule: &SubstitutionRule, w: &dyn Words, order: &OrderView, item: Option<&str>) -> String {
    let similar = |cap: PriceCap| w.text("rule.similar", &[("cap", &cap_text(cap, order, w))]);
    match rule {
        SubstitutionRule::Similar { max_increase } => similar(*max_increase),
        SubstitutionRule::Specific { replacement } => {
            let item = item.and_then(|id| order.item(id));
            let name = item
                .and_then(|i| i.replacements.iter().find(|r| &r.id == replacement))
                .map_or(replacement.as_str(), |r| r.name.as_str());
            w.text("rule.specific", &[("name", name)])
        }
        SubstitutionRule::AskFirst { channel, wait_minutes, fallback } => {
            let then = match fallback {
                Fallback::Similar { max_increase } => similar(*max_increase),
                Fallback::Remove => w.text("rule.remove", &[]),
            };
            w.count("rule.ask_first", f64::from(*wait_minutes), &[("channel", &channel.label(w)), ("then", &then)])
        }
        SubstitutionRule::Remove => w.text("rule.remove", &[]),
        SubstitutionRule::CancelOrder => w.text("rule.cancel", &[]),
    }
}

impl Preferences {
    /// The plain-words summary a receipt carries, written with `w` (the customer's language).
    pub fn summary(&self, shop: &ShopProfile, order: &OrderView, w: &dyn Words) -> Vec<String> {
        let l = w.locale();
        let mut lines = Vec::new();
        if self.contact.do_not_call {
            lines.push(w.text("summary.no_calls", &[]));
        }
        if !self.contact.channels.is_empty() {
            let names: Vec<String> = self.contact.channels.iter().map(|c| c.label(w)).collect();
            lines.push(w.text("summary.contact", &[("channels", &names.join(&w.text("summary.then", &[])))]));
        }
        if let Some(win) = self.contact.callback_window {
            let (from, to) = (String::from(win.start), String::from(win.end));
            lines.push(w.text("summary.callbacks", &[("from", &from), ("to", &to)]));
        }
        let rule = rule_text(&self.substitutions.default, w, order, None);
        lines.push(w.text("summary.missing", &[("rule", &rule)]));
        for o in &self.substitutions.overrides {
            let name = order.item(&o.item).map_or(o.item.as_str(), |i| i.name.as_str());
            let rule = rule_text(&o.rule, w, order, Some(&o.item));
            lines.push(w.text("summary.item", &[("item", name), ("rule", &rule)]));
        }
        if let Some(method) = self.payment {
            lines.push(w.text("summary.pay", &[("method", &method.label(w))]));
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
            lines.push(w.text("summary.item", &[("item", name), ("rule", &parts.join("; "))]));
        }
        lines
    }
}

#[cfg(all(test, feature = "catalogs"))]
mod tests {
    use crate::catalog::words;
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
                    label: Localized {
                        en: "whole beans".into(), ru: Some("в зёрнах".into()), ..Localized::default()
                    },
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
            coffee_story(Locale::En).summary(&shop(), &order(), words(Locale::En)),
            vec![
                "We will not call you.",
                "We contact you by: Chat on this site, then WhatsApp.",
                "Missing items: substitute similar, at most 10\u{a0}% dearer.",
                "Kenya AA: remove and refund.",
                "You pay: Card on delivery.",
                "Kenya AA: whole beans; «beans, not ground».",
            ]
        );
    }

    #[test]
    fn waits_are_counted_in_the_customers_grammar() {
        let mut p = coffee_story(Locale::Ru);
        p.substitutions.default = SubstitutionRule::AskFirst {
            channel: Channel::Whatsapp,
            wait_minutes: 22,
            fallback: crate::Fallback::Remove,
        };
        assert_eq!(
            p.summary(&shop(), &order(), words(Locale::Ru))[2],
            "Если товара нет: сначала спросить меня: WhatsApp, ждать 22 минуты, затем убрать и вернуть деньги."
        );
    }

    #[test]
    fn the_summary_speaks_the_customers_language() {
        let ru = coffee_story(Locale::Ru).summary(&shop(), &order(), words(Locale::Ru));
        assert_eq!(ru[0], "Мы не будем вам звонить.");
        assert_eq!(ru[5], "Kenya AA: в зёрнах; «beans, not ground».");
        assert_eq!(
            coffee_story(Locale::Pl).summary(&shop(), &order(), words(Locale::Pl))[4],
            "Płatność: Kartą przy odbiorze."
        );
    }

    #[test]
    fn amount_caps_are_written_in_the_orders_currency() {
        let mut p = coffee_story(Locale::En);
        p.substitutions.default = SubstitutionRule::Similar { max_increase: PriceCap::Amount { amount_minor: 250 } };
        assert_eq!(
            p.summary(&shop(), &order(), words(Locale::En))[2],
            "Missing items: substitute similar, at most 2.50 PLN dearer."
        );
        let mut yen = order();
        yen.currency = "JPY".into();
        p.substitutions.default = SubstitutionRule::Similar { max_increase: PriceCap::Amount { amount_minor: 300 } };
        assert_eq!(
            p.summary(&shop(), &yen, words(Locale::De))[2],
            "Fehlende Artikel: durch Ähnliches ersetzen, höchstens 300 JPY teurer."
        );
    }
}
