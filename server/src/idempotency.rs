//! `Idempotency-Key` for every POST that creates something: the same key with the same body
//! replays the first response; with another body it is refused. Stored in SQLite.

use std::future::Future;

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use kept_protocol::{ProblemCode, IDEMPOTENCY_KEY};
use serde_json::Value;

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

/// Runs `create` once per (`scope`, key): a repeat with the same `request` gets the stored answer.
pub async fn once<F, Fut>(
    state: &AppState,
    scope: &str,
    headers: &HeaderMap,
    request: &Value,
    create: F,
) -> Result<Response, ApiError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<(StatusCode, Value), ApiError>>,
{
    let key = key(headers)?;
    let hash = canonical::digest(&canonical::json(request)?);
    let _guard = state.creating.lock().await;
    let stored: Option<(String, u16, String)> =
        sqlx::query_as("SELECT request_hash, status, body FROM idempotency WHERE scope = ? AND key = ?")
            .bind(scope)
            .bind(&key)
            .fetch_optional(&state.pool)
            .await?;
    if let Some((first_hash, status, body)) = stored {
        if first_hash != hash {
            return Err(ApiError::IdempotencyConflict);
        }
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
        let body: Value = serde_json::from_str(&body)?;
        return Ok((status, axum::Json(body)).into_response());
    }
    let (status, body) = create().await?;
    sqlx::query(
        "INSERT INTO idempotency (scope, key, request_hash, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(scope)
    .bind(&key)
    .bind(&hash)
    .bind(status.as_u16())
    .bind(serde_json::to_string(&body)?)
    .bind(clock::now())
    .execute(&state.pool)
    .await?;
    Ok((status, axum::Json(body)).into_response())
}
