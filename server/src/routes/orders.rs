//! The order view and the preference agreement: `GET /v1/orders/{order}`,
//! `POST /v1/orders/{order}/preferences`.

use crate::db::Conn;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use kept_protocol::{OrderView, Preferences, Receipt, ShopProfile};

use crate::extract::{CustomerAsk, CustomerOrder, JsonBody};
use crate::store::orders::{self, NewVersion, Order, Origin};
use crate::{canonical, clock, ApiError, AppState};

/// This module's routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/orders/{order}", get(view_handler)).route("/orders/{order}/preferences", post(submit))
}

/// The full order view the customer sees, read on the caller's connection (a handler holds one
/// connection at a time: holding one while waiting for another can starve the pool).
pub async fn view(conn: &mut Conn, shop: &ShopProfile, order: Order) -> Result<OrderView, ApiError> {
    let timeline = orders::timeline(conn, &order.id).await?;
    let change_requests = orders::change_requests(conn, &order.id).await?;
    let surveyed = orders::surveyed(conn, &order.id).await?;
    let receipt = orders::current_receipt(conn, &order.id).await?;
    let delivered = order.status == kept_protocol::OrderStatus::OrderDelivered;
    let known_contact = order.contact.clone();
    Ok(OrderView {
        receipt,
        survey_due: delivered && !surveyed,
        timeline,
        change_requests,
        known_contact,
        ..crate::domain::payment::checkable(shop, order)
    })
}

async fn view_handler(
    State(state): State<AppState>,
    CustomerOrder(order): CustomerOrder,
) -> Result<Json<OrderView>, ApiError> {
    let conn = &mut state.pool.acquire().await?;
    let shop = orders::shop(conn).await?;
    Ok(Json(view(conn, &shop, order).await?))
}

async fn submit(
    State(state): State<AppState>,
    ask: CustomerAsk,
    headers: HeaderMap,
    JsonBody(preferences, _): JsonBody<Preferences>,
) -> Result<(StatusCode, Json<Receipt>), ApiError> {
    let key = crate::extract::idempotency_key(&headers)?;
    let request_hash = canonical::digest(&canonical::json(&preferences)?);
    // The token, the order, the shop and an earlier attempt with this key: one read.
    let orders::Submission { order, shop, earlier } =
        orders::submission(&mut *state.reads.get(&state.pool).await?, &ask.order, &ask.token, Origin::Customer, &key)
            .await?;
    match earlier {
        Some((first_hash, _)) if first_hash != request_hash => return Err(ApiError::IdempotencyConflict),
        Some((_, first)) => return Ok((StatusCode::CREATED, Json(first))),
        None => {}
    }
    let view = crate::domain::payment::checkable(&shop, order);
    if !view.editable {
        return Err(ApiError::NotEditable);
    }
    let preferences = preferences.validated(&shop, &view).map_err(ApiError::Validation)?;
    let (canonical, receipt) = crate::domain::receipt::receipt(&shop, &view, preferences, clock::instant())?;
    let version =
        NewVersion { order: view.id.clone(), origin: Origin::Customer, key, request_hash, canonical, receipt };
    let receipt = state
        .writer
        .write(move |tx| {
            Box::pin(async move {
                // Edits may have closed since the check above (the shop started picking).
                if !orders::editable(tx, &version.order).await? {
                    return Err(ApiError::NotEditable);
                }
                orders::add_version(tx, version).await
            })
        })
        .await?;
    Ok((StatusCode::CREATED, Json(receipt)))
}
