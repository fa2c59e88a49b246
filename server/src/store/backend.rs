//! Orders as the shop's own servers write them: created or updated by the shop's order id, the
//! agreement re-checked against the new items in the same transaction.

use crate::db::{Conn, Jsonb, Pool, Stamp};
use kept_protocol::backend::{BackendOrder, OrderChange};
use kept_protocol::{OrderStatus, Receipt, TimelineEvent};

use super::orders::{self, parse_status, status_name, NewVersion, Origin};
use super::{events, Tx};
use crate::{auth, clock, ApiError};

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(crate::error::anyhow_lite::Error::msg(e.to_string()))
}

/// Creates the order (true, with its new customer token) or updates it (false, no token).
pub async fn save(tx: &mut Tx, id: &str, order: BackendOrder) -> Result<(bool, Option<String>), ApiError> {
    let items = Jsonb(serde_json::to_string(&order.items)?);
    let slot = order.delivery_slot.as_ref().map(serde_json::to_string).transpose()?.map(Jsonb);
    let payment = order.payment_methods.as_ref().map(serde_json::to_string).transpose()?.map(Jsonb);
    let contact = order.customer.as_ref().map(serde_json::to_string).transpose()?.map(Jsonb);
    // Two instances saving the same new order take turns: the second updates what the first made.
    tx.serialize_on(&format!("order:{id}")).await?;
    tx.lock_order(id).await?;
    let locale = order.locale.map(|l| l.tag().to_owned());
    let Some(existing) = orders::load(tx.db(), id).await? else {
        let token = auth::new_token().map_err(internal)?;
        let status = order.status.unwrap_or(OrderStatus::OrderProcessing);
        crate::sql!(tx.db(), |c| sqlx::query(
            "INSERT INTO orders (id, token_hash, status, items, editable, created_at, delivery_slot, payment_methods, \
             contact, locale) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id)
        .bind(auth::hash_token(&token))
        .bind(status_name(status))
        .bind(&items)
        .bind(status.allows_edits())
        .bind(Stamp(clock::now()))
        .bind(&slot)
        .bind(&payment)
        .bind(&contact)
        .bind(&locale)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        events::timeline(tx, id, TimelineEvent::Status { status }).await?;
        if let Some(slot) = &order.delivery_slot {
            super::promises::slot_agreed(tx, id, slot, clock::instant()).await?;
        }
        return Ok((true, Some(token)));
    };
    let same = existing.items == order.items
        && existing.delivery_slot == order.delivery_slot
        && existing.payment_methods == order.payment_methods
        && existing.contact == order.customer
        && existing.locale == order.locale
        && order.status.is_none_or(|s| s == existing.status);
    if same {
        // The same PUT again: nothing changes, nothing is announced.
        return Ok((false, None));
    }
    crate::sql!(tx.db(), |c| {
        sqlx::query(
        "UPDATE orders SET items = $1, delivery_slot = $2, payment_methods = $3, contact = $4, locale = $5 WHERE id = $6",
    )
    .bind(&items)
    .bind(&slot)
    .bind(&payment)
    .bind(&contact)
    .bind(&locale)
    .bind(id)
    .execute(c).await.map(|r| r.rows_affected())
    })?;
    // The agreement stays; what it says about items that are gone is dropped, and said so.
    let mut dropped = Vec::new();
    if let Some(receipt) = orders::current_receipt(tx.db(), id).await? {
        let mut prefs = receipt.preferences.clone();
        let present = |item: &str| order.items.iter().any(|i| i.id == item);
        for r in &prefs.substitutions.overrides {
            if !present(&r.item) {
                dropped.push(r.item.clone());
            }
        }
        for n in &prefs.notes {
            if !present(&n.item) && !dropped.contains(&n.item) {
                dropped.push(n.item.clone());
            }
        }
        if !dropped.is_empty() {
            prefs.substitutions.overrides.retain(|r| present(&r.item));
            prefs.notes.retain(|n| present(&n.item));
            let shop = orders::shop(tx.db()).await?;
            let now_order = orders::existing(tx.db(), id).await?;
            let view = crate::domain::payment::checkable(&shop, now_order);
            let (canonical, receipt) = crate::domain::receipt::receipt(&shop, &view, prefs, clock::instant())?;
            let (seq,): (i64,) =
                crate::sql!(tx.db(), |c| sqlx::query_as("SELECT COALESCE(MAX(id), 0) FROM events").fetch_one(c).await)?;
            let version = NewVersion {
                order: id.to_owned(),
                origin: Origin::Server,
                key: format!("order-update-{seq}"),
                request_hash: receipt.digest.clone(),
                canonical,
                receipt,
            };
            orders::add_version(tx, version).await?;
        }
    }
    events::timeline(tx, id, TimelineEvent::OrderUpdated { dropped }).await?;
    if let Some(slot) = order.delivery_slot.as_ref().filter(|s| existing.delivery_slot.as_ref() != Some(*s)) {
        super::promises::slot_agreed(tx, id, slot, clock::instant()).await?;
    }
    if let Some(status) = order.status.filter(|s| *s != existing.status) {
        orders::set_status(tx, id, status).await?;
    }
    Ok((false, None))
}

/// A new customer token for the order; the old one stops working at the commit.
pub async fn rotate_token(tx: &mut Tx, id: &str) -> Result<String, ApiError> {
    let token = auth::new_token().map_err(internal)?;
    let done = crate::sql!(tx.db(), |c| sqlx::query("UPDATE orders SET token_hash = $1 WHERE id = $2")
        .bind(auth::hash_token(&token))
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    if done == 0 {
        return Err(ApiError::NotFound("order"));
    }
    Ok(token)
}

/// Every agreed version of the order, oldest first.
pub async fn versions(conn: &mut Conn, id: &str) -> Result<Vec<Receipt>, ApiError> {
    let rows: Vec<orders::ReceiptRow> = crate::sql!(conn, |c| sqlx::query_as(&format!(
        "SELECT {} FROM preference_versions WHERE order_id = $1 ORDER BY version",
        orders::RECEIPT_COLUMNS
    ))
    .bind(id)
    .fetch_all(c)
    .await)?;
    rows.into_iter().map(orders::receipt).collect()
}

/// Orders whose last change is after `after`, oldest change first.
pub async fn changed(pool: &Pool, after: i64, limit: i64) -> Result<Vec<OrderChange>, ApiError> {
    // PostgreSQL: a cursor is the id of the transaction that last changed the order, and only
    // cursors below the oldest transaction still running are read, so a transaction that
    // commits later never lands behind a cursor already handed out.
    let horizon =
        if pool.is_pg() { "AND o.cursor < pg_snapshot_xmin(pg_current_snapshot())::text::bigint" } else { "" };
    let rows: Vec<(String, String, i64, Option<i64>)> = crate::sql!(pool, |c| sqlx::query_as(&format!(
        "SELECT o.id, o.status, o.cursor, (SELECT MAX(v.version) FROM preference_versions v WHERE v.order_id = o.id) \
         FROM orders o WHERE o.cursor > $1 {horizon} ORDER BY o.cursor LIMIT $2",
    ))
    .bind(after)
    .bind(limit)
    .fetch_all(c)
    .await)?;
    rows.into_iter()
        .map(|(id, status, cursor, receipt_version)| {
            let receipt_version = receipt_version.map(orders::version_of).transpose()?;
            Ok(OrderChange { id, status: parse_status(&status)?, receipt_version, cursor })
        })
        .collect()
}
