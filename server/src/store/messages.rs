//! Messages: stored with their event in one transaction; the wait for the shop's first reply is
//! kept as they are written, so neither the console nor the public profile scans the history.

use crate::db::{Conn, Pool, Stamp};
use jiff::Timestamp;
use kept_protocol::chat::AuthorKind;
use kept_protocol::{EventData, Message, MessagePage, PromiseKind};

use super::{events, promises, Tx};
use crate::{clock, ApiError};

/// Largest page of messages.
pub const PAGE_MAX: i64 = 200;

type MessageRow = (i64, Option<String>, String, Option<String>, String, Stamp);
const COLUMNS: &str = "id, client_id, author, author_name, text, sent_at";

fn message(row: MessageRow) -> Result<Message, ApiError> {
    let (id, client_id, author, author_name, text, sent_at) = row;
    Ok(Message {
        id,
        client_id,
        author: serde_json::from_value(serde_json::Value::String(author))?,
        author_name,
        text,
        sent_at: sent_at.0,
    })
}

/// A new message to store.
pub struct NewMessage<'a> {
    pub order: &'a str,
    pub author: AuthorKind,
    pub author_name: Option<&'a str>,
    /// The client's id for de-duplication (customers only).
    pub client_id: Option<&'a str>,
    pub text: &'a str,
    /// When it was sent (the clock is injected so the reply-time rules can be tested).
    pub at: Timestamp,
}

/// Stores a message once per (order, client id) with its event; `false` when it was there already.
pub async fn add(tx: &mut Tx, m: NewMessage<'_>) -> Result<(Message, bool), ApiError> {
    let now = m.at;
    let inserted: Option<MessageRow> = crate::sql!(tx.db(), |c| {
        sqlx::query_as(&format!(
        "INSERT INTO messages (order_id, client_id, author, author_name, text, sent_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (order_id, client_id) DO NOTHING RETURNING {COLUMNS}"
    ))
    .bind(m.order)
    .bind(m.client_id)
    .bind(m.author.as_str())
    .bind(m.author_name)
    .bind(m.text)
    .bind(Stamp(clock::rfc3339(now)))
    .fetch_optional(c).await
    })?;
    let Some(row) = inserted else {
        let row: MessageRow = crate::sql!(tx.db(), |c| sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM messages WHERE order_id = $1 AND client_id = $2"
        ))
        .bind(m.order)
        .bind(m.client_id)
        .fetch_one(c)
        .await)?;
        return Ok((message(row)?, false));
    };
    let stored = message(row)?;
    let event = events::add(tx, m.order, EventData::Message { message: stored.clone() }).await?;
    match m.author {
        AuthorKind::Customer => {
            // Only the oldest unanswered message opens a reply promise ("next reply" semantics).
            let waits = crate::sql!(tx.db(), |c| sqlx::query(
                "UPDATE orders SET waiting_since = $1 WHERE id = $2 AND waiting_since IS NULL"
            )
            .bind(Stamp::from(&stored.sent_at))
            .bind(m.order)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
            if waits > 0 {
                reply_promised(tx, m.order, now).await?;
            }
        }
        AuthorKind::Operator => {
            answered(tx, m.order, now).await?;
            // The answer keeps (or closes late) her reply promise and answers her open claims.
            for kind in [PromiseKind::Reply, PromiseKind::Claim] {
                let owed = promises::Owed { kind, subject: None };
                promises::close(tx, m.order, owed, promises::Close::Done, now, Some(event.id)).await?;
            }
        }
        _ => {}
    }
    Ok((stored, true))
}

/// Her message opens a reply promise: due the reply time she is shown now (the measured median,
/// or the default while unmeasured) later, in the shop's working hours.
async fn reply_promised(tx: &mut Tx, order: &str, at: Timestamp) -> Result<(), ApiError> {
    if !promises::recording() {
        return Ok(());
    }
    let shop = super::orders::shop(tx.db()).await?;
    let minutes = shown_minutes(tx.db(), at).await?;
    let schedule = crate::domain::schedule::Schedule::new(&shop);
    let due = crate::domain::promise::reply_due(schedule.as_ref(), at, minutes);
    let p = promises::NewPromise {
        promised_minutes: Some(minutes),
        ..promises::NewPromise::due(PromiseKind::Reply, at, due)
    };
    promises::open(tx, order, p).await?;
    Ok(())
}

/// The reply time the widget shows at `now`, in minutes, as `GET /v1/shop` computes it (read
/// once per promise: only her oldest unanswered message opens one).
async fn shown_minutes(conn: &mut Conn, now: Timestamp) -> Result<u32, ApiError> {
    let waits = reply_waits(conn, crate::domain::reply_time::window_start(now)).await?;
    Ok(kept_protocol::ReplyTime::promised_minutes(crate::domain::reply_time::median(waits).as_ref()))
}

/// The shop answered: the customer's wait, in working seconds, becomes a reply-time sample.
async fn answered(tx: &mut Tx, order: &str, now: Timestamp) -> Result<(), ApiError> {
    let (since,): (Option<Stamp>,) =
        crate::sql!(tx.db(), |c| sqlx::query_as("SELECT waiting_since FROM orders WHERE id = $1")
            .bind(order)
            .fetch_one(c)
            .await)?;
    let Some(since) = since.and_then(|s| s.0.parse::<Timestamp>().ok()) else { return Ok(()) };
    let shop = super::orders::shop(tx.db()).await?;
    let seconds = crate::domain::reply_time::wait_seconds(&shop, since, now);
    crate::sql!(tx.db(), |c| sqlx::query(
        "INSERT INTO reply_waits (order_id, replied_at, seconds) VALUES ($1, $2, $3)"
    )
    .bind(order)
    .bind(Stamp(clock::rfc3339(now)))
    .bind(seconds)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    crate::sql!(tx.db(), |c| sqlx::query("UPDATE orders SET waiting_since = NULL WHERE id = $1")
        .bind(order)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A page of the order's messages, oldest first: after `after` (catching up) or before `before`.
pub async fn page(
    pool: &Pool,
    order: &str,
    after: Option<i64>,
    before: Option<i64>,
    limit: i64,
) -> Result<MessagePage, ApiError> {
    let limit = limit.clamp(1, PAGE_MAX);
    let rows: Vec<MessageRow> = match after {
        Some(after) => crate::sql!(pool, |c| sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM messages WHERE order_id = $1 AND id > $2 ORDER BY id LIMIT $3"
        ))
        .bind(order)
        .bind(after)
        .bind(limit)
        .fetch_all(c)
        .await)?,
        None => {
            let mut rows: Vec<MessageRow> = crate::sql!(pool, |c| sqlx::query_as(&format!(
                "SELECT {COLUMNS} FROM messages WHERE order_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"
            ))
            .bind(order)
            .bind(before.unwrap_or(i64::MAX))
            .bind(limit)
            .fetch_all(c)
            .await)?;
            rows.reverse();
            rows
        }
    };
    let messages = rows.into_iter().map(message).collect::<Result<Vec<_>, _>>()?;
    let older = match messages.first().map(|m| m.id) {
        Some(first) => {
            let older: Option<(i64,)> = crate::sql!(pool, |c| sqlx::query_as(
                "SELECT id FROM messages WHERE order_id = $1 AND id < $2 LIMIT 1"
            )
            .bind(order)
            .bind(first)
            .fetch_optional(c)
            .await)?;
            older.map(|_| first)
        }
        None => None,
    };
    Ok(MessagePage { messages, older })
}

/// The shop's people's messages after `after`, oldest first (at most 50: a notification carries
/// no more).
pub async fn shop_after(conn: &mut Conn, order: &str, after: i64) -> Result<Vec<Message>, ApiError> {
    let rows: Vec<MessageRow> = crate::sql!(conn, |c| sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM messages WHERE order_id = $1 AND author = 'operator' AND id > $2 ORDER BY id LIMIT 50"
    ))
    .bind(order)
    .bind(after)
    .fetch_all(c)
    .await)?;
    rows.into_iter().map(message).collect()
}

/// Ok when the order's customer may post the message `client_id` at `now`: it is one they
/// posted before (the same message again counts nothing), or they posted fewer than `limit` in
/// the last `window_secs`. Otherwise `Err(Ok(seconds))` until they may; `Err(Err(_))` when the
/// store fails. One read for both.
pub async fn may_post(
    conn: &mut Conn,
    order: &str,
    client_id: &str,
    now: Timestamp,
    limit: u32,
    window_secs: u64,
) -> Result<(), Result<u64, ApiError>> {
    let window = jiff::SignedDuration::from_secs(window_secs.max(1) as i64);
    let since = now.checked_sub(window).unwrap_or(now);
    let (before, n, oldest): (i64, i64, Option<Stamp>) = crate::sql!(conn, |c| sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM messages WHERE order_id = $1 AND client_id = $3), COUNT(*), MIN(sent_at) \
         FROM messages WHERE order_id = $1 AND author = 'customer' AND sent_at > $2",
    )
    .bind(order)
    .bind(Stamp(clock::rfc3339(since)))
    .bind(client_id)
    .fetch_one(c)
    .await)
    .map_err(|e| Err(e.into()))?;
    if before > 0 || n < i64::from(limit) {
        return Ok(());
    }
    let frees = oldest.and_then(|o| o.0.parse::<Timestamp>().ok()).and_then(|o| o.checked_add(window).ok());
    let wait = frees.map_or(window_secs, |f| (f.as_second() - now.as_second()).max(1) as u64);
    Err(Ok(wait))
}

/// Median working-hours wait for the shop's first reply over the answers since `from`: reads
/// at most the newest 1,000 samples, whatever the history.
pub async fn reply_waits(conn: &mut Conn, from: Timestamp) -> Result<Vec<i64>, ApiError> {
    let rows: Vec<(i64,)> = crate::sql!(conn, |c| sqlx::query_as(
        "SELECT seconds FROM reply_waits WHERE replied_at >= $1 ORDER BY replied_at DESC LIMIT 1000"
    )
    .bind(Stamp(clock::rfc3339(from)))
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(|(s,)| s).collect())
}
