//! Retention: what is only kept for a while (live events for resuming, answers kept for
//! idempotency keys, delivered webhooks, sign-in failures, expired sessions) is pruned in
//! bounded batches, oldest first by primary key, so no pass holds the writer for long.

use super::Tx;
use crate::db::Stamp;
use crate::ApiError;

/// Rows one statement removes at most.
pub const BATCH: i64 = 1000;

/// The tables pruned, each with the statement that removes one batch older than `$1`, for
/// SQLite and for PostgreSQL (tables without an id are addressed by `rowid` / `ctid`).
const PRUNE: [(&str, &str); 5] = [
    (
        "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE created_at < $1 ORDER BY id LIMIT $2)",
        "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE created_at < $1 ORDER BY id LIMIT $2)",
    ),
    (
        "DELETE FROM idempotency WHERE rowid IN (SELECT rowid FROM idempotency WHERE created_at < $1 LIMIT $2)",
        "DELETE FROM idempotency WHERE ctid = ANY(ARRAY(SELECT ctid FROM idempotency WHERE created_at < $1 LIMIT $2))",
    ),
    (
        "DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries WHERE delivered_at IS NOT NULL \
         AND delivered_at < $1 ORDER BY id LIMIT $2)",
        "DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries WHERE delivered_at IS NOT NULL \
         AND delivered_at < $1 ORDER BY id LIMIT $2)",
    ),
    (
        "DELETE FROM sign_in_failures WHERE rowid IN (SELECT rowid FROM sign_in_failures WHERE at < $1 LIMIT $2)",
        "DELETE FROM sign_in_failures WHERE ctid = ANY(ARRAY(SELECT ctid FROM sign_in_failures WHERE at < $1 LIMIT $2))",
    ),
    (
        "DELETE FROM operator_sessions WHERE rowid IN (SELECT rowid FROM operator_sessions WHERE expires_at < $1 LIMIT $2)",
        "DELETE FROM operator_sessions WHERE ctid = ANY(ARRAY(SELECT ctid FROM operator_sessions WHERE expires_at < $1 LIMIT $2))",
    ),
];

/// Removes one batch of each table's rows older than `cutoff` (RFC 3339); how many went.
pub async fn prune_batch(tx: &mut Tx, cutoff: &str, limit: i64) -> Result<u64, ApiError> {
    let mut removed = 0;
    for (sqlite, pg) in PRUNE {
        let sql = if tx.db().is_pg() { pg } else { sqlite };
        removed += crate::sql!(tx.db(), |c| sqlx::query(sql)
            .bind(Stamp::from(cutoff))
            .bind(limit)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(removed)
}
