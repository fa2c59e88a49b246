//! The order view and the preference agreement: `GET /v1/orders/{order}`,
//! `POST /v1/orders/{order}/preferences`.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use kept_protocol::{Item, OrderStatus, OrderView, Preferences, ProblemCode, Receipt, IDEMPOTENCY_KEY};
use sqlx::SqlitePool;

use super::{parse_json, shop, BODY_LIMIT};
use crate::{auth, canonical, ApiError, AppState};

/// This module's routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/orders/{order}", get(view)).route("/orders/{order}/preferences", post(submit))
}

/// An order as stored, once its token has been checked.
pub struct Order {
    pub id: String,
    pub status: OrderStatus,
    pub items: Vec<Item>,
    pub editable: bool,
}

/// The order `id` if `headers` carry its customer token; otherwise exactly like a missing order.
pub async fn authorize(pool: &SqlitePool, id: &str, headers: &HeaderMap) -> Result<Order, ApiError> {
    let row: Option<(Vec<u8>, String, String, bool)> =
        sqlx::query_as("SELECT token_hash, status, items, editable FROM orders WHERE id = ?")
            .bind(id)
            .fetch_optional(pool)
            .await?;
    let token = auth::bearer(headers);
    match (row, token) {
        (Some((hash, status, items, editable)), Some(token)) if auth::matches(token, &hash) => Ok(Order {
            id: id.to_owned(),
            status: serde_json::from_value(serde_json::Value::String(status))?,
            items: serde_json::from_str(&items)?,
            editable,
        }),
        _ => Err(ApiError::NotFound("order")),
    }
}

async fn view(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<OrderView>, ApiError> {
    let order = authorize(&state.pool, &id, &headers).await?;
    let receipt = current_receipt(&state.pool, &order.id).await?;
    Ok(Json(OrderView { id: order.id, status: order.status, items: order.items, receipt, editable: order.editable }))
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

/// The request's idempotency key: required, printable, at most 128 characters.
pub fn idempotency_key(headers: &HeaderMap) -> Result<String, ApiError> {
    let path = IDEMPOTENCY_KEY;
    let value = headers.get(IDEMPOTENCY_KEY).ok_or_else(|| ApiError::field(path, ProblemCode::Required))?;
    let key = value.to_str().map_err(|_| ApiError::field(path, ProblemCode::Invalid))?.trim();
    if key.is_empty() {
        return Err(ApiError::field(path, ProblemCode::Required));
    }
    if key.len() > 128 {
        return Err(ApiError::field(path, ProblemCode::TooLong));
    }
    Ok(key.to_owned())
}

async fn submit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<Receipt>), ApiError> {
    let pool = &state.pool;
    let order = authorize(pool, &id, &headers).await?;
    let key = idempotency_key(&headers)?;
    let bytes = axum::body::to_bytes(body, BODY_LIMIT).await.map_err(|_| ApiError::PayloadTooLarge(BODY_LIMIT))?;
    let preferences: Preferences = parse_json(&bytes)?;
    let request_hash = canonical::digest(&canonical::json(&preferences)?);
    if let Some(first) = replay(pool, &order.id, &key, &request_hash).await? {
        return Ok((StatusCode::CREATED, Json(first)));
    }
    if !order.editable {
        return Err(ApiError::NotEditable);
    }
    let preferences = preferences.validated(&shop::load(pool).await?).map_err(ApiError::Validation)?;
    let canonical = canonical::json(&preferences)?;
    let digest = canonical::digest(&canonical);
    let summary = preferences.summary();
    let accepted_at = now_rfc3339();
    // One statement picks the next version and inserts it, so concurrent submissions cannot collide.
    let inserted: Result<(u32,), sqlx::Error> = sqlx::query_as(
        "INSERT INTO preference_versions \
         (order_id, version, preferences, digest, summary, accepted_at, idempotency_key, request_hash) \
         SELECT ?1, COALESCE(MAX(version), 0) + 1, ?2, ?3, ?4, ?5, ?6, ?7 FROM preference_versions WHERE order_id = ?1 \
         RETURNING version",
    )
    .bind(&order.id)
    .bind(&canonical)
    .bind(&digest)
    .bind(serde_json::to_string(&summary)?)
    .bind(&accepted_at)
    .bind(&key)
    .bind(&request_hash)
    .fetch_one(pool)
    .await;
    match inserted {
        Ok((version,)) => {
            Ok((StatusCode::CREATED, Json(Receipt { version, accepted_at, digest, summary, preferences })))
        }
        // The same key raced in from a second request: answer what the first one stored.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            let first = replay(pool, &order.id, &key, &request_hash).await?.ok_or(ApiError::IdempotencyConflict)?;
            Ok((StatusCode::CREATED, Json(first)))
        }
        Err(e) => Err(e.into()),
    }
}

/// The current instant in RFC 3339, UTC, to the millisecond.
pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    let now = now.replace_nanosecond(now.millisecond() as u32 * 1_000_000).unwrap_or(now);
    now.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}
