//! The server's shared keys and the orders' reply addresses.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;

use super::Tx;
use crate::db::Conn;
use crate::error::anyhow_lite;
use crate::ApiError;

fn internal(e: impl std::error::Error + Send + Sync + 'static) -> ApiError {
    ApiError::Internal(anyhow_lite::Error::new(e))
}

/// The key called `name`, made (32 random bytes) by the first instance that asks for it; every
/// instance on the same database gets the same one.
pub async fn server_key(tx: &mut Tx, name: &str) -> Result<Vec<u8>, ApiError> {
    let mut fresh = [0u8; 32];
    getrandom::fill(&mut fresh).map_err(|e| ApiError::Internal(anyhow_lite::Error::msg(e.to_string())))?;
    crate::sql!(tx.db(), |c| sqlx::query(
        "INSERT INTO server_keys (name, secret) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING"
    )
    .bind(name)
    .bind(B64.encode(fresh))
    .execute(c)
    .await
    .map(|_| ()))?;
    let (secret,): (String,) =
        crate::sql!(tx.db(), |c| sqlx::query_as("SELECT secret FROM server_keys WHERE name = $1")
            .bind(name)
            .fetch_one(c)
            .await)?;
    B64.decode(secret).map_err(internal)
}

/// The order's reply tag, made with its first email.
pub async fn reply_tag(tx: &mut Tx, order: &str) -> Result<String, ApiError> {
    let mut random = [0u8; 13];
    getrandom::fill(&mut random).map_err(|e| ApiError::Internal(anyhow_lite::Error::msg(e.to_string())))?;
    let fresh = crate::domain::inbound::new_tag(random);
    let (tag,): (String,) = crate::sql!(tx.db(), |c| sqlx::query_as(
        "UPDATE orders SET reply_tag = COALESCE(reply_tag, $2) WHERE id = $1 RETURNING reply_tag"
    )
    .bind(order)
    .bind(&fresh)
    .fetch_one(c)
    .await)?;
    Ok(tag)
}

/// The order a reply tag belongs to.
pub async fn order_of_tag(conn: &mut Conn, tag: &str) -> Result<Option<String>, ApiError> {
    let row: Option<(String,)> = crate::sql!(conn, |c| sqlx::query_as("SELECT id FROM orders WHERE reply_tag = $1")
        .bind(tag)
        .fetch_optional(c)
        .await)?;
    Ok(row.map(|(id,)| id))
}
