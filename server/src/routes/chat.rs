//! Messages and live events: `GET|POST /v1/orders/{order}/messages`, `GET /v1/orders/{order}/events`.

use std::convert::Infallible;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use futures_util::stream::{Stream, StreamExt};
use kept_protocol::chat::AuthorKind;
use kept_protocol::{MessagePage, NewMessage, Problem, ProblemCode};
use serde::Deserialize;

use super::check;
use crate::extract::{ApiQuery, CustomerOrder, JsonBody, TokenInUrl};
use crate::store::messages::NewMessage as StoredMessage;
use crate::store::messages::{self, PAGE_MAX};
use crate::{live, ApiError, AppState};

/// This module's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orders/{order}/messages", get(list).post(post_message))
        .route("/orders/{order}/events", get(stream_events).layer(axum::Extension(TokenInUrl)))
}

#[derive(Deserialize)]
struct PageQuery {
    /// Messages newer than this id (catching up).
    after: Option<i64>,
    /// Messages older than this id (scrolling back).
    before: Option<i64>,
    limit: Option<i64>,
}

async fn list(
    State(state): State<AppState>,
    CustomerOrder(order): CustomerOrder,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<MessagePage>, ApiError> {
    let limit = q.limit.unwrap_or(50);
    if !(1..=PAGE_MAX).contains(&limit) {
        return Err(ApiError::BadParameter(vec![Problem::new("limit", ProblemCode::OutOfRange)]));
    }
    Ok(Json(messages::page(&state.pool, &order.id, q.after, q.before, limit).await?))
}

async fn post_message(
    State(state): State<AppState>,
    CustomerOrder(order): CustomerOrder,
    headers: HeaderMap,
    JsonBody(new, raw): JsonBody<NewMessage>,
) -> Result<Response, ApiError> {
    check(new.problems())?;
    let client_id = new.client_id.trim().to_owned();
    let text = kept_protocol::chat::clean_text(&new.text);
    let (limit, window) = (state.config.rate_limit, state.config.rate_window_secs);
    super::once(&state, format!("{}:messages", order.id), &headers, &raw, move |tx| {
        Box::pin(async move {
            let now = crate::clock::instant();
            // The same client id again is the same message: no second copy, no second count.
            // Counted in the write transaction, with the order locked (one instance at a time), so
            // concurrent posts cannot all slip under it.
            tx.lock_order(&order.id).await?;
            messages::may_post(tx.db(), &order.id, &client_id, now, limit, window).await.map_err(|e| match e {
                Ok(wait) => ApiError::RateLimited(wait),
                Err(e) => e,
            })?;
            let m = StoredMessage {
                order: &order.id,
                author: AuthorKind::Customer,
                author_name: None,
                client_id: Some(&client_id),
                text: &text,
                at: now,
            };
            let (m, created) = messages::add(tx, m).await?;
            let status = if created { StatusCode::CREATED } else { StatusCode::OK };
            Ok((status, serde_json::to_value(m)?))
        })
    })
    .await
}

#[derive(Deserialize)]
pub struct EventsQuery {
    /// For clients that cannot set `Last-Event-ID` on their first request.
    pub last_event_id: Option<i64>,
    /// The token, for browsers' EventSource, which cannot send an Authorization header (read by
    /// the token extractors).
    pub access_token: Option<String>,
}

async fn stream_events(
    State(state): State<AppState>,
    CustomerOrder(order): CustomerOrder,
    ApiQuery(q): ApiQuery<EventsQuery>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, ApiError> {
    event_stream(&state, order.id, &headers, q.last_event_id, std::future::pending()).await
}

/// The order's events after the client's last one (`Last-Event-ID`, else `last_event_id`), then
/// live. Without a position the stream starts at the live edge: the client reads the current
/// state over REST (a chat of 10,000 messages must not replay 10,000 events on every page load).
/// The stream ends when `until` completes (an operator's session ended).
pub async fn event_stream<U: std::future::Future<Output = ()> + Send + 'static>(
    state: &AppState,
    order_id: String,
    headers: &HeaderMap,
    last_event_id: Option<i64>,
    until: U,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>> + use<U>>, ApiError> {
    let header = match headers.get("last-event-id") {
        None => None,
        Some(v) => Some(
            v.to_str()
                .ok()
                .and_then(|v| v.trim().parse::<i64>().ok())
                .ok_or_else(|| ApiError::BadParameter(vec![Problem::new("Last-Event-ID", ProblemCode::Invalid)]))?,
        ),
    };
    let after = match header.or(last_event_id) {
        Some(last) => last,
        None => crate::store::events::last_id(&state.pool, &order_id).await?,
    };
    let events = live::follow(state.pool.clone(), &state.hub, order_id, after)
        .take_until(until)
        // A store failure ends the stream; the client reconnects with its Last-Event-ID.
        .take_while(|e| std::future::ready(e.is_ok()))
        .filter_map(|e| {
            std::future::ready(
                e.ok().map(|e| Ok(SseEvent::default().id(e.id.to_string()).event(&e.name).data(&e.json))),
            )
        });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}
