//! Extractors whose failures are the protocol's error shape, naming the field that failed.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use kept_protocol::{Problem, ProblemCode};
use serde::de::DeserializeOwned;

use std::collections::HashMap;

use subtle::ConstantTimeEq;

use kept_protocol::backend::{BackendOrder, NewWebhook};
use kept_protocol::chat::{BrokenPromiseReport, CallbackRequest, ConsentAnswer, NewMessage, SurveyAnswer};
use kept_protocol::operator::{
    CallLog, NewChangeRequest, NewOperator, OperatorMessage, OutOfStock, PasswordReset, SignIn, StatusChange,
};
use kept_protocol::{Preferences, ShopProfile};

use crate::store::orders::{self, Order};
use crate::{ApiError, AppState};

/// Largest request body the API reads.
pub const BODY_LIMIT: usize = 64 * 1024;

/// Parses a JSON body, naming the failing field path when the shape is wrong.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // Syntax first, so that every later failure is about a field and can name it.
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| ApiError::Malformed(e.to_string()))?;
    parse_value(value)
}

/// Reads a JSON value as `T`, naming the failing field path when the shape is wrong.
pub fn parse_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let parent = e.path().to_string();
        let message = e.inner().to_string();
        let missing = message.strip_prefix("missing field `").and_then(|rest| rest.split('`').next());
        let problem = match missing {
            Some(field) if parent == "." => Problem::new(field, ProblemCode::Required),
            Some(field) => Problem::new(format!("{parent}.{field}"), ProblemCode::Required),
            None if parent == "." => Problem::new("body", ProblemCode::Invalid),
            None => Problem::new(parent, ProblemCode::Invalid),
        };
        ApiError::Validation(vec![problem])
    })
}

/// Path parameters; a value of the wrong shape is a 400 naming the parameter.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        use axum::extract::rejection::PathRejection;
        // PostgreSQL's text cannot hold U+0000 and SQLite's can: refused here, for both alike.
        if let Ok(raw) = axum::extract::RawPathParams::from_request_parts(parts, state).await {
            if let Some((key, _)) = raw.iter().find(|(_, v)| v.contains('\0')) {
                return Err(ApiError::BadParameter(vec![Problem::new(key, ProblemCode::Invalid)]));
            }
        }
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
        if let Some((key, _)) =
            form_urlencoded::parse(query.as_bytes()).find(|(k, v)| k.contains('\0') || v.contains('\0'))
        {
            let name = if key.contains('\0') { "query".to_owned() } else { key.into_owned() };
            return Err(ApiError::BadParameter(vec![Problem::new(name, ProblemCode::Invalid)]));
        }
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

/// A request body type, and what it may carry of U+0000, which PostgreSQL's text cannot store
/// and SQLite's can: nothing, refused alike on both engines and named, except in the free-text
/// fields the protocol stores cleaned of control characters (`chat::clean_text`), where it is
/// stripped like any other. Every body type says so here, so a new one cannot forget.
pub trait Body: DeserializeOwned {
    /// Its top-level fields whose text is stored cleaned.
    const CLEANED: &'static [&'static str] = &[];
}

macro_rules! bodies {
    ($($t:ty $(=> [$($field:literal),*])?),* $(,)?) => {
        $(impl Body for $t { $(const CLEANED: &'static [&'static str] = &[$($field),*];)? })*
    };
}

bodies!(
    NewMessage => ["text"],
    OperatorMessage => ["text"],
    BrokenPromiseReport => ["note"],
    SurveyAnswer => ["comment"],
    NewChangeRequest => ["reason"],
    CallLog => ["note"],
    kept_protocol::notify::NotificationResult => ["error"],
    kept_protocol::notify::Seen,
    BackendOrder,
    CallbackRequest,
    ConsentAnswer,
    NewOperator,
    NewWebhook,
    OutOfStock,
    PasswordReset,
    Preferences,
    ShopProfile,
    SignIn,
    StatusChange,
);

impl<S: Send + Sync, T: Body> FromRequest<S> for JsonBody<T> {
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
        if let Some(path) = nul_at(&value, T::CLEANED) {
            return Err(ApiError::field(&path, ProblemCode::Invalid));
        }
        Ok(JsonBody(parse_value(value.clone())?, value))
    }
}

/// The path (as serde_path_to_error writes it: `items[2].note`) of the first string in `value`
/// that holds U+0000, leaving out the top-level fields `cleaned` (see [`Body`]). A key holding
/// it is named by its object's path (`body` at the top). Every body passes through here, so the
/// walk keeps borrowed steps and writes a path only for the string it finds.
pub fn nul_at(value: &serde_json::Value, cleaned: &[&str]) -> Option<String> {
    let mut trail = Vec::new();
    find_nul(value, cleaned, &mut trail).then(|| {
        let mut path = String::new();
        for step in &trail {
            match step {
                Step::Key(k) if path.is_empty() => path.push_str(k),
                Step::Key(k) => {
                    path.push('.');
                    path.push_str(k);
                }
                Step::Index(i) => path.push_str(&format!("[{i}]")),
            }
        }
        if path.is_empty() {
            "body".to_owned()
        } else {
            path
        }
    })
}

/// One step from a JSON document's top to a value in it.
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// Whether `value` holds U+0000; `trail` then leads to it (to the object whose key holds it).
fn find_nul<'a>(value: &'a serde_json::Value, cleaned: &[&str], trail: &mut Vec<Step<'a>>) -> bool {
    use serde_json::Value;
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().enumerate().any(|(i, v)| {
            trail.push(Step::Index(i));
            let found = find_nul(v, &[], trail);
            if !found {
                trail.pop();
            }
            found
        }),
        Value::Object(fields) => fields.iter().any(|(k, v)| {
            if k.contains('\0') {
                return true;
            }
            if trail.is_empty() && cleaned.contains(&k.as_str()) {
                return false;
            }
            trail.push(Step::Key(k));
            let found = find_nul(v, &[], trail);
            if !found {
                trail.pop();
            }
            found
        }),
        _ => false,
    }
}

/// The request's idempotency key: required, printable, at most 128 characters.
pub fn idempotency_key(headers: &axum::http::HeaderMap) -> Result<String, ApiError> {
    let path = kept_protocol::IDEMPOTENCY_KEY;
    let value =
        headers.get(kept_protocol::IDEMPOTENCY_KEY).ok_or_else(|| ApiError::field(path, ProblemCode::Required))?;
    let key = value.to_str().map_err(|_| ApiError::field(path, ProblemCode::Invalid))?.trim();
    if key.is_empty() {
        return Err(ApiError::field(path, ProblemCode::Required));
    }
    if key.len() > 128 {
        return Err(ApiError::field(path, ProblemCode::TooLong));
    }
    Ok(key.to_owned())
}

/// Marks the routes whose token may ride in the URL as `access_token`: the event streams, as
/// browsers' EventSource cannot send an Authorization header. Added as a route layer.
#[derive(Clone, Copy, Debug)]
pub struct TokenInUrl;

/// The bearer token: the `Authorization` header, or `access_token` in the query on the routes
/// marked [`TokenInUrl`]. Anywhere else a token in the URL (where proxies, browser history and
/// access logs keep it) is refused, whatever the header says.
fn token(parts: &Parts) -> Result<Option<String>, ApiError> {
    let in_url = parts.uri.query().and_then(|query| {
        form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "access_token").map(|(_, v)| v.into_owned())
    });
    if in_url.is_some() && parts.extensions.get::<TokenInUrl>().is_none() {
        return Err(ApiError::Unauthorized);
    }
    Ok(crate::auth::bearer(&parts.headers).map(str::to_owned).or(in_url))
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
    /// A named operator's session (its token's hash), which a disable or a new password ends.
    pub session: Option<Vec<u8>>,
}

impl FromRequestParts<AppState> for Operator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(given) = token(parts)? {
            let expected = state.config.operator_token.as_deref().ok_or(ApiError::Unauthorized)?;
            return if crate::auth::hash_token(&given).ct_eq(&crate::auth::hash_token(expected)).into() {
                Ok(Operator { name: "operator".to_owned(), display_name: None, session: None })
            } else {
                Err(ApiError::Unauthorized)
            };
        }
        let cookie = session_cookie(parts).ok_or(ApiError::Unauthorized)?;
        let safe = matches!(parts.method, axum::http::Method::GET | axum::http::Method::HEAD);
        if !safe && !parts.headers.contains_key(CONSOLE_HEADER) {
            return Err(ApiError::Unauthorized);
        }
        let session = crate::auth::hash_token(&cookie);
        let account = crate::store::operators::session(&state.pool, &session).await?.ok_or(ApiError::Unauthorized)?;
        Ok(Operator { name: account.name, display_name: Some(account.display_name), session: Some(session) })
    }
}

/// A request from the shop's own servers, with one of the configured backend keys (compared in
/// constant time against every key, never logged).
pub struct BackendKey;

impl FromRequestParts<AppState> for BackendKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        // Backend keys never ride in the URL.
        token(parts)?;
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
        let token = token(parts)?.unwrap_or_default();
        orders::authorize(&mut *state.reads.get(&state.pool).await?, id, &token).await.map(CustomerOrder)
    }
}

/// The order a customer's request names and the token it carries, not yet checked: for a handler
/// that checks them in the same read as the rest of what it needs (`orders::submission`).
pub struct CustomerAsk {
    pub order: String,
    pub token: String,
}

impl FromRequestParts<AppState> for CustomerAsk {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let ApiPath(mut params) = ApiPath::<HashMap<String, String>>::from_request_parts(parts, state).await?;
        let order = params.remove("order").ok_or(ApiError::NotFound("order"))?;
        Ok(CustomerAsk { order, token: token(parts)?.unwrap_or_default() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kept_protocol::Preferences;

    fn problem(json: &str) -> (String, ProblemCode) {
        match parse_json::<Preferences>(json.as_bytes()) {
            Err(ApiError::Validation(p)) => (p[0].path.clone(), p[0].code),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn an_unknown_channel_is_named_by_its_path() {
        let json = r#"{"contact":{"channels":["chat","pigeon"]},"payment":"card_online","locale":"en"}"#;
        assert_eq!(problem(json), ("contact.channels[1]".into(), ProblemCode::Invalid));
    }

    #[test]
    fn a_missing_field_is_named_as_required() {
        assert_eq!(problem(r#"{"payment":null,"locale":"en"}"#), ("contact".into(), ProblemCode::Required));
        assert_eq!(
            problem(r#"{"contact":{},"payment":null,"locale":"en"}"#),
            ("contact.channels".into(), ProblemCode::Required)
        );
    }

    #[test]
    fn broken_json_is_malformed_not_a_field_problem() {
        assert!(matches!(parse_json::<Preferences>(b"{\"contact\":"), Err(ApiError::Malformed(_))));
        assert!(matches!(parse_json::<Preferences>(b"{} {}"), Err(ApiError::Malformed(_))));
        assert_eq!(problem("[]"), ("body".into(), ProblemCode::Invalid));
    }

    #[test]
    fn a_nul_is_named_by_its_path_and_cleaned_top_level_fields_are_left_alone() {
        let v = serde_json::json!({ "items": [{ "name": "ok" }, { "name": "a\u{0}" }], "text": "\u{0}" });
        assert_eq!(nul_at(&v, &["text"]).as_deref(), Some("items[1].name"));
        assert_eq!(nul_at(&serde_json::json!({ "text": "\u{0}" }), &["text"]), None);
        assert_eq!(nul_at(&serde_json::json!({ "a": { "\u{0}": 1 } }), &[]).as_deref(), Some("a"));
        assert_eq!(nul_at(&serde_json::json!({ "\u{0}": 1 }), &[]).as_deref(), Some("body"));
        assert_eq!(nul_at(&serde_json::json!({ "a": { "text": "\u{0}" } }), &["text"]).as_deref(), Some("a.text"));
    }
}
