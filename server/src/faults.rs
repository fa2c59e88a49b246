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
    let notified = crate::workers::notify::sweep(&state, at).await?;
    Ok(Json(serde_json::json!({ "applied": applied, "broken": broken, "due_soon": due_soon, "notified": notified })))
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

/// `POST /v1/test/promises`: how many decided promises to make, over how many days.
#[derive(serde::Deserialize)]
pub struct Fill {
    pub count: i64,
    pub days: i64,
}

/// The handler behind `POST /v1/test/promises` (the benchmark's history): `count` decided
/// promises of the demo order spread over the last `days` days, one in ten broken, over four kinds
/// and five operators, counted into the record's day rows as deciding them would; in one write.
pub async fn fill(State(state): State<AppState>, Json(req): Json<Fill>) -> Result<StatusCode, crate::ApiError> {
    let field = |f| crate::ApiError::field(f, kept_protocol::ProblemCode::OutOfRange);
    if !(1..=5_000_000).contains(&req.count) {
        return Err(field("count"));
    }
    if !(1..=366).contains(&req.days) {
        return Err(field("days"));
    }
    let now = crate::db::Stamp(crate::clock::now());
    state
        .writer
        .write(move |tx| {
            Box::pin(async move {
                let kind = "CASE i % 4 WHEN 0 THEN 'reply' WHEN 1 THEN 'callback' WHEN 2 THEN 'ask_first' ELSE 'delivery' END";
                let state = "CASE WHEN i % 10 = 0 THEN 'broken' ELSE 'kept' END";
                let insert = "INSERT INTO promises (order_id, kind, state, opened_at, due_at, breaks_at, closed_at, \
                              decided_at, operator, counted_day)";
                let sql = if tx.db().is_pg() {
                    format!(
                        "{insert} SELECT 'KC-1001', {kind}, {state}, t, t, t, t, t, 'op' || (i % 5), \
                         to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD') FROM (SELECT i, $2::timestamptz \
                         - make_interval(mins => (i % ($3 * 1440))::int) AS t FROM generate_series(0, $1 - 1) AS i) s"
                    )
                } else {
                    format!(
                        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $1), \
                         s(i, t) AS (SELECT i, strftime('%Y-%m-%dT%H:%M:%fZ', $2, printf('-%d minutes', i % ($3 * 1440))) FROM n) \
                         {insert} SELECT 'KC-1001', {kind}, {state}, t, t, t, t, t, 'op' || (i % 5), substr(t, 1, 10) FROM s"
                    )
                };
                // Only the promises made here are counted (those before were, as they were decided).
                let (before,): (i64,) = crate::sql!(tx.db(), |c| sqlx::query_as(
                    "SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM promises"
                )
                .fetch_one(c)
                .await)?;
                crate::sql!(tx.db(), |c| sqlx::query(&sql)
                    .bind(req.count)
                    .bind(now)
                    .bind(req.days)
                    .execute(c)
                    .await
                    .map(|_| ()))?;
                crate::sql!(tx.db(), |c| sqlx::query(
                    "INSERT INTO record_days (day, kind, operator, shard, kept, broken) \
                     SELECT counted_day, kind, operator, id % 8, SUM(CASE WHEN state = 'kept' THEN 1 ELSE 0 END), \
                     SUM(CASE WHEN state = 'broken' THEN 1 ELSE 0 END) FROM promises WHERE id > $1 \
                     GROUP BY counted_day, kind, operator, id % 8 \
                     ON CONFLICT (day, kind, operator, shard) DO UPDATE SET kept = record_days.kept + excluded.kept, \
                     broken = record_days.broken + excluded.broken"
                )
                .bind(before)
                .execute(c)
                .await
                .map(|_| ()))?;
                Ok(())
            })
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
