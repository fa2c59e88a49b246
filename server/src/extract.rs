//! Extractors whose failures are the protocol's error shape, naming the field that failed.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use kept_protocol::{Problem, ProblemCode};
use serde::de::DeserializeOwned;

use std::collections::HashMap;

use subtle::ConstantTimeEq;

use crate::routes::{parse_value, BODY_LIMIT};
use crate::store::orders::{self, Order};
use crate::{ApiError, AppState};

/// Path parameters; a value of the wrong shape is a 400 naming the parameter.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        use axum::extract::rejection::PathRejection;
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(t)) => Ok(ApiPath(t)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => {
                let name = match e.kind() {
                    axum::extract::path::ErrorKind::ParseErrorAtKey { key, .. }
                    | axum::extract::path::ErrorKind::InvalidUtf8InPathParam { key } => key.clone(),
                    axum::extract::path::ErrorKind::ParseErrorAtIndex { index, .. } => {
                        let raw = axum::extract::RawPathParams::from_request_parts(parts, state).await;
                        raw.ok()
                            .and_then(|r| r.iter().nth(*index).map(|(k, _)| k.to_owned()))
                            .unwrap_or_else(|| index.to_string())
                    }
                    _ => "path".to_owned(),
                };
                Err(ApiError::BadParameter(vec![Problem::new(name, ProblemCode::Invalid)]))
            }
            Err(_) => Err(ApiError::BadParameter(vec![Problem::new("path", ProblemCode::Invalid)])),
        }
    }
}

/// The query string; a parameter of the wrong shape is a 400 naming it.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de).map(ApiQuery).map_err(|e| {
            let path = e.path().to_string();
            let name = if path == "." { "query".to_owned() } else { path };
            ApiError::BadParameter(vec![Problem::new(name, ProblemCode::Invalid)])
        })
    }
}

/// A JSON body of at most [`BODY_LIMIT`] bytes, sent as `application/json`; also kept as a value
/// (for idempotency hashes). Shape errors are 422s naming the field path.
pub struct JsonBody<T>(pub T, pub serde_json::Value);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _: &S) -> Result<Self, ApiError> {
        let json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|m| {
                let m = m.trim().to_ascii_lowercase();
                m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
            })
            .unwrap_or(false);
        if !json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = axum::body::to_bytes(req.into_body(), BODY_LIMIT)
            .await
            .map_err(|_| ApiError::PayloadTooLarge(BODY_LIMIT))?;
        let value: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| ApiError::Malformed(e.to_string()))?;
        Ok(JsonBody(parse_value(value.clone())?, value))
    }
}

/// The bearer token: the `Authorization` header, or `access_token` in the query for browsers'
/// EventSource, which cannot send headers.
fn token(parts: &Parts) -> Option<String> {
    if let Some(t) = crate::auth::bearer(&parts.headers) {
        return Some(t.to_owned());
    }
    let query = parts.uri.query()?;
    form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "access_token").map(|(_, v)| v.into_owned())
}

/// The session cookie the console signs in with.
pub const SESSION_COOKIE: &str = "kept_session";
/// The header the console sends with every change it asks for: a page on another origin cannot
/// send it without a CORS preflight, which the allow-list refuses, so a cookie alone never acts.
pub const CONSOLE_HEADER: &str = "x-kept-console";

/// The value of the session cookie, if the request has one.
pub fn session_cookie(parts: &Parts) -> Option<String> {
    parts.headers.get_all(axum::http::header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|v| {
        v.split(';').find_map(|c| c.trim().strip_prefix(SESSION_COOKIE)?.strip_prefix('=').map(str::to_owned))
    })
}

/// The session cookie's token, when the request carries one.
pub struct SessionToken(pub String);

impl<S: Send + Sync> axum::extract::OptionalFromRequestParts<S> for SessionToken {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(session_cookie(parts).map(SessionToken))
    }
}

/// Who on the shop's side makes the request: a named operator (signed in through the console),
/// or a script with the server's operator token. Checked before the body is read.
#[derive(Clone, Debug)]
pub struct Operator {
    /// The account name, or `operator` for the token.
    pub name: String,
    /// A named operator's display name ("Anna").
    pub display_name: Option<String>,
}

impl FromRequestParts<AppState> for Operator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(given) = token(parts) {
            let expected = state.config.operator_token.as_deref().ok_or(ApiError::Unauthorized)?;
            return if crate::auth::hash_token(&given).ct_eq(&crate::auth::hash_token(expected)).into() {
                Ok(Operator { name: "operator".to_owned(), display_name: None })
            } else {
                Err(ApiError::Unauthorized)
            };
        }
        let cookie = session_cookie(parts).ok_or(ApiError::Unauthorized)?;
        let safe = matches!(parts.method, axum::http::Method::GET | axum::http::Method::HEAD);
        if !safe && !parts.headers.contains_key(CONSOLE_HEADER) {
            return Err(ApiError::Unauthorized);
        }
        let account = crate::store::operators::session(&state.pool, &crate::auth::hash_token(&cookie))
            .await?
            .ok_or(ApiError::Unauthorized)?;
        Ok(Operator { name: account.name, display_name: Some(account.display_name) })
    }
}

/// A request from the shop's own servers, with one of the configured backend keys (compared in
/// constant time against every key, never logged).
pub struct BackendKey;

impl FromRequestParts<AppState> for BackendKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let given = crate::auth::bearer(&parts.headers).ok_or(ApiError::Unauthorized)?;
        let given = crate::auth::hash_token(given);
        let mut ok = subtle::Choice::from(0u8);
        for key in &state.config.backend_keys {
            ok |= given.ct_eq(&crate::auth::hash_token(key));
        }
        if bool::from(ok) {
            Ok(BackendKey)
        } else {
            Err(ApiError::Unauthorized)
        }
    }
}

/// The order named in the path, opened by its customer token; checked before the body is read.
pub struct CustomerOrder(pub Order);

impl FromRequestParts<AppState> for CustomerOrder {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let ApiPath(params) = ApiPath::<HashMap<String, String>>::from_request_parts(parts, state).await?;
        let id = params.get("order").ok_or(ApiError::NotFound("order"))?;
        let token = token(parts).unwrap_or_default();
        orders::authorize(&state.pool, id, &token).await.map(CustomerOrder)
    }
}
