//! The operator API under `/v1/operator/`: the shop's side, which keeps the customer's word.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use jiff::Timestamp;
use kept_protocol::chat::AuthorKind;
use kept_protocol::operator::{
    CallLog, LoggedCall, NewChangeRequest, OperatorMessage, OrderDetail, OrderSummary, OutOfStock, StatusChange,
};
use kept_protocol::{
    Callback, CallbackStatus, ChangeRequest, ChangeStatus, EventData, Fallback, ItemResolution, Money, ProblemCode,
    Report, SubstitutionRule, TimelineEvent,
};
use sqlx::SqlitePool;
use subtle::ConstantTimeEq;

use super::chat::{event_stream, page, store_message, EventsQuery};
use super::orders::{load, parse_status, status_name, view};
use super::{check, read_body, shop};
use crate::{auth, clock, idempotency, ApiError, AppState};

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

/// Checks the operator token in constant time; a server without one refuses everyone.
fn operator(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let expected = state.config.operator_token.as_deref().ok_or(ApiError::Unauthorized)?;
    let given = auth::bearer(headers).ok_or(ApiError::Unauthorized)?;
    if auth::hash_token(given).ct_eq(&auth::hash_token(expected)).into() {
        Ok(())
    } else {
        Err(ApiError::Unauthorized)
    }
}

async fn order_or_404(pool: &SqlitePool, id: &str) -> Result<super::orders::Order, ApiError> {
    load(pool, id).await?.map(|(_, o)| o).ok_or(ApiError::NotFound("order"))
}

async fn list(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Vec<OrderSummary>>, ApiError> {
    operator(&state, &headers)?;
    let pool = &state.pool;
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT id, status FROM orders ORDER BY created_at DESC LIMIT 500").fetch_all(pool).await?;
    let now = clock::now();
    // A callback counts as due from a quarter of an hour before its window opens.
    let soon = clock::rfc3339(Timestamp::now() + jiff::SignedDuration::from_mins(CALLBACK_LEAD_MINUTES));
    let mut out = Vec::with_capacity(rows.len());
    for (id, status) in rows {
        let (waiting_since,): (Option<String>,) = sqlx::query_as(
            "SELECT MIN(sent_at) FROM messages WHERE order_id = ?1 AND author = 'customer' AND id > \
             COALESCE((SELECT MAX(id) FROM messages WHERE order_id = ?1 AND author = 'operator'), 0)",
        )
        .bind(&id)
        .fetch_one(pool)
        .await?;
        let count = |sql: &'static str, at: &String| {
            let id = id.clone();
            let at = at.clone();
            async move {
                let (n,): (i64,) = sqlx::query_as(sql).bind(id).bind(at).fetch_one(pool).await?;
                Ok::<u32, ApiError>(n as u32)
            }
        };
        out.push(OrderSummary {
            status: parse_status(&status)?,
            waiting_since,
            pending_change_requests: count(
                "SELECT COUNT(*) FROM change_requests WHERE order_id = ? AND status = 'pending' AND ? IS NOT NULL",
                &now,
            )
            .await?,
            reports: count("SELECT COUNT(*) FROM reports WHERE order_id = ? AND ? IS NOT NULL", &now).await?,
            callbacks_due: count(
                "SELECT COUNT(*) FROM callbacks WHERE order_id = ? AND done_at IS NULL AND window_start <= ?",
                &soon,
            )
            .await?,
            id,
        });
    }
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
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<OrderDetail>, ApiError> {
    operator(&state, &headers)?;
    let pool = &state.pool;
    let order = order_or_404(pool, &id).await?;
    let shop = shop::load(pool).await?;
    let order = view(pool, &shop, order).await?;
    let messages = page(pool, &id, None, None, 50).await?.messages;
    let now = Timestamp::now();
    let callbacks: Vec<(i64, String, String, Option<String>)> =
        sqlx::query_as("SELECT id, window_start, window_end, done_at FROM callbacks WHERE order_id = ? ORDER BY id")
            .bind(&id)
            .fetch_all(pool)
            .await?;
    let callbacks = callbacks
        .into_iter()
        .map(|(cid, start, end, done)| {
            let overdue = end.parse::<Timestamp>().is_ok_and(|e| e <= now);
            let status = match (done, overdue) {
                (Some(_), _) => CallbackStatus::Done,
                (None, true) => CallbackStatus::Overdue,
                (None, false) => CallbackStatus::Pending,
            };
            Callback { id: cid, window_start: start, window_end: end, status }
        })
        .collect();
    let reports: Vec<(i64, u32, String, Option<String>, String)> = sqlx::query_as(
        "SELECT id, receipt_version, promise, note, reported_at FROM reports WHERE order_id = ? ORDER BY id",
    )
    .bind(&id)
    .fetch_all(pool)
    .await?;
    let reports = reports
        .into_iter()
        .map(|(rid, receipt_version, promise, note, reported_at)| {
            Ok(Report {
                id: rid,
                receipt_version,
                promise: serde_json::from_value(serde_json::Value::String(promise))?,
                note,
                reported_at,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(Json(OrderDetail { order, messages, callbacks, reports }))
}

async fn post_message(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    operator(&state, &headers)?;
    let order = order_or_404(&state.pool, &id).await?;
    let (msg, raw): (OperatorMessage, _) = read_body(body).await?;
    check(msg.problems())?;
    let scope = format!("{}:operator-messages", order.id);
    idempotency::once(&state, &scope, &headers, &raw, || async {
        let shop = shop::load(&state.pool).await?;
        let name = shop.manager.as_ref().map(|m| m.name.as_str());
        let (m, _) = store_message(&state, &order.id, AuthorKind::Operator, name, None, msg.text.trim()).await?;
        Ok((StatusCode::CREATED, serde_json::to_value(m)?))
    })
    .await
}

async fn change_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<serde_json::Value>, ApiError> {
    operator(&state, &headers)?;
    let pool = &state.pool;
    let order = order_or_404(pool, &id).await?;
    let (change, _): (StatusChange, _) = read_body(body).await?;
    if change.status != order.status {
        sqlx::query("UPDATE orders SET status = ?, editable = editable AND ? WHERE id = ?")
            .bind(status_name(change.status))
            .bind(change.status.allows_edits())
            .bind(&id)
            .execute(pool)
            .await?;
        state.hub.publish(pool, &id, EventData::Status { status: change.status }).await?;
        state.hub.timeline(pool, &id, TimelineEvent::Status { status: change.status }).await?;
    }
    Ok(Json(serde_json::json!({ "status": change.status })))
}

/// Puts `replacement` in place of `item` and records it.
pub async fn substitute(
    state: &AppState,
    order_id: &str,
    item: &str,
    replacement: &str,
    name: &str,
    price: &Money,
) -> Result<ItemResolution, ApiError> {
    let pool = &state.pool;
    let order = order_or_404(pool, order_id).await?;
    let mut items = order.items;
    if let Some(i) = items.iter_mut().find(|i| i.id == item) {
        i.name = name.to_owned();
        i.unit_price = price.clone();
    }
    save_items(pool, order_id, &items).await?;
    let resolution = ItemResolution::Substituted {
        replacement: replacement.to_owned(),
        name: name.to_owned(),
        unit_price: price.clone(),
    };
    resolved(state, order_id, item, &resolution).await?;
    Ok(resolution)
}

async fn save_items(pool: &SqlitePool, order_id: &str, items: &[kept_protocol::Item]) -> Result<(), ApiError> {
    sqlx::query("UPDATE orders SET items = ? WHERE id = ?")
        .bind(serde_json::to_string(items)?)
        .bind(order_id)
        .execute(pool)
        .await?;
    Ok(())
}

async fn resolved(state: &AppState, order_id: &str, item: &str, resolution: &ItemResolution) -> Result<(), ApiError> {
    let pool = &state.pool;
    state
        .hub
        .publish(pool, order_id, EventData::ItemResolved { item: item.to_owned(), resolution: resolution.clone() })
        .await?;
    let event = TimelineEvent::ItemResolved { item: item.to_owned(), resolution: resolution.clone() };
    state.hub.timeline(pool, order_id, event).await
}

/// Removes `item` from the order and records the refund.
async fn remove(state: &AppState, order_id: &str, item: &str) -> Result<ItemResolution, ApiError> {
    let pool = &state.pool;
    let order = order_or_404(pool, order_id).await?;
    let mut items = order.items;
    let mut refund = Money { amount_minor: 0, currency: String::new() };
    if let Some(i) = items.iter_mut().find(|i| i.id == item) {
        i.active = false;
        refund = Money {
            amount_minor: i.unit_price.amount_minor * i.quantity as i64,
            currency: i.unit_price.currency.clone(),
        };
    }
    save_items(pool, order_id, &items).await?;
    let resolution = ItemResolution::Removed { refund };
    resolved(state, order_id, item, &resolution).await?;
    Ok(resolution)
}

async fn out_of_stock(
    State(state): State<AppState>,
    Path((id, item_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ItemResolution>, ApiError> {
    operator(&state, &headers)?;
    let pool = &state.pool;
    let order = order_or_404(pool, &id).await?;
    let (req, _): (OutOfStock, _) = read_body(body).await?;
    let item = order.items.iter().find(|i| i.id == item_id && i.active).cloned().ok_or(ApiError::NotFound("item"))?;
    let receipt = super::orders::current_receipt(pool, &id).await?;
    let rule = receipt.as_ref().map(|r| r.preferences.substitutions.rule_for(&item_id).clone()).unwrap_or_default();
    let resolution = match rule {
        SubstitutionRule::Similar { max_increase } => {
            let r = req.replacement.ok_or_else(|| ApiError::field("replacement", ProblemCode::Required))?;
            // The customer's cap is binding: a dearer substitute needs their consent instead.
            if !max_increase.allows(&item.unit_price, &r.unit_price) {
                return Err(ApiError::field("replacement.unit_price", ProblemCode::OutOfRange));
            }
            substitute(&state, &id, &item_id, &r.id, &r.name, &r.unit_price).await?
        }
        SubstitutionRule::Specific { replacement } => {
            let r = item.replacements.iter().find(|r| r.id == replacement).ok_or(ApiError::NotFound("replacement"))?;
            substitute(&state, &id, &item_id, &r.id, &r.name, &r.unit_price).await?
        }
        SubstitutionRule::AskFirst { channel, wait_minutes, fallback } => {
            let deadline = Timestamp::now()
                .checked_add(jiff::SignedDuration::from_mins(wait_minutes as i64))
                .unwrap_or_else(|_| Timestamp::now());
            sqlx::query(
                "INSERT INTO ask_first (order_id, item, deadline, fallback) VALUES (?, ?, ?, ?) \
                 ON CONFLICT (order_id, item) DO UPDATE SET deadline = excluded.deadline, resolved = 0",
            )
            .bind(&id)
            .bind(&item_id)
            .bind(clock::rfc3339(deadline))
            .bind(serde_json::to_string(&fallback)?)
            .execute(pool)
            .await?;
            let locale = receipt.as_ref().map(|r| r.preferences.locale).unwrap_or_default();
            let question = format!(
                "{} {}: {} {wait_minutes} {}",
                item.name,
                locale.pick("is out of stock", "нет в наличии", "jest niedostępny"),
                locale.pick("reply here within", "ответьте здесь в течение", "odpowiedz tutaj w ciągu"),
                locale.pick(
                    "minutes; otherwise we follow your rule.",
                    "минут, иначе мы поступим по вашему правилу.",
                    "minut; inaczej postąpimy według Twojej zasady."
                ),
            );
            store_message(&state, &id, AuthorKind::System, None, None, &question).await?;
            let resolution = ItemResolution::AskedCustomer { channel, deadline: clock::rfc3339(deadline) };
            resolved(&state, &id, &item_id, &resolution).await?;
            resolution
        }
        SubstitutionRule::Remove => remove(&state, &id, &item_id).await?,
        SubstitutionRule::CancelOrder => {
            let resolution = ItemResolution::OrderCancelled;
            resolved(&state, &id, &item_id, &resolution).await?;
            let status = kept_protocol::OrderStatus::OrderCancelled;
            sqlx::query("UPDATE orders SET status = ?, editable = 0 WHERE id = ?")
                .bind(status_name(status))
                .bind(&id)
                .execute(pool)
                .await?;
            state.hub.publish(pool, &id, EventData::Status { status }).await?;
            state.hub.timeline(pool, &id, TimelineEvent::Status { status }).await?;
            resolution
        }
    };
    Ok(Json(resolution))
}

/// Applies the fallback of every ask-first question whose deadline has passed at `now`.
pub async fn sweep_ask_first(state: &AppState, now: Timestamp) -> Result<u32, ApiError> {
    let due: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT order_id, item, fallback FROM ask_first WHERE resolved = 0 AND deadline <= ? ORDER BY deadline LIMIT 100",
    )
    .bind(clock::rfc3339(now))
    .fetch_all(&state.pool)
    .await?;
    let mut applied = 0;
    for (order, item, fallback) in due {
        sqlx::query("UPDATE ask_first SET resolved = 1 WHERE order_id = ? AND item = ?")
            .bind(&order)
            .bind(&item)
            .execute(&state.pool)
            .await?;
        match serde_json::from_str::<Fallback>(&fallback)? {
            Fallback::Remove => {
                remove(state, &order, &item).await?;
            }
            Fallback::Similar { max_increase } => {
                // Substitute the cheapest suggested replacement within the cap; none means remove.
                let o = order_or_404(&state.pool, &order).await?;
                let original = o.items.iter().find(|i| i.id == item).cloned();
                let pick = original.as_ref().and_then(|i| {
                    let mut ok: Vec<_> =
                        i.replacements.iter().filter(|r| max_increase.allows(&i.unit_price, &r.unit_price)).collect();
                    ok.sort_by_key(|r| r.unit_price.amount_minor);
                    ok.first().cloned().cloned()
                });
                match pick {
                    Some(r) => {
                        substitute(state, &order, &item, &r.id, &r.name, &r.unit_price).await?;
                    }
                    None => {
                        remove(state, &order, &item).await?;
                    }
                }
            }
        }
        applied += 1;
    }
    Ok(applied)
}

async fn new_change_request(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    operator(&state, &headers)?;
    let pool = &state.pool;
    let order = order_or_404(pool, &id).await?;
    let (req, raw): (NewChangeRequest, _) = read_body(body).await?;
    check(req.problems())?;
    let scope = format!("{}:change-requests", order.id);
    idempotency::once(&state, &scope, &headers, &raw, || async {
        let created_at = clock::now();
        let (cid,): (i64,) = sqlx::query_as(
            "INSERT INTO change_requests (order_id, change, reason, status, created_at) VALUES (?, ?, ?, 'pending', ?) \
             RETURNING id",
        )
        .bind(&order.id)
        .bind(serde_json::to_string(&req.change)?)
        .bind(req.reason.trim())
        .bind(&created_at)
        .fetch_one(pool)
        .await?;
        let cr = ChangeRequest {
            id: cid,
            change: req.change.clone(),
            reason: req.reason.trim().to_owned(),
            status: ChangeStatus::Pending,
            created_at,
        };
        state.hub.publish(pool, &order.id, EventData::ChangeRequest { change_request: cr.clone() }).await?;
        state.hub.timeline(pool, &order.id, TimelineEvent::ChangeRequested { change_request: cid }).await?;
        Ok((StatusCode::CREATED, serde_json::to_value(cr)?))
    })
    .await
}

/// The order's live events for the console; EventSource cannot send headers, so the operator
/// token may ride in `access_token`.
async fn events(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<EventsQuery>,
    mut headers: HeaderMap,
) -> Result<Response, ApiError> {
    q.bearer_into(&mut headers);
    operator(&state, &headers)?;
    let order = order_or_404(&state.pool, &id).await?;
    Ok(event_stream(&state, order.id, &headers, q.last_event_id).await?.into_response())
}

/// Logs a phone call; refused when the agreement says "do not call" (or has no phone channel).
async fn log_call(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    operator(&state, &headers)?;
    let pool = &state.pool;
    let order = order_or_404(pool, &id).await?;
    let (req, raw): (CallLog, _) = read_body(body).await?;
    check(req.problems())?;
    if let Some(r) = super::orders::current_receipt(pool, &order.id).await? {
        let contact = &r.preferences.contact;
        if !contact.allows_calls() {
            let instead: Vec<&str> = contact.channels.iter().filter(|c| !c.is_call()).map(|c| c.as_str()).collect();
            return Err(ApiError::CallForbidden(format!("use {} instead", instead.join(", then "))));
        }
    }
    let scope = format!("{}:calls", order.id);
    idempotency::once(&state, &scope, &headers, &raw, || async {
        let logged_at = clock::now();
        let (cid,): (i64,) = sqlx::query_as(
            "INSERT INTO calls (order_id, callback_id, note, logged_at) VALUES (?, ?, ?, ?) RETURNING id",
        )
        .bind(&order.id)
        .bind(req.callback)
        .bind(req.note.as_deref().map(str::trim).filter(|n| !n.is_empty()))
        .bind(&logged_at)
        .fetch_one(pool)
        .await?;
        if let Some(cb) = req.callback {
            mark_done(pool, &order.id, cb).await?;
        }
        Ok((StatusCode::CREATED, serde_json::to_value(LoggedCall { id: cid, logged_at })?))
    })
    .await
}

async fn mark_done(pool: &SqlitePool, order: &str, callback: i64) -> Result<(), ApiError> {
    let done = sqlx::query("UPDATE callbacks SET done_at = COALESCE(done_at, ?) WHERE id = ? AND order_id = ?")
        .bind(clock::now())
        .bind(callback)
        .bind(order)
        .execute(pool)
        .await?;
    if done.rows_affected() == 0 {
        return Err(ApiError::NotFound("callback"));
    }
    Ok(())
}

/// Marks a callback as done.
async fn callback_done(
    State(state): State<AppState>,
    Path((id, callback)): Path<(String, i64)>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    operator(&state, &headers)?;
    mark_done(&state.pool, &id, callback).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn presence(State(state): State<AppState>, headers: HeaderMap) -> Result<StatusCode, ApiError> {
    operator(&state, &headers)?;
    sqlx::query(
        "INSERT INTO operator_presence (operator, last_seen) VALUES ('operator', ?) \
         ON CONFLICT (operator) DO UPDATE SET last_seen = excluded.last_seen",
    )
    .bind(clock::now())
    .execute(&state.pool)
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /v1/operator/shop`: replaces the shop profile (hours, holidays, channels, payment
/// methods, FAQ...); availability and reply time are computed, so what is sent for them is ignored.
async fn update_shop(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Result<StatusCode, ApiError> {
    operator(&state, &headers)?;
    let (profile, _): (kept_protocol::ShopProfile, _) = read_body(body).await?;
    let mut problems = Vec::new();
    if profile.name.trim().is_empty() {
        problems.push(kept_protocol::Problem::new("name", ProblemCode::Required));
    }
    if jiff::tz::TimeZone::get(&profile.time_zone).is_err() {
        problems.push(kept_protocol::Problem::new("time_zone", ProblemCode::Invalid));
    }
    check(problems)?;
    shop::save(
        &state.pool,
        &kept_protocol::ShopProfile { availability: Default::default(), reply_time: None, ..profile },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
