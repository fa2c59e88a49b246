//! `GET /v1/shop`: the shop profile, with availability and reply time computed as it answers.

use crate::db::Pool;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use jiff::Timestamp;
use kept_protocol::ShopProfile;

use crate::domain::reply_time;
use crate::domain::schedule::{OpenState, Schedule};
use crate::store::{console, messages, orders};
use crate::{clock, ApiError, AppState};

/// This module's routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/shop", get(profile))
}

/// How long after its last heartbeat an operator still counts as online.
const PRESENCE_SECS: i64 = 60;

async fn profile(State(state): State<AppState>) -> Result<Json<ShopProfile>, ApiError> {
    Ok(Json(live(&state.pool, crate::clock::instant()).await?))
}

/// The stored profile with availability and the measured reply time as of `now`; reads a fixed
/// number of rows whatever the shop's history (the reply time reads the newest samples only).
pub async fn live(pool: &Pool, now: Timestamp) -> Result<ShopProfile, ApiError> {
    let conn = &mut pool.acquire().await?;
    let mut shop = ShopProfile::clone(&*orders::shop(conn).await?);
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
    shop.availability.operators_online = console::online(pool, since).await?;
    shop.availability.online = console::online_names(pool, since).await?;
    shop.reply_time = reply_time::median(messages::reply_waits(conn, reply_time::window_start(now)).await?);
    Ok(shop)
}
