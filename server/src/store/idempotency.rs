//! `Idempotency-Key` for every POST that creates something: the same key with the same body
//! replays the first response; with another body it is refused. The answer is recorded in the
//! transaction of the change it answers, so a crash cannot keep one without the other.

use crate::db::{Conn, Stamp};
use futures_util::future::BoxFuture;
use serde_json::Value;

use super::Tx;
use crate::{canonical, clock, ApiError, AppState};

/// A stored answer: its HTTP status and its body.
pub type Answer = (u16, Value);

async fn stored(conn: &mut Conn, scope: &str, key: &str, hash: &str) -> Result<Option<Answer>, ApiError> {
    let row: Option<(String, i64, String)> = crate::sql!(conn, |c| sqlx::query_as(
        "SELECT request_hash, status, body FROM idempotency WHERE scope = $1 AND key = $2"
    )
    .bind(scope)
    .bind(key)
    .fetch_optional(c)
    .await)?;
    match row {
        None => Ok(None),
        Some((first, ..)) if first != hash => Err(ApiError::IdempotencyConflict),
        Some((_, status, body)) => Ok(Some((u16::try_from(status).unwrap_or(200), serde_json::from_str(&body)?))),
    }
}

/// Runs `create` once per (`scope`, `key`) in one transaction with its record; a repeat with the
/// same `request` gets the stored answer.
pub async fn once<F>(
    state: &AppState,
    scope: String,
    key: String,
    request: &Value,
    create: F,
) -> Result<Answer, ApiError>
where
    F: for<'t> FnOnce(&'t mut Tx) -> BoxFuture<'t, Result<Answer, ApiError>> + Send + 'static,
{
    let hash = canonical::digest(&canonical::json(request)?);
    if let Some(answer) = stored(&mut *state.reads.get(&state.pool).await?, &scope, &key, &hash).await? {
        return Ok(answer);
    }
    let (scope_again, key_again, hash_again) = (scope.clone(), key.clone(), hash.clone());
    let written = state
        .writer
        .write(move |tx| {
            Box::pin(async move {
                let (status, body) = create(tx).await?;
                // The key is claimed with the answer, in the change's transaction: a concurrent
                // request with the same key (another instance, or the same batch) that got there
                // first makes this claim find its row (PostgreSQL waits for that one to commit),
                // and this one's work is rolled back.
                let claimed = crate::sql!(tx.db(), |c| sqlx::query(
                    "INSERT INTO idempotency (scope, key, request_hash, status, body, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (scope, key) DO NOTHING",
                )
                .bind(&scope)
                .bind(&key)
                .bind(&hash)
                .bind(i64::from(status))
                .bind(serde_json::to_string(&body)?)
                .bind(Stamp(clock::now()))
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
                if claimed == 0 {
                    return Err(ApiError::KeyTaken);
                }
                Ok((status, body))
            })
        })
        .await;
    match written {
        // The first one's answer, committed by now (or a conflict, if its body was another).
        Err(ApiError::KeyTaken) => stored(&mut state.pool.acquire().await?, &scope_again, &key_again, &hash_again)
            .await?
            .ok_or(ApiError::KeyTaken),
        other => other,
    }
}
