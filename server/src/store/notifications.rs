//! What she has seen, and the notifications that carry what she has not seen to her channel.
//!
//! The first thing the shop says that she may miss opens a pending row (one per order at most, in
//! the transaction that says it). `--notify-after` minutes later a worker claims it under the
//! order's lock, collects what is newer than both her seen marks and what earlier notifications
//! carried, and decides it: seen (nothing new), no channel, handed to the shop's provider (the
//! `notification.requested` webhook in the same transaction), or an email to send, which is
//! recorded sent once the mail server took it. A claimed row is due again after a lease, so an
//! instance that dies mid-send leaves it to be sent again, with the same Message-ID.

use jiff::Timestamp;
use kept_protocol::notify::{NotificationEntry, NotificationState, Seen};
use kept_protocol::{Channel, EventData, Receipt};

use super::{events, orders, Tx};
use crate::db::{Conn, Pool, Stamp};
use crate::domain::notify::{Route, Unseen};
use crate::{clock, ApiError};

fn stamp(t: Timestamp) -> Stamp {
    Stamp(clock::rfc3339(t))
}

/// `--notify-after`, in minutes, for this process (set once at start).
static AFTER_MINUTES: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(2);

/// Sets how long what the shop says may stay unseen before it follows her.
pub fn set_after(minutes: u32) {
    AFTER_MINUTES.store(minutes.max(1), std::sync::atomic::Ordering::Relaxed);
}

fn after() -> jiff::SignedDuration {
    jiff::SignedDuration::from_mins(i64::from(AFTER_MINUTES.load(std::sync::atomic::Ordering::Relaxed)))
}

/// Opens the order's pending notification, unless one is open: what is said until it is due
/// goes in the same batch.
pub async fn schedule(tx: &mut Tx, order: &str) -> Result<(), ApiError> {
    let now = clock::instant();
    crate::sql!(tx.db(), |c| sqlx::query(
        "INSERT INTO notifications (order_id, state, created_at, due_at) VALUES ($1, 'pending', $2, $3) \
         ON CONFLICT (order_id) WHERE state = 'pending' DO NOTHING"
    )
    .bind(order)
    .bind(stamp(now))
    .bind(stamp(now.checked_add(after()).unwrap_or(now)))
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Moves her seen marks forward (never back); a mark not given is all the order has now.
pub async fn seen(tx: &mut Tx, order: &str, seen: &Seen) -> Result<(), ApiError> {
    let max = if tx.db().is_pg() { "GREATEST" } else { "MAX" };
    let status = seen.status.map(orders::status_name);
    crate::sql!(tx.db(), |c| {
        sqlx::query(&format!(
        "UPDATE orders SET \
         seen_message = {max}(seen_message, COALESCE($2, (SELECT MAX(m.id) FROM messages m WHERE m.order_id = $1), 0)), \
         seen_request = {max}(seen_request, COALESCE($3, (SELECT MAX(r.id) FROM change_requests r WHERE r.order_id = $1), 0)), \
         seen_status = COALESCE($4, status) WHERE id = $1"
    ))
    .bind(order)
    .bind(seen.message)
    .bind(seen.change_request)
    .bind(status)
    .execute(c)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

/// Pending notifications due at `now` (and not claimed by a live worker).
pub async fn due(pool: &Pool, now: Timestamp, limit: i64) -> Result<Vec<(String, i64)>, ApiError> {
    Ok(crate::sql!(pool, |c| sqlx::query_as(
        "SELECT order_id, id FROM notifications WHERE state = 'pending' AND due_at <= $1 ORDER BY due_at LIMIT $2"
    )
    .bind(stamp(now))
    .bind(limit)
    .fetch_all(c)
    .await)?)
}

/// How far her marks and earlier notifications reach: (message, change request, status).
type Marks = (i64, i64, Option<String>, i64, i64, Option<String>, String);

/// What the shop said that she has neither seen nor been sent, under the order's lock.
async fn unseen(conn: &mut Conn, order: &str) -> Result<(Unseen, Option<Receipt>), ApiError> {
    let marks: Option<Marks> = crate::sql!(conn, |c| {
        sqlx::query_as(
        "SELECT seen_message, seen_request, seen_status, notified_message, notified_request, notified_status, status \
         FROM orders WHERE id = $1"
    )
    .bind(order)
    .fetch_optional(c)
    .await
    })?;
    let Some((seen_m, seen_r, seen_s, sent_m, sent_r, sent_s, status)) = marks else {
        return Ok((Unseen::default(), None));
    };
    let after_m = seen_m.max(sent_m);
    let messages = super::messages::shop_after(conn, order, after_m).await?;
    let after_r = seen_r.max(sent_r);
    let requests = orders::change_requests(conn, order)
        .await?
        .into_iter()
        .filter(|r| r.id > after_r && r.status == kept_protocol::chat::ChangeStatus::Pending)
        .collect();
    let moved = seen_s.as_deref() != Some(status.as_str()) && sent_s.as_deref() != Some(status.as_str());
    // An order she never looked at since it was made has not "moved" for her: only a status set
    // after the first thing she was told or shown counts.
    let status =
        (moved && (seen_s.is_some() || sent_s.is_some())).then(|| orders::parse_status(&status)).transpose()?;
    let receipt = orders::current_receipt(conn, order).await?;
    Ok((Unseen { messages, requests, status }, receipt))
}

/// An email to send for a claimed notification.
#[derive(Clone, Debug)]
pub struct Email {
    pub id: i64,
    pub order: String,
    pub to: String,
    /// The order's reply address tag: her reply comes back to the chat.
    pub reply_tag: String,
    pub attempts: u32,
    pub rendered: crate::domain::notify::Rendered,
    /// What it carries, to be recorded as notified once it is sent.
    pub upto: (i64, i64, Option<String>),
    pub items: u32,
}

/// What claiming a due notification came to.
#[derive(Clone, Debug)]
pub enum Claimed {
    /// Another instance had it, or it was decided here (seen, no channel, handed to the shop).
    Decided(Option<NotificationState>),
    Email(Box<Email>),
}

/// Claims the due notification `id` of `order` until `lease` and decides it if it can be
/// decided here; an email is left for the caller to send and record ([`sent`], [`failed`]).
pub async fn claim(
    tx: &mut Tx,
    order: &str,
    id: i64,
    now: Timestamp,
    lease: Timestamp,
    cx: &Decide<'_>,
) -> Result<Claimed, ApiError> {
    tx.lock_order(order).await?;
    let claimed: Option<(i64,)> = crate::sql!(tx.db(), |c| sqlx::query_as(
        "UPDATE notifications SET due_at = $1, attempts = attempts + 1 \
         WHERE id = $2 AND order_id = $3 AND state = 'pending' AND due_at <= $4 RETURNING attempts"
    )
    .bind(stamp(lease))
    .bind(id)
    .bind(order)
    .bind(stamp(now))
    .fetch_optional(c)
    .await)?;
    let Some((attempts,)) = claimed else { return Ok(Claimed::Decided(None)) };
    let (unseen, receipt) = unseen(tx.db(), order).await?;
    if unseen.is_empty() {
        decide(tx, order, id, NotificationState::Seen, None, 0, None).await?;
        return Ok(Claimed::Decided(Some(NotificationState::Seen)));
    }
    let plan = receipt.as_ref().map(|r| &r.preferences.contact);
    let route = plan.map_or(Route::Nowhere, |p| crate::domain::notify::route(p, cx.email_built_in));
    let locale = receipt.as_ref().map_or(kept_protocol::Locale::En, |r| r.preferences.locale);
    let words = kept_protocol::catalog::words(locale);
    let links: Vec<_> = match cx.links {
        Some((key, base)) => {
            unseen.requests.iter().map(|r| (r.id, crate::domain::links::links(key, base, order, r, words))).collect()
        }
        None => Vec::new(),
    };
    let replies = matches!(route, Route::Email(_));
    let context =
        crate::domain::notify::Context { shop: cx.shop, order, receipt: receipt.as_ref(), now, links: &links, replies };
    let upto = marks_of(&unseen);
    let items = unseen.count();
    match route {
        Route::Nowhere => {
            decide(tx, order, id, NotificationState::NoChannel, None, items, None).await?;
            Ok(Claimed::Decided(Some(NotificationState::NoChannel)))
        }
        Route::Provider { channel, to } => {
            let r = crate::domain::notify::render(&unseen, &context, words);
            let data = serde_json::json!({
                "order": order,
                "notification": id,
                "channel": channel,
                "to": to,
                "locale": locale.tag(),
                "subject": r.subject,
                "text": r.text,
                "items": items,
                "links": links.iter().map(|(id, l)| serde_json::json!({ "change_request": id, "accept": l[0], "decline": l[1] })).collect::<Vec<_>>(),
            });
            super::webhooks::enqueue(tx, order, "notification.requested", data).await?;
            notified(tx, order, &upto).await?;
            decide(tx, order, id, NotificationState::Requested, Some(channel), items, None).await?;
            Ok(Claimed::Decided(Some(NotificationState::Requested)))
        }
        Route::Email(to) => {
            let rendered = crate::domain::notify::render(&unseen, &context, words);
            let reply_tag = super::replies::reply_tag(tx, order).await?;
            Ok(Claimed::Email(Box::new(Email {
                id,
                order: order.to_owned(),
                to,
                reply_tag,
                attempts: attempts as u32,
                rendered,
                upto,
                items,
            })))
        }
    }
}

/// What deciding needs besides the rows.
pub struct Decide<'a> {
    pub shop: &'a kept_protocol::ShopProfile,
    pub email_built_in: bool,
    /// The key one-tap links are signed with and the server's public URL, when it has one.
    pub links: Option<(&'a [u8], &'a str)>,
}

fn marks_of(u: &Unseen) -> (i64, i64, Option<String>) {
    (
        u.messages.iter().map(|m| m.id).max().unwrap_or(0),
        u.requests.iter().map(|r| r.id).max().unwrap_or(0),
        u.status.map(orders::status_name),
    )
}

/// Records what a notification carried, so the next one starts after it.
async fn notified(tx: &mut Tx, order: &str, (m, r, s): &(i64, i64, Option<String>)) -> Result<(), ApiError> {
    let max = if tx.db().is_pg() { "GREATEST" } else { "MAX" };
    crate::sql!(tx.db(), |c| sqlx::query(&format!(
        "UPDATE orders SET notified_message = {max}(notified_message, $2), \
         notified_request = {max}(notified_request, $3), notified_status = COALESCE($4, notified_status) WHERE id = $1"
    ))
    .bind(order)
    .bind(*m)
    .bind(*r)
    .bind(s.as_deref())
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Sets a pending notification's outcome and tells the order's stream.
async fn decide(
    tx: &mut Tx,
    order: &str,
    id: i64,
    state: NotificationState,
    channel: Option<Channel>,
    items: u32,
    error: Option<&str>,
) -> Result<(), ApiError> {
    let now = stamp(clock::instant());
    let row: Option<Row> = crate::sql!(tx.db(), |c| sqlx::query_as(&format!(
        "UPDATE notifications SET state = $1, channel = $2, items = $3, error = $4, decided_at = $5 \
         WHERE id = $6 AND order_id = $7 RETURNING {COLUMNS}"
    ))
    .bind(state.as_str())
    .bind(channel.map(Channel::as_str))
    .bind(i64::from(items))
    .bind(error)
    .bind(&now)
    .bind(id)
    .bind(order)
    .fetch_optional(c)
    .await)?;
    if let Some(row) = row {
        events::add(tx, order, EventData::Notification { notification: entry(row) }).await?;
    }
    Ok(())
}

/// The email of a claimed notification was taken by the mail server. What the shop said while
/// it was being sent opens the next batch.
pub async fn sent(tx: &mut Tx, email: &Email) -> Result<(), ApiError> {
    tx.lock_order(&email.order).await?;
    notified(tx, &email.order, &email.upto).await?;
    let order = email.order.as_str();
    decide(tx, order, email.id, NotificationState::Sent, Some(Channel::Email), email.items, None).await?;
    if !unseen(tx.db(), order).await?.0.is_empty() {
        schedule(tx, order).await?;
    }
    Ok(())
}

/// The mail server refused: tried again at `retry` (the row stays pending), or given up (shown
/// in the console).
pub async fn failed(tx: &mut Tx, email: &Email, error: &str, retry: Option<Timestamp>) -> Result<(), ApiError> {
    tx.lock_order(&email.order).await?;
    let error: String = error.chars().take(500).collect();
    match retry {
        Some(at) => {
            crate::sql!(tx.db(), |c| sqlx::query(
                "UPDATE notifications SET due_at = $1, error = $2 WHERE id = $3 AND state = 'pending'"
            )
            .bind(stamp(at))
            .bind(&error)
            .bind(email.id)
            .execute(c)
            .await
            .map(|_| ()))?;
        }
        None => {
            let order = email.order.as_str();
            decide(tx, order, email.id, NotificationState::Failed, Some(Channel::Email), email.items, Some(&error))
                .await?;
            // What it carried is not lost: it stays unseen, and a later batch may carry it.
        }
    }
    Ok(())
}

/// The shop's provider says what became of a `notification.requested`: the order, or 404, or 409
/// when it was not one waiting for its provider.
pub async fn provider_result(
    tx: &mut Tx,
    id: i64,
    state: NotificationState,
    error: Option<&str>,
) -> Result<NotificationEntry, ApiError> {
    let found: Option<(String, String)> =
        crate::sql!(tx.db(), |c| sqlx::query_as("SELECT order_id, state FROM notifications WHERE id = $1")
            .bind(id)
            .fetch_optional(c)
            .await)?;
    let (order, current) = found.ok_or(ApiError::NotFound("notification"))?;
    tx.lock_order(&order).await?;
    if current != NotificationState::Requested.as_str() {
        return Err(ApiError::Conflict("this notification is not waiting for the shop's provider"));
    }
    let channel: Option<(Option<String>, i64)> =
        crate::sql!(tx.db(), |c| sqlx::query_as("SELECT channel, items FROM notifications WHERE id = $1")
            .bind(id)
            .fetch_optional(c)
            .await)?;
    let (channel, items) = channel.unwrap_or((None, 0));
    let channel = channel.as_deref().and_then(Channel::from_wire);
    decide(tx, &order, id, state, channel, items as u32, error).await?;
    let mut list = of_order(tx.db(), &order).await?;
    list.retain(|n| n.id == id);
    list.pop().ok_or(ApiError::NotFound("notification"))
}

type Row = (i64, String, Option<String>, i64, Stamp, Stamp, Option<Stamp>, Option<String>);
const COLUMNS: &str = "id, state, channel, items, created_at, due_at, decided_at, error";

fn entry((id, state, channel, items, created_at, due_at, decided_at, error): Row) -> NotificationEntry {
    NotificationEntry {
        id,
        state: NotificationState::parse(&state).unwrap_or(NotificationState::Failed),
        channel: channel.as_deref().and_then(Channel::from_wire),
        items: items as u32,
        created_at: created_at.0,
        due_at: due_at.0,
        decided_at: decided_at.map(|d| d.0),
        error,
    }
}

/// The order's notifications, oldest first.
pub async fn of_order(conn: &mut Conn, order: &str) -> Result<Vec<NotificationEntry>, ApiError> {
    let rows: Vec<Row> = crate::sql!(conn, |c| sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM notifications WHERE order_id = $1 ORDER BY id LIMIT 200"
    ))
    .bind(order)
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(entry).collect())
}
