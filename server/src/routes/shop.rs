//! `GET /v1/shop`: the shop profile.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use kept_protocol::ShopProfile;
use sqlx::SqlitePool;

use crate::{ApiError, AppState};

/// This module's routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/shop", get(profile))
}

async fn profile(State(state): State<AppState>) -> Result<Json<ShopProfile>, ApiError> {
    Ok(Json(load(&state.pool).await?))
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
