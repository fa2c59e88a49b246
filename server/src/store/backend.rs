//! Orders as the shop's own servers write them: created or updated by the shop's order id, the
//! agreement re-checked against the new items in the same transaction.

use kept_protocol::backend::{BackendOrder, OrderChange};
use kept_protocol::{OrderStatus, Receipt, TimelineEvent};
use sqlx::{SqliteConnection, SqlitePool};

use super::orders::{self, parse_status, status_name, NewVersion, Origin};
use super::{events, Tx};
use crate::{auth, canonical, clock, ApiError};

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(crate::error::anyhow_lite::Error::msg(e.to_string()))
}

/// Creates the order (true, with its new customer token) or updates it (false, no token).
pub async fn save(tx: &mut Tx, id: &str, order: BackendOrder) -> Result<(bool, Option<String>), ApiError> {
    let items = serde_json::to_string(&order.items)?;
    let slot = order.delivery_slot.as_ref().map(serde_json::to_string).transpose()?;
    let payment = order.payment_methods.as_ref().map(serde_json::to_string).transpose()?;
    let contact = order.customer.as_ref().map(serde_json::to_string).transpose()?;
    let locale = order.locale.map(|l| l.tag().to_owned());
    let Some(existing) = orders::load(tx.db(), id).await? else {
        let token = auth::new_token().map_err(internal)?;
        let status = order.status.unwrap_or(OrderStatus::OrderProcessing);
        sqlx::query(
            "INSERT INTO orders (id, token_hash, status, items, editable, created_at, delivery_slot, payment_methods, \
             contact, locale) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(auth::hash_token(&token))
        .bind(status_name(status))
        .bind(&items)
        .bind(status.allows_edits())
        .bind(clock::now())
        .bind(&slot)
        .bind(&payment)
        .bind(&contact)
        .bind(&locale)
        .execute(tx.db())
        .await?;
        events::timeline(tx, id, TimelineEvent::Status { status }).await?;
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
    sqlx::query(
        "UPDATE orders SET items = ?, delivery_slot = ?, payment_methods = ?, contact = ?, locale = ? WHERE id = ?",
    )
    .bind(&items)
    .bind(&slot)
    .bind(&payment)
    .bind(&contact)
    .bind(&locale)
    .bind(id)
    .execute(tx.db())
    .await?;
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
            let view = crate::routes::orders::checkable(&shop, now_order);
            let canonical = canonical::json(&prefs)?;
            let digest = canonical::digest(&canonical);
            let summary = prefs.summary(&shop, &view);
            let (seq,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(id), 0) FROM events").fetch_one(tx.db()).await?;
            let receipt =
                Receipt { version: 0, accepted_at: clock::now(), digest: digest.clone(), summary, preferences: prefs };
            let version = NewVersion {
                order: id.to_owned(),
                origin: Origin::Server,
                key: format!("order-update-{seq}"),
                request_hash: digest,
                canonical,
                receipt,
            };
            orders::add_version(tx, version).await?;
        }
    }
    events::timeline(tx, id, TimelineEvent::OrderUpdated { dropped }).await?;
    if let Some(status) = order.status.filter(|s| *s != existing.status) {
        orders::set_status(tx, id, status).await?;
    }
    Ok((false, None))
}

/// A new customer token for the order; the old one stops working at the commit.
pub async fn rotate_token(tx: &mut Tx, id: &str) -> Result<String, ApiError> {
    let token = auth::new_token().map_err(internal)?;
    let done = sqlx::query("UPDATE orders SET token_hash = ? WHERE id = ?")
        .bind(auth::hash_token(&token))
        .bind(id)
        .execute(tx.db())
        .await?;
    if done.rows_affected() == 0 {
        return Err(ApiError::NotFound("order"));
    }
    Ok(token)
}

/// Every agreed version of the order, oldest first.
pub async fn versions(conn: &mut SqliteConnection, id: &str) -> Result<Vec<Receipt>, ApiError> {
    let rows: Vec<orders::ReceiptRow> = sqlx::query_as(&format!(
        "SELECT {} FROM preference_versions WHERE order_id = ? ORDER BY version",
        orders::RECEIPT_COLUMNS
    ))
    .bind(id)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(orders::receipt).collect()
}

/// Orders whose last change is after `after`, oldest change first.
pub async fn changed(pool: &SqlitePool, after: i64, limit: i64) -> Result<Vec<OrderChange>, ApiError> {
    let rows: Vec<(String, String, i64, Option<u32>)> = sqlx::query_as(
        "SELECT o.id, o.status, o.cursor, (SELECT MAX(v.version) FROM preference_versions v WHERE v.order_id = o.id) \
         FROM orders o WHERE o.cursor > ? ORDER BY o.cursor LIMIT ?",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(id, status, cursor, receipt_version)| {
            Ok(OrderChange { id, status: parse_status(&status)?, receipt_version, cursor })
        })
        .collect()
}
