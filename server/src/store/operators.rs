//! Named operator accounts, their sessions and failed sign-ins.

use jiff::Timestamp;
use sqlx::{SqliteConnection, SqlitePool};

use super::Tx;
use crate::{clock, ApiError};

/// A signed-in operator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub name: String,
    pub display_name: String,
}

/// Adds an account; false when the name is taken.
pub async fn add(conn: &mut SqliteConnection, name: &str, display_name: &str, hash: &str) -> Result<bool, ApiError> {
    let done = sqlx::query(
        "INSERT INTO operators (name, display_name, password_hash, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(display_name)
    .bind(hash)
    .bind(clock::now())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// The account and its password hash.
pub async fn by_name(pool: &SqlitePool, name: &str) -> Result<Option<(Account, String)>, ApiError> {
    let row: Option<(i64, String, String, String)> =
        sqlx::query_as("SELECT id, name, display_name, password_hash FROM operators WHERE name = ?")
            .bind(name)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(|(id, name, display_name, hash)| (Account { id, name, display_name }, hash)))
}

/// Failed sign-ins for `name` since `since`.
pub async fn failures(pool: &SqlitePool, name: &str, since: Timestamp) -> Result<(u32, Option<String>), ApiError> {
    let (n, first): (i64, Option<String>) =
        sqlx::query_as("SELECT COUNT(*), MIN(at) FROM sign_in_failures WHERE name = ? AND at >= ?")
            .bind(name)
            .bind(clock::rfc3339(since))
            .fetch_one(pool)
            .await?;
    Ok((n as u32, first))
}

/// Records a failed sign-in.
pub async fn failed(tx: &mut Tx, name: &str) -> Result<(), ApiError> {
    sqlx::query("INSERT INTO sign_in_failures (name, at) VALUES (?, ?)")
        .bind(name)
        .bind(clock::now())
        .execute(tx.db())
        .await?;
    Ok(())
}

/// Opens a session after a good password, forgetting earlier failures.
pub async fn open_session(
    tx: &mut Tx,
    account: i64,
    name: &str,
    token_hash: &[u8],
    expires: Timestamp,
) -> Result<(), ApiError> {
    sqlx::query("DELETE FROM sign_in_failures WHERE name = ?").bind(name).execute(tx.db()).await?;
    sqlx::query("INSERT INTO operator_sessions (token_hash, operator_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
        .bind(token_hash)
        .bind(account)
        .bind(clock::now())
        .bind(clock::rfc3339(expires))
        .execute(tx.db())
        .await?;
    Ok(())
}

/// The account of an unexpired session.
pub async fn session(pool: &SqlitePool, token_hash: &[u8]) -> Result<Option<Account>, ApiError> {
    let row: Option<(i64, String, String)> = sqlx::query_as(
        "SELECT o.id, o.name, o.display_name FROM operator_sessions s JOIN operators o ON o.id = s.operator_id \
         WHERE s.token_hash = ? AND s.expires_at > ?",
    )
    .bind(token_hash)
    .bind(clock::now())
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|(id, name, display_name)| Account { id, name, display_name }))
}

/// Ends a session.
pub async fn close_session(tx: &mut Tx, token_hash: &[u8]) -> Result<(), ApiError> {
    sqlx::query("DELETE FROM operator_sessions WHERE token_hash = ?").bind(token_hash).execute(tx.db()).await?;
    Ok(())
}
