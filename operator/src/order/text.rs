//! An order in the operator's words: the agreement on one line, what may stand in for an item,
//! the timeline's entries, instants in the operator's locale.

use kept_protocol::{Item, Locale, OrderView, Replacement, ShopProfile, TimelineEvent};
use wasm_bindgen::JsValue;

use crate::i18n::{words, Pick, T};

/// The agreement on one line, in the operator's language, "DO NOT CALL" first when it applies.
pub fn agreement_line(order: &OrderView, shop: &ShopProfile, l: Locale) -> Option<String> {
    let receipt = order.receipt.as_ref()?;
    let mut prefs = receipt.preferences.clone();
    prefs.locale = l;
    let mut lines = prefs.summary(shop, order, words(l));
    if prefs.contact.do_not_call && !lines.is_empty() {
        lines[0] = T::DoNotCall.get(l).to_owned();
    }
    Some(lines.iter().map(|s| s.trim_end_matches('.')).collect::<Vec<_>>().join(" · "))
}

/// What may stand in for `item`: the shop's suggestions, then the order's other items.
pub fn candidates(order: &OrderView, item: &Item) -> Vec<Replacement> {
    let others = order.items.iter().filter(|i| i.id != item.id && i.active).map(|i| Replacement {
        id: i.id.clone(),
        name: i.name.clone(),
        unit_price: i.unit_price.clone(),
    });
    item.replacements.iter().cloned().chain(others).collect()
}

/// A timeline entry, in words.
pub fn timeline_text(e: &TimelineEvent, order: &OrderView, l: Locale) -> String {
    match e {
        TimelineEvent::Status { status } => status.label(words(l)).to_owned(),
        TimelineEvent::PreferencesAgreed { version } => {
            format!(
                "{} {version}",
                l.pick(
                    "Agreement, version",
                    "Договорённость, версия",
                    "Umowa, wersja",
                    "Домовленість, версія",
                    "Vereinbarung, Version"
                )
            )
        }
        TimelineEvent::PromiseBroken { receipt_version, .. } => format!("{} ({receipt_version})", T::Reported.get(l)),
        TimelineEvent::ItemResolved { item, resolution } => {
            let name = order.item(item).map_or(item.as_str(), |i| i.name.as_str());
            format!("{name}: {}", resolution.label(words(l)))
        }
        TimelineEvent::ChangeRequested { .. } => l
            .pick("Change asked", "Запрошено изменение", "Poproszono o zmianę", "Запитано зміну", "Änderung angefragt")
            .to_owned(),
        TimelineEvent::ChangeAnswered { accepted, .. } => if *accepted {
            l.pick(
                "The customer accepted the change",
                "Клиент согласился",
                "Klient zaakceptował zmianę",
                "Клієнт погодився на зміну",
                "Der Kunde hat der Änderung zugestimmt",
            )
        } else {
            l.pick(
                "The customer declined the change",
                "Клиент отказался",
                "Klient odrzucił zmianę",
                "Клієнт відмовився від зміни",
                "Der Kunde hat die Änderung abgelehnt",
            )
        }
        .to_owned(),
        TimelineEvent::CallbackRequested { .. } => l
            .pick(
                "Callback requested",
                "Клиент просит перезвонить",
                "Klient prosi o telefon",
                "Клієнт просить передзвонити",
                "Rückruf angefragt",
            )
            .to_owned(),
        TimelineEvent::CallLogged { .. } => l
            .pick("Phone call logged", "Звонок записан", "Rozmowa zapisana", "Дзвінок записано", "Anruf erfasst")
            .to_owned(),
        TimelineEvent::OrderUpdated { dropped } => {
            let base = l.pick(
                "Order updated by the shop's system",
                "Заказ обновлён системой магазина",
                "Zamówienie zaktualizowane przez system sklepu",
                "Замовлення оновлено системою магазину",
                "Bestellung vom System des Shops aktualisiert",
            );
            if dropped.is_empty() {
                base.to_owned()
            } else {
                format!("{base} (−{})", dropped.join(", "))
            }
        }
        TimelineEvent::Unknown => {
            l.pick("Updated", "Обновлено", "Zaktualizowano", "Оновлено", "Aktualisiert").to_owned()
        }
        TimelineEvent::SurveyAnswered { rating } => {
            format!("{} {rating}/5", l.pick("Rated", "Оценка", "Ocena", "Оцінка", "Bewertung"))
        }
    }
}

/// An instant in the operator's locale (as written when it cannot be read).
pub fn date_time(at: &str, l: Locale) -> String {
    let d = js_sys::Date::new(&JsValue::from_str(at));
    if d.get_time().is_nan() {
        return at.to_owned();
    }
    d.to_locale_string(l.tag(), &JsValue::UNDEFINED).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kept_protocol::{Channel, ContactPlan, Money, Preferences, Receipt, SubstitutionPolicy};
    use kept_protocol::{OrderStatus, PaymentMethod};

    fn item(id: &str, price: i64) -> Item {
        Item {
            id: id.into(),
            name: id.to_uppercase(),
            quantity: 1,
            unit_price: Money { amount_minor: price, currency: "PLN".into() },
            option_set: None,
            replacements: vec![],
            active: true,
        }
    }

    fn order(do_not_call: bool) -> OrderView {
        let mut o = OrderView::new("KC-1", OrderStatus::OrderProcessing, vec![item("a", 4900), item("b", 4500)]);
        let preferences = Preferences {
            contact: ContactPlan {
                channels: vec![Channel::Chat, Channel::Whatsapp],
                do_not_call,
                phone: Some("+48600100200".into()),
                email: None,
                telegram: None,
                callback_window: None,
            },
            substitutions: SubstitutionPolicy::default(),
            payment: Some(PaymentMethod::CardOnDelivery),
            notes: vec![],
            locale: Locale::Ru,
        };
        o.receipt = Some(Receipt {
            version: 1,
            accepted_at: "2026-11-23T10:00:00.000Z".into(),
            digest: "d".into(),
            summary: vec![],
            preferences,
        });
        o
    }

    #[test]
    fn the_agreement_line_starts_with_do_not_call_in_the_operators_language() {
        let shop = ShopProfile::new("Kept Coffee", "Europe/Warsaw", vec![], vec![]);
        let line = agreement_line(&order(true), &shop, Locale::En).unwrap();
        assert!(line.starts_with("DO NOT CALL · "), "{line}");
        assert!(line.contains("Chat on this site, then WhatsApp"), "{line}");
        assert!(line.contains("Card on delivery"), "{line}");
        let line = agreement_line(&order(false), &shop, Locale::Pl).unwrap();
        assert!(!line.contains("NIE DZWONIĆ"), "{line}");
        let mut none = order(true);
        none.receipt = None;
        assert_eq!(agreement_line(&none, &shop, Locale::En), None);
    }

    #[test]
    fn the_candidates_are_the_shops_suggestions_then_the_orders_other_items() {
        let o = order(true);
        let mut a = o.items[0].clone();
        a.replacements = vec![Replacement {
            id: "x".into(),
            name: "X".into(),
            unit_price: Money { amount_minor: 5000, currency: "PLN".into() },
        }];
        let ids: Vec<String> = candidates(&o, &a).into_iter().map(|r| r.id).collect();
        assert_eq!(ids, vec!["x", "b"]);
    }
}
