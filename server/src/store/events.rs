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
    let mut added = add_all(tx, order, None, vec![data]).await?;
    added.pop().ok_or(ApiError::Conflict("this change could not be stored; try again"))
}

/// Adds a timeline entry and its event.
pub async fn timeline(tx: &mut Tx, order: &str, event: TimelineEvent) -> Result<Event, ApiError> {
    let mut added = add_all(tx, order, Some(event), Vec::new()).await?;
    added.pop().ok_or(ApiError::Conflict("this change could not be stored; try again"))
}

/// Stores `data` as the order's next events, in order, and with `entry` a timeline entry whose
/// event comes last: on PostgreSQL in one statement (one round trip, where each was one), on
/// SQLite in two at most. Their streams are woken after the commit.
pub async fn add_all(
    tx: &mut Tx,
    order: &str,
    entry: Option<TimelineEvent>,
    mut data: Vec<EventData>,
) -> Result<Vec<Event>, ApiError> {
    let entry = entry.map(|event| TimelineEntry { at: clock::now(), event, by: tx.actor.clone() });
    let entry_json = entry.as_ref().map(|e| serde_json::to_string(&e.event)).transpose()?;
    if let Some(entry) = &entry {
        data.push(EventData::Timeline { entry: entry.clone() });
    }
    let json: Vec<String> = data.iter().map(serde_json::to_string).collect::<Result<_, _>>()?;
    tx.lock_order(order).await?;
    let now = Stamp(clock::now());
    let entry_json = entry_json.unwrap_or_default();
    // The entry's row goes in the same round trip: on PostgreSQL in the statement (a
    // data-modifying WITH), on SQLite as a statement before it in the same call (sqlx binds each
    // statement's `$n` from the one list).
    let timeline = match entry {
        Some(_) => {
            let n = json.len();
            let row = format!(
                "INSERT INTO timeline (order_id, at, event, actor) VALUES ($1, ${}, ${}, ${})",
                n + 3,
                n + 4,
                n + 5
            );
            if tx.db().is_pg() {
                format!("WITH t AS ({row}) ")
            } else {
                format!("{row}; ")
            }
        }
        None => String::new(),
    };
    let values: Vec<String> = (0..json.len()).map(|i| format!("($1, ${}, $2)", i + 3)).collect();
    let sql =
        format!("{timeline}INSERT INTO events (order_id, data, created_at) VALUES {} RETURNING id", values.join(", "));
    let rows: Vec<(i64,)> = crate::sql!(tx.db(), |c| {
        let mut q = sqlx::query_as(&sql).bind(order).bind(&now);
        for j in &json {
            q = q.bind(Jsonb::from(j.as_str()));
        }
        if let Some(entry) = &entry {
            q = q.bind(Stamp::from(&entry.at)).bind(Jsonb::from(entry_json.as_str())).bind(&entry.by);
        }
        q.fetch_all(c).await
    })?;
    inserted(tx, order, rows.into_iter().map(|(id,)| id).collect(), data, json).await
}

/// What follows the insert of the order's events `data` (as `json`) under `ids`: their webhooks
/// and notifications, and their streams woken after the commit.
pub(crate) async fn inserted(
    tx: &mut Tx,
    order: &str,
    mut ids: Vec<i64>,
    data: Vec<EventData>,
    json: Vec<String>,
) -> Result<Vec<Event>, ApiError> {
    // Ids are given in the order the rows were inserted, which is the order of `data`.
    ids.sort_unstable();
    if ids.len() != data.len() {
        return Err(ApiError::Conflict("this change could not be stored; try again"));
    }
    let mut added = Vec::with_capacity(data.len());
    for ((id, data), json) in ids.into_iter().zip(data).zip(json) {
        // The webhook it causes goes out with it or not at all; so does the notification that
        // carries it to her channel should she not see it.
        super::webhooks::for_event(tx, order, &data).await?;
        if crate::domain::notify::tells_her(&data) {
            super::notifications::schedule(tx, order).await?;
        }
        tx.publish(order, StoredEvent { id, name: data.name().to_owned(), json });
        added.push(Event { id, data });
    }
    Ok(added)
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
