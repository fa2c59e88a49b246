//! The operator API under `/v1/operator/`: the shop's side, which keeps the customer's word.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use jiff::Timestamp;
use kept_protocol::chat::{clean_text, AuthorKind};
use kept_protocol::operator::{
    CallLog, LoggedCall, NewChangeRequest, OperatorMessage, OrderDetail, OrderSummary, OutOfStock, StatusChange,
};
use kept_protocol::{ItemResolution, Problem, ProblemCode, ShopProfile};

use super::chat::{event_stream, EventsQuery};
use super::check;
use crate::extract::{ApiPath, ApiQuery, JsonBody, Operator};
use crate::store::messages::{self, NewMessage};
use crate::store::{changes, console, idempotency, orders};
use crate::{clock, ApiError, AppState};

/// This module's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orders", get(list))
        .route("/orders/{order}", get(detail))
        .route("/orders/{order}/messages", post(post_message))
        .route("/orders/{order}/status", post(change_status))
        .route("/orders/{order}/items/{item}/out-of-stock", post(out_of_stock))
        .route("/orders/{order}/change-requests", post(new_change_request))
        .route("/orders/{order}/events", get(events))
        .route("/orders/{order}/calls", post(log_call))
        .route("/orders/{order}/callbacks/{callback}/done", post(callback_done))
        .route("/presence", post(presence))
        .route("/shop", post(update_shop))
}

/// How long before its window a callback shows as due in the order list.
const CALLBACK_LEAD_MINUTES: i64 = 15;

async fn order_or_404(state: &AppState, id: &str) -> Result<orders::Order, ApiError> {
    orders::existing(&mut *state.pool.acquire().await?, id).await
}

async fn list(_: Operator, State(state): State<AppState>) -> Result<Json<Vec<OrderSummary>>, ApiError> {
    // A callback counts as due from a quarter of an hour before its window opens.
    let soon = Timestamp::now() + jiff::SignedDuration::from_mins(CALLBACK_LEAD_MINUTES);
    let mut out = console::summaries(&state.pool, soon, 500).await?;
    // What needs attention first: waiting customers (longest first), callbacks due, unanswered
    // change requests, broken-promise reports.
    out.sort_by_key(|o| {
        (
            o.waiting_since.is_none(),
            o.waiting_since.clone(),
            o.callbacks_due == 0,
            o.pending_change_requests == 0,
            o.reports == 0,
        )
    });
    Ok(Json(out))
}

async fn detail(
    _: Operator,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<OrderDetail>, ApiError> {
    let pool = &state.pool;
    let order = order_or_404(&state, &id).await?;
    let shop = orders::shop(&mut *pool.acquire().await?).await?;
    let order = super::orders::view(pool, &shop, order).await?;
    let messages = messages::page(pool, &id, None, None, 50).await?.messages;
    let conn = &mut *pool.acquire().await?;
    let callbacks = console::callbacks(conn, &id, Timestamp::now()).await?;
    let reports = console::reports(conn, &id).await?;
    Ok(Json(OrderDetail { order, messages, callbacks, reports }))
}

async fn post_message(
    _: Operator,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    JsonBody(msg, raw): JsonBody<OperatorMessage>,
) -> Result<Response, ApiError> {
    let order = order_or_404(&state, &id).await?;
    check(msg.problems())?;
    let shop = orders::shop(&mut *state.pool.acquire().await?).await?;
    let name = shop.manager.map(|m| m.name);
    let text = clean_text(&msg.text);
    idempotency::once(&state, format!("{}:operator-messages", order.id), &headers, &raw, move |tx| {
        Box::pin(async move {
            let m = NewMessage {
                order: &order.id,
                author: AuthorKind::Operator,
                author_name: name.as_deref(),
                client_id: None,
                text: &text,
                at: jiff::Timestamp::now(),
            };
            let (m, _) = messages::add(tx, m).await?;
            Ok((StatusCode::CREATED, serde_json::to_value(m)?))
        })
    })
    .await
}

async fn change_status(
    _: Operator,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    JsonBody(change, _): JsonBody<StatusChange>,
) -> Result<Json<StatusChange>, ApiError> {
    let status = change.status;
    state
        .writer
        .write(move |tx| {
            Box::pin(async move {
                if orders::existing(tx.db(), &id).await?.status != status {
                    orders::set_status(tx, &id, status).await?;
                }
                Ok(())
            })
        })
        .await?;
    Ok(Json(StatusChange { status }))
}

async fn out_of_stock(
    _: Operator,
    State(state): State<AppState>,
    ApiPath((id, item)): ApiPath<(String, String)>,
    JsonBody(req, _): JsonBody<OutOfStock>,
) -> Result<Json<ItemResolution>, ApiError> {
    let resolution =
        state.writer.write(move |tx| Box::pin(async move { changes::out_of_stock(tx, &id, &item, req).await })).await?;
    Ok(Json(resolution))
}

/// Applies the fallback of every ask-first question whose deadline has passed at `now`.
pub async fn sweep_ask_first(state: &AppState, now: Timestamp) -> Result<u32, ApiError> {
    state.writer.write(move |tx| Box::pin(async move { changes::sweep(tx, now, 100).await })).await
}

async fn new_change_request(
    _: Operator,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    JsonBody(req, raw): JsonBody<NewChangeRequest>,
) -> Result<Response, ApiError> {
    let order = order_or_404(&state, &id).await?;
    check(req.problems())?;
    idempotency::once(&state, format!("{}:change-requests", order.id), &headers, &raw, move |tx| {
        Box::pin(async move {
            let cr = changes::create(tx, &order.id, req.change, &clean_text(&req.reason), None).await?;
            Ok((StatusCode::CREATED, serde_json::to_value(cr)?))
        })
    })
    .await
}

/// The order's live events for the console; EventSource cannot send headers, so the operator
/// token may ride in `access_token`.
async fn events(
    _: Operator,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<EventsQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let order = order_or_404(&state, &id).await?;
    Ok(event_stream(&state, order.id, &headers, q.last_event_id).await?.into_response())
}

/// Logs a phone call; refused when the agreement says "do not call" (or has no phone channel).
async fn log_call(
    _: Operator,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    JsonBody(req, raw): JsonBody<CallLog>,
) -> Result<Response, ApiError> {
    let order = order_or_404(&state, &id).await?;
    check(req.problems())?;
    idempotency::once(&state, format!("{}:calls", order.id), &headers, &raw, move |tx| {
        Box::pin(async move {
            if let Some(r) = orders::current_receipt(tx.db(), &order.id).await? {
                let contact = &r.preferences.contact;
                if !contact.allows_calls() {
                    let instead: Vec<&str> =
                        contact.channels.iter().filter(|c| !c.is_call()).map(|c| c.as_str()).collect();
                    return Err(ApiError::CallForbidden(format!("use {} instead", instead.join(", then "))));
                }
            }
            if let Some(cb) = req.callback {
                // A callback of another order, or none, is the caller's mistake: named, never a 500.
                if !console::mark_done(tx, &order.id, cb).await? {
                    return Err(ApiError::Validation(vec![Problem::new("callback", ProblemCode::Invalid)]));
                }
            }
            let note = req.note.as_deref().map(clean_text).filter(|n| !n.is_empty());
            let call = console::log_call(tx, &order.id, req.callback, note.as_deref()).await?;
            Ok((StatusCode::CREATED, serde_json::to_value::<LoggedCall>(call)?))
        })
    })
    .await
}

/// Marks a callback as done.
async fn callback_done(
    _: Operator,
    State(state): State<AppState>,
    ApiPath((id, callback)): ApiPath<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    let done =
        state.writer.write(move |tx| Box::pin(async move { console::mark_done(tx, &id, callback).await })).await?;
    if !done {
        return Err(ApiError::NotFound("callback"));
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn presence(_: Operator, State(state): State<AppState>) -> Result<StatusCode, ApiError> {
    state.writer.write(|tx| Box::pin(async move { console::seen(tx, "operator", &clock::now()).await })).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /v1/operator/shop`: replaces the shop profile (hours, holidays, channels, payment
/// methods, FAQ...); availability and reply time are computed, so what is sent for them is ignored.
async fn update_shop(
    _: Operator,
    State(state): State<AppState>,
    JsonBody(profile, _): JsonBody<ShopProfile>,
) -> Result<StatusCode, ApiError> {
    let mut problems = profile.problems();
    if jiff::tz::TimeZone::get(&profile.time_zone).is_err() {
        problems.push(Problem::new("time_zone", ProblemCode::Invalid));
    }
    check(problems)?;
    let profile = ShopProfile { availability: Default::default(), reply_time: None, ..profile };
    state.writer.write(move |tx| Box::pin(async move { orders::save_shop(tx.db(), &profile).await })).await?;
    Ok(StatusCode::NO_CONTENT)
}
