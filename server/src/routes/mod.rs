//! The `/v1` API; each module owns its routes.

pub mod backend;
pub mod chat;
pub mod operator;
pub mod orders;
pub mod requests;
pub mod shop;

use axum::Router;
use kept_protocol::{Problem, ProblemCode};
use serde::de::DeserializeOwned;

use crate::{ApiError, AppState};

/// Largest request body the API reads.
pub const BODY_LIMIT: usize = 64 * 1024;

/// Every `/v1` route; the fault switch only when `faults` is on.
pub fn router(faults: bool) -> Router<AppState> {
    let router = Router::new()
        .merge(shop::router())
        .merge(orders::router())
        .merge(chat::router())
        .merge(requests::router())
        .nest("/operator", operator::router())
        .nest("/backend", backend::router());
    let router = if faults {
        router
            .route("/test/faults", axum::routing::post(crate::faults::arm))
            .route("/test/sweep", axum::routing::post(crate::faults::sweep))
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

/// Fails with every problem, if there are any.
pub fn check(problems: Vec<Problem>) -> Result<(), ApiError> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(problems))
    }
}

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
}
