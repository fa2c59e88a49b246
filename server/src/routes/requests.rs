//! What the customer asks of the shop: callbacks, "the shop broke this", consent answers, survey.

use crate::domain::schedule::Schedule;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use jiff::civil::Date;
use kept_protocol::chat::clean_text;
use kept_protocol::{
    BrokenPromiseReport, Callback, CallbackRequest, CallbackStatus, ConsentAnswer, OrderStatus, Problem, ProblemCode,
    PromiseKind, Report, SurveyAnswer, TimelineEvent,
};

use super::check;
use crate::db::Stamp;
use crate::extract::{ApiPath, CustomerOrder, JsonBody};
use crate::store::orders;
use crate::store::promises::{self, NewPromise};
use crate::store::{changes, events};
use crate::{clock, ApiError, AppState};

/// This module's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orders/{order}/callbacks", post(request_callback))
        .route("/orders/{order}/reports", post(report))
        .route("/orders/{order}/change-requests/{id}/answer", post(answer))
        .route("/orders/{order}/survey", post(survey))
        .route("/orders/{order}/seen", post(seen).layer(axum::Extension(crate::extract::TokenInUrl)))
}

/// `POST /v1/orders/{order}/seen`: what she has on screen in a visible tab; 204. What she saw
/// there is never sent to her channel. The widget sends it as a beacon, without a body (all the
/// order has now) and with the token in the URL (a beacon sends no headers); a JSON body names
/// the newest of each she has seen.
async fn seen(
    State(state): State<AppState>,
    CustomerOrder(order): CustomerOrder,
    body: axum::body::Bytes,
) -> Result<StatusCode, ApiError> {
    let req: kept_protocol::notify::Seen = if body.iter().all(u8::is_ascii_whitespace) {
        kept_protocol::notify::Seen::default()
    } else {
        serde_json::from_slice(&body).map_err(|_| ApiError::field("body", ProblemCode::Invalid))?
    };
    let bad = |field: &str| ApiError::field(field, ProblemCode::OutOfRange);
    if req.message.is_some_and(|m| m < 0) {
        return Err(bad("message"));
    }
    if req.change_request.is_some_and(|r| r < 0) {
        return Err(bad("change_request"));
    }
    state
        .writer
        .write(move |tx| Box::pin(async move { crate::store::notifications::seen(tx, &order.id, &req).await }))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn request_callback(
    State(state): State<AppState>,
    CustomerOrder(order): CustomerOrder,
    headers: HeaderMap,
    JsonBody(req, raw): JsonBody<CallbackRequest>,
) -> Result<Response, ApiError> {
    // Read, then let the connection go before the write (which needs one of its own).
    let (shop, receipt) = {
        let conn = &mut state.pool.acquire().await?;
        (orders::shop(conn).await?, orders::current_receipt(conn, &order.id).await?)
    };
    let mut problems = Vec::new();
    // Calling is allowed only if the agreement allows it.
    if receipt.as_ref().is_some_and(|r| !r.preferences.contact.allows_calls()) {
        problems.push(Problem::new("window", ProblemCode::CallsForbidden));
    }
    let schedule = Schedule::new(&shop).ok_or(ApiError::Conflict("the shop has no valid time zone"))?;
    let instants = req.date.parse::<Date>().ok().and_then(|d| Some((d, schedule.window_on(d, req.window)?)));
    match instants {
        None => problems.push(Problem::new("date", ProblemCode::Invalid)),
        Some((d, (_, end))) => {
            if !schedule.takes_callback(d, req.window) {
                problems.push(Problem::new("window", ProblemCode::OutsideHours));
            }
            if end <= crate::clock::instant() {
                problems.push(Problem::new("date", ProblemCode::OutOfRange));
            }
        }
    }
    check(problems)?;
    let Some((_, (start, end))) = instants else { return Err(ApiError::field("date", ProblemCode::Invalid)) };
    super::once(&state, format!("{}:callbacks", order.id), &headers, &raw, move |tx| {
        Box::pin(async move {
            let (cb,): (i64,) = crate::sql!(tx.db(), |c| sqlx::query_as(
                "INSERT INTO callbacks (order_id, window_start, window_end, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(&order.id)
            .bind(Stamp(clock::rfc3339(start)))
            .bind(Stamp(clock::rfc3339(end)))
            .bind(Stamp(clock::now()))
            .fetch_one(c).await)?;
            events::timeline(tx, &order.id, TimelineEvent::CallbackRequested { callback: cb }).await?;
            let promise = NewPromise {
                window_start: Some(start),
                subject: Some(cb),
                ..NewPromise::due(PromiseKind::Callback, clock::instant(), end)
            };
            promises::open(tx, &order.id, promise).await?;
            let callback = Callback {
                id: cb,
                window_start: clock::rfc3339(start),
                window_end: clock::rfc3339(end),
                status: CallbackStatus::Pending,
            };
            Ok((StatusCode::CREATED, serde_json::to_value(callback)?))
        })
    })
    .await
}

async fn report(
    State(state): State<AppState>,
    CustomerOrder(order): CustomerOrder,
    headers: HeaderMap,
    JsonBody(req, raw): JsonBody<BrokenPromiseReport>,
) -> Result<Response, ApiError> {
    let pool = &state.pool;
    let current = orders::current_receipt(&mut pool.acquire().await?, &order.id).await?.map(|r| r.version);
    check(req.problems(current))?;
    super::once(&state, format!("{}:reports", order.id), &headers, &raw, move |tx| {
        Box::pin(async move {
            let note = req.note.as_deref().map(clean_text).filter(|n| !n.is_empty());
            let reported_at = clock::now();
            let (rid,): (i64,) = crate::sql!(tx.db(), |c| sqlx::query_as(
                "INSERT INTO reports (order_id, receipt_version, promise, note, reported_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(&order.id)
            .bind(i64::from(req.receipt_version))
            .bind(serde_json::to_value(req.promise)?.as_str().unwrap_or("other"))
            .bind(&note)
            .bind(Stamp::from(&reported_at))
            .fetch_one(c).await)?;
            let event =
                TimelineEvent::PromiseBroken { report: rid, receipt_version: req.receipt_version, promise: req.promise };
            events::timeline(tx, &order.id, event).await?;
            let claim = NewPromise { subject: Some(rid), ..NewPromise::made(PromiseKind::Claim, clock::instant()) };
            promises::open(tx, &order.id, claim).await?;
            let report =
                Report { id: rid, receipt_version: req.receipt_version, promise: req.promise, note, reported_at };
            Ok((StatusCode::CREATED, serde_json::to_value(report)?))
        })
    })
    .await
}

async fn answer(
    State(state): State<AppState>,
    CustomerOrder(order): CustomerOrder,
    ApiPath((_, cr)): ApiPath<(String, i64)>,
    headers: HeaderMap,
    JsonBody(req, raw): JsonBody<ConsentAnswer>,
) -> Result<Response, ApiError> {
    super::once(&state, format!("{}:answer:{cr}", order.id), &headers, &raw, move |tx| {
        Box::pin(async move {
            let answered = changes::answer(tx, &order.id, cr, req.accept).await?;
            Ok((StatusCode::OK, serde_json::to_value(answered)?))
        })
    })
    .await
}

async fn survey(
    State(state): State<AppState>,
    CustomerOrder(order): CustomerOrder,
    headers: HeaderMap,
    JsonBody(req, raw): JsonBody<SurveyAnswer>,
) -> Result<Response, ApiError> {
    check(req.problems())?;
    super::once(&state, format!("{}:survey", order.id), &headers, &raw, move |tx| {
        Box::pin(async move {
            if orders::existing(tx.db(), &order.id).await?.status != OrderStatus::OrderDelivered {
                return Err(ApiError::Conflict("the survey opens once the order is delivered"));
            }
            let done = crate::sql!(tx.db(), |c| sqlx::query(
                "INSERT INTO surveys (order_id, rating, comment, answered_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(&order.id)
            .bind(i64::from(req.rating))
            .bind(req.comment.as_deref().map(clean_text).filter(|c| !c.is_empty()))
            .bind(Stamp(clock::now()))
            .execute(c).await.map(|r| r.rows_affected()))?;
            if done == 0 {
                return Err(ApiError::Conflict("the survey is already answered"));
            }
            events::timeline(tx, &order.id, TimelineEvent::SurveyAnswered { rating: req.rating }).await?;
            promises::surveyed(tx, &order.id, clock::instant(), req.rating).await?;
            Ok((StatusCode::CREATED, serde_json::json!({ "rating": req.rating })))
        })
    })
    .await
}
