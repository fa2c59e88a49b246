//! `Idempotency-Key` for every POST that creates something: the same key with the same body
//! replays the first response; with another body it is refused. The answer is recorded in the
//! transaction of the change it answers, so a crash cannot keep one without the other.

use crate::db::{Conn, Stamp};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::future::BoxFuture;
use kept_protocol::{ProblemCode, IDEMPOTENCY_KEY};
use serde_json::Value;

use super::Tx;
use crate::{canonical, clock, ApiError, AppState};

/// The request's idempotency key: required, printable, at most 128 characters.
pub fn key(headers: &HeaderMap) -> Result<String, ApiError> {
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

async fn stored(conn: &mut Conn, scope: &str, key: &str, hash: &str) -> Result<Option<(StatusCode, Value)>, ApiError> {
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
        Some((_, status, body)) => Ok(Some((
            u16::try_from(status).ok().and_then(|s| StatusCode::from_u16(s).ok()).unwrap_or(StatusCode::OK),
            serde_json::from_str(&body)?,
        ))),
    }
}

/// Runs `create` once per (`scope`, key) in one transaction with its record; a repeat with the
/// same `request` gets the stored answer.
pub async fn once<F>(
    state: &AppState,
    scope: String,
    headers: &HeaderMap,
    request: &Value,
    create: F,
) -> Result<Response, ApiError>
where
    F: for<'t> FnOnce(&'t mut Tx) -> BoxFuture<'t, Result<(StatusCode, Value), ApiError>> + Send + 'static,
{
    let key = key(headers)?;
    let hash = canonical::digest(&canonical::json(request)?);
    if let Some((status, body)) = stored(&mut state.pool.acquire().await?, &scope, &key, &hash).await? {
        return Ok((status, axum::Json(body)).into_response());
    }
    let (status, body) = state
        .writer
        .write(move |tx| {
            Box::pin(async move {
                // Checked again inside the transaction (after any other instance working on the
                // same key has committed): a concurrent retry may have won.
                tx.serialize_on(&format!("idempotency:{scope}:{key}")).await?;
                if let Some(answer) = stored(tx.db(), &scope, &key, &hash).await? {
                    return Ok(answer);
                }
                let (status, body) = create(tx).await?;
                crate::sql!(tx.db(), |c| sqlx::query(
                    "INSERT INTO idempotency (scope, key, request_hash, status, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&scope)
                .bind(&key)
                .bind(&hash)
                .bind(i64::from(status.as_u16()))
                .bind(serde_json::to_string(&body)?)
                .bind(Stamp(clock::now()))
                .execute(c).await.map(|r| r.rows_affected()))?;
                Ok((status, body))
            })
        })
        .await?;
    Ok((status, axum::Json(body)).into_response())
}
