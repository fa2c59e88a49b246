//! `GET /v1/shop`: the shop profile, with availability and reply time computed as it answers.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use jiff::Timestamp;
use kept_protocol::{ReplyTime, ShopProfile};
use sqlx::SqlitePool;

use crate::hours::{OpenState, Schedule};
use crate::{clock, ApiError, AppState};

/// This module's routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/shop", get(profile))
}

/// How long after its last heartbeat an operator still counts as online.
const PRESENCE_SECS: i64 = 60;
/// The window the reply time is measured over.
const REPLY_WINDOW_DAYS: i64 = 7;

async fn profile(State(state): State<AppState>) -> Result<Json<ShopProfile>, ApiError> {
    Ok(Json(live(&state.pool, Timestamp::now()).await?))
}

/// The stored profile with availability and the measured reply time as of `now`.
pub async fn live(pool: &SqlitePool, now: Timestamp) -> Result<ShopProfile, ApiError> {
    let mut shop = load(pool).await?;
    let schedule = Schedule::new(&shop);
    if let Some(s) = &schedule {
        match s.state(now) {
            OpenState::OpenUntil(t) => {
                shop.availability.open_now = true;
                shop.availability.closes_at = Some(clock::rfc3339(t));
            }
            OpenState::ClosedUntil(t) => shop.availability.next_opening = t.map(clock::rfc3339),
        }
    }
    let since = Timestamp::from_second(now.as_second() - PRESENCE_SECS).unwrap_or(now);
    let (online,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM operator_presence WHERE last_seen >= ?")
        .bind(clock::rfc3339(since))
        .fetch_one(pool)
        .await?;
    shop.availability.operators_online = online as u32;
    shop.reply_time = match &schedule {
        Some(s) => reply_time(pool, s, now).await?,
        None => None,
    };
    Ok(shop)
}

/// Median working-hours time from a customer's first waiting message to the operator's reply.
pub async fn reply_time(pool: &SqlitePool, schedule: &Schedule, now: Timestamp) -> Result<Option<ReplyTime>, ApiError> {
    let from = Timestamp::from_second(now.as_second() - REPLY_WINDOW_DAYS * 86_400).unwrap_or(now);
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT order_id, author, sent_at FROM messages WHERE sent_at >= ? AND author IN ('customer', 'operator') \
         ORDER BY order_id, id",
    )
    .bind(clock::rfc3339(from))
    .fetch_all(pool)
    .await?;
    let mut waits: Vec<i64> = Vec::new();
    let mut waiting: Option<(String, Timestamp)> = None;
    for (order, author, sent_at) in rows {
        let Ok(at) = sent_at.parse::<Timestamp>() else { continue };
        if waiting.as_ref().is_some_and(|(o, _)| *o != order) {
            waiting = None;
        }
        match (author.as_str(), &waiting) {
            ("customer", None) => waiting = Some((order, at)),
            ("operator", Some((_, asked))) => {
                waits.push(schedule.working_seconds(*asked, at));
                waiting = None;
            }
            _ => {}
        }
    }
    if waits.is_empty() {
        return Ok(None);
    }
    waits.sort_unstable();
    let n = waits.len();
    let median = if n % 2 == 1 { waits[n / 2] } else { (waits[n / 2 - 1] + waits[n / 2]) / 2 };
    Ok(Some(ReplyTime {
        median_seconds: median.max(0) as u32,
        sample_size: n as u32,
        window_days: REPLY_WINDOW_DAYS as u32,
    }))
}

/// The stored shop profile.
pub async fn load(pool: &SqlitePool) -> Result<ShopProfile, ApiError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT profile FROM shop WHERE id = 1").fetch_optional(pool).await?;
    let (json,) = row.ok_or(ApiError::NotFound("shop profile"))?;
    Ok(serde_json::from_str(&json)?)
}

/// Stores the shop profile, replacing the previous one.
pub async fn save(pool: &SqlitePool, profile: &ShopProfile) -> Result<(), ApiError> {
    sqlx::query(
        "INSERT INTO shop (id, profile) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET profile = excluded.profile",
    )
    .bind(serde_json::to_string(profile)?)
    .execute(pool)
    .await?;
    Ok(())
}
