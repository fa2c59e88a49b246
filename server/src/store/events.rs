//! The event outbox: every live update is a row written in the transaction of its change.

use kept_protocol::{Event, EventData, TimelineEntry, TimelineEvent};
use serde::Deserialize;

use super::Tx;
use crate::db::{Jsonb, Pool, Stamp};
use crate::{clock, ApiError};

/// An event as stored: its id, its SSE name and its data as JSON, ready to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEvent {
    pub id: i64,
    pub name: String,
    pub json: String,
}

/// Stores `data` as the order's next event; its streams are woken after the commit.
pub async fn add(tx: &mut Tx, order: &str, data: EventData) -> Result<Event, ApiError> {
    let json = serde_json::to_string(&data)?;
    tx.lock_order(order).await?;
    let (id,): (i64,) = crate::sql!(tx.db(), |c| sqlx::query_as(
        "INSERT INTO events (order_id, data, created_at) VALUES ($1, $2, $3) RETURNING id"
    )
    .bind(order)
    .bind(Jsonb::from(json.as_str()))
    .bind(Stamp(clock::now()))
    .fetch_one(c)
    .await)?;
    // The webhook it causes goes out with it or not at all; so does the notification that
    // carries it to her channel should she not see it.
    super::webhooks::for_event(tx, order, &data).await?;
    if crate::domain::notify::tells_her(&data) {
        super::notifications::schedule(tx, order).await?;
    }
    tx.publish(order, StoredEvent { id, name: data.name().to_owned(), json });
    Ok(Event { id, data })
}

/// Adds a timeline entry and its event.
pub async fn timeline(tx: &mut Tx, order: &str, event: TimelineEvent) -> Result<Event, ApiError> {
    let entry = TimelineEntry { at: clock::now(), event, by: tx.actor.clone() };
    crate::sql!(tx.db(), |c| sqlx::query("INSERT INTO timeline (order_id, at, event, actor) VALUES ($1, $2, $3, $4)")
        .bind(order)
        .bind(Stamp::from(&entry.at))
        .bind(Jsonb(serde_json::to_string(&entry.event)?))
        .bind(&entry.by)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    add(tx, order, EventData::Timeline { entry }).await
}

#[derive(Deserialize)]
struct Kind {
    #[serde(rename = "type")]
    kind: String,
}

/// At most `limit` of the order's committed events after `after`, oldest first.
pub async fn after(pool: &Pool, order: &str, after: i64, limit: i64) -> Result<Vec<StoredEvent>, ApiError> {
    let rows: Vec<(i64, Jsonb)> = crate::sql!(pool, |c| sqlx::query_as(
        "SELECT id, data FROM events WHERE order_id = $1 AND id > $2 ORDER BY id LIMIT $3"
    )
    .bind(order)
    .bind(after)
    .bind(limit)
    .fetch_all(c)
    .await)?;
    stored(rows)
}

/// The order's newest `limit` committed events, oldest first.
pub async fn newest(pool: &Pool, order: &str, limit: i64) -> Result<Vec<StoredEvent>, ApiError> {
    let mut rows: Vec<(i64, Jsonb)> = crate::sql!(pool, |c| sqlx::query_as(
        "SELECT id, data FROM events WHERE order_id = $1 ORDER BY id DESC LIMIT $2"
    )
    .bind(order)
    .bind(limit)
    .fetch_all(c)
    .await)?;
    rows.reverse();
    stored(rows)
}

fn stored(rows: Vec<(i64, Jsonb)>) -> Result<Vec<StoredEvent>, ApiError> {
    rows.into_iter()
        .map(|(id, Jsonb(json))| {
            let Kind { kind } = serde_json::from_str(&json)?;
            Ok(StoredEvent { id, name: kind, json })
        })
        .collect()
}

/// The id of the order's newest event (0 when it has none): where a stream without a position starts.
pub async fn last_id(pool: &Pool, order: &str) -> Result<i64, ApiError> {
    let (id,): (Option<i64>,) =
        crate::sql!(pool, |c| sqlx::query_as("SELECT MAX(id) FROM events WHERE order_id = $1")
            .bind(order)
            .fetch_one(c)
            .await)?;
    Ok(id.unwrap_or(0))
}
