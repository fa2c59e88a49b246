//! The order view and the preference agreement: `GET /v1/orders/{order}`,
//! `POST /v1/orders/{order}/preferences`.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use kept_protocol::{
    ChangeRequest, DeliverySlot, Item, LocalTime, OrderStatus, OrderView, PaymentCondition, PaymentOption, Preferences,
    Receipt, ShopProfile, TimelineEntry, TimelineEvent,
};
use sqlx::SqlitePool;

use super::{parse_json, shop, BODY_LIMIT};
use crate::writer::Written;
use crate::{auth, canonical, clock, idempotency, ApiError, AppState};

/// This module's routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/orders/{order}", get(view_handler)).route("/orders/{order}/preferences", post(submit))
}

/// An order as stored, once its token has been checked.
pub struct Order {
    pub id: String,
    pub status: OrderStatus,
    pub items: Vec<Item>,
    pub editable: bool,
    pub delivery_slot: Option<DeliverySlot>,
}

type OrderRow = (Vec<u8>, String, String, bool, Option<String>);

/// The order `id` if `headers` carry its customer token; otherwise exactly like a missing order.
pub async fn authorize(pool: &SqlitePool, id: &str, headers: &HeaderMap) -> Result<Order, ApiError> {
    let (hash, order) = load(pool, id).await?.ok_or(ApiError::NotFound("order"))?;
    match auth::bearer(headers) {
        Some(token) if auth::matches(token, &hash) => Ok(order),
        _ => Err(ApiError::NotFound("order")),
    }
}

/// The order `id` with its token hash, without any check.
pub async fn load(pool: &SqlitePool, id: &str) -> Result<Option<(Vec<u8>, Order)>, ApiError> {
    let row: Option<OrderRow> =
        sqlx::query_as("SELECT token_hash, status, items, editable, delivery_slot FROM orders WHERE id = ?")
            .bind(id)
            .fetch_optional(pool)
            .await?;
    let Some((hash, status, items, editable, slot)) = row else { return Ok(None) };
    let order = Order {
        id: id.to_owned(),
        status: parse_status(&status)?,
        items: serde_json::from_str(&items)?,
        editable,
        delivery_slot: slot.map(|s| serde_json::from_str(&s)).transpose()?,
    };
    Ok(Some((hash, order)))
}

/// A status as stored (its schema.org name).
pub fn parse_status(s: &str) -> Result<OrderStatus, ApiError> {
    Ok(serde_json::from_value(serde_json::Value::String(s.to_owned()))?)
}

/// The schema.org name of a status, as stored.
pub fn status_name(s: OrderStatus) -> String {
    serde_json::to_value(s).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// Whether `condition` rules a method out for this order.
fn rules_out(condition: &PaymentCondition, order: &Order, tz: Option<&TimeZone>) -> bool {
    match condition {
        PaymentCondition::SlotStartsFrom { time } => {
            let start = order.delivery_slot.as_ref().and_then(|s| s.start.parse::<Timestamp>().ok());
            match (start, tz) {
                (Some(start), Some(tz)) => {
                    let local = start.to_zoned(tz.clone()).time();
                    LocalTime::hm(local.hour() as u16, local.minute() as u16) < *time
                }
                _ => false,
            }
        }
        PaymentCondition::MaxTotal { amount_minor } => total_minor(&order.items) > *amount_minor,
    }
}

fn total_minor(items: &[Item]) -> i64 {
    items.iter().filter(|i| i.active).map(|i| i.unit_price.amount_minor * i.quantity as i64).sum()
}

/// The full order view the customer sees.
pub async fn view(pool: &SqlitePool, shop: &ShopProfile, order: Order) -> Result<OrderView, ApiError> {
    let timeline: Vec<(String, String)> =
        sqlx::query_as("SELECT at, event FROM timeline WHERE order_id = ? ORDER BY id")
            .bind(&order.id)
            .fetch_all(pool)
            .await?;
    let timeline = timeline
        .into_iter()
        .map(|(at, event)| Ok(TimelineEntry { at, event: serde_json::from_str::<TimelineEvent>(&event)? }))
        .collect::<Result<Vec<_>, ApiError>>()?;
    let change_requests = change_requests(pool, &order.id).await?;
    let (surveyed,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM surveys WHERE order_id = ?").bind(&order.id).fetch_one(pool).await?;
    let receipt = current_receipt(pool, &order.id).await?;
    let delivered = order.status == OrderStatus::OrderDelivered;
    Ok(OrderView {
        receipt,
        survey_due: delivered && surveyed == 0,
        timeline,
        change_requests,
        ..checkable(shop, order)
    })
}

/// What validating preferences needs of an order (items, slot, payment options, editable),
/// without reading its history: a submission must not get slower as the timeline grows.
pub fn checkable(shop: &ShopProfile, order: Order) -> OrderView {
    let tz = TimeZone::get(&shop.time_zone).ok();
    let payment_options = shop
        .payment_methods
        .iter()
        .map(|offer| {
            let blocking = offer.conditions.iter().find(|c| rules_out(c, &order, tz.as_ref())).cloned();
            PaymentOption { method: offer.method, available: blocking.is_none(), unavailable_because: blocking }
        })
        .collect();
    OrderView {
        editable: order.editable && order.status.allows_edits(),
        payment_options,
        delivery_slot: order.delivery_slot,
        items: order.items,
        ..OrderView::new(order.id, order.status, vec![])
    }
}

/// The order's change requests, oldest first.
pub async fn change_requests(pool: &SqlitePool, order: &str) -> Result<Vec<ChangeRequest>, ApiError> {
    let rows: Vec<(i64, String, String, String, String)> = sqlx::query_as(
        "SELECT id, change, reason, status, created_at FROM change_requests WHERE order_id = ? ORDER BY id",
    )
    .bind(order)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(id, change, reason, status, created_at)| {
            Ok(ChangeRequest {
                id,
                change: serde_json::from_str(&change)?,
                reason,
                status: serde_json::from_value(serde_json::Value::String(status))?,
                created_at,
            })
        })
        .collect()
}

async fn view_handler(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<OrderView>, ApiError> {
    let order = authorize(&state.pool, &id, &headers).await?;
    let shop = shop::load(&state.pool).await?;
    Ok(Json(view(&state.pool, &shop, order).await?))
}

type ReceiptRow = (u32, String, String, String, String);
const RECEIPT_COLUMNS: &str = "version, preferences, digest, summary, accepted_at";

fn receipt(row: ReceiptRow) -> Result<Receipt, ApiError> {
    let (version, preferences, digest, summary, accepted_at) = row;
    Ok(Receipt {
        version,
        accepted_at,
        digest,
        summary: serde_json::from_str(&summary)?,
        preferences: serde_json::from_str(&preferences)?,
    })
}

/// The newest agreed version of an order's preferences.
pub async fn current_receipt(pool: &SqlitePool, order: &str) -> Result<Option<Receipt>, ApiError> {
    let row: Option<ReceiptRow> = sqlx::query_as(&format!(
        "SELECT {RECEIPT_COLUMNS} FROM preference_versions WHERE order_id = ? ORDER BY version DESC LIMIT 1"
    ))
    .bind(order)
    .fetch_optional(pool)
    .await?;
    row.map(receipt).transpose()
}

/// The receipt first given for this idempotency key, if the request is the same one again.
async fn replay(pool: &SqlitePool, order: &str, key: &str, request_hash: &str) -> Result<Option<Receipt>, ApiError> {
    let row: Option<(String, u32, String, String, String, String)> = sqlx::query_as(&format!(
        "SELECT request_hash, {RECEIPT_COLUMNS} FROM preference_versions WHERE order_id = ? AND idempotency_key = ?"
    ))
    .bind(order)
    .bind(key)
    .fetch_optional(pool)
    .await?;
    match row {
        None => Ok(None),
        Some((stored_hash, ..)) if stored_hash != request_hash => Err(ApiError::IdempotencyConflict),
        Some((_, version, preferences, digest, summary, accepted_at)) => {
            receipt((version, preferences, digest, summary, accepted_at)).map(Some)
        }
    }
}

/// Stores validated preferences as the order's next version and announces it.
pub async fn store_version(
    state: &AppState,
    shop: &ShopProfile,
    view: &OrderView,
    preferences: Preferences,
    key: &str,
    request_hash: &str,
) -> Result<Receipt, ApiError> {
    let pool = &state.pool;
    let canonical = canonical::json(&preferences)?;
    let digest = canonical::digest(&canonical);
    let summary = preferences.summary(shop, view);
    let accepted_at = clock::now();
    let receipt = Receipt { version: 0, accepted_at, digest, summary, preferences };
    let job = crate::writer::NewVersion {
        order: view.id.clone(),
        canonical,
        summary_json: serde_json::to_string(&receipt.summary)?,
        key: key.to_owned(),
        request_hash: request_hash.to_owned(),
        receipt,
    };
    match state.writer.store(job).await? {
        Written::Stored(stored) => {
            let (receipt, events) = *stored;
            for e in &events {
                state.hub.send(&view.id, e);
            }
            Ok(receipt)
        }
        // The same key raced in from a second request: answer what the first one stored.
        Written::KeyTaken => replay(pool, &view.id, key, request_hash).await?.ok_or(ApiError::IdempotencyConflict),
    }
}

async fn submit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<Receipt>), ApiError> {
    let pool = &state.pool;
    let order = authorize(pool, &id, &headers).await?;
    let key = idempotency::key(&headers)?;
    let bytes = axum::body::to_bytes(body, BODY_LIMIT).await.map_err(|_| ApiError::PayloadTooLarge(BODY_LIMIT))?;
    let preferences: Preferences = parse_json(&bytes)?;
    let request_hash = canonical::digest(&canonical::json(&preferences)?);
    if let Some(first) = replay(pool, &order.id, &key, &request_hash).await? {
        return Ok((StatusCode::CREATED, Json(first)));
    }
    let shop = shop::load(pool).await?;
    let view = checkable(&shop, order);
    if !view.editable {
        return Err(ApiError::NotEditable);
    }
    let preferences = preferences.validated(&shop, &view).map_err(ApiError::Validation)?;
    let receipt = store_version(&state, &shop, &view, preferences, &key, &request_hash).await?;
    Ok((StatusCode::CREATED, Json(receipt)))
}
