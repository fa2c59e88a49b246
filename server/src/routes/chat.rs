//! Messages and live events: `GET|POST /v1/orders/{order}/messages`, `GET /v1/orders/{order}/events`.

use std::convert::Infallible;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use futures_util::stream::{self, Stream, StreamExt};
use kept_protocol::chat::AuthorKind;
use kept_protocol::{Event, EventData, Message, MessagePage, NewMessage};
use serde::Deserialize;
use sqlx::SqlitePool;
use tokio_stream::wrappers::BroadcastStream;

use super::orders::authorize;
use super::{check, read_body};
use crate::{clock, events, idempotency, ApiError, AppState};

/// This module's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orders/{order}/messages", get(list).post(post_message))
        .route("/orders/{order}/events", get(stream_events))
}

/// Largest page of messages.
pub const PAGE_MAX: i64 = 200;

#[derive(Deserialize)]
struct PageQuery {
    /// Messages newer than this id (catching up).
    after: Option<i64>,
    /// Messages older than this id (scrolling back).
    before: Option<i64>,
    limit: Option<i64>,
}

type MessageRow = (i64, Option<String>, String, Option<String>, String, String);
const MESSAGE_COLUMNS: &str = "id, client_id, author, author_name, text, sent_at";

fn message(row: MessageRow) -> Result<Message, ApiError> {
    let (id, client_id, author, author_name, text, sent_at) = row;
    Ok(Message {
        id,
        client_id,
        author: serde_json::from_value(serde_json::Value::String(author))?,
        author_name,
        text,
        sent_at,
    })
}

/// A page of the order's messages, oldest first.
pub async fn page(
    pool: &SqlitePool,
    order: &str,
    after: Option<i64>,
    before: Option<i64>,
    limit: i64,
) -> Result<MessagePage, ApiError> {
    let limit = limit.clamp(1, PAGE_MAX);
    let rows: Vec<MessageRow> = match after {
        Some(after) => {
            sqlx::query_as(&format!(
                "SELECT {MESSAGE_COLUMNS} FROM messages WHERE order_id = ? AND id > ? ORDER BY id LIMIT ?"
            ))
            .bind(order)
            .bind(after)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }
        None => {
            let mut rows: Vec<MessageRow> = sqlx::query_as(&format!(
                "SELECT {MESSAGE_COLUMNS} FROM messages WHERE order_id = ? AND id < ? ORDER BY id DESC LIMIT ?"
            ))
            .bind(order)
            .bind(before.unwrap_or(i64::MAX))
            .bind(limit)
            .fetch_all(pool)
            .await?;
            rows.reverse();
            rows
        }
    };
    let messages = rows.into_iter().map(message).collect::<Result<Vec<_>, _>>()?;
    let first = messages.first().map(|m| m.id);
    let older = match first {
        Some(first) => {
            let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM messages WHERE order_id = ? AND id < ?")
                .bind(order)
                .bind(first)
                .fetch_one(pool)
                .await?;
            (n > 0).then_some(first)
        }
        None => None,
    };
    Ok(MessagePage { messages, older })
}

async fn list(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Json<MessagePage>, ApiError> {
    let order = authorize(&state.pool, &id, &headers).await?;
    Ok(Json(page(&state.pool, &order.id, q.after, q.before, q.limit.unwrap_or(50)).await?))
}

/// Stores a message (once per order and client id) and publishes it.
pub async fn store_message(
    state: &AppState,
    order: &str,
    author: AuthorKind,
    author_name: Option<&str>,
    client_id: Option<&str>,
    text: &str,
) -> Result<(Message, bool), ApiError> {
    let pool = &state.pool;
    let inserted: Option<MessageRow> = sqlx::query_as(&format!(
        "INSERT INTO messages (order_id, client_id, author, author_name, text, sent_at) VALUES (?, ?, ?, ?, ?, ?) \
         ON CONFLICT (order_id, client_id) DO NOTHING RETURNING {MESSAGE_COLUMNS}"
    ))
    .bind(order)
    .bind(client_id)
    .bind(serde_json::to_value(author)?.as_str().unwrap_or("system"))
    .bind(author_name)
    .bind(text)
    .bind(clock::now())
    .fetch_optional(pool)
    .await?;
    match inserted {
        Some(row) => {
            let m = message(row)?;
            state.hub.publish(pool, order, EventData::Message { message: m.clone() }).await?;
            Ok((m, true))
        }
        None => {
            let row: MessageRow =
                sqlx::query_as(&format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE order_id = ? AND client_id = ?"))
                    .bind(order)
                    .bind(client_id)
                    .fetch_one(pool)
                    .await?;
            Ok((message(row)?, false))
        }
    }
}

async fn post_message(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let order = authorize(&state.pool, &id, &headers).await?;
    let (new, raw): (NewMessage, _) = read_body(body).await?;
    check(new.problems())?;
    let scope = format!("{}:messages", order.id);
    idempotency::once(&state, &scope, &headers, &raw, || async {
        // The same client id again is the same message: no second copy, no second count.
        let (m, created) = {
            let existing: Option<(i64,)> =
                sqlx::query_as("SELECT id FROM messages WHERE order_id = ? AND client_id = ?")
                    .bind(&order.id)
                    .bind(new.client_id.trim())
                    .fetch_optional(&state.pool)
                    .await?;
            if existing.is_none() {
                state.limiter.check(&order.id, Instant::now()).map_err(ApiError::RateLimited)?;
            }
            store_message(&state, &order.id, AuthorKind::Customer, None, Some(new.client_id.trim()), &new.text).await?
        };
        let status = if created { StatusCode::CREATED } else { StatusCode::OK };
        Ok((status, serde_json::to_value(m)?))
    })
    .await
}

#[derive(Deserialize)]
pub struct EventsQuery {
    /// For clients that cannot set `Last-Event-ID` on their first request.
    pub last_event_id: Option<i64>,
    /// The customer token, for browsers' EventSource, which cannot send an Authorization header.
    pub access_token: Option<String>,
}

impl EventsQuery {
    /// Puts `access_token` into `Authorization` when the request has none, so the usual token
    /// checks (customer or operator) apply to EventSource requests too.
    pub fn bearer_into(&self, headers: &mut HeaderMap) {
        if let (None, Some(token)) = (headers.get(axum::http::header::AUTHORIZATION), self.access_token.as_deref()) {
            if let Ok(value) = axum::http::HeaderValue::from_str(&format!("Bearer {token}")) {
                headers.insert(axum::http::header::AUTHORIZATION, value);
            }
        }
    }
}

/// One SSE frame: the event id, its type, its data as JSON.
fn frame(id: i64, name: &str, json: &str) -> Result<SseEvent, Infallible> {
    Ok(SseEvent::default().id(id.to_string()).event(name).data(json))
}

fn sse(event: &Event) -> Result<SseEvent, Infallible> {
    let data = serde_json::to_string(&event.data).unwrap_or_else(|_| "{}".to_owned());
    frame(event.id, event.data.name(), &data)
}

async fn stream_events(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<EventsQuery>,
    mut headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, ApiError> {
    q.bearer_into(&mut headers);
    let order = authorize(&state.pool, &id, &headers).await?;
    event_stream(&state, order.id, &headers, q.last_event_id).await
}

/// The order's events after the client's last one (`Last-Event-ID`, else `last_event_id`), then live.
pub async fn event_stream(
    state: &AppState,
    order_id: String,
    headers: &HeaderMap,
    last_event_id: Option<i64>,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>> + use<>>, ApiError> {
    let last = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .or(last_event_id);
    // Subscribe before reading the backlog, so nothing published in between is missed.
    let live = BroadcastStream::new(state.hub.subscribe());
    // Without a position the stream is live only: the client reads the current state over REST
    // (a chat of 10,000 messages must not replay 10,000 events on every page load).
    let backlog = match last {
        Some(last) => events::since(&state.pool, &order_id, last).await?,
        None => Vec::new(),
    };
    let last = last.unwrap_or(0);
    let mut sent = backlog.last().map_or(last, |e| e.id);
    let backlog = stream::iter(backlog.iter().map(sse).collect::<Vec<_>>());
    // A subscriber that lags behind the hub is cut off; it reconnects with Last-Event-ID.
    let live = live.take_while(|r| std::future::ready(r.is_ok())).filter_map(move |r| {
        let out = match r {
            Ok(live) if live.order == order_id && live.id > sent => {
                sent = live.id;
                Some(frame(live.id, live.name, &live.json))
            }
            _ => None,
        };
        std::future::ready(out)
    });
    Ok(Sse::new(backlog.chain(live)).keep_alive(KeepAlive::default()))
}
