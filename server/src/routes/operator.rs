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
use kept_protocol::{Deviation, ItemResolution, Problem, ProblemCode, ShopProfile};

use super::chat::{event_stream, EventsQuery};
use super::check;
use crate::extract::{ApiPath, ApiQuery, JsonBody, Operator, SessionToken, SESSION_COOKIE};
use crate::store::messages::{self, NewMessage};
use crate::store::operators;
use crate::store::{changes, console, orders, promises};
use crate::{clock, ApiError, AppState};
use kept_protocol::backend::Delivery;
use kept_protocol::operator::{OperatorMe, SignIn};

/// This module's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orders", get(list))
        .route("/orders/{order}", get(detail))
        .route("/orders/{order}/messages", post(post_message))
        .route("/orders/{order}/status", post(change_status))
        .route("/orders/{order}/items/{item}/out-of-stock", post(out_of_stock))
        .route("/orders/{order}/change-requests", post(new_change_request))
        .route("/orders/{order}/events", get(events).layer(axum::Extension(crate::extract::TokenInUrl)))
        .route("/orders/{order}/calls", post(log_call))
        .route("/orders/{order}/callbacks/{callback}/done", post(callback_done))
        .route("/presence", post(presence))
        .route("/session", post(sign_in).get(me).delete(sign_out))
        .route("/webhook-deliveries", get(deliveries))
        .route("/webhook-deliveries/{id}/retry", post(retry_delivery))
        .route("/shop", post(update_shop))
}

/// How long before its window a callback shows as due in the order list.
const CALLBACK_LEAD_MINUTES: i64 = 15;

async fn order_or_404(state: &AppState, id: &str) -> Result<orders::Order, ApiError> {
    orders::existing(&mut state.pool.acquire().await?, id).await
}

async fn list(_: Operator, State(state): State<AppState>) -> Result<Json<Vec<OrderSummary>>, ApiError> {
    // A callback counts as due from a quarter of an hour before its window opens.
    let soon = crate::clock::instant() + jiff::SignedDuration::from_mins(CALLBACK_LEAD_MINUTES);
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
    let messages = messages::page(pool, &id, None, None, 50).await?.messages;
    let conn = &mut pool.acquire().await?;
    let shop = orders::shop(conn).await?;
    let order = super::orders::view(conn, &shop, order).await?;
    let callbacks = console::callbacks(conn, &id, crate::clock::instant()).await?;
    let reports = console::reports(conn, &id).await?;
    let promises = promises::of_order(conn, &id).await?;
    let notifications = crate::store::notifications::of_order(conn, &id).await?;
    Ok(Json(OrderDetail { order, messages, callbacks, reports, promises, notifications }))
}

async fn post_message(
    op: Operator,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    JsonBody(msg, raw): JsonBody<OperatorMessage>,
) -> Result<Response, ApiError> {
    let order = order_or_404(&state, &id).await?;
    check(msg.problems())?;
    let shop = orders::shop(&mut state.pool.acquire().await?).await?;
    // A named operator writes as themselves; the token writes as the shop's named manager.
    let name = op.display_name.clone().or(shop.manager.as_ref().map(|m| m.name.clone()));
    let text = clean_text(&msg.text);
    super::once(&state, format!("{}:operator-messages", order.id), &headers, &raw, move |tx| {
        Box::pin(async move {
            tx.actor = op.display_name;
            let m = NewMessage {
                order: &order.id,
                author: AuthorKind::Operator,
                author_name: name.as_deref(),
                client_id: None,
                text: &text,
                at: crate::clock::instant(),
            };
            let (m, _) = messages::add(tx, m).await?;
            Ok((StatusCode::CREATED, serde_json::to_value(m)?))
        })
    })
    .await
}

async fn change_status(
    op: Operator,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    JsonBody(change, _): JsonBody<StatusChange>,
) -> Result<Json<StatusChange>, ApiError> {
    let status = change.status;
    state
        .writer
        .write(move |tx| {
            Box::pin(async move {
                tx.actor = op.display_name;
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
    op: Operator,
    State(state): State<AppState>,
    ApiPath((id, item)): ApiPath<(String, String)>,
    JsonBody(req, _): JsonBody<OutOfStock>,
) -> Result<Json<ItemResolution>, ApiError> {
    let (order, actor) = (id.clone(), op.display_name.clone());
    let resolution = state
        .writer
        .write(move |tx| {
            Box::pin(async move {
                tx.actor = actor;
                changes::out_of_stock(tx, &id, &item, req).await
            })
        })
        .await;
    match resolution {
        Err(e) if crate::domain::substitution::is_above_cap(&e) => {
            Err(prevented(&state, order, op, Deviation::SubstituteAboveCap, e).await)
        }
        r => Ok(Json(r?)),
    }
}

/// Records that Kept stopped `deviation` (the refused write rolled back, so in a write of its
/// own), and answers with the refusal `e`.
async fn prevented(state: &AppState, order: String, op: Operator, deviation: Deviation, e: ApiError) -> ApiError {
    let recorded = state
        .writer
        .write(move |tx| {
            Box::pin(async move {
                tx.actor = op.display_name;
                promises::prevented(tx, &order, deviation, None, crate::clock::instant()).await
            })
        })
        .await;
    if let Err(failed) = recorded {
        tracing::error!(error = %failed, "a prevented deviation was not recorded");
    }
    e
}

async fn new_change_request(
    op: Operator,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    JsonBody(req, raw): JsonBody<NewChangeRequest>,
) -> Result<Response, ApiError> {
    let order = order_or_404(&state, &id).await?;
    check(req.problems())?;
    super::once(&state, format!("{}:change-requests", order.id), &headers, &raw, move |tx| {
        Box::pin(async move {
            tx.actor = op.display_name;
            let cr = changes::create(tx, &order.id, req.change, &clean_text(&req.reason), None).await?;
            Ok((StatusCode::CREATED, serde_json::to_value(cr)?))
        })
    })
    .await
}

/// The order's live events for the console; EventSource cannot send headers, so the operator
/// token may ride in `access_token`. A named operator's stream ends once their session does
/// (disabled, removed, a new password, signed out).
async fn events(
    op: Operator,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<EventsQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let order = order_or_404(&state, &id).await?;
    let until = session_ended(state.pool.clone(), op.session);
    Ok(event_stream(&state, order.id, &headers, q.last_event_id, until).await?.into_response())
}

/// Completes once the session `hash` no longer opens the console, checked every
/// [`crate::accounts::SESSION_CHECK`] in the store (so a disable on another instance counts);
/// never for the operator token.
async fn session_ended(pool: crate::db::Pool, hash: Option<Vec<u8>>) {
    let Some(hash) = hash else {
        return std::future::pending().await;
    };
    loop {
        tokio::time::sleep(crate::accounts::SESSION_CHECK).await;
        if matches!(operators::session(&pool, &hash).await, Ok(None)) {
            return;
        }
    }
}

/// Logs a phone call; refused when the agreement says "do not call" (or has no phone channel).
async fn log_call(
    op: Operator,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    JsonBody(req, raw): JsonBody<CallLog>,
) -> Result<Response, ApiError> {
    let order = order_or_404(&state, &id).await?;
    check(req.problems())?;
    let (order_id, who) = (order.id.clone(), op.clone());
    let logged = super::once(&state, format!("{}:calls", order.id), &headers, &raw, move |tx| {
        Box::pin(async move {
            tx.actor = op.display_name;
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
            crate::store::events::timeline(tx, &order.id, kept_protocol::TimelineEvent::CallLogged { call: call.id })
                .await?;
            Ok((StatusCode::CREATED, serde_json::to_value::<LoggedCall>(call)?))
        })
    })
    .await;
    match logged {
        Err(e @ ApiError::CallForbidden(_)) => Err(prevented(&state, order_id, who, Deviation::CallRefused, e).await),
        r => r,
    }
}

/// Marks a callback as done.
async fn callback_done(
    op: Operator,
    State(state): State<AppState>,
    ApiPath((id, callback)): ApiPath<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    let done = state
        .writer
        .write(move |tx| {
            Box::pin(async move {
                tx.actor = op.display_name;
                console::mark_done(tx, &id, callback).await
            })
        })
        .await?;
    if !done {
        return Err(ApiError::NotFound("callback"));
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn presence(op: Operator, State(state): State<AppState>) -> Result<StatusCode, ApiError> {
    state.writer.write(move |tx| Box::pin(async move { console::seen(tx, &op.name, &clock::now()).await })).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /v1/operator/shop`: replaces the shop profile (hours, holidays, channels, payment
/// methods, FAQ...); availability and reply time are computed, so what is sent for them is ignored.
async fn update_shop(
    _: Operator,
    State(state): State<AppState>,
    JsonBody(profile, _): JsonBody<ShopProfile>,
) -> Result<StatusCode, ApiError> {
    let profile = crate::domain::shop::accepted(profile)?;
    state.writer.write(move |tx| Box::pin(async move { orders::save_shop(tx.db(), &profile).await })).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How long a console session lasts.
const SESSION_HOURS: i64 = 12;
/// Failed sign-ins for one name within this window...
const FAILURE_WINDOW_MINUTES: i64 = 15;
/// ...after which further attempts are refused until the window has passed.
const FAILURES_ALLOWED: u32 = 5;

fn loopback(headers: &HeaderMap) -> bool {
    let host = headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    kept_protocol::shop::loopback_host(host)
}

fn session_cookie(value: &str, max_age: i64, secure: bool) -> axum::http::HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let cookie = format!("{}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}", SESSION_COOKIE);
    axum::http::HeaderValue::from_str(&cookie).unwrap_or_else(|_| axum::http::HeaderValue::from_static(""))
}

/// `POST /v1/operator/session`: a named operator signs in with name and password. Repeated
/// failures for one name are refused for a while (429 with Retry-After).
async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(req, _): JsonBody<SignIn>,
) -> Result<Response, ApiError> {
    let now = crate::clock::instant();
    let window = jiff::SignedDuration::from_mins(FAILURE_WINDOW_MINUTES);
    let since = now.checked_sub(window).unwrap_or(now);
    let name = req.name.trim().to_owned();
    let (failures, first) = operators::failures(&state.pool, &name, since).await?;
    if failures >= FAILURES_ALLOWED {
        let until = first.and_then(|f| f.parse::<Timestamp>().ok()).and_then(|f| f.checked_add(window).ok());
        let wait = until.map_or(60, |u| (u.as_second() - now.as_second()).max(1));
        return Err(ApiError::RateLimited(wait as u64));
    }
    let account = operators::by_name(&state.pool, &name).await?;
    let hash = account.as_ref().map_or(crate::password::decoy().to_owned(), |(_, h)| h.clone());
    let password = req.password.clone();
    // argon2 is deliberately slow: off the async threads. Unknown names verify a decoy hash.
    let matches = tokio::task::spawn_blocking(move || crate::password::verify(&password, &hash)).await.unwrap_or(false);
    let Some((account, _)) = account.filter(|_| matches) else {
        state.writer.write(move |tx| Box::pin(async move { operators::failed(tx, &name).await })).await?;
        return Err(ApiError::Unauthorized);
    };
    let token = crate::auth::new_token()
        .map_err(|e| ApiError::Internal(crate::error::anyhow_lite::Error::msg(e.to_string())))?;
    let expires = now.checked_add(jiff::SignedDuration::from_hours(SESSION_HOURS)).unwrap_or(now);
    let (id, hash) = (account.id, crate::auth::hash_token(&token));
    let who = account.name.clone();
    state
        .writer
        .write(move |tx| Box::pin(async move { operators::open_session(tx, id, &who, &hash, expires).await }))
        .await?;
    let me = OperatorMe { name: account.name, display_name: account.display_name };
    let mut res = Json(me).into_response();
    res.headers_mut()
        .insert(axum::http::header::SET_COOKIE, session_cookie(&token, SESSION_HOURS * 3600, !loopback(&headers)));
    Ok(res)
}

/// `GET /v1/operator/session`: who is signed in.
async fn me(op: Operator) -> Result<Json<OperatorMe>, ApiError> {
    Ok(Json(OperatorMe { display_name: op.display_name.unwrap_or_else(|| op.name.clone()), name: op.name }))
}

/// `DELETE /v1/operator/session`: signs out; the cookie is cleared and the session ended.
async fn sign_out(
    _: Operator,
    State(state): State<AppState>,
    headers: HeaderMap,
    cookie: Option<SessionToken>,
) -> Result<Response, ApiError> {
    if let Some(SessionToken(token)) = cookie {
        let hash = crate::auth::hash_token(&token);
        state.writer.write(move |tx| Box::pin(async move { operators::close_session(tx, &hash).await })).await?;
    }
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut().insert(axum::http::header::SET_COOKIE, session_cookie("", 0, !loopback(&headers)));
    Ok(res)
}

/// `GET /v1/operator/webhook-deliveries`: webhooks not yet delivered (retrying, or given up).
async fn deliveries(_: Operator, State(state): State<AppState>) -> Result<Json<Vec<Delivery>>, ApiError> {
    Ok(Json(crate::store::webhooks::undelivered(&state.pool, 200).await?))
}

/// `POST /v1/operator/webhook-deliveries/{id}/retry`: "send again", now.
async fn retry_delivery(
    _: Operator,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    let found =
        state.writer.write(move |tx| Box::pin(async move { crate::store::webhooks::retry(tx, id).await })).await?;
    if found {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound("webhook delivery"))
    }
}
