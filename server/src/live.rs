//! Live delivery: per-order wake-ups, and streams that read committed events from the store.
//!
//! A wake-up carries nothing. On each one a stream reads the events after the last id it sent,
//! in id order, from the database; so the order in which wake-ups arrive cannot make it skip an
//! event, and a stream that resumes far behind pages through the backlog up to the live edge.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sqlx::SqlitePool;
use tokio::sync::watch;

use crate::store::events::{self, StoredEvent};
use crate::ApiError;

/// Events read per page while catching up.
const PAGE: i64 = 256;

/// Per-order wake-ups; only streams of the order that changed are woken.
#[derive(Clone, Default)]
pub struct Hub {
    orders: Arc<Mutex<HashMap<String, watch::Sender<()>>>>,
}

impl Hub {
    /// A hub with no subscribers.
    pub fn new() -> Hub {
        Hub::default()
    }

    /// Wakes the streams of `order` (called after a commit that wrote its events).
    pub fn wake(&self, order: &str) {
        let orders = self.orders.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(tx) = orders.get(order) {
            tx.send_replace(());
        }
    }

    /// A subscription to `order`'s wake-ups from now on.
    pub fn subscribe(&self, order: &str) -> Subscription {
        let mut orders = self.orders.lock().unwrap_or_else(|e| e.into_inner());
        let rx = orders.entry(order.to_owned()).or_insert_with(|| watch::channel(()).0).subscribe();
        Subscription { hub: self.clone(), order: order.to_owned(), rx }
    }

    /// How many orders have open subscriptions (for tests and metrics).
    pub fn orders_watched(&self) -> usize {
        self.orders.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

/// One stream's wake-ups; the order's entry goes when its last subscription does.
pub struct Subscription {
    hub: Hub,
    order: String,
    rx: watch::Receiver<()>,
}

impl Subscription {
    /// Forgets wake-ups so far; call before reading the store.
    fn seen(&mut self) {
        self.rx.borrow_and_update();
    }

    /// Waits for a commit after the last [`seen`](Self::seen); false when the hub is gone.
    async fn changed(&mut self) -> bool {
        self.rx.changed().await.is_ok()
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut orders = self.hub.orders.lock().unwrap_or_else(|e| e.into_inner());
        // This receiver still counts while it is being dropped.
        if orders.get(&self.order).is_some_and(|tx| tx.receiver_count() <= 1) {
            orders.remove(&self.order);
        }
    }
}

/// Every committed event of `order` after `after`, in id order, then live, without end.
pub fn follow(
    pool: SqlitePool,
    hub: &Hub,
    order: String,
    after: i64,
) -> impl futures_util::Stream<Item = Result<StoredEvent, ApiError>> + Send + 'static {
    // Subscribed before the first read, so a commit in between is not missed.
    let sub = hub.subscribe(&order);
    let state = (pool, order, after, sub, std::collections::VecDeque::<StoredEvent>::new());
    futures_util::stream::unfold(Some(state), |state| async move {
        let (pool, order, mut after, mut sub, mut buffer) = state?;
        loop {
            if let Some(next) = buffer.pop_front() {
                after = next.id;
                return Some((Ok(next), Some((pool, order, after, sub, buffer))));
            }
            sub.seen();
            match events::after(&pool, &order, after, PAGE).await {
                Ok(page) if !page.is_empty() => buffer.extend(page),
                Ok(_) => {
                    if !sub.changed().await {
                        return None;
                    }
                }
                Err(e) => return Some((Err(e), None)),
            }
        }
    })
}
