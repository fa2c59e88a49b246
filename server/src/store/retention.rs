//! Retention: what is only kept for a while (live events for resuming, answers kept for
//! idempotency keys, delivered webhooks, sign-in failures, expired sessions) is pruned in
//! bounded batches, oldest first by primary key, so no pass holds the writer for long.

use super::Tx;
use crate::ApiError;

/// Rows one statement removes at most.
pub const BATCH: i64 = 1000;

/// The tables pruned, each with the statement that removes one batch older than `?1`.
const PRUNE: [(&str, &str); 5] = [
    (
        "events",
        "DELETE FROM events WHERE id IN (SELECT id FROM events ORDER BY id LIMIT ?2) AND created_at < ?1",
    ),
    (
        "idempotency",
        "DELETE FROM idempotency WHERE rowid IN (SELECT rowid FROM idempotency ORDER BY rowid LIMIT ?2) AND created_at < ?1",
    ),
    (
        "webhook_deliveries",
        "DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries WHERE delivered_at IS NOT NULL \
         ORDER BY id LIMIT ?2) AND delivered_at < ?1",
    ),
    (
        "sign_in_failures",
        "DELETE FROM sign_in_failures WHERE rowid IN (SELECT rowid FROM sign_in_failures ORDER BY rowid LIMIT ?2) AND at < ?1",
    ),
    (
        "operator_sessions",
        "DELETE FROM operator_sessions WHERE rowid IN (SELECT rowid FROM operator_sessions ORDER BY rowid LIMIT ?2) \
         AND expires_at < ?1",
    ),
];

/// Removes one batch of each table's rows older than `cutoff` (RFC 3339); how many went.
pub async fn prune_batch(tx: &mut Tx, cutoff: &str, limit: i64) -> Result<u64, ApiError> {
    let mut removed = 0;
    for (_, sql) in PRUNE {
        removed += sqlx::query(sql).bind(cutoff).bind(limit).execute(tx.db()).await?.rows_affected();
    }
    Ok(removed)
}
