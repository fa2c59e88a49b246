//! Orders, their agreements, change requests and the shop profile.

use std::sync::Arc;

use crate::db::{Conn, Jsonb, Stamp};
use kept_protocol::{
    ChangeRequest, DeliverySlot, EventData, Item, OrderStatus, Receipt, ShopProfile, TimelineEntry, TimelineEvent,
};

use super::{events, Tx};
use crate::{auth, ApiError};

pub use crate::domain::order::Order;

type OrderRow = (String, Jsonb, bool, Option<Jsonb>, Option<Jsonb>, Option<Jsonb>, Option<String>);
const ORDER_COLUMNS: &str = "status, items, editable, delivery_slot, payment_methods, contact, locale";

/// The order `id`, if there is one.
pub async fn load(conn: &mut Conn, id: &str) -> Result<Option<Order>, ApiError> {
    let row: Option<OrderRow> =
        crate::sql!(conn, |c| sqlx::query_as(&format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1"))
            .bind(id)
            .fetch_optional(c)
            .await)?;
    row.map(|row| order(id, row)).transpose()
}

fn order(id: &str, (status, items, editable, slot, payment, contact, locale): OrderRow) -> Result<Order, ApiError> {
    Ok(Order {
        id: id.to_owned(),
        status: parse_status(&status)?,
        items: serde_json::from_str(&items.0)?,
        editable,
        delivery_slot: slot.map(|s| serde_json::from_str(&s.0)).transpose()?,
        payment_methods: payment.map(|p| serde_json::from_str(&p.0)).transpose()?,
        contact: contact.map(|c| serde_json::from_str(&c.0)).transpose()?,
        locale: locale.as_deref().and_then(kept_protocol::Locale::parse),
    })
}

/// The order `id`, or 404.
pub async fn existing(conn: &mut Conn, id: &str) -> Result<Order, ApiError> {
    load(conn, id).await?.ok_or(ApiError::NotFound("order"))
}

/// A hash no token has (SHA-256 of nothing is never stored: tokens are never empty).
const NO_ORDER: [u8; 32] = [0; 32];

/// The order as a customer's request reads it: its token's hash beside its columns, one row
/// whether or not the order exists (every column NULL when it does not).
type AskedRow = (
    Option<Vec<u8>>,
    Option<String>,
    Option<Jsonb>,
    Option<bool>,
    Option<Jsonb>,
    Option<Jsonb>,
    Option<Jsonb>,
    Option<String>,
);
const ASKED_COLUMNS: &str = "o.token_hash, o.status, o.items, o.editable, o.delivery_slot, o.payment_methods, \
                             o.contact, o.locale";

/// The order of `row` if `token` is its customer token; otherwise exactly like a missing order,
/// doing the same work either way (a stand-in hash for a missing one) so the answer's timing does
/// not tell which ids exist.
fn authorized(id: &str, token: &str, row: AskedRow) -> Result<Order, ApiError> {
    let (hash, status, items, editable, slot, payment, contact, locale) = row;
    let matched = auth::matches(token, hash.as_deref().unwrap_or(&NO_ORDER[..]));
    match (matched, status, items, editable) {
        (true, Some(status), Some(items), Some(editable)) => {
            order(id, (status, items, editable, slot, payment, contact, locale))
        }
        _ => Err(ApiError::NotFound("order")),
    }
}

/// The order `id` if `token` is its customer token, in one read.
pub async fn authorize(conn: &mut Conn, id: &str, token: &str) -> Result<Order, ApiError> {
    let row: AskedRow = crate::sql!(conn, |c| sqlx::query_as(&format!(
        "SELECT {ASKED_COLUMNS} FROM (SELECT 1 AS one) AS x LEFT JOIN orders o ON o.id = $1"
    ))
    .bind(id)
    .fetch_one(c)
    .await)?;
    authorized(id, token, row)
}

/// What a customer's submission needs before it writes, read in one statement: the order (if the
/// token is its own), the shop profile, and the agreement an earlier attempt with this key stored.
pub struct Submission {
    pub order: Order,
    pub shop: Arc<ShopProfile>,
    /// The request hash and receipt of an earlier attempt with the same key.
    pub earlier: Option<(String, Receipt)>,
}

/// [`AskedRow`], then the shop's profile and an earlier attempt's request hash and receipt.
type SubmissionRow = (
    Option<Vec<u8>>,
    Option<String>,
    Option<Jsonb>,
    Option<bool>,
    Option<Jsonb>,
    Option<Jsonb>,
    Option<Jsonb>,
    Option<String>,
    Option<Jsonb>,
    Option<String>,
    Option<i64>,
    Option<Jsonb>,
    Option<String>,
    Option<Jsonb>,
    Option<Stamp>,
);

/// The order, the shop and an earlier attempt of `key`, for a customer's submission.
pub async fn submission(
    conn: &mut Conn,
    id: &str,
    token: &str,
    origin: Origin,
    key: &str,
) -> Result<Submission, ApiError> {
    let sql = format!(
        "SELECT {ASKED_COLUMNS}, s.profile, v.request_hash, v.version, v.preferences, v.digest, v.summary, \
         v.accepted_at FROM (SELECT 1 AS one) AS x LEFT JOIN orders o ON o.id = $1 LEFT JOIN shop s ON s.id = 1 \
         LEFT JOIN preference_versions v ON v.order_id = o.id AND v.origin = $2 AND v.idempotency_key = $3"
    );
    let row: SubmissionRow =
        crate::sql!(conn, |c| sqlx::query_as(&sql).bind(id).bind(origin.as_str()).bind(key).fetch_one(c).await)?;
    let (hash, status, items, editable, slot, payment, contact, locale, profile, earlier_hash, ..) = row.clone();
    let order = authorized(id, token, (hash, status, items, editable, slot, payment, contact, locale))?;
    let shop = parsed_shop(profile)?;
    let (.., version, preferences, digest, summary, accepted_at) = row;
    let earlier = match (earlier_hash, version, preferences, digest, summary, accepted_at) {
        (Some(h), Some(v), Some(p), Some(d), Some(s), Some(a)) => Some((h, receipt((v, p, d, s, a))?)),
        _ => None,
    };
    Ok(Submission { order, shop, earlier })
}

/// Whether the customer may still change the order's preferences (read without its items),
/// in the write transaction; on PostgreSQL the read also takes the order's lock (one statement
/// where it would be two).
pub async fn editable(tx: &mut Tx, id: &str) -> Result<bool, ApiError> {
    let pg = tx.db().is_pg();
    let sql = if pg {
        let endpoints = tx.endpoints_column();
        format!("{} SELECT status, editable, pg_notify($2, id)::text, {endpoints} FROM changed", super::MARK_CHANGED)
    } else {
        "SELECT status, editable, $2, NULL FROM orders WHERE id = $1".to_owned()
    };
    let row: Option<(String, bool, Option<String>, Option<String>)> =
        crate::sql!(tx.db(), |c| sqlx::query_as(&sql).bind(id).bind(crate::live::CHANNEL).fetch_optional(c).await)?;
    let (status, editable, _, endpoints) = row.ok_or(ApiError::NotFound("order"))?;
    if pg {
        tx.locked(id);
        tx.took_endpoints(endpoints)?;
    }
    Ok(editable && parse_status(&status)?.allows_edits())
}

/// A status as stored (its schema.org name).
pub fn parse_status(s: &str) -> Result<OrderStatus, ApiError> {
    Ok(serde_json::from_value(serde_json::Value::String(s.to_owned()))?)
}

/// The schema.org name of a status, as stored.
pub fn status_name(s: OrderStatus) -> String {
    serde_json::to_value(s).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// Replaces the order's items.
pub async fn save_items(tx: &mut Tx, order: &str, items: &[Item]) -> Result<(), ApiError> {
    crate::sql!(tx.db(), |c| sqlx::query("UPDATE orders SET items = $1 WHERE id = $2")
        .bind(Jsonb(serde_json::to_string(items)?))
        .bind(order)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Sets the status (closing edits when the status does) with its event and timeline entry.
pub async fn set_status(tx: &mut Tx, order: &str, status: OrderStatus) -> Result<(), ApiError> {
    crate::sql!(tx.db(), |c| sqlx::query("UPDATE orders SET status = $1, editable = editable AND $2 WHERE id = $3")
        .bind(status_name(status))
        .bind(status.allows_edits())
        .bind(order)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    events::add_all(tx, order, Some(TimelineEvent::Status { status }), vec![EventData::Status { status }]).await?;
    super::promises::status_changed(tx, order, status, crate::clock::instant()).await
}

/// Moves the delivery slot.
pub async fn set_slot(tx: &mut Tx, order: &str, slot: &DeliverySlot) -> Result<(), ApiError> {
    crate::sql!(tx.db(), |c| sqlx::query("UPDATE orders SET delivery_slot = $1 WHERE id = $2")
        .bind(Jsonb(serde_json::to_string(slot)?))
        .bind(order)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    super::promises::slot_agreed(tx, order, slot, crate::clock::instant()).await
}

/// The order's timeline, oldest first.
pub async fn timeline(conn: &mut Conn, order: &str) -> Result<Vec<TimelineEntry>, ApiError> {
    let rows: Vec<(Stamp, Jsonb, Option<String>)> =
        crate::sql!(conn, |c| sqlx::query_as("SELECT at, event, actor FROM timeline WHERE order_id = $1 ORDER BY id")
            .bind(order)
            .fetch_all(c)
            .await)?;
    rows.into_iter()
        .map(|(at, event, by)| Ok(TimelineEntry { at: at.0, event: serde_json::from_str(&event.0)?, by }))
        .collect()
}

/// Whether the order's survey is answered.
pub async fn surveyed(conn: &mut Conn, order: &str) -> Result<bool, ApiError> {
    let row: Option<(String,)> =
        crate::sql!(conn, |c| sqlx::query_as("SELECT order_id FROM surveys WHERE order_id = $1")
            .bind(order)
            .fetch_optional(c)
            .await)?;
    Ok(row.is_some())
}

pub(crate) type ReceiptRow = (i64, Jsonb, String, Jsonb, Stamp);
pub(crate) const RECEIPT_COLUMNS: &str = "version, preferences, digest, summary, accepted_at";

/// A receipt from its row.
pub(crate) fn receipt(row: ReceiptRow) -> Result<Receipt, ApiError> {
    let (version, preferences, digest, summary, accepted_at) = row;
    Ok(Receipt {
        version: version_of(version)?,
        accepted_at: accepted_at.0,
        digest,
        summary: serde_json::from_str(&summary.0)?,
        preferences: serde_json::from_str(&preferences.0)?,
    })
}

/// A stored version number as the protocol's.
pub(crate) fn version_of(v: i64) -> Result<u32, ApiError> {
    u32::try_from(v).map_err(|e| ApiError::Internal(crate::error::anyhow_lite::Error::msg(e.to_string())))
}

/// The newest agreed version of an order's preferences.
pub async fn current_receipt(conn: &mut Conn, order: &str) -> Result<Option<Receipt>, ApiError> {
    let row: Option<ReceiptRow> = crate::sql!(conn, |c| sqlx::query_as(&format!(
        "SELECT {RECEIPT_COLUMNS} FROM preference_versions WHERE order_id = $1 ORDER BY version DESC LIMIT 1"
    ))
    .bind(order)
    .fetch_optional(c)
    .await)?;
    row.map(receipt).transpose()
}

/// Who asked for an agreement version: the customer (their Idempotency-Key) or the server
/// itself (an accepted change request); the two keep their keys apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Customer,
    Server,
}

impl Origin {
    fn as_str(self) -> &'static str {
        match self {
            Origin::Customer => "customer",
            Origin::Server => "server",
        }
    }
}

/// The receipt first given for this key, if the request is the same one again.
pub async fn replay(
    conn: &mut Conn,
    order: &str,
    origin: Origin,
    key: &str,
    request_hash: &str,
) -> Result<Option<Receipt>, ApiError> {
    let row: Option<(String, i64, Jsonb, String, Jsonb, Stamp)> = crate::sql!(conn, |c| sqlx::query_as(&format!(
        "SELECT request_hash, {RECEIPT_COLUMNS} FROM preference_versions \
         WHERE order_id = $1 AND origin = $2 AND idempotency_key = $3"
    ))
    .bind(order)
    .bind(origin.as_str())
    .bind(key)
    .fetch_optional(c)
    .await)?;
    match row {
        None => Ok(None),
        Some((stored, ..)) if stored != request_hash => Err(ApiError::IdempotencyConflict),
        Some((_, version, preferences, digest, summary, accepted_at)) => {
            receipt((version, preferences, digest, summary, accepted_at)).map(Some)
        }
    }
}

/// A new agreement version to store.
pub struct NewVersion {
    pub order: String,
    pub origin: Origin,
    pub key: String,
    pub request_hash: String,
    pub canonical: String,
    /// The receipt, without its version, which the store picks.
    pub receipt: Receipt,
}

/// The insert of an order's next agreement version ($1, with $2–$8), nothing when its key is
/// taken.
const VERSION: &str = "INSERT INTO preference_versions \
     (order_id, version, preferences, digest, summary, accepted_at, origin, idempotency_key, request_hash) \
     SELECT $1, COALESCE(MAX(version), 0) + 1, $2, $3, $4, $5, $6, $7, $8 FROM preference_versions WHERE order_id = $1 \
     ON CONFLICT (order_id, origin, idempotency_key) DO NOTHING RETURNING version";

/// PostgreSQL: after `WITH v AS (VERSION), `, the version's timeline row and both its events in
/// the same statement: the engine writes the version it picks into the three JSON documents
/// (`$10`, `$13`, `$14`, built with a 0 in its place).
const EVENTS_OF_V: &str = "t AS (INSERT INTO timeline (order_id, at, event, actor) \
           SELECT $1, $9, jsonb_set($10::jsonb, '{version}', to_jsonb(v.version)), $11 FROM v), \
     e AS (INSERT INTO events (order_id, data, created_at) \
           SELECT $1, jsonb_set(u.d::jsonb, u.p, to_jsonb(v.version)), $12 FROM v, \
           (VALUES ($13, '{receipt,version}'::text[], 1), ($14, '{entry,event,version}'::text[], 2)) AS u(d, p, n) \
           ORDER BY u.n RETURNING id) \
     SELECT v.version, e.id FROM v, e";

/// Stores the order's next agreement version with its receipt event and timeline entry; a key
/// used before answers what it answered then. On PostgreSQL in one statement (one round trip,
/// where they were two); SQLite, which has no data-modifying `WITH`, stores the version first.
pub async fn add_version(tx: &mut Tx, v: NewVersion) -> Result<Receipt, ApiError> {
    // Versions are numbered one after another per order, whichever instance writes them.
    tx.lock_order(&v.order).await?;
    let pg = tx.db().is_pg();
    let (at, by) = (crate::clock::now(), tx.actor.clone());
    // The receipt, the timeline's event and both events of `version`.
    let numbered = |version: u32| {
        let entry =
            TimelineEntry { at: at.clone(), event: TimelineEvent::PreferencesAgreed { version }, by: by.clone() };
        let receipt = Receipt { version, ..v.receipt.clone() };
        (receipt.clone(), entry.event.clone(), vec![EventData::Receipt { receipt }, EventData::Timeline { entry }])
    };
    // PostgreSQL: the timeline's event and both events, unnumbered, for the engine to number.
    let mut unnumbered = Vec::new();
    if pg {
        let (_, event, data) = numbered(0);
        unnumbered.push(serde_json::to_string(&event)?);
        for d in &data {
            unnumbered.push(serde_json::to_string(d)?);
        }
    }
    // SQLite: the version's row alone; its id column is empty.
    let sql = if pg { format!("WITH v AS ({VERSION}), {EVENTS_OF_V}") } else { format!("{VERSION}, NULL") };
    let rows: Vec<(i64, Option<i64>)> = crate::sql!(tx.db(), |c| {
        let mut q = sqlx::query_as(&sql)
            .bind(&v.order)
            .bind(Jsonb::from(v.canonical.as_str()))
            .bind(&v.receipt.digest)
            .bind(Jsonb(serde_json::to_string(&v.receipt.summary)?))
            .bind(Stamp::from(&v.receipt.accepted_at))
            .bind(v.origin.as_str())
            .bind(&v.key)
            .bind(&v.request_hash);
        if let [event, receipt_event, timeline_event] = unnumbered.as_slice() {
            q = q
                .bind(Stamp::from(&at))
                .bind(event)
                .bind(&by)
                .bind(Stamp(crate::clock::now()))
                .bind(receipt_event)
                .bind(timeline_event);
        }
        q.fetch_all(c).await
    })?;
    // A retry of the same attempt that committed first (read under the order's lock) keeps its
    // version: the insert finds the key taken and stores nothing.
    let Some(&(version, _)) = rows.first() else {
        return replay(tx.db(), &v.order, v.origin, &v.key, &v.request_hash)
            .await?
            .ok_or(ApiError::Conflict("this agreement could not be stored; try again"));
    };
    let (receipt, agreed, data) = numbered(version_of(version)?);
    if pg {
        let json: Vec<String> = data.iter().map(serde_json::to_string).collect::<Result<_, _>>()?;
        let ids = rows.into_iter().filter_map(|(_, id)| id).collect();
        events::inserted(tx, &v.order, ids, data, json).await?;
    } else {
        events::add_all(tx, &v.order, Some(agreed), vec![EventData::Receipt { receipt: receipt.clone() }]).await?;
    }
    Ok(receipt)
}

/// The order's change requests, oldest first.
pub async fn change_requests(conn: &mut Conn, order: &str) -> Result<Vec<ChangeRequest>, ApiError> {
    let rows: Vec<ChangeRow> = crate::sql!(conn, |c| sqlx::query_as(&format!(
        "SELECT {CHANGE_COLUMNS} FROM change_requests WHERE order_id = $1 ORDER BY id"
    ))
    .bind(order)
    .fetch_all(c)
    .await)?;
    rows.into_iter().map(from_row).collect()
}

/// One change request of the order.
pub async fn change_request(conn: &mut Conn, order: &str, id: i64) -> Result<ChangeRequest, ApiError> {
    let row: Option<ChangeRow> = crate::sql!(conn, |c| sqlx::query_as(&format!(
        "SELECT {CHANGE_COLUMNS} FROM change_requests WHERE order_id = $1 AND id = $2"
    ))
    .bind(order)
    .bind(id)
    .fetch_optional(c)
    .await)?;
    from_row(row.ok_or(ApiError::NotFound("change request"))?)
}

pub(crate) type ChangeRow = (i64, Jsonb, String, String, Stamp, Option<Stamp>, Option<Jsonb>, Option<String>);
pub(crate) const CHANGE_COLUMNS: &str = "id, change, reason, status, created_at, deadline, fallback, channel";

/// A change request from its row.
pub(crate) fn from_row(row: ChangeRow) -> Result<ChangeRequest, ApiError> {
    let (id, change, reason, status, created_at, deadline, fallback, channel) = row;
    let question = match (deadline, fallback, channel) {
        (Some(deadline), Some(fallback), Some(channel)) => Some(kept_protocol::Question {
            deadline: deadline.0,
            fallback: serde_json::from_str(&fallback.0)?,
            channel: serde_json::from_value(serde_json::Value::String(channel))?,
        }),
        _ => None,
    };
    Ok(ChangeRequest {
        id,
        change: serde_json::from_str(&change.0)?,
        reason,
        status: serde_json::from_value(serde_json::Value::String(status))?,
        created_at: created_at.0,
        question,
    })
}

/// The stored shop profile.
pub async fn shop(conn: &mut Conn) -> Result<Arc<ShopProfile>, ApiError> {
    let row: Option<(Jsonb,)> =
        crate::sql!(conn, |c| sqlx::query_as("SELECT profile FROM shop WHERE id = 1").fetch_optional(c).await)?;
    parsed_shop(row.map(|(json,)| json))
}

/// The profile last parsed, by its stored text: a read that finds the same text (nearly every
/// one: a shop changes its profile rarely) skips the parse. Read from the database every time,
/// so every instance sees a change at once.
static PARSED_SHOP: std::sync::Mutex<Option<(String, Arc<ShopProfile>)>> = std::sync::Mutex::new(None);

fn parsed_shop(stored: Option<Jsonb>) -> Result<Arc<ShopProfile>, ApiError> {
    let Jsonb(json) = stored.ok_or(ApiError::NotFound("shop profile"))?;
    let mut last = PARSED_SHOP.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((text, shop)) = last.as_ref() {
        if *text == json {
            return Ok(shop.clone());
        }
    }
    let shop = Arc::new(serde_json::from_str::<ShopProfile>(&json)?);
    *last = Some((json, shop.clone()));
    Ok(shop)
}

/// Stores the shop profile, replacing the previous one.
pub async fn save_shop(conn: &mut Conn, profile: &ShopProfile) -> Result<(), ApiError> {
    crate::sql!(conn, |c| sqlx::query(
        "INSERT INTO shop (id, profile) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET profile = excluded.profile",
    )
    .bind(Jsonb(serde_json::to_string(profile)?))
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}
