//! Webhook endpoints and the delivery outbox: a delivery row is written in the transaction of
//! the change it reports, and the worker claims due rows, oldest first per order and endpoint.

use crate::db::{Jsonb, Pool, Stamp};
use kept_protocol::backend::{Delivery, Webhook};
use serde_json::{json, Value};

use super::Tx;
use crate::{clock, webhooks, ApiError};

/// The live endpoints and the event types each wants, from `[[id, ["type", …]], …]` (None: none).
pub(crate) fn endpoints_from_json(json: Option<&str>) -> Result<Vec<(i64, Vec<String>)>, ApiError> {
    Ok(json.map(serde_json::from_str).transpose()?.unwrap_or_default())
}

/// Queues `kind` for every endpoint that wants it.
pub async fn enqueue(tx: &mut Tx, order: &str, kind: &str, mut data: Value) -> Result<(), ApiError> {
    if tx.endpoints.is_none() {
        let rows: Vec<(i64, Jsonb)> = crate::sql!(tx.db(), |c| sqlx::query_as(
            "SELECT id, event_types FROM webhook_endpoints WHERE disabled_at IS NULL"
        )
        .fetch_all(c)
        .await)?;
        tx.endpoints =
            Some(rows.into_iter().map(|(id, t)| (id, serde_json::from_str(&t.0).unwrap_or_default())).collect());
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
        crate::sql!(tx.db(), |c| {
            sqlx::query(
            "INSERT INTO webhook_deliveries (endpoint_id, order_id, msg_id, event_type, payload, created_at, next_attempt_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(endpoint)
        .bind(order)
        .bind(format!("msg_{}", &msg[..32]))
        .bind(kind)
        .bind(&payload)
        .bind(Stamp::from(&now))
        .bind(Stamp::from(&now))
        .execute(c).await.map(|r| r.rows_affected())
        })?;
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

/// Whether any delivery may be due at `now` (what [`claim`] then takes may be fewer: one per
/// order and endpoint, none of a switched-off endpoint).
pub async fn any_due(pool: &Pool, now: &str) -> Result<bool, ApiError> {
    let row: Option<(i64,)> = crate::sql!(pool, |c| {
        sqlx::query_as(
        "SELECT id FROM webhook_deliveries WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 LIMIT 1"
    )
    .bind(Stamp::from(now))
    .fetch_optional(c)
    .await
    })?;
    Ok(row.is_some())
}

/// Claims at most `limit` deliveries due at `now` for this worker until `lease` (their next
/// attempt moves there, so no other worker or instance takes them meanwhile; one that dies
/// mid-attempt leaves them to be tried again then). Only the oldest undelivered delivery of each
/// order and endpoint is taken, so an order's events arrive in order. PostgreSQL skips rows that
/// another instance is claiming at this moment.
pub async fn claim(tx: &mut Tx, now: &str, lease: &str, limit: i64) -> Result<Vec<Due>, ApiError> {
    type Row = (i64, String, String, i64, Stamp, String, String, i64);
    let skip = if tx.db().is_pg() { " FOR UPDATE OF d SKIP LOCKED" } else { "" };
    let rows: Vec<Row> = crate::sql!(tx.db(), |c| sqlx::query_as(&format!(
        "SELECT d.id, d.msg_id, d.payload, d.attempts, d.created_at, e.url, e.secret, e.id \
         FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id \
         WHERE d.delivered_at IS NULL AND d.failed_at IS NULL AND e.disabled_at IS NULL AND d.next_attempt_at <= $1 \
           AND d.id = (SELECT MIN(o.id) FROM webhook_deliveries o WHERE o.endpoint_id = d.endpoint_id \
                       AND o.order_id = d.order_id AND o.delivered_at IS NULL AND o.failed_at IS NULL) \
         ORDER BY d.id LIMIT $2{skip}"
    ))
    .bind(Stamp::from(now))
    .bind(limit)
    .fetch_all(c)
    .await)?;
    for row in &rows {
        crate::sql!(tx.db(), |c| sqlx::query("UPDATE webhook_deliveries SET next_attempt_at = $1 WHERE id = $2")
            .bind(Stamp::from(lease))
            .bind(row.0)
            .execute(c)
            .await
            .map(|_| ()))?;
    }
    Ok(rows
        .into_iter()
        .map(|(id, msg_id, payload, attempts, created_at, url, secret, endpoint)| Due {
            id,
            msg_id,
            payload,
            attempts: attempts as u32,
            created_at: created_at.0,
            url,
            secret,
            endpoint,
        })
        .collect())
}

/// Keeps claimed deliveries this worker's until `lease`, while their attempts run (a delivery
/// recorded meanwhile is left alone).
pub async fn renew(tx: &mut Tx, ids: &[i64], lease: &str) -> Result<(), ApiError> {
    for id in ids {
        crate::sql!(tx.db(), |c| {
            sqlx::query(
                "UPDATE webhook_deliveries SET next_attempt_at = $1 WHERE id = $2 AND delivered_at IS NULL AND failed_at IS NULL",
            )
            .bind(Stamp::from(lease))
            .bind(*id)
            .execute(c)
            .await
            .map(|_| ())
        })?;
    }
    Ok(())
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
    let now = Stamp(clock::now());
    match outcome {
        Outcome::Delivered => {
            crate::sql!(tx.db(), |c| {
                sqlx::query("UPDATE webhook_deliveries SET delivered_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2")
                .bind(&now)
                .bind(d.id)
                .execute(c).await.map(|r| r.rows_affected())
            })?;
        }
        Outcome::Gone => {
            crate::sql!(tx.db(), |c| sqlx::query("UPDATE webhook_endpoints SET disabled_at = $1 WHERE id = $2")
                .bind(&now)
                .bind(d.endpoint)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
            crate::sql!(tx.db(), |c| {
                sqlx::query("UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = 410, last_error = 'gone' WHERE id = $1")
                .bind(d.id)
                .execute(c).await.map(|r| r.rows_affected())
            })?;
        }
        Outcome::Failed { error, status, next, give_up } => {
            crate::sql!(tx.db(), |c| {
                sqlx::query(
                "UPDATE webhook_deliveries SET attempts = attempts + 1, last_error = $1, last_status = $2, next_attempt_at = $3, \
                 failed_at = CASE WHEN $4 THEN $5 ELSE NULL END WHERE id = $6",
            )
            .bind(error)
            .bind(status.map(i64::from))
            .bind(Stamp::from(next))
            .bind(give_up)
            .bind(&now)
            .bind(d.id)
            .execute(c).await.map(|r| r.rows_affected())
            })?;
        }
    }
    Ok(())
}

/// Deliveries not yet delivered (pending or given up), newest first, for the console.
pub async fn undelivered(pool: &Pool, limit: i64) -> Result<Vec<Delivery>, ApiError> {
    type Row = (i64, String, String, String, i64, Option<Stamp>, Option<String>, Stamp, Option<Stamp>);
    let rows: Vec<Row> = crate::sql!(pool, |c| {
        sqlx::query_as(
        "SELECT d.id, d.order_id, d.event_type, e.url, d.attempts, d.failed_at, d.last_error, d.created_at, e.disabled_at \
         FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id \
         WHERE d.delivered_at IS NULL ORDER BY d.id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(c).await
    })?;
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
            created_at: created_at.0,
        })
        .collect())
}

/// "Send again": the delivery is due now, and its endpoint is on again.
pub async fn retry(tx: &mut Tx, id: i64) -> Result<bool, ApiError> {
    tx.endpoints = None;
    let done = crate::sql!(tx.db(), |c| {
        sqlx::query(
        "UPDATE webhook_deliveries SET failed_at = NULL, next_attempt_at = $1 WHERE id = $2 AND delivered_at IS NULL",
    )
    .bind(Stamp(clock::now()))
    .bind(id)
    .execute(c).await.map(|r| r.rows_affected())
    })?;
    crate::sql!(tx.db(), |c| {
        sqlx::query(
        "UPDATE webhook_endpoints SET disabled_at = NULL WHERE id = (SELECT endpoint_id FROM webhook_deliveries WHERE id = $1)",
    )
    .bind(id)
    .execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(done > 0)
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
    let (id,): (i64,) = crate::sql!(tx.db(), |c| {
        sqlx::query_as(
        "INSERT INTO webhook_endpoints (url, secret, event_types, from_config, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(url)
    .bind(secret)
    .bind(Jsonb(serde_json::to_string(types)?))
    .bind(from_config)
    .bind(Stamp(clock::now()))
    .fetch_one(c).await
    })?;
    Ok(id)
}

/// The endpoint configured by flags (`--webhook-url`, `--webhook-secret`) replaces the previous
/// configured one; without flags, a configured one is switched off.
pub async fn configure(tx: &mut Tx, url: Option<&str>, secret: Option<&str>) -> Result<(), ApiError> {
    tx.endpoints = None;
    let existing: Option<(i64, String, String)> = crate::sql!(tx.db(), |c| sqlx::query_as(
        "SELECT id, url, secret FROM webhook_endpoints WHERE from_config = TRUE ORDER BY id DESC LIMIT 1"
    )
    .fetch_optional(c)
    .await)?;
    match (url, secret, existing) {
        // The same endpoint as configured last time: nothing to change.
        (Some(url), Some(secret), Some((_, u, s))) if u == url && s == secret => {}
        (Some(url), Some(secret), existing) => {
            if let Some((id, ..)) = existing {
                crate::sql!(tx.db(), |c| sqlx::query(
                    "UPDATE webhook_endpoints SET disabled_at = $1, from_config = FALSE WHERE id = $2"
                )
                .bind(Stamp(clock::now()))
                .bind(id)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
            }
            add_endpoint(tx, url, &[], secret, true).await?;
        }
        (_, _, Some((id, ..))) => {
            crate::sql!(tx.db(), |c| sqlx::query(
                "UPDATE webhook_endpoints SET disabled_at = COALESCE(disabled_at, $1) WHERE id = $2"
            )
            .bind(Stamp(clock::now()))
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
        }
        _ => {}
    }
    Ok(())
}

/// Every endpoint, without secrets.
pub async fn endpoints(pool: &Pool) -> Result<Vec<Webhook>, ApiError> {
    let rows: Vec<(i64, String, Jsonb, Option<Stamp>)> = crate::sql!(pool, |c| sqlx::query_as(
        "SELECT id, url, event_types, disabled_at FROM webhook_endpoints ORDER BY id"
    )
    .fetch_all(c)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(id, url, types, disabled)| Webhook {
            id,
            url,
            event_types: serde_json::from_str(&types.0).unwrap_or_default(),
            disabled: disabled.is_some(),
            secret: None,
        })
        .collect())
}

/// Removes an endpoint and its undelivered deliveries; false when there is none.
pub async fn remove_endpoint(tx: &mut Tx, id: i64) -> Result<bool, ApiError> {
    tx.endpoints = None;
    crate::sql!(tx.db(), |c| sqlx::query("DELETE FROM webhook_deliveries WHERE endpoint_id = $1")
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    let done = crate::sql!(tx.db(), |c| sqlx::query("DELETE FROM webhook_endpoints WHERE id = $1")
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done > 0)
}

/// The webhook a stored event causes goes into the outbox with it.
pub async fn for_event(tx: &mut Tx, order: &str, data: &kept_protocol::EventData) -> Result<(), ApiError> {
    match webhooks::for_event(order, data) {
        Some((kind, value)) => enqueue(tx, order, kind, value).await,
        None => Ok(()),
    }
}
