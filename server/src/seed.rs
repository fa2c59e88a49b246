//! The demo shop and the coffee gift set order of DESIGN.md §1, seeded idempotently.

use crate::db::{Jsonb, Pool, Stamp};
use jiff::tz::TimeZone;
use kept_protocol::{
    Channel, DayHours, DeliverySlot, FaqEntry, Holiday, Item, ItemOption, LocalTime, Locale, Localized, Manager, Money,
    OptionSet, OrderStatus, PaymentCondition, PaymentMethod, PaymentOffer, Replacement, ShopProfile, TimeWindow,
    Weekday,
};

use crate::store::orders::status_name;

use crate::{auth, clock, ApiError};

/// The id of the seeded demo order.
pub const DEMO_ORDER: &str = "KC-1001";
/// A second demo order (one coffee), for pages with two widgets.
pub const SECOND_ORDER: &str = "KC-1002";

fn window(s: (u16, u16), e: (u16, u16)) -> TimeWindow {
    TimeWindow { start: LocalTime::hm(s.0, s.1), end: LocalTime::hm(e.0, e.1) }
}

fn text([en, ru, pl, uk, de]: [&str; 5]) -> Localized {
    let some = |s: &str| Some(s.to_owned());
    Localized { en: en.into(), ru: some(ru), pl: some(pl), uk: some(uk), de: some(de) }
}

fn faq(id: &str, locale: Locale, q: &str, a: &str) -> FaqEntry {
    FaqEntry { id: id.into(), locale, question: q.into(), answer: a.into() }
}

/// The demo shop's profile.
pub fn demo_shop() -> ShopProfile {
    let weekday = vec![window((9, 0), (13, 0)), window((14, 0), (19, 0))];
    let mut hours: Vec<DayHours> =
        Weekday::ALL[..5].iter().map(|&day| DayHours { day, intervals: weekday.clone() }).collect();
    hours.push(DayHours { day: Weekday::Saturday, intervals: vec![window((10, 0), (16, 0))] });
    ShopProfile {
        name: "Kept Coffee".into(),
        time_zone: "Europe/Warsaw".into(),
        hours,
        holidays: vec![
            Holiday { date: "2026-12-25".into(), name: Some("Christmas".into()) },
            Holiday { date: "2026-12-26".into(), name: Some("Second day of Christmas".into()) },
        ],
        availability: Default::default(),
        channels: vec![
            Channel::Chat,
            Channel::Whatsapp,
            Channel::Telegram,
            Channel::Email,
            Channel::Sms,
            Channel::Phone,
        ],
        payment_methods: vec![
            PaymentOffer { method: PaymentMethod::CardOnline, conditions: vec![] },
            // The courier has no card terminal in the morning: said before the choice, not after.
            PaymentOffer {
                method: PaymentMethod::CardOnDelivery,
                conditions: vec![PaymentCondition::SlotStartsFrom { time: LocalTime::hm(12, 0) }],
            },
            PaymentOffer { method: PaymentMethod::CashOnDelivery, conditions: vec![] },
        ],
        reply_time: None,
        // The demo shows its record once it has one.
        show_record: true,
        manager: Some(Manager { name: "Anna Nowak".into(), photo_url: None }),
        faq: vec![
            faq(
                "delivery",
                Locale::En,
                "When will my order arrive?",
                "Orders placed before 14:00 leave the same day; delivery takes 1–2 working days.",
            ),
            faq(
                "returns",
                Locale::En,
                "Can I return coffee?",
                "Unopened packs within 14 days; we refund within 3 working days.",
            ),
            faq(
                "delivery",
                Locale::Ru,
                "Когда приедет заказ?",
                "Заказы до 14:00 отправляем в тот же день; доставка 1–2 рабочих дня.",
            ),
            faq(
                "returns",
                Locale::Ru,
                "Можно ли вернуть кофе?",
                "Невскрытые пачки — в течение 14 дней; деньги вернём за 3 рабочих дня.",
            ),
            faq(
                "delivery",
                Locale::Pl,
                "Kiedy dotrze zamówienie?",
                "Zamówienia złożone przed 14:00 wysyłamy tego samego dnia; dostawa trwa 1–2 dni robocze.",
            ),
            faq(
                "returns",
                Locale::Pl,
                "Czy mogę zwrócić kawę?",
                "Nieotwarte opakowania w ciągu 14 dni; zwrot pieniędzy w 3 dni robocze.",
            ),
        ],
        option_sets: vec![OptionSet {
            id: "grind".into(),
            label: text(["Grind", "Помол", "Mielenie", "Помел", "Mahlgrad"]),
            options: vec![
                ItemOption {
                    id: "whole".into(),
                    label: text(["whole beans", "в зёрнах", "ziarnista", "у зернах", "ganze Bohnen"]),
                },
                ItemOption {
                    id: "espresso".into(),
                    label: text([
                        "ground for espresso",
                        "помол для эспрессо",
                        "mielona do espresso",
                        "помел для еспресо",
                        "gemahlen für Espresso",
                    ]),
                },
                ItemOption {
                    id: "filter".into(),
                    label: text([
                        "ground for filter",
                        "помол для фильтра",
                        "mielona do przelewu",
                        "помел для фільтра",
                        "gemahlen für Filter",
                    ]),
                },
            ],
        }],
    }
}

fn pln(amount_minor: i64) -> Money {
    Money { amount_minor, currency: "PLN".into() }
}

/// The coffee gift set: ten coffees; Kenya AA comes whole or ground and has suggested replacements.
pub fn demo_items() -> Vec<Item> {
    let coffees = [
        ("Ethiopia Yirgacheffe, 250 g", 4900),
        ("Colombia Huila, 250 g", 4500),
        ("Kenya AA, 250 g", 5900),
        ("Brazil Santos, 250 g", 3900),
        ("Guatemala Antigua, 250 g", 4700),
        ("Costa Rica Tarrazú, 250 g", 5200),
        ("Sumatra Mandheling, 250 g", 4800),
        ("Rwanda Bourbon, 250 g", 5400),
        ("Peru Organic, 250 g", 4400),
        ("Colombia Decaf, 250 g", 4600),
    ];
    coffees
        .into_iter()
        .enumerate()
        .map(|(i, (name, price))| {
            let kenya = i == 2;
            Item {
                id: format!("coffee-{}", i + 1),
                name: name.into(),
                quantity: 1,
                unit_price: pln(price),
                option_set: kenya.then(|| "grind".to_owned()),
                replacements: if kenya {
                    vec![
                        Replacement { id: "coffee-11".into(), name: "Kenya AB, 250 g".into(), unit_price: pln(5600) },
                        Replacement {
                            id: "coffee-12".into(),
                            name: "Tanzania Peaberry, 250 g".into(),
                            unit_price: pln(6400),
                        },
                    ]
                } else {
                    vec![]
                },
                active: true,
            }
        })
        .collect()
}

/// Tomorrow 14:00–16:00 in the shop's time zone: an afternoon slot, so card on delivery is open.
fn demo_slot(shop: &ShopProfile) -> Option<DeliverySlot> {
    let tz = TimeZone::get(&shop.time_zone).ok()?;
    let tomorrow = crate::clock::instant().to_zoned(tz.clone()).date().tomorrow().ok()?;
    let at = |h| tomorrow.at(h, 0, 0, 0).to_zoned(tz.clone()).ok().map(|z| clock::rfc3339(z.timestamp()));
    Some(DeliverySlot { start: at(14)?, end: at(16)? })
}

/// Seeds the demo shop and order; running it again changes nothing already there.
pub async fn demo(pool: &Pool, token: &str) -> Result<(), ApiError> {
    let shop = demo_shop();
    crate::store::orders::save_shop(&mut pool.acquire().await?, &shop).await?;
    let slot = demo_slot(&shop);
    create_order(pool, DEMO_ORDER, token, &demo_items(), slot.as_ref()).await?;
    create_order(pool, SECOND_ORDER, token, &demo_items()[..1], slot.as_ref()).await
}

/// Creates an order with a customer token unless one with this id exists.
pub async fn create_order(
    pool: &Pool,
    id: &str,
    token: &str,
    items: &[Item],
    slot: Option<&DeliverySlot>,
) -> Result<(), ApiError> {
    crate::sql!(pool, |c| sqlx::query(
        "INSERT INTO orders (id, token_hash, status, items, editable, created_at, delivery_slot) \
         VALUES ($1, $2, $3, $4, TRUE, $5, $6) ON CONFLICT (id) DO NOTHING",
    )
    .bind(id)
    .bind(auth::hash_token(token))
    .bind(status_name(OrderStatus::OrderProcessing))
    .bind(Jsonb(serde_json::to_string(items)?))
    .bind(Stamp(clock::now()))
    .bind(slot.map(serde_json::to_string).transpose()?.map(Jsonb))
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}
