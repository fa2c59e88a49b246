//! Named operator accounts, their sessions and failed sign-ins.

use crate::db::{Conn, Pool, Stamp};
use jiff::Timestamp;
use kept_protocol::operator::OperatorAccount;

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
pub async fn add(conn: &mut Conn, name: &str, display_name: &str, hash: &str) -> Result<bool, ApiError> {
    let done = crate::sql!(conn, |c| {
        sqlx::query(
        "INSERT INTO operators (name, display_name, password_hash, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(display_name)
    .bind(hash)
    .bind(Stamp(clock::now()))
    .execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(done > 0)
}

/// The account and its password hash, unless it is disabled.
pub async fn by_name(pool: &Pool, name: &str) -> Result<Option<(Account, String)>, ApiError> {
    let row: Option<(i64, String, String, String)> = crate::sql!(pool, |c| sqlx::query_as(
        "SELECT id, name, display_name, password_hash FROM operators WHERE name = $1 AND disabled_at IS NULL"
    )
    .bind(name)
    .fetch_optional(c)
    .await)?;
    Ok(row.map(|(id, name, display_name, hash)| (Account { id, name, display_name }, hash)))
}

/// Failed sign-ins for `name` since `since`.
pub async fn failures(pool: &Pool, name: &str, since: Timestamp) -> Result<(u32, Option<String>), ApiError> {
    let (n, first): (i64, Option<Stamp>) = crate::sql!(pool, |c| sqlx::query_as(
        "SELECT COUNT(*), MIN(at) FROM sign_in_failures WHERE name = $1 AND at >= $2"
    )
    .bind(name)
    .bind(Stamp(clock::rfc3339(since)))
    .fetch_one(c)
    .await)?;
    Ok((n as u32, first.map(|s| s.0)))
}

/// Records a failed sign-in.
pub async fn failed(tx: &mut Tx, name: &str) -> Result<(), ApiError> {
    crate::sql!(tx.db(), |c| sqlx::query("INSERT INTO sign_in_failures (name, at) VALUES ($1, $2)")
        .bind(name)
        .bind(Stamp(clock::now()))
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
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
    crate::sql!(tx.db(), |c| sqlx::query("DELETE FROM sign_in_failures WHERE name = $1")
        .bind(name)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    crate::sql!(tx.db(), |c| sqlx::query(
        "INSERT INTO operator_sessions (token_hash, operator_id, created_at, expires_at) VALUES ($1, $2, $3, $4)"
    )
    .bind(token_hash)
    .bind(account)
    .bind(Stamp(clock::now()))
    .bind(Stamp(clock::rfc3339(expires)))
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The account of an unexpired session of an enabled operator.
pub async fn session(pool: &Pool, token_hash: &[u8]) -> Result<Option<Account>, ApiError> {
    let row: Option<(i64, String, String)> = crate::sql!(pool, |c| sqlx::query_as(
        "SELECT o.id, o.name, o.display_name FROM operator_sessions s JOIN operators o ON o.id = s.operator_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND o.disabled_at IS NULL",
    )
    .bind(token_hash)
    .bind(Stamp(clock::now()))
    .fetch_optional(c)
    .await)?;
    Ok(row.map(|(id, name, display_name)| Account { id, name, display_name }))
}

/// Ends a session.
pub async fn close_session(tx: &mut Tx, token_hash: &[u8]) -> Result<(), ApiError> {
    crate::sql!(tx.db(), |c| sqlx::query("DELETE FROM operator_sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// An account row: name, display name, disabled at, created at.
type AccountRow = (String, String, Option<Stamp>, Stamp);

fn account_of((name, display_name, disabled, created): AccountRow) -> OperatorAccount {
    OperatorAccount { name, display_name, disabled: disabled.is_some(), created_at: created.0 }
}

/// Every account, by name, for the shop's staff system and the command line.
pub async fn list(pool: &Pool) -> Result<Vec<OperatorAccount>, ApiError> {
    let rows: Vec<AccountRow> = crate::sql!(pool, |c| sqlx::query_as(
        "SELECT name, display_name, disabled_at, created_at FROM operators ORDER BY name"
    )
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(account_of).collect())
}

/// One account, disabled or not.
pub async fn account(conn: &mut Conn, name: &str) -> Result<Option<OperatorAccount>, ApiError> {
    let row: Option<AccountRow> = crate::sql!(conn, |c| sqlx::query_as(
        "SELECT name, display_name, disabled_at, created_at FROM operators WHERE name = $1"
    )
    .bind(name)
    .fetch_optional(c)
    .await)?;
    Ok(row.map(account_of))
}

/// Ends every session of the account named `name`.
async fn end_sessions(conn: &mut Conn, name: &str) -> Result<(), ApiError> {
    crate::sql!(conn, |c| sqlx::query(
        "DELETE FROM operator_sessions WHERE operator_id IN (SELECT id FROM operators WHERE name = $1)"
    )
    .bind(name)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Disables (every session ends at once) or re-enables an account; false when there is none.
pub async fn set_disabled(conn: &mut Conn, name: &str, disabled: bool) -> Result<bool, ApiError> {
    let at = disabled.then(|| Stamp(clock::now()));
    let done = crate::sql!(conn, |c| sqlx::query("UPDATE operators SET disabled_at = $1 WHERE name = $2")
        .bind(at)
        .bind(name)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    if disabled {
        end_sessions(conn, name).await?;
    }
    Ok(done > 0)
}

/// Sets a new password hash; every old session ends. False when there is no such account.
pub async fn set_password(conn: &mut Conn, name: &str, hash: &str) -> Result<bool, ApiError> {
    let done = crate::sql!(conn, |c| sqlx::query("UPDATE operators SET password_hash = $1 WHERE name = $2")
        .bind(hash)
        .bind(name)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    end_sessions(conn, name).await?;
    Ok(done > 0)
}

/// Removes an account and its sessions; what they did stays attributed (the timeline and the
/// messages keep the name they acted under). False when there is no such account.
pub async fn remove(conn: &mut Conn, name: &str) -> Result<bool, ApiError> {
    end_sessions(conn, name).await?;
    let done = crate::sql!(conn, |c| sqlx::query("DELETE FROM operators WHERE name = $1")
        .bind(name)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done > 0)
}
