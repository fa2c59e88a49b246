//! Live updates: stored first (so they can be resumed), then fanned out to subscribers.

use std::sync::Arc;

use kept_protocol::{Event, EventData, TimelineEntry, TimelineEvent};
use sqlx::{SqliteConnection, SqlitePool};
use tokio::sync::broadcast;

use crate::{clock, ApiError};

/// A stored event as every stream sends it: serialized once, shared by all subscribers.
#[derive(Debug)]
pub struct Live {
    pub order: String,
    pub id: i64,
    pub name: &'static str,
    pub json: String,
}

/// Fans stored events out to every open stream; a stream filters its own order.
#[derive(Clone)]
pub struct Hub {
    tx: broadcast::Sender<Arc<Live>>,
}

impl Default for Hub {
    fn default() -> Hub {
        Hub::new()
    }
}

impl Hub {
    /// A hub with room for bursts; a subscriber that falls further behind is disconnected and
    /// resumes from the database with its Last-Event-ID.
    pub fn new() -> Hub {
        Hub { tx: broadcast::channel(4096).0 }
    }

    /// A receiver of every event from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Live>> {
        self.tx.subscribe()
    }

    /// Stores `data` as the order's next event and sends it to live subscribers.
    pub async fn publish(&self, pool: &SqlitePool, order: &str, data: EventData) -> Result<Event, ApiError> {
        let event = store(&mut *pool.acquire().await?, order, data).await?;
        self.send(order, &event);
        Ok(event)
    }

    /// Sends a stored event to live subscribers; none is not an error (the event waits in the database).
    pub fn send(&self, order: &str, event: &Event) {
        // Serialized once here rather than once per subscriber.
        let json = serde_json::to_string(&event.data).unwrap_or_else(|_| "{}".to_owned());
        let live = Live { order: order.to_owned(), id: event.id, name: event.data.name(), json };
        let _ = self.tx.send(Arc::new(live));
    }

    /// Adds a timeline entry and publishes it.
    pub async fn timeline(&self, pool: &SqlitePool, order: &str, event: TimelineEvent) -> Result<(), ApiError> {
        let event = store_timeline(&mut *pool.acquire().await?, order, event).await?;
        self.send(order, &event);
        Ok(())
    }
}

/// Stores `data` as the order's next event, inside the caller's transaction; send it after commit.
pub async fn store(conn: &mut SqliteConnection, order: &str, data: EventData) -> Result<Event, ApiError> {
    let (id,): (i64,) = sqlx::query_as("INSERT INTO events (order_id, data, created_at) VALUES (?, ?, ?) RETURNING id")
        .bind(order)
        .bind(serde_json::to_string(&data)?)
        .bind(clock::now())
        .fetch_one(&mut *conn)
        .await?;
    Ok(Event { id, data })
}

/// Adds a timeline entry and stores its event, inside the caller's transaction.
pub async fn store_timeline(conn: &mut SqliteConnection, order: &str, event: TimelineEvent) -> Result<Event, ApiError> {
    let entry = TimelineEntry { at: clock::now(), event };
    sqlx::query("INSERT INTO timeline (order_id, at, event) VALUES (?, ?, ?)")
        .bind(order)
        .bind(&entry.at)
        .bind(serde_json::to_string(&entry.event)?)
        .execute(&mut *conn)
        .await?;
    store(conn, order, EventData::Timeline { entry }).await
}

/// The order's stored events after `after`, oldest first.
pub async fn since(pool: &SqlitePool, order: &str, after: i64) -> Result<Vec<Event>, ApiError> {
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, data FROM events WHERE order_id = ? AND id > ? ORDER BY id LIMIT 10000")
            .bind(order)
            .bind(after)
            .fetch_all(pool)
            .await?;
    rows.into_iter().map(|(id, data)| Ok(Event { id, data: serde_json::from_str(&data)? })).collect()
}
