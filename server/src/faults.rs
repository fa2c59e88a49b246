//! A test-only fault switch: when the server runs with `--enable-faults`, `POST /v1/test/faults`
//! makes the next N requests whose path starts with a prefix fail with 503 or hang.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use kept_protocol::{ErrorBody, ErrorCode, ErrorDetail};
use serde::{Deserialize, Serialize};

use crate::AppState;

/// How a faulty request behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Answer 503 at once.
    Fail,
    /// Answer nothing for `hang_ms`, then 503.
    Hang,
}

/// `POST /v1/test/faults`
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Fault {
    pub path_prefix: String,
    pub mode: Mode,
    pub count: u32,
    #[serde(default = "default_hang")]
    pub hang_ms: u64,
}

fn default_hang() -> u64 {
    30_000
}

/// The armed faults.
#[derive(Clone, Default)]
pub struct Faults(Arc<Mutex<Vec<Fault>>>);

impl Faults {
    fn take(&self, path: &str) -> Option<Fault> {
        let mut faults = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let i = faults.iter().position(|f| f.count > 0 && path.starts_with(&f.path_prefix))?;
        faults[i].count -= 1;
        let fault = faults[i].clone();
        faults.retain(|f| f.count > 0);
        Some(fault)
    }

    /// Arms a fault.
    pub fn arm(&self, fault: Fault) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(fault);
    }
}

/// The handler behind `POST /v1/test/faults`.
pub async fn arm(State(state): State<AppState>, Json(fault): Json<Fault>) -> StatusCode {
    state.faults.arm(fault);
    StatusCode::NO_CONTENT
}

/// Middleware: fails or delays requests that match an armed fault.
pub async fn inject(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !state.config.faults || req.uri().path().starts_with("/v1/test/") {
        return next.run(req).await;
    }
    let Some(fault) = state.faults.take(req.uri().path()) else {
        return next.run(req).await;
    };
    if fault.mode == Mode::Hang {
        tokio::time::sleep(Duration::from_millis(fault.hang_ms.min(120_000))).await;
    }
    let body = ErrorBody {
        error: ErrorDetail { code: ErrorCode::Unavailable, message: "injected fault".into(), fields: vec![] },
    };
    (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
}

/// `POST /v1/test/sweep`: runs the ask-first sweeper as if `minutes_later` minutes had passed
/// (tests only, like the fault switch), so a test need not wait for a real deadline.
#[derive(Deserialize)]
pub struct SweepAt {
    pub minutes_later: i64,
}

/// The handler behind `POST /v1/test/sweep`; answers how many fallbacks it applied.
pub async fn sweep(
    State(state): State<AppState>,
    Json(req): Json<SweepAt>,
) -> Result<Json<serde_json::Value>, crate::ApiError> {
    let at = crate::clock::instant()
        .checked_add(jiff::SignedDuration::from_mins(req.minutes_later))
        .map_err(|_| crate::ApiError::field("minutes_later", kept_protocol::ProblemCode::OutOfRange))?;
    let applied = crate::workers::ask_first::sweep(&state, at).await?;
    let (broken, due_soon) = crate::workers::promises::sweep(&state, at).await?;
    Ok(Json(serde_json::json!({ "applied": applied, "broken": broken, "due_soon": due_soon })))
}

/// `POST /v1/test/clock`: move this process's clock on by `minutes`, or set it to `at`.
#[derive(serde::Deserialize)]
pub struct SetClock {
    #[serde(default)]
    pub minutes: Option<i64>,
    #[serde(default)]
    pub at: Option<String>,
}

/// The handler behind `POST /v1/test/clock`, so a test can let a promise fall due without
/// waiting, or script a week on a fixed calendar; answers the new time.
pub async fn advance(Json(req): Json<SetClock>) -> Result<Json<serde_json::Value>, crate::ApiError> {
    let field = |f| crate::ApiError::field(f, kept_protocol::ProblemCode::OutOfRange);
    match (req.minutes, req.at) {
        (Some(m), None) if (0..=60 * 24 * 30).contains(&m) => crate::clock::advance(jiff::SignedDuration::from_mins(m)),
        (None, Some(at)) => crate::clock::set(at.parse().map_err(|_| field("at"))?),
        (Some(_), None) => return Err(field("minutes")),
        _ => return Err(crate::ApiError::field("minutes", kept_protocol::ProblemCode::Required)),
    }
    Ok(Json(serde_json::json!({ "now": crate::clock::now() })))
}

/// `POST /v1/test/floor`: reads an agreement's body at the edge as `POST …/preferences` does
/// (the body limit, U+0000, the types) and answers it as JSON with 201, touching no database: the
/// HTTP and JSON floor of this server, which the benchmark measures agreements against.
pub async fn floor(
    crate::extract::JsonBody(preferences, _): crate::extract::JsonBody<kept_protocol::Preferences>,
) -> (StatusCode, Json<kept_protocol::Preferences>) {
    (StatusCode::CREATED, Json(preferences))
}
