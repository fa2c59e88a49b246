//! What happens to an order's items and the changes the shop asks for; each function runs inside
//! the caller's transaction and reads the order there, so two writers never overwrite each other.

use jiff::Timestamp;
use kept_protocol::chat::AuthorKind;
use kept_protocol::operator::OutOfStock;
use kept_protocol::{
    ChangeKind, ChangeRequest, ChangeStatus, Deviation, EventData, Item, ItemResolution, Money, OrderStatus,
    ProblemCode, PromiseKind, Question, TimelineEvent,
};

use super::messages::{self, NewMessage};
use super::orders::{self, NewVersion, Origin, CHANGE_COLUMNS};
use super::promises::{self, Close, NewPromise, Owed};
use super::{events, Tx};
use crate::db::{Jsonb, Pool, Stamp};
use crate::domain::change::{self, OnAnswer};
use crate::domain::promise;
use crate::domain::substitution::{self, refund_of, Decision};
use crate::{clock, ApiError};

fn status_name(s: ChangeStatus) -> &'static str {
    match s {
        ChangeStatus::Pending => "pending",
        ChangeStatus::Accepted => "accepted",
        ChangeStatus::Declined => "declined",
        ChangeStatus::Expired => "expired",
        ChangeStatus::Withdrawn => "withdrawn",
        ChangeStatus::Unknown => "unknown",
    }
}

/// Records what became of an item, and withdraws any question still pending about it.
async fn resolved(
    tx: &mut Tx,
    order: &str,
    item: &str,
    resolution: ItemResolution,
    except: Option<i64>,
) -> Result<ItemResolution, ApiError> {
    if !matches!(resolution, ItemResolution::AskedCustomer { .. }) {
        // Resolved some other way while her question was open: the item was touched before her
        // answer.
        withdraw_questions(tx, order, item, except, true).await?;
    }
    let resolved = EventData::ItemResolved { item: item.to_owned(), resolution: resolution.clone() };
    let entry = TimelineEvent::ItemResolved { item: item.to_owned(), resolution: resolution.clone() };
    events::add_all(tx, order, Some(entry), vec![resolved]).await?;
    Ok(resolution)
}

/// Withdraws the item's pending questions (but `except`); `touched`: because the item was resolved
/// without her answer, which breaks their ask-first promises.
async fn withdraw_questions(
    tx: &mut Tx,
    order: &str,
    item: &str,
    except: Option<i64>,
    touched: bool,
) -> Result<(), ApiError> {
    let rows: Vec<orders::ChangeRow> = crate::sql!(tx.db(), |c| {
        sqlx::query_as(&format!(
        "SELECT {CHANGE_COLUMNS} FROM change_requests WHERE order_id = $1 AND item = $2 AND status = 'pending' AND id != $3"
    ))
    .bind(order)
    .bind(item)
    .bind(except.unwrap_or(-1))
    .fetch_all(c).await
    })?;
    for row in rows {
        let cr = orders::from_row(row)?;
        if touched {
            let owed = Owed { kind: PromiseKind::AskFirst, subject: Some(cr.id) };
            promises::close(tx, order, owed, Close::Touched, clock::instant(), None).await?;
        }
        set_status(tx, order, cr, ChangeStatus::Withdrawn).await?;
    }
    Ok(())
}

async fn set_status(
    tx: &mut Tx,
    order: &str,
    cr: ChangeRequest,
    status: ChangeStatus,
) -> Result<ChangeRequest, ApiError> {
    crate::sql!(tx.db(), |c| sqlx::query(
        "UPDATE change_requests SET status = $1, answered_at = $2 WHERE id = $3 AND order_id = $4"
    )
    .bind(status_name(status))
    .bind(Stamp(clock::now()))
    .bind(cr.id)
    .bind(order)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    let cr = ChangeRequest { status, ..cr };
    let event = events::add(tx, order, EventData::ChangeRequest { change_request: cr.clone() }).await?;
    if cr.question.is_some() {
        let how = if status == ChangeStatus::Withdrawn { Close::Withdrawn } else { Close::Done };
        let owed = Owed { kind: PromiseKind::AskFirst, subject: Some(cr.id) };
        promises::close(tx, order, owed, how, clock::instant(), Some(event.id)).await?;
    }
    Ok(cr)
}

async fn active_item(tx: &mut Tx, order: &str, item: &str) -> Result<(orders::Order, Item), ApiError> {
    tx.lock_order(order).await?;
    let o = orders::existing(tx.db(), order).await?;
    let i = o.items.iter().find(|i| i.id == item && i.active).cloned().ok_or(ApiError::NotFound("item"))?;
    Ok((o, i))
}

/// Puts `replacement` in place of `item`.
pub async fn substitute(
    tx: &mut Tx,
    order: &str,
    item: &str,
    replacement: &str,
    name: &str,
    price: &Money,
    except: Option<i64>,
) -> Result<ItemResolution, ApiError> {
    let (o, _) = active_item(tx, order, item).await?;
    let mut items = o.items;
    if let Some(i) = items.iter_mut().find(|i| i.id == item) {
        i.name = name.to_owned();
        i.unit_price = price.clone();
    }
    orders::save_items(tx, order, &items).await?;
    let resolution = ItemResolution::Substituted {
        replacement: replacement.to_owned(),
        name: name.to_owned(),
        unit_price: price.clone(),
    };
    resolved(tx, order, item, resolution, except).await
}

/// Removes `item` from the order and records the refund.
pub async fn remove(tx: &mut Tx, order: &str, item: &str, except: Option<i64>) -> Result<ItemResolution, ApiError> {
    let (o, _) = active_item(tx, order, item).await?;
    let mut items = o.items;
    let mut refund = Money { amount_minor: 0, currency: String::new() };
    if let Some(i) = items.iter_mut().find(|i| i.id == item) {
        i.active = false;
        refund = refund_of(i);
    }
    orders::save_items(tx, order, &items).await?;
    resolved(tx, order, item, ItemResolution::Removed { refund }, except).await
}

/// An item ran out: resolved by the customer's rule for it (no agreement: "similar", uncapped).
pub async fn out_of_stock(
    tx: &mut Tx,
    order: &str,
    item_id: &str,
    req: OutOfStock,
) -> Result<ItemResolution, ApiError> {
    let (_, item) = active_item(tx, order, item_id).await?;
    let receipt = orders::current_receipt(tx.db(), order).await?;
    let rule = receipt.as_ref().map(|r| r.preferences.substitutions.rule_for(item_id).clone()).unwrap_or_default();
    let locale = receipt.as_ref().map(|r| r.preferences.locale).unwrap_or_default();
    match substitution::decide(rule, &item, req.replacement, locale, crate::clock::instant())? {
        Decision::Substitute(r) => substitute(tx, order, item_id, &r.id, &r.name, &r.unit_price, None).await,
        Decision::Ask { change, question, text } => {
            // A new question about the item replaces one still open.
            withdraw_questions(tx, order, item_id, None, false).await?;
            let (channel, deadline) = (question.channel, question.deadline.clone());
            create(tx, order, change, &text, Some(question)).await?;
            let message = NewMessage {
                order,
                author: AuthorKind::System,
                author_name: None,
                client_id: None,
                text: &text,
                at: crate::clock::instant(),
            };
            messages::add(tx, message).await?;
            resolved(tx, order, item_id, ItemResolution::AskedCustomer { channel, deadline }, None).await
        }
        Decision::Remove => remove(tx, order, item_id, None).await,
        Decision::CancelOrder => {
            let resolution = resolved(tx, order, item_id, ItemResolution::OrderCancelled, None).await?;
            orders::set_status(tx, order, OrderStatus::OrderCancelled).await?;
            crate::sql!(tx.db(), |c| sqlx::query("UPDATE orders SET editable = FALSE WHERE id = $1")
                .bind(order)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
            Ok(resolution)
        }
    }
}

/// Stores a change request (a question when `question` is set) with its events.
pub async fn create(
    tx: &mut Tx,
    order: &str,
    change: ChangeKind,
    reason: &str,
    question: Option<Question>,
) -> Result<ChangeRequest, ApiError> {
    let created_at = clock::now();
    let channel = question.as_ref().map(|q| q.channel.as_str());
    let fallback = question.as_ref().map(|q| serde_json::to_string(&q.fallback)).transpose()?.map(Jsonb);
    let (id,): (i64,) = crate::sql!(tx.db(), |c| {
        sqlx::query_as(
        "INSERT INTO change_requests (order_id, change, reason, status, created_at, item, deadline, fallback, channel) \
         VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(order)
    .bind(Jsonb(serde_json::to_string(&change)?))
    .bind(reason)
    .bind(Stamp::from(&created_at))
    .bind(change.item())
    .bind(question.as_ref().map(|q| Stamp::from(&q.deadline)))
    .bind(fallback)
    .bind(channel)
    .fetch_one(c).await
    })?;
    if let Some(q) = &question {
        // Asked before the item is touched; her answer, or the fallback at the deadline, is owed
        // by then (with a minute of grace for the sweeper).
        let deadline: Timestamp = q.deadline.parse().map_err(|_| ApiError::field("deadline", ProblemCode::Invalid))?;
        let breaks = deadline.checked_add(promise::ASK_FIRST_GRACE).unwrap_or(deadline);
        let p = NewPromise {
            due: Some((deadline, breaks)),
            subject: Some(id),
            ..NewPromise::made(PromiseKind::AskFirst, clock::instant())
        };
        promises::open(tx, order, p).await?;
    } else if matches!(change, ChangeKind::Payment { .. }) {
        // Paying another way (prepayment after "card on delivery") goes to her consent instead.
        promises::prevented(tx, order, Deviation::PaymentToConsent, Some(id), clock::instant()).await?;
    }
    let cr =
        ChangeRequest { id, change, reason: reason.to_owned(), status: ChangeStatus::Pending, created_at, question };
    let entry = TimelineEvent::ChangeRequested { change_request: id };
    events::add_all(tx, order, Some(entry), vec![EventData::ChangeRequest { change_request: cr.clone() }]).await?;
    Ok(cr)
}

/// The customer's answer: the status and everything it changes commit together or not at all.
pub async fn answer(tx: &mut Tx, order: &str, id: i64, accept: bool) -> Result<ChangeRequest, ApiError> {
    // Before reading: an answer and the sweeper on another instance take turns on the order.
    tx.lock_order(order).await?;
    let cr = orders::change_request(tx.db(), order, id).await?;
    change::answerable(&cr)?;
    let (status, effect) = change::answer(&cr, accept);
    let cr = set_status(tx, order, cr, status).await?;
    match effect {
        OnAnswer::Apply => apply(tx, order, &cr).await?,
        OnAnswer::Remove(item) => {
            remove(tx, order, &item, Some(id)).await?;
        }
        OnAnswer::Keep => {}
    }
    events::timeline(tx, order, TimelineEvent::ChangeAnswered { change_request: id, accepted: accept }).await?;
    Ok(cr)
}

/// Applies an accepted change: only now does anything change.
async fn apply(tx: &mut Tx, order: &str, cr: &ChangeRequest) -> Result<(), ApiError> {
    match &cr.change {
        ChangeKind::Payment { method } => {
            let shop = orders::shop(tx.db()).await?;
            let o = orders::existing(tx.db(), order).await?;
            if let Some(receipt) = orders::current_receipt(tx.db(), order).await? {
                let prefs = change::with_payment(&receipt.preferences, *method);
                let view = crate::domain::payment::checkable(&shop, o);
                let (canonical, receipt) = crate::domain::receipt::receipt(&shop, &view, prefs, clock::instant())?;
                let version = NewVersion {
                    order: order.to_owned(),
                    origin: Origin::Server,
                    key: format!("change-request-{}", cr.id),
                    request_hash: receipt.digest.clone(),
                    canonical,
                    receipt,
                };
                orders::add_version(tx, version).await?;
            }
        }
        ChangeKind::Substitution { item, replacement, name, unit_price } => {
            substitute(tx, order, item, replacement, name, unit_price, Some(cr.id)).await?;
        }
        ChangeKind::DeliverySlot { slot } => orders::set_slot(tx, order, slot).await?,
        ChangeKind::Removal { item, .. } => {
            remove(tx, order, item, Some(cr.id)).await?;
        }
        // Never stored: the server only writes kinds it knows.
        ChangeKind::Unknown => return Err(ApiError::Conflict("this server does not know that change")),
    }
    Ok(())
}

/// At most `limit` questions whose deadline passed by `now`: (order, change request id).
pub async fn due(pool: &Pool, now: Timestamp, limit: i64) -> Result<Vec<(String, i64)>, ApiError> {
    Ok(crate::sql!(pool, |c| sqlx::query_as(
        "SELECT order_id, id FROM change_requests WHERE status = 'pending' AND deadline IS NOT NULL \
         AND deadline <= $1 ORDER BY deadline LIMIT $2"
    )
    .bind(Stamp(clock::rfc3339(now)))
    .bind(limit)
    .fetch_all(c)
    .await)?)
}

/// Applies the fallback of the question `id` if it is still pending and due at `now`; whether it
/// did. The order is locked first, so an answer, an operator or the sweeper of another instance
/// that got there first is seen, and a fallback is applied once.
pub async fn sweep_one(tx: &mut Tx, order: &str, id: i64, now: Timestamp) -> Result<bool, ApiError> {
    tx.lock_order(order).await?;
    let row: Option<orders::ChangeRow> = crate::sql!(tx.db(), |c| sqlx::query_as(&format!(
        "SELECT {CHANGE_COLUMNS} FROM change_requests WHERE id = $1 AND order_id = $2 \
         AND status = 'pending' AND deadline IS NOT NULL AND deadline <= $3"
    ))
    .bind(id)
    .bind(order)
    .bind(Stamp(clock::rfc3339(now)))
    .fetch_optional(c)
    .await)?;
    let Some(row) = row else { return Ok(false) };
    let cr = orders::from_row(row)?;
    let (Some(item), Some(q)) = (cr.change.item().map(str::to_owned), cr.question.clone()) else { return Ok(false) };
    set_status(tx, order, cr, ChangeStatus::Expired).await?;
    // An item that went meanwhile has nothing left to fall back on.
    let original = match active_item(tx, order, &item).await {
        Ok((_, original)) => original,
        Err(ApiError::NotFound("item")) => return Ok(false),
        Err(e) => return Err(e),
    };
    match substitution::fall_back(&q.fallback, &original) {
        Decision::Substitute(r) => substitute(tx, order, &item, &r.id, &r.name, &r.unit_price, Some(id)).await?,
        _ => remove(tx, order, &item, Some(id)).await?,
    };
    Ok(true)
}
