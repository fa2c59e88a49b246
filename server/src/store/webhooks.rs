//! Webhook endpoints and the delivery outbox: a delivery row is written in the transaction of
//! the change it reports, and the worker claims due rows, oldest first per order and endpoint.

use kept_protocol::backend::{Delivery, Webhook};
use serde_json::{json, Value};
use sqlx::SqlitePool;

use super::Tx;
use crate::{clock, webhooks, ApiError};

/// Queues `kind` for every endpoint that wants it.
pub async fn enqueue(tx: &mut Tx, order: &str, kind: &str, mut data: Value) -> Result<(), ApiError> {
    if tx.endpoints.is_none() {
        let rows: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, event_types FROM webhook_endpoints WHERE disabled_at IS NULL")
                .fetch_all(tx.db())
                .await?;
        tx.endpoints =
            Some(rows.into_iter().map(|(id, t)| (id, serde_json::from_str(&t).unwrap_or_default())).collect());
    }
    let wanted: Vec<i64> = tx
        .endpoints
        .iter()
        .flatten()
        .filter(|(_, types)| types.is_empty() || types.iter().any(|t| t == kind))
        .map(|(id, _)| *id)
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    if kind == "question.asked" {
        // The chosen channel's contact detail, so the shop's own messaging can reach them there.
        let receipt = super::orders::current_receipt(tx.db(), order).await?;
        let channel = data["change_request"]["question"]["channel"].as_str().unwrap_or("").to_owned();
        let contact = receipt.map(|r| r.preferences.contact).and_then(|c| match channel.as_str() {
            "sms" | "whatsapp" | "phone" => c.phone,
            "email" => c.email,
            "telegram" => c.telegram,
            _ => None,
        });
        data["contact"] = json!(contact);
    }
    let now = clock::now();
    let payload = serde_json::to_string(&json!({ "type": kind, "timestamp": now, "data": data }))?;
    for endpoint in wanted {
        let msg = crate::auth::new_token()
            .map_err(|e| ApiError::Internal(crate::error::anyhow_lite::Error::msg(e.to_string())))?;
        sqlx::query(
            "INSERT INTO webhook_deliveries (endpoint_id, order_id, msg_id, event_type, payload, created_at, next_attempt_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(endpoint)
        .bind(order)
        .bind(format!("msg_{}", &msg[..32]))
        .bind(kind)
        .bind(&payload)
        .bind(&now)
        .bind(&now)
        .execute(tx.db())
        .await?;
    }
    Ok(())
}

/// A delivery the worker is to attempt.
#[derive(Clone, Debug)]
pub struct Due {
    pub id: i64,
    pub msg_id: String,
    pub payload: String,
    pub attempts: u32,
    pub created_at: String,
    pub url: String,
    pub secret: String,
    pub endpoint: i64,
}

/// At most `limit` deliveries due at `now`: only the oldest undelivered one of each order and
/// endpoint, so an order's events arrive in order.
pub async fn due(pool: &SqlitePool, now: &str, limit: i64) -> Result<Vec<Due>, ApiError> {
    type Row = (i64, String, String, i64, String, String, String, i64);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT d.id, d.msg_id, d.payload, d.attempts, d.created_at, e.url, e.secret, e.id \
         FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id \
         WHERE d.delivered_at IS NULL AND d.failed_at IS NULL AND e.disabled_at IS NULL AND d.next_attempt_at <= ? \
           AND d.id = (SELECT MIN(o.id) FROM webhook_deliveries o WHERE o.endpoint_id = d.endpoint_id \
                       AND o.order_id = d.order_id AND o.delivered_at IS NULL AND o.failed_at IS NULL) \
         ORDER BY d.id LIMIT ?",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, msg_id, payload, attempts, created_at, url, secret, endpoint)| Due {
            id,
            msg_id,
            payload,
            attempts: attempts as u32,
            created_at,
            url,
            secret,
            endpoint,
        })
        .collect())
}

/// What one attempt came to.
pub enum Outcome {
    Delivered,
    /// 410 Gone: the endpoint is switched off.
    Gone,
    /// Try again at `next` (RFC 3339), or give up when `give_up`.
    Failed {
        error: String,
        status: Option<u16>,
        next: String,
        give_up: bool,
    },
}

/// Records an attempt.
pub async fn attempted(tx: &mut Tx, d: &Due, outcome: &Outcome) -> Result<(), ApiError> {
    tx.endpoints = None;
    let now = clock::now();
    match outcome {
        Outcome::Delivered => {
            sqlx::query("UPDATE webhook_deliveries SET delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?")
                .bind(&now)
                .bind(d.id)
                .execute(tx.db())
                .await?;
        }
        Outcome::Gone => {
            sqlx::query("UPDATE webhook_endpoints SET disabled_at = ? WHERE id = ?")
                .bind(&now)
                .bind(d.endpoint)
                .execute(tx.db())
                .await?;
            sqlx::query("UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = 410, last_error = 'gone' WHERE id = ?")
                .bind(d.id)
                .execute(tx.db())
                .await?;
        }
        Outcome::Failed { error, status, next, give_up } => {
            sqlx::query(
                "UPDATE webhook_deliveries SET attempts = attempts + 1, last_error = ?, last_status = ?, next_attempt_at = ?, \
                 failed_at = CASE WHEN ? THEN ? ELSE NULL END WHERE id = ?",
            )
            .bind(error)
            .bind(status.map(i64::from))
            .bind(next)
            .bind(give_up)
            .bind(&now)
            .bind(d.id)
            .execute(tx.db())
            .await?;
        }
    }
    Ok(())
}

/// Deliveries not yet delivered (pending or given up), newest first, for the console.
pub async fn undelivered(pool: &SqlitePool, limit: i64) -> Result<Vec<Delivery>, ApiError> {
    type Row = (i64, String, String, String, i64, Option<String>, Option<String>, String, Option<String>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT d.id, d.order_id, d.event_type, e.url, d.attempts, d.failed_at, d.last_error, d.created_at, e.disabled_at \
         FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id \
         WHERE d.delivered_at IS NULL ORDER BY d.id DESC LIMIT ?",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, order, event_type, url, attempts, failed, last_error, created_at, disabled)| Delivery {
            id,
            order,
            event_type,
            url,
            attempts: attempts as u32,
            state: if failed.is_some() || disabled.is_some() { "failed" } else { "pending" }.to_owned(),
            last_error,
            created_at,
        })
        .collect())
}

/// "Send again": the delivery is due now, and its endpoint is on again.
pub async fn retry(tx: &mut Tx, id: i64) -> Result<bool, ApiError> {
    tx.endpoints = None;
    let done = sqlx::query(
        "UPDATE webhook_deliveries SET failed_at = NULL, next_attempt_at = ? WHERE id = ? AND delivered_at IS NULL",
    )
    .bind(clock::now())
    .bind(id)
    .execute(tx.db())
    .await?;
    sqlx::query(
        "UPDATE webhook_endpoints SET disabled_at = NULL WHERE id = (SELECT endpoint_id FROM webhook_deliveries WHERE id = ?)",
    )
    .bind(id)
    .execute(tx.db())
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Adds an endpoint with its secret.
pub async fn add_endpoint(
    tx: &mut Tx,
    url: &str,
    types: &[String],
    secret: &str,
    from_config: bool,
) -> Result<i64, ApiError> {
    tx.endpoints = None;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO webhook_endpoints (url, secret, event_types, from_config, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(url)
    .bind(secret)
    .bind(serde_json::to_string(types)?)
    .bind(from_config)
    .bind(clock::now())
    .fetch_one(tx.db())
    .await?;
    Ok(id)
}

/// The endpoint configured by flags (`--webhook-url`, `--webhook-secret`) replaces the previous
/// configured one; without flags, a configured one is switched off.
pub async fn configure(tx: &mut Tx, url: Option<&str>, secret: Option<&str>) -> Result<(), ApiError> {
    tx.endpoints = None;
    let existing: Option<(i64, String, String)> =
        sqlx::query_as("SELECT id, url, secret FROM webhook_endpoints WHERE from_config = 1 ORDER BY id DESC LIMIT 1")
            .fetch_optional(tx.db())
            .await?;
    match (url, secret, existing) {
        // The same endpoint as configured last time: nothing to change.
        (Some(url), Some(secret), Some((_, u, s))) if u == url && s == secret => {}
        (Some(url), Some(secret), existing) => {
            if let Some((id, ..)) = existing {
                sqlx::query("UPDATE webhook_endpoints SET disabled_at = ?, from_config = 0 WHERE id = ?")
                    .bind(clock::now())
                    .bind(id)
                    .execute(tx.db())
                    .await?;
            }
            add_endpoint(tx, url, &[], secret, true).await?;
        }
        (_, _, Some((id, ..))) => {
            sqlx::query("UPDATE webhook_endpoints SET disabled_at = COALESCE(disabled_at, ?) WHERE id = ?")
                .bind(clock::now())
                .bind(id)
                .execute(tx.db())
                .await?;
        }
        _ => {}
    }
    Ok(())
}

/// Every endpoint, without secrets.
pub async fn endpoints(pool: &SqlitePool) -> Result<Vec<Webhook>, ApiError> {
    let rows: Vec<(i64, String, String, Option<String>)> =
        sqlx::query_as("SELECT id, url, event_types, disabled_at FROM webhook_endpoints ORDER BY id")
            .fetch_all(pool)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(id, url, types, disabled)| Webhook {
            id,
            url,
            event_types: serde_json::from_str(&types).unwrap_or_default(),
            disabled: disabled.is_some(),
            secret: None,
        })
        .collect())
}

/// Removes an endpoint and its undelivered deliveries; false when there is none.
pub async fn remove_endpoint(tx: &mut Tx, id: i64) -> Result<bool, ApiError> {
    tx.endpoints = None;
    sqlx::query("DELETE FROM webhook_deliveries WHERE endpoint_id = ?").bind(id).execute(tx.db()).await?;
    let done = sqlx::query("DELETE FROM webhook_endpoints WHERE id = ?").bind(id).execute(tx.db()).await?;
    Ok(done.rows_affected() > 0)
}

/// The webhook a stored event causes goes into the outbox with it.
pub async fn for_event(tx: &mut Tx, order: &str, data: &kept_protocol::EventData) -> Result<(), ApiError> {
    match webhooks::for_event(order, data) {
        Some((kind, value)) => enqueue(tx, order, kind, value).await,
        None => Ok(()),
    }
}
