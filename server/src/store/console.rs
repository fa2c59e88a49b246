//! What the operator console reads and writes beside orders: the attention list, callbacks,
//! reports, logged calls and presence.

use jiff::Timestamp;
use kept_protocol::operator::{LoggedCall, OrderSummary};
use kept_protocol::{Callback, CallbackStatus, Report};
use sqlx::{SqliteConnection, SqlitePool};

use super::orders::parse_status;
use super::Tx;
use crate::{clock, ApiError};

type SummaryRow = (String, String, Option<String>, i64, i64, i64);

/// The newest `limit` orders with what needs attention, in one query: the waiting customer is
/// a column kept as messages are written, the counts read indexed rows of each order.
pub async fn summaries(pool: &SqlitePool, due_by: Timestamp, limit: i64) -> Result<Vec<OrderSummary>, ApiError> {
    let rows: Vec<SummaryRow> = sqlx::query_as(
        "SELECT o.id, o.status, o.waiting_since, \
           (SELECT COUNT(*) FROM change_requests c WHERE c.order_id = o.id AND c.status = 'pending'), \
           (SELECT COUNT(*) FROM reports r WHERE r.order_id = o.id), \
           (SELECT COUNT(*) FROM callbacks b WHERE b.order_id = o.id AND b.done_at IS NULL AND b.window_start <= ?) \
         FROM orders o ORDER BY o.created_at DESC LIMIT ?",
    )
    .bind(clock::rfc3339(due_by))
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(id, status, waiting_since, pending, reports, due)| {
            Ok(OrderSummary {
                id,
                status: parse_status(&status)?,
                waiting_since,
                pending_change_requests: pending as u32,
                reports: reports as u32,
                callbacks_due: due as u32,
            })
        })
        .collect()
}

/// The order's callbacks, with what is overdue at `now`.
pub async fn callbacks(conn: &mut SqliteConnection, order: &str, now: Timestamp) -> Result<Vec<Callback>, ApiError> {
    let rows: Vec<(i64, String, String, Option<String>)> =
        sqlx::query_as("SELECT id, window_start, window_end, done_at FROM callbacks WHERE order_id = ? ORDER BY id")
            .bind(order)
            .fetch_all(conn)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(id, start, end, done)| {
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
pub async fn reports(conn: &mut SqliteConnection, order: &str) -> Result<Vec<Report>, ApiError> {
    let rows: Vec<(i64, u32, String, Option<String>, String)> = sqlx::query_as(
        "SELECT id, receipt_version, promise, note, reported_at FROM reports WHERE order_id = ? ORDER BY id",
    )
    .bind(order)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(id, receipt_version, promise, note, reported_at)| {
            Ok(Report {
                id,
                receipt_version,
                promise: serde_json::from_value(serde_json::Value::String(promise))?,
                note,
                reported_at,
            })
        })
        .collect()
}

/// Marks the order's callback done; false when the order has no such callback.
pub async fn mark_done(tx: &mut Tx, order: &str, callback: i64) -> Result<bool, ApiError> {
    let done = sqlx::query("UPDATE callbacks SET done_at = COALESCE(done_at, ?) WHERE id = ? AND order_id = ?")
        .bind(clock::now())
        .bind(callback)
        .bind(order)
        .execute(tx.db())
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Records a phone call.
pub async fn log_call(
    tx: &mut Tx,
    order: &str,
    callback: Option<i64>,
    note: Option<&str>,
) -> Result<LoggedCall, ApiError> {
    let logged_at = clock::now();
    let (id,): (i64,) =
        sqlx::query_as("INSERT INTO calls (order_id, callback_id, note, logged_at) VALUES (?, ?, ?, ?) RETURNING id")
            .bind(order)
            .bind(callback)
            .bind(note)
            .bind(&logged_at)
            .fetch_one(tx.db())
            .await?;
    Ok(LoggedCall { id, logged_at })
}

/// An operator's heartbeat.
pub async fn seen(tx: &mut Tx, operator: &str, at: &str) -> Result<(), ApiError> {
    sqlx::query(
        "INSERT INTO operator_presence (operator, last_seen) VALUES (?, ?) \
         ON CONFLICT (operator) DO UPDATE SET last_seen = excluded.last_seen",
    )
    .bind(operator)
    .bind(at)
    .execute(tx.db())
    .await?;
    Ok(())
}

/// How many operators were seen since `since`.
pub async fn online(pool: &SqlitePool, since: Timestamp) -> Result<u32, ApiError> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM operator_presence WHERE last_seen >= ?")
        .bind(clock::rfc3339(since))
        .fetch_one(pool)
        .await?;
    Ok(n as u32)
}

/// The display names of the named operators seen since `since`.
pub async fn online_names(pool: &SqlitePool, since: Timestamp) -> Result<Vec<String>, ApiError> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT o.display_name FROM operator_presence p JOIN operators o ON o.name = p.operator \
         WHERE p.last_seen >= ? ORDER BY p.last_seen DESC LIMIT 10",
    )
    .bind(clock::rfc3339(since))
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(n,)| n).collect())
}
