//! What the customer asks of the shop: callbacks, "the shop broke this", consent answers, survey.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use kept_protocol::{
    BrokenPromiseReport, Callback, CallbackRequest, CallbackStatus, ChangeKind, ChangeStatus, ConsentAnswer, EventData,
    Problem, ProblemCode, Report, SurveyAnswer, TimelineEvent,
};

use super::orders::{authorize, change_requests, current_receipt, store_version, view};
use super::{check, read_body, shop};
use crate::{clock, idempotency, ApiError, AppState};

/// This module's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orders/{order}/callbacks", post(request_callback))
        .route("/orders/{order}/reports", post(report))
        .route("/orders/{order}/change-requests/{id}/answer", post(answer))
        .route("/orders/{order}/survey", post(survey))
}

async fn request_callback(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let pool = &state.pool;
    let order = authorize(pool, &id, &headers).await?;
    let (req, raw): (CallbackRequest, _) = read_body(body).await?;
    let shop = shop::load(pool).await?;
    let receipt = current_receipt(pool, &order.id).await?;
    let mut problems = Vec::new();
    // Calling is allowed only if the agreement allows it.
    if receipt.as_ref().is_some_and(|r| !r.preferences.contact.allows_calls()) {
        problems.push(Problem::new("window", ProblemCode::CallsForbidden));
    }
    let tz = TimeZone::get(&shop.time_zone).map_err(|_| ApiError::Conflict("the shop has no valid time zone"))?;
    let date = req.date.parse::<Date>().ok();
    let instants = date.and_then(|d| {
        let at = |t: kept_protocol::LocalTime| {
            d.at((t.minutes() / 60) as i8, (t.minutes() % 60) as i8, 0, 0).to_zoned(tz.clone()).ok()
        };
        let start = at(req.window.start)?;
        let end_day = if req.window.end <= req.window.start { d.tomorrow().ok()? } else { d };
        let end = end_day
            .at((req.window.end.minutes() / 60) as i8, (req.window.end.minutes() % 60) as i8, 0, 0)
            .to_zoned(tz.clone())
            .ok()?;
        Some((d, start.timestamp(), end.timestamp()))
    });
    match instants {
        None => problems.push(Problem::new("date", ProblemCode::Invalid)),
        Some((d, _, end)) => {
            let weekday = d.weekday().to_monday_zero_offset() as usize;
            let open = shop.hours.iter().filter(|h| h.day.index() == weekday).flat_map(|h| &h.intervals);
            let holiday = shop.holidays.iter().any(|h| h.date == req.date);
            if holiday || !open.clone().any(|i| i.contains(req.window)) || req.window.length() == 0 {
                problems.push(Problem::new("window", ProblemCode::OutsideHours));
            }
            if end <= Timestamp::now() {
                problems.push(Problem::new("date", ProblemCode::OutOfRange));
            }
        }
    }
    check(problems)?;
    let Some((_, start, end)) = instants else { return Err(ApiError::field("date", ProblemCode::Invalid)) };
    let scope = format!("{}:callbacks", order.id);
    idempotency::once(&state, &scope, &headers, &raw, || async {
        let (cb,): (i64,) = sqlx::query_as(
            "INSERT INTO callbacks (order_id, window_start, window_end, created_at) VALUES (?, ?, ?, ?) RETURNING id",
        )
        .bind(&order.id)
        .bind(clock::rfc3339(start))
        .bind(clock::rfc3339(end))
        .bind(clock::now())
        .fetch_one(pool)
        .await?;
        state.hub.timeline(pool, &order.id, TimelineEvent::CallbackRequested { callback: cb }).await?;
        let callback = Callback {
            id: cb,
            window_start: clock::rfc3339(start),
            window_end: clock::rfc3339(end),
            status: CallbackStatus::Pending,
        };
        Ok((StatusCode::CREATED, serde_json::to_value(callback)?))
    })
    .await
}

async fn report(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let pool = &state.pool;
    let order = authorize(pool, &id, &headers).await?;
    let (req, raw): (BrokenPromiseReport, _) = read_body(body).await?;
    let current = current_receipt(pool, &order.id).await?.map(|r| r.version);
    check(req.problems(current))?;
    let scope = format!("{}:reports", order.id);
    idempotency::once(&state, &scope, &headers, &raw, || async {
        let note = req.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
        let reported_at = clock::now();
        let (rid,): (i64,) = sqlx::query_as(
            "INSERT INTO reports (order_id, receipt_version, promise, note, reported_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&order.id)
        .bind(req.receipt_version)
        .bind(serde_json::to_value(req.promise)?.as_str().unwrap_or("other"))
        .bind(note)
        .bind(&reported_at)
        .fetch_one(pool)
        .await?;
        let event = TimelineEvent::PromiseBroken { report: rid, receipt_version: req.receipt_version, promise: req.promise };
        state.hub.timeline(pool, &order.id, event).await?;
        let report = Report {
            id: rid,
            receipt_version: req.receipt_version,
            promise: req.promise,
            note: note.map(str::to_owned),
            reported_at,
        };
        Ok((StatusCode::CREATED, serde_json::to_value(report)?))
    })
    .await
}

async fn answer(
    State(state): State<AppState>,
    Path((id, cr)): Path<(String, i64)>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let pool = &state.pool;
    let order = authorize(pool, &id, &headers).await?;
    let (req, raw): (ConsentAnswer, _) = read_body(body).await?;
    let scope = format!("{}:answer:{cr}", order.id);
    idempotency::once(&state, &scope, &headers, &raw, || async {
        let request = change_requests(pool, &order.id)
            .await?
            .into_iter()
            .find(|c| c.id == cr)
            .ok_or(ApiError::NotFound("change request"))?;
        if request.status != ChangeStatus::Pending {
            return Err(ApiError::Conflict("this change request is already answered"));
        }
        let status = if req.accept { ChangeStatus::Accepted } else { ChangeStatus::Declined };
        sqlx::query("UPDATE change_requests SET status = ?, answered_at = ? WHERE id = ? AND order_id = ?")
            .bind(serde_json::to_value(status)?.as_str().unwrap_or("declined"))
            .bind(clock::now())
            .bind(cr)
            .bind(&order.id)
            .execute(pool)
            .await?;
        if req.accept {
            apply(&state, &order.id, &request.change, cr).await?;
        }
        state
            .hub
            .timeline(pool, &order.id, TimelineEvent::ChangeAnswered { change_request: cr, accepted: req.accept })
            .await?;
        let answered = kept_protocol::ChangeRequest { status, ..request };
        state.hub.publish(pool, &order.id, EventData::ChangeRequest { change_request: answered.clone() }).await?;
        Ok((StatusCode::OK, serde_json::to_value(answered)?))
    })
    .await
}

/// Applies an accepted change: only now does anything change.
async fn apply(state: &AppState, order_id: &str, change: &ChangeKind, cr: i64) -> Result<(), ApiError> {
    let pool = &state.pool;
    let shop = shop::load(pool).await?;
    match change {
        ChangeKind::Payment { method } => {
            let Some((_, order)) = super::orders::load(pool, order_id).await? else { return Ok(()) };
            let view = view(pool, &shop, order).await?;
            if let Some(receipt) = &view.receipt {
                let mut prefs = receipt.preferences.clone();
                prefs.payment = Some(*method);
                let key = format!("change-request-{cr}");
                let hash = crate::canonical::digest(&crate::canonical::json(&prefs)?);
                store_version(state, &shop, &view, prefs, &key, &hash).await?;
            }
        }
        ChangeKind::Substitution { item, replacement, name, unit_price } => {
            super::operator::substitute(state, order_id, item, replacement, name, unit_price).await?;
        }
        ChangeKind::DeliverySlot { slot } => {
            sqlx::query("UPDATE orders SET delivery_slot = ? WHERE id = ?")
                .bind(serde_json::to_string(slot)?)
                .bind(order_id)
                .execute(pool)
                .await?;
        }
    }
    Ok(())
}

async fn survey(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let pool = &state.pool;
    let order = authorize(pool, &id, &headers).await?;
    let (req, raw): (SurveyAnswer, _) = read_body(body).await?;
    check(req.problems())?;
    let scope = format!("{}:survey", order.id);
    idempotency::once(&state, &scope, &headers, &raw, || async {
        if order.status != kept_protocol::OrderStatus::OrderDelivered {
            return Err(ApiError::Conflict("the survey opens once the order is delivered"));
        }
        let done = sqlx::query(
            "INSERT INTO surveys (order_id, rating, comment, answered_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(&order.id)
        .bind(req.rating)
        .bind(req.comment.as_deref().map(str::trim).filter(|c| !c.is_empty()))
        .bind(clock::now())
        .execute(pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(ApiError::Conflict("the survey is already answered"));
        }
        state.hub.timeline(pool, &order.id, TimelineEvent::SurveyAnswered { rating: req.rating }).await?;
        Ok((StatusCode::CREATED, serde_json::json!({ "rating": req.rating })))
    })
    .await
}
