//! The server's one error type; it becomes the protocol's error body.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use kept_protocol::{ErrorBody, ErrorCode, ErrorDetail, Problem, ProblemCode};

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("the request has invalid fields")]
    Validation(Vec<Problem>),
    #[error("the request body is not valid JSON: {0}")]
    Malformed(String),
    /// A path or query parameter of the wrong shape; `fields` names it.
    #[error("a parameter of the request is not valid")]
    BadParameter(Vec<Problem>),
    #[error("the request body must be sent as application/json")]
    UnsupportedMediaType,
    #[error("no such endpoint")]
    NoRoute,
    #[error("this endpoint does not take that method")]
    MethodNotAllowed,
    #[error("this Idempotency-Key was used with a different request body")]
    IdempotencyConflict,
    /// Another request with the same Idempotency-Key committed first: this one's work is rolled
    /// back and the first answer given (`store::idempotency::once`); never sent as such.
    #[error("another request with this Idempotency-Key finished first")]
    KeyTaken,
    #[error("the shop has started picking this order; preferences can no longer change")]
    NotEditable,
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("missing or wrong credentials (operator token, session or backend key)")]
    Unauthorized,
    #[error("too many messages; try again in {0} s")]
    RateLimited(u64),
    #[error("{0}")]
    Conflict(&'static str),
    /// A phone call for a customer who said "do not call"; the text names the channels to use.
    #[error("the customer said do not call; {0}")]
    CallForbidden(String),
    #[error("internal error")]
    Internal(#[from] anyhow_lite::Error),
}

impl ApiError {
    /// A single-field validation failure.
    pub fn field(path: &str, code: ProblemCode) -> ApiError {
        ApiError::Validation(vec![Problem::new(path, code)])
    }
}

/// Fails with every problem, if there are any.
pub fn check(problems: Vec<Problem>) -> Result<(), ApiError> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(problems))
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> ApiError {
        ApiError::Internal(anyhow_lite::Error::new(e))
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(e: serde_json::Error) -> ApiError {
        ApiError::Internal(anyhow_lite::Error::new(e))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, fields) = match &self {
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, ErrorCode::NotFound, vec![]),
            ApiError::Validation(problems) => {
                (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::ValidationFailed, problems.clone())
            }
            ApiError::Malformed(_) => (StatusCode::BAD_REQUEST, ErrorCode::MalformedRequest, vec![]),
            ApiError::BadParameter(problems) => {
                (StatusCode::BAD_REQUEST, ErrorCode::MalformedRequest, problems.clone())
            }
            ApiError::UnsupportedMediaType => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, ErrorCode::UnsupportedMediaType, vec![])
            }
            ApiError::NoRoute => (StatusCode::NOT_FOUND, ErrorCode::NotFound, vec![]),
            ApiError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, ErrorCode::MethodNotAllowed, vec![]),
            ApiError::IdempotencyConflict | ApiError::KeyTaken => {
                (StatusCode::CONFLICT, ErrorCode::IdempotencyConflict, vec![])
            }
            ApiError::NotEditable => (StatusCode::CONFLICT, ErrorCode::NotEditable, vec![]),
            ApiError::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge, vec![]),
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, vec![]),
            ApiError::RateLimited(_) => (StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited, vec![]),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, ErrorCode::Conflict, vec![]),
            ApiError::CallForbidden(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::ValidationFailed,
                vec![Problem::new("contact.do_not_call", ProblemCode::CallsForbidden)],
            ),
            ApiError::Internal(e) => {
                tracing::error!(error = %e, "request failed");
                (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal, vec![])
            }
        };
        let body = ErrorBody { error: ErrorDetail { code, message: self.to_string(), fields } };
        let mut res = (status, Json(body)).into_response();
        if let ApiError::RateLimited(secs) = self {
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        res
    }
}

/// A boxed error for internals that are logged, never sent.
pub mod anyhow_lite {
    /// Any error, kept for the log.
    #[derive(Debug)]
    pub struct Error(Box<dyn std::error::Error + Send + Sync>);

    impl Error {
        /// Wraps any error.
        pub fn new(e: impl std::error::Error + Send + Sync + 'static) -> Error {
            Error(Box::new(e))
        }

        /// An error that is only a message.
        pub fn msg(text: String) -> Error {
            Error(text.into())
        }
    }

    impl std::fmt::Display for Error {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            self.0.fmt(f)
        }
    }

    impl std::error::Error for Error {}
}
