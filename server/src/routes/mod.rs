//! The `/v1` API; each module owns its routes.

pub mod answers;
pub mod backend;
pub mod chat;
pub mod operator;
pub mod orders;
pub mod record;
pub mod requests;
pub mod shop;

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use futures_util::future::BoxFuture;

use crate::store::Tx;

pub use crate::error::check;
use crate::{ApiError, AppState};

/// Every `/v1` route; the fault switch only when `faults` is on.
pub fn router(faults: bool) -> Router<AppState> {
    let router = Router::new()
        .merge(shop::router())
        .merge(orders::router())
        .merge(chat::router())
        .merge(requests::router())
        .merge(answers::router())
        .merge(record::router())
        .nest("/operator", operator::router().merge(record::operator_router()))
        .nest("/backend", backend::router().merge(record::backend_router()));
    let router = if faults {
        router
            .route("/test/faults", axum::routing::post(crate::faults::arm))
            .route("/test/sweep", axum::routing::post(crate::faults::sweep))
            .route("/test/floor", axum::routing::post(crate::faults::floor))
            .route("/test/clock", axum::routing::post(crate::faults::advance))
            .route("/test/promises", axum::routing::post(crate::faults::fill))
    } else {
        router
    };
    router.method_not_allowed_fallback(method_not_allowed)
}

/// An unknown path: the error shape, not an empty 404.
pub async fn no_route() -> ApiError {
    ApiError::NoRoute
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// Runs `create` once per the request's `Idempotency-Key` in `scope` (the store keeps its answer
/// in the change's transaction) and answers as HTTP; a repeat with the same body gets the first
/// answer, another body a 409.
pub async fn once<F>(
    state: &AppState,
    scope: String,
    headers: &HeaderMap,
    request: &serde_json::Value,
    create: F,
) -> Result<Response, ApiError>
where
    F: for<'t> FnOnce(&'t mut Tx) -> BoxFuture<'t, Result<(StatusCode, serde_json::Value), ApiError>> + Send + 'static,
{
    let key = crate::extract::idempotency_key(headers)?;
    let (status, body) = crate::store::idempotency::once(state, scope, key, request, move |tx| {
        Box::pin(async move { create(tx).await.map(|(status, body)| (status.as_u16(), body)) })
    })
    .await?;
    Ok((StatusCode::from_u16(status).unwrap_or(StatusCode::OK), axum::Json(body)).into_response())
}
