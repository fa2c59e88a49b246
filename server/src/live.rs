//! Live delivery: per-order wake-ups, and streams that read committed events from the store.
//!
//! A wake-up carries nothing. On each one a stream reads the events after the last id it sent,
//! in id order, from the database; so the order in which wake-ups arrive cannot make it skip an
//! event, and a stream that resumes far behind pages through the backlog up to the live edge.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use sqlx::SqlitePool;
use tokio::sync::watch;

use crate::store::events::{self, StoredEvent};
use crate::ApiError;

/// Events read per page while catching up.
const PAGE: i64 = 256;
/// Recent committed events kept per watched order, so live streams read memory, not the store.
const RING: usize = 32;

/// The newest committed events of one order, oldest first. Every event of the order with an id
/// at or above the first one here is here (events are handed over in commit order, and with one
/// writer ids grow in commit order), so a stream whose last id is at least the first id minus
/// one can be served from it; an older position reads the store.
#[derive(Default)]
pub struct Ring(VecDeque<Arc<StoredEvent>>);

impl Ring {
    /// The events after `after`, if this ring holds all of them.
    fn after(&self, after: i64) -> Option<Vec<Arc<StoredEvent>>> {
        let first = self.0.front()?;
        (after >= first.id - 1).then(|| self.0.iter().filter(|e| e.id > after).cloned().collect())
    }
}

/// Per-order wake-ups; only streams of the order that changed are woken.
#[derive(Clone, Default)]
pub struct Hub {
    orders: Arc<Mutex<HashMap<String, watch::Sender<Arc<Ring>>>>>,
}

impl Hub {
    /// A hub with no subscribers.
    pub fn new() -> Hub {
        Hub::default()
    }

    /// Hands the order's newly committed `events` (in id order) to its streams and wakes them.
    pub fn publish(&self, order: &str, events: Vec<StoredEvent>) {
        let orders = self.orders.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(tx) = orders.get(order) {
            tx.send_modify(|ring| {
                let mut next: VecDeque<Arc<StoredEvent>> = ring.0.clone();
                next.extend(events.into_iter().map(Arc::new));
                while next.len() > RING {
                    next.pop_front();
                }
                *ring = Arc::new(Ring(next));
            });
        }
    }

    /// A subscription to `order`'s commits from now on.
    pub fn subscribe(&self, order: &str) -> Subscription {
        let mut orders = self.orders.lock().unwrap_or_else(|e| e.into_inner());
        let rx = orders.entry(order.to_owned()).or_insert_with(|| watch::channel(Arc::default()).0).subscribe();
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
    rx: watch::Receiver<Arc<Ring>>,
}

impl Subscription {
    /// The recent events as of now, forgetting wake-ups so far; call before reading.
    fn latest(&mut self) -> Arc<Ring> {
        self.rx.borrow_and_update().clone()
    }

    /// Waits for a commit after the last [`latest`](Self::latest); false when the hub is gone.
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
) -> impl futures_util::Stream<Item = Result<Arc<StoredEvent>, ApiError>> + Send + 'static {
    // Subscribed before the first read, so a commit in between is not missed.
    let sub = hub.subscribe(&order);
    let state = (pool, order, after, sub, VecDeque::<Arc<StoredEvent>>::new());
    futures_util::stream::unfold(Some(state), |state| async move {
        let (pool, order, mut after, mut sub, mut buffer) = state?;
        loop {
            if let Some(next) = buffer.pop_front() {
                after = next.id;
                return Some((Ok(next), Some((pool, order, after, sub, buffer))));
            }
            let recent = sub.latest();
            if let Some(events) = recent.after(after) {
                if events.is_empty() {
                    if !sub.changed().await {
                        return None;
                    }
                } else {
                    buffer.extend(events);
                }
                continue;
            }
            // Behind what memory holds (resuming, or nothing committed since subscribing): the store.
            match events::after(&pool, &order, after, PAGE).await {
                Ok(page) if !page.is_empty() => buffer.extend(page.into_iter().map(Arc::new)),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(id: i64) -> StoredEvent {
        StoredEvent { id, name: "status".into(), json: "{}".into() }
    }

    #[test]
    fn the_ring_serves_only_positions_it_covers_and_keeps_the_newest() {
        let hub = Hub::new();
        let mut sub = hub.subscribe("o");
        assert!(sub.latest().after(0).is_none(), "an empty ring covers nothing");
        hub.publish("o", vec![ev(10), ev(12)]);
        let ring = sub.latest();
        assert_eq!(ring.after(9).map(|v| v.len()), Some(2));
        assert_eq!(ring.after(10).map(|v| v.iter().map(|e| e.id).collect::<Vec<_>>()), Some(vec![12]));
        assert!(ring.after(8).is_none(), "an event 9 of this order may be older than the ring");
        hub.publish("o", (13..13 + RING as i64).map(ev).collect());
        let ring = sub.latest();
        assert_eq!(ring.0.len(), RING);
        assert!(ring.after(11).is_none());
        hub.publish("other", vec![ev(99)]);
        assert_eq!(hub.orders_watched(), 1, "nobody watches the other order");
        drop(sub);
        assert_eq!(hub.orders_watched(), 0);
    }
}
