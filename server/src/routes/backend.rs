//! The backend API under `/v1/backend/`, for the shop's own servers (API key): orders in, the
//! agreement out, webhook endpoints.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use kept_protocol::backend::{
    valid_order_id, BackendOrder, BackendOrderDetail, BackendOrderSaved, Embed, NewWebhook, OrderChanges, Webhook,
};
use kept_protocol::{Problem, ProblemCode};
use serde::Deserialize;

use super::check;
use crate::extract::{ApiPath, ApiQuery, BackendKey, JsonBody};
use crate::store::{backend, orders, webhooks};
use crate::{accounts, ApiError, AppState};
use kept_protocol::operator::{NewOperator, OperatorAccount, OperatorSaved, PasswordReset};

/// This module's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orders", get(changed))
        .route("/orders/{order}", put(save).get(detail))
        .route("/orders/{order}/token", post(rotate_token))
        .route("/notifications/{id}", post(notification_result))
        .route("/inbound-mail", post(inbound_mail))
        .route("/webhooks", post(add_webhook).get(list_webhooks))
        .route("/webhooks/{id}", axum::routing::delete(remove_webhook))
        .route("/operators", get(list_operators).post(add_operator))
        .route("/operators/{name}", axum::routing::delete(remove_operator))
        .route("/operators/{name}/disable", post(disable_operator))
        .route("/operators/{name}/enable", post(enable_operator))
        .route("/operators/{name}/password", post(reset_password))
}

/// `GET /v1/backend/operators`: the shop's people, by name.
async fn list_operators(_: BackendKey, State(state): State<AppState>) -> Result<Json<Vec<OperatorAccount>>, ApiError> {
    Ok(Json(crate::store::operators::list(&state.pool).await?))
}

/// `POST /v1/backend/operators`: a new person; a password is made (and answered once) when none
/// is given.
async fn add_operator(
    _: BackendKey,
    State(state): State<AppState>,
    JsonBody(new, _): JsonBody<NewOperator>,
) -> Result<(StatusCode, Json<OperatorSaved>), ApiError> {
    check(new.problems())?;
    let password = accounts::Password::new(new.password.as_deref()).await?;
    let saved =
        state.writer.write(move |tx| Box::pin(async move { accounts::add(tx.db(), &new, password).await })).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

async fn set_disabled(state: &AppState, name: String, disabled: bool) -> Result<Json<OperatorAccount>, ApiError> {
    let account = state
        .writer
        .write(move |tx| Box::pin(async move { accounts::set_disabled(tx.db(), &name, disabled).await }))
        .await?;
    Ok(Json(account))
}

/// `POST /v1/backend/operators/{name}/disable`: they can no longer sign in, and every session of
/// theirs (and its open event streams) ends at once.
async fn disable_operator(
    _: BackendKey,
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<OperatorAccount>, ApiError> {
    set_disabled(&state, name, true).await
}

/// `POST /v1/backend/operators/{name}/enable`: they may sign in again.
async fn enable_operator(
    _: BackendKey,
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<OperatorAccount>, ApiError> {
    set_disabled(&state, name, false).await
}

/// `POST /v1/backend/operators/{name}/password`: a new password; every old session ends.
async fn reset_password(
    _: BackendKey,
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
    JsonBody(reset, _): JsonBody<PasswordReset>,
) -> Result<Json<OperatorSaved>, ApiError> {
    check(reset.problems())?;
    let password = accounts::Password::new(reset.password.as_deref()).await?;
    let saved = state
        .writer
        .write(move |tx| Box::pin(async move { accounts::reset_password(tx.db(), &name, password).await }))
        .await?;
    Ok(Json(saved))
}

/// `DELETE /v1/backend/operators/{name}`: removes them and their sessions; what they did stays
/// attributed to them.
async fn remove_operator(
    _: BackendKey,
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    state.writer.write(move |tx| Box::pin(async move { accounts::remove(tx.db(), &name).await })).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn order_id(id: &str) -> Result<(), ApiError> {
    if valid_order_id(id) {
        Ok(())
    } else {
        Err(ApiError::BadParameter(vec![Problem::new("order", ProblemCode::Invalid)]))
    }
}

fn embed(state: &AppState, id: &str, token: Option<String>, locale: Option<kept_protocol::Locale>) -> Embed {
    Embed { endpoint: state.config.public_url.clone(), order: id.to_owned(), token, locale }
}

async fn saved(state: &AppState, id: &str, token: Option<String>) -> Result<BackendOrderSaved, ApiError> {
    let conn = &mut state.pool.acquire().await?;
    let order = orders::existing(conn, id).await?;
    let locale = order.locale;
    let shop = orders::shop(conn).await?;
    let view = super::orders::view(conn, &shop, order).await?;
    Ok(BackendOrderSaved { order: view, embed: embed(state, id, token.clone(), locale), customer_token: token })
}

/// `PUT /v1/backend/orders/{order}`: 201 when it is new (with the customer token), 200 after an update.
async fn save(
    _: BackendKey,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    JsonBody(order, _): JsonBody<BackendOrder>,
) -> Result<(StatusCode, Json<BackendOrderSaved>), ApiError> {
    order_id(&id)?;
    let mut problems = order.problems();
    let shop = orders::shop(&mut state.pool.acquire().await?).await?;
    for (n, item) in order.items.iter().enumerate() {
        if item.option_set.as_ref().is_some_and(|s| !shop.option_sets.iter().any(|o| &o.id == s)) {
            problems.push(Problem::new(format!("items[{n}].option_set"), ProblemCode::Invalid));
        }
    }
    check(problems)?;
    let key = id.clone();
    let (created, token) =
        state.writer.write(move |tx| Box::pin(async move { backend::save(tx, &key, order).await })).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(saved(&state, &id, token).await?)))
}

/// `POST /v1/backend/orders/{order}/token`: a new customer token; the old one stops working.
async fn rotate_token(
    _: BackendKey,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<BackendOrderSaved>, ApiError> {
    let key = id.clone();
    let token = state.writer.write(move |tx| Box::pin(async move { backend::rotate_token(tx, &key).await })).await?;
    Ok(Json(saved(&state, &id, Some(token)).await?))
}

/// `POST /v1/backend/notifications/{id}`: what the shop's provider made of a
/// `notification.requested` (delivered or failed); the notification as it now stands.
async fn notification_result(
    _: BackendKey,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    JsonBody(req, _): JsonBody<kept_protocol::notify::NotificationResult>,
) -> Result<Json<kept_protocol::notify::NotificationEntry>, ApiError> {
    check(req.problems())?;
    let entry = state
        .writer
        .write(move |tx| {
            Box::pin(async move {
                let error = req.error.as_deref().map(kept_protocol::chat::clean_text).filter(|e| !e.is_empty());
                crate::store::notifications::provider_result(tx, id, req.state, error.as_deref()).await
            })
        })
        .await?;
    Ok(Json(entry))
}

/// `POST /v1/backend/inbound-mail`: a mail one of the orders' reply addresses received, from the
/// shop's mail provider: JSON ([`InboundMail`](kept_protocol::notify::InboundMail)), or the
/// message itself as `message/rfc822`. 201 with her message, 200 for a Message-ID taken before;
/// a refusal names its field (`to`: no such reply address, `from`: not her address, `text`:
/// nothing of her own or too long, `raw`: not a mail), 413 over 4 MiB.
async fn inbound_mail(
    _: BackendKey,
    State(state): State<AppState>,
    req: axum::extract::Request,
) -> Result<(StatusCode, Json<kept_protocol::notify::InboundMailTaken>), ApiError> {
    use crate::domain::inbound::{Refusal, MAIL_MAX_BYTES};
    use crate::inbound::{parse, receive, Incoming, NotTaken};
    let kind = req.headers().get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let kind = kind.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    // JSON escapes make a message up to twice its size.
    let limit = MAIL_MAX_BYTES * 2;
    let bytes = axum::body::to_bytes(req.into_body(), limit).await.map_err(|_| ApiError::PayloadTooLarge(limit))?;
    let refused = |r: Refusal| match r {
        Refusal::TooLarge => ApiError::PayloadTooLarge(MAIL_MAX_BYTES),
        r => ApiError::field(r.field(), ProblemCode::Invalid),
    };
    let mail = match kind.as_str() {
        "message/rfc822" => parse(&bytes).map_err(refused)?,
        "application/json" => {
            let m: kept_protocol::notify::InboundMail =
                serde_json::from_slice(&bytes).map_err(|e| ApiError::Malformed(e.to_string()))?;
            match m.raw {
                Some(raw) => {
                    let mut parsed = parse(raw.as_bytes()).map_err(refused)?;
                    // The provider's envelope, when it gives one, says where it was sent.
                    if !m.to.is_empty() {
                        parsed.to = m.to;
                    }
                    parsed
                }
                None => {
                    let from = m
                        .from
                        .filter(|f| !f.trim().is_empty())
                        .ok_or(ApiError::field("from", ProblemCode::Required))?;
                    if m.to.is_empty() {
                        return Err(ApiError::field("to", ProblemCode::Required));
                    }
                    let size = m.text.as_ref().map_or(0, String::len) + m.html.as_ref().map_or(0, String::len);
                    if size > MAIL_MAX_BYTES {
                        return Err(ApiError::PayloadTooLarge(MAIL_MAX_BYTES));
                    }
                    Incoming { from, to: m.to, message_id: m.message_id, text: m.text, html: m.html }
                }
            }
        }
        _ => return Err(ApiError::UnsupportedMediaType),
    };
    match receive(&state, mail).await {
        Ok((order, message, created)) => {
            let status = if created { StatusCode::CREATED } else { StatusCode::OK };
            Ok((status, Json(kept_protocol::notify::InboundMailTaken { order, message, duplicate: !created })))
        }
        Err(NotTaken::Refused(r)) => Err(refused(r)),
        Err(NotTaken::Failed(e)) => Err(e),
    }
}

async fn detail(
    _: BackendKey,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<BackendOrderDetail>, ApiError> {
    let conn = &mut state.pool.acquire().await?;
    let order = orders::existing(conn, &id).await?;
    let shop = orders::shop(conn).await?;
    let versions = backend::versions(conn, &id).await?;
    let order = super::orders::view(conn, &shop, order).await?;
    Ok(Json(BackendOrderDetail { order, versions }))
}

#[derive(Deserialize)]
struct ChangesQuery {
    after: Option<i64>,
    limit: Option<i64>,
}

/// `GET /v1/backend/orders?after=CURSOR&limit=N`: orders changed since the cursor, oldest change first.
async fn changed(
    _: BackendKey,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ChangesQuery>,
) -> Result<Json<OrderChanges>, ApiError> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::BadParameter(vec![Problem::new("limit", ProblemCode::OutOfRange)]));
    }
    let after = q.after.unwrap_or(0);
    let orders = backend::changed(&state.pool, after, limit).await?;
    let next = orders.last().map_or(after, |o| o.cursor);
    Ok(Json(OrderChanges { orders, next }))
}

async fn add_webhook(
    _: BackendKey,
    State(state): State<AppState>,
    JsonBody(hook, _): JsonBody<NewWebhook>,
) -> Result<(StatusCode, Json<Webhook>), ApiError> {
    check(hook.problems(&crate::webhooks::EVENT_TYPES))?;
    let secret = crate::webhooks::new_secret()
        .map_err(|e| ApiError::Internal(crate::error::anyhow_lite::Error::msg(e.to_string())))?;
    let (url, types, s) = (hook.url.clone(), hook.event_types.clone(), secret.clone());
    let id = state
        .writer
        .write(move |tx| Box::pin(async move { webhooks::add_endpoint(tx, &url, &types, &s, false).await }))
        .await?;
    let hook = Webhook { id, url: hook.url, event_types: hook.event_types, disabled: false, secret: Some(secret) };
    Ok((StatusCode::CREATED, Json(hook)))
}

async fn list_webhooks(_: BackendKey, State(state): State<AppState>) -> Result<Json<Vec<Webhook>>, ApiError> {
    Ok(Json(webhooks::endpoints(&state.pool).await?))
}

async fn remove_webhook(
    _: BackendKey,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    let removed =
        state.writer.write(move |tx| Box::pin(async move { webhooks::remove_endpoint(tx, id).await })).await?;
    if removed {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound("webhook"))
    }
}
