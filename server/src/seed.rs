//! The demo shop and the coffee gift set order of DESIGN.md §1, seeded idempotently.

use kept_protocol::{Channel, Item, Money, OrderStatus, PaymentMethod, PaymentOffer, ShopProfile};
use sqlx::SqlitePool;

use crate::routes::{orders::now_rfc3339, shop};
use crate::{auth, ApiError};

/// The id of the seeded demo order.
pub const DEMO_ORDER: &str = "KC-1001";

/// The demo shop's profile.
pub fn demo_shop() -> ShopProfile {
    ShopProfile {
        name: "Kept Coffee".into(),
        time_zone: "Europe/Warsaw".into(),
        channels: vec![
            Channel::Chat,
            Channel::Whatsapp,
            Channel::Telegram,
            Channel::Email,
            Channel::Sms,
            Channel::Phone,
        ],
        payment_methods: [PaymentMethod::CardOnline, PaymentMethod::CardOnDelivery, PaymentMethod::CashOnDelivery]
            .into_iter()
            .map(|method| PaymentOffer { method })
            .collect(),
    }
}

/// The coffee gift set: ten coffees.
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
        .map(|(i, (name, price))| Item {
            id: format!("coffee-{}", i + 1),
            name: name.into(),
            quantity: 1,
            unit_price: Money { amount_minor: price, currency: "PLN".into() },
        })
        .collect()
}

/// Seeds the demo shop and order; running it again changes nothing already there.
pub async fn demo(pool: &SqlitePool, token: &str) -> Result<(), ApiError> {
    shop::save(pool, &demo_shop()).await?;
    create_order(pool, DEMO_ORDER, token, &demo_items()).await
}

/// Creates an order with a customer token unless one with this id exists.
pub async fn create_order(pool: &SqlitePool, id: &str, token: &str, items: &[Item]) -> Result<(), ApiError> {
    let status = serde_json::to_value(OrderStatus::OrderProcessing)?;
    sqlx::query(
        "INSERT INTO orders (id, token_hash, status, items, editable, created_at) VALUES (?, ?, ?, ?, 1, ?) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(id)
    .bind(auth::hash_token(token))
    .bind(status.as_str().unwrap_or("OrderProcessing"))
    .bind(serde_json::to_string(items)?)
    .bind(now_rfc3339())
    .execute(pool)
    .await?;
    Ok(())
}
