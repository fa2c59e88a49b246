//! What the operator console reads and writes beside orders: the attention list, callbacks,
//! reports, logged calls and presence.

use crate::db::{Conn, Pool, Stamp};
use jiff::Timestamp;
use kept_protocol::operator::{LoggedCall, OrderSummary};
use kept_protocol::{Callback, CallbackStatus, PromiseKind, Report};

use super::orders::parse_status;
use super::{promises, Tx};
use crate::{clock, ApiError};

type SummaryRow = (String, String, Option<Stamp>, i64, i64, i64);

/// The newest `limit` orders with what needs attention, in one query: the waiting customer is
/// a column kept as messages are written, the counts read indexed rows of each order.
pub async fn summaries(pool: &Pool, due_by: Timestamp, limit: i64) -> Result<Vec<OrderSummary>, ApiError> {
    let rows: Vec<SummaryRow> = crate::sql!(pool, |c| sqlx::query_as(
        "SELECT o.id, o.status, o.waiting_since, \
           (SELECT COUNT(*) FROM change_requests c WHERE c.order_id = o.id AND c.status = 'pending'), \
           (SELECT COUNT(*) FROM reports r WHERE r.order_id = o.id), \
           (SELECT COUNT(*) FROM callbacks b WHERE b.order_id = o.id AND b.done_at IS NULL AND b.window_start <= $1) \
         FROM orders o ORDER BY o.created_at DESC LIMIT $2",
    )
    .bind(Stamp(clock::rfc3339(due_by)))
    .bind(limit)
    .fetch_all(c)
    .await)?;
    rows.into_iter()
        .map(|(id, status, waiting_since, pending, reports, due)| {
            Ok(OrderSummary {
                id,
                status: parse_status(&status)?,
                waiting_since: waiting_since.map(|s| s.0),
                pending_change_requests: pending as u32,
                reports: reports as u32,
                callbacks_due: due as u32,
            })
        })
        .collect()
}

/// The order's callbacks, with what is overdue at `now`.
pub async fn callbacks(conn: &mut Conn, order: &str, now: Timestamp) -> Result<Vec<Callback>, ApiError> {
    let rows: Vec<(i64, Stamp, Stamp, Option<Stamp>)> = crate::sql!(conn, |c| sqlx::query_as(
        "SELECT id, window_start, window_end, done_at FROM callbacks WHERE order_id = $1 ORDER BY id"
    )
    .bind(order)
    .fetch_all(c)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(id, Stamp(start), Stamp(end), done)| {
            let overdue = end.parse::<Timestamp>().is_ok_and(|e| e <= now);
            let status = match (done, overdue) {
                (Some(_), _) => CallbackStatus::Done,
                (None, true) => CallbackStatus::Overdue,
                (None, false) => CallbackStatus::Pending,
            };
            Callback { id, window_start: start, window_end: end, status }
        })
        .collect())
}

/// The order's broken-promise reports.
pub async fn reports(conn: &mut Conn, order: &str) -> Result<Vec<Report>, ApiError> {
    let rows: Vec<(i64, i64, String, Option<String>, Stamp)> = crate::sql!(conn, |c| sqlx::query_as(
        "SELECT id, receipt_version, promise, note, reported_at FROM reports WHERE order_id = $1 ORDER BY id",
    )
    .bind(order)
    .fetch_all(c)
    .await)?;
    rows.into_iter()
        .map(|(id, receipt_version, promise, note, reported_at)| {
            Ok(Report {
                id,
                receipt_version: super::orders::version_of(receipt_version)?,
                promise: serde_json::from_value(serde_json::Value::String(promise))?,
                note,
                reported_at: reported_at.0,
            })
        })
        .collect()
}

/// Marks the order's callback done; false when the order has no such callback.
pub async fn mark_done(tx: &mut Tx, order: &str, callback: i64) -> Result<bool, ApiError> {
    let done = crate::sql!(tx.db(), |c| sqlx::query(
        "UPDATE callbacks SET done_at = COALESCE(done_at, $1) WHERE id = $2 AND order_id = $3"
    )
    .bind(Stamp(clock::now()))
    .bind(callback)
    .bind(order)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if done > 0 {
        let owed = promises::Owed { kind: PromiseKind::Callback, subject: Some(callback) };
        promises::close(tx, order, owed, promises::Close::Done, clock::instant(), None).await?;
    }
    Ok(done > 0)
}

/// Records a phone call.
pub async fn log_call(
    tx: &mut Tx,
    order: &str,
    callback: Option<i64>,
    note: Option<&str>,
) -> Result<LoggedCall, ApiError> {
    let logged_at = clock::now();
    let (id,): (i64,) = crate::sql!(tx.db(), |c| sqlx::query_as(
        "INSERT INTO calls (order_id, callback_id, note, logged_at) VALUES ($1, $2, $3, $4) RETURNING id"
    )
    .bind(order)
    .bind(callback)
    .bind(note)
    .bind(Stamp::from(&logged_at))
    .fetch_one(c)
    .await)?;
    Ok(LoggedCall { id, logged_at })
}

/// An operator's heartbeat.
pub async fn seen(tx: &mut Tx, operator: &str, at: &str) -> Result<(), ApiError> {
    crate::sql!(tx.db(), |c| sqlx::query(
        "INSERT INTO operator_presence (operator, last_seen) VALUES ($1, $2) \
         ON CONFLICT (operator) DO UPDATE SET last_seen = excluded.last_seen",
    )
    .bind(operator)
    .bind(Stamp::from(at))
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// How many operators were seen since `since`.
pub async fn online(pool: &Pool, since: Timestamp) -> Result<u32, ApiError> {
    let (n,): (i64,) =
        crate::sql!(pool, |c| sqlx::query_as("SELECT COUNT(*) FROM operator_presence WHERE last_seen >= $1")
            .bind(Stamp(clock::rfc3339(since)))
            .fetch_one(c)
            .await)?;
    Ok(n as u32)
}

/// The display names of the named operators seen since `since`.
pub async fn online_names(pool: &Pool, since: Timestamp) -> Result<Vec<String>, ApiError> {
    let rows: Vec<(String,)> = crate::sql!(pool, |c| sqlx::query_as(
        "SELECT o.display_name FROM operator_presence p JOIN operators o ON o.name = p.operator \
         WHERE p.last_seen >= $1 ORDER BY p.last_seen DESC LIMIT 10",
    )
    .bind(Stamp(clock::rfc3339(since)))
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(|(n,)| n).collect())
}
