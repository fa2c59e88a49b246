//! The event outbox: every live update is a row written in the transaction of its change.

use kept_protocol::{Event, EventData, TimelineEntry, TimelineEvent};
use serde::Deserialize;
use sqlx::SqlitePool;

use super::Tx;
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
    let (id,): (i64,) = sqlx::query_as("INSERT INTO events (order_id, data, created_at) VALUES (?, ?, ?) RETURNING id")
        .bind(order)
        .bind(&json)
        .bind(clock::now())
        .fetch_one(tx.db())
        .await?;
    // The webhook it causes goes out with it or not at all.
    super::webhooks::for_event(tx, order, &data).await?;
    tx.publish(order, StoredEvent { id, name: data.name().to_owned(), json });
    Ok(Event { id, data })
}

/// Adds a timeline entry and its event.
pub async fn timeline(tx: &mut Tx, order: &str, event: TimelineEvent) -> Result<Event, ApiError> {
    let entry = TimelineEntry { at: clock::now(), event, by: tx.actor.clone() };
    sqlx::query("INSERT INTO timeline (order_id, at, event, actor) VALUES (?, ?, ?, ?)")
        .bind(order)
        .bind(&entry.at)
        .bind(serde_json::to_string(&entry.event)?)
        .bind(&entry.by)
        .execute(tx.db())
        .await?;
    add(tx, order, EventData::Timeline { entry }).await
}

#[derive(Deserialize)]
struct Kind {
    #[serde(rename = "type")]
    kind: String,
}

/// At most `limit` of the order's committed events after `after`, oldest first.
pub async fn after(pool: &SqlitePool, order: &str, after: i64, limit: i64) -> Result<Vec<StoredEvent>, ApiError> {
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, data FROM events WHERE order_id = ? AND id > ? ORDER BY id LIMIT ?")
            .bind(order)
            .bind(after)
            .bind(limit)
            .fetch_all(pool)
            .await?;
    rows.into_iter()
        .map(|(id, json)| {
            let Kind { kind } = serde_json::from_str(&json)?;
            Ok(StoredEvent { id, name: kind, json })
        })
        .collect()
}

/// The id of the order's newest event (0 when it has none): where a stream without a position starts.
pub async fn last_id(pool: &SqlitePool, order: &str) -> Result<i64, ApiError> {
    let (id,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(id) FROM events WHERE order_id = ?").bind(order).fetch_one(pool).await?;
    Ok(id.unwrap_or(0))
}
