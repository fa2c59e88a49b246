//! Live delivery: per-order wake-ups, and streams that read committed events from the store.
//!
//! A wake-up carries nothing. On each one a stream reads the events after the last id it sent,
//! in id order, from the database; so the order in which wake-ups arrive cannot make it skip an
//! event, and a stream that resumes far behind pages through the backlog up to the live edge.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use crate::db::Pool;
use tokio::sync::watch;

use crate::store::events::{self, StoredEvent};
use crate::ApiError;

/// The PostgreSQL channel on which commits name the orders they changed.
pub const CHANNEL: &str = "kept_events";

/// Events read per page while catching up.
const PAGE: i64 = 256;
/// Recent committed events kept per watched order, so live streams read memory, not the store.
const RING: usize = 32;

/// The newest committed events of one order, oldest first. Every event of the order with an id
/// at or above the first one here is here (events are handed over in commit order, and an
/// order's ids grow in commit order: SQLite has one writer, PostgreSQL transactions lock the
/// order's row before adding to it), so a stream whose last id is at least the first id minus
/// one can be served from it; an older position reads the store.
#[derive(Default)]
pub struct Ring(VecDeque<Arc<StoredEvent>>);

impl Ring {
    /// The events after `after`, if this ring holds all of them.
    fn after(&self, after: i64) -> Option<Vec<Arc<StoredEvent>>> {
        let first = self.0.front()?;
        (after >= first.id - 1).then(|| self.0.iter().filter(|e| e.id > after).cloned().collect())
    }

    /// The ring after taking `events`, which hold every committed event of the order after
    /// `from`: appended when they continue this ring, else in its place.
    fn with(&self, from: i64, events: Vec<StoredEvent>) -> Ring {
        let last = self.0.back().map(|e| e.id);
        let mut next: VecDeque<Arc<StoredEvent>> = match last {
            Some(last) if last >= from => self.0.clone(),
            _ => VecDeque::new(),
        };
        let newest = next.back().map_or(i64::MIN, |e| e.id);
        next.extend(events.into_iter().filter(|e| e.id > newest).map(Arc::new));
        while next.len() > RING {
            next.pop_front();
        }
        Ring(next)
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
        let from = events.first().map_or(0, |e| e.id - 1);
        self.take(order, from, events);
    }

    /// Hands over `events`, every committed event of `order` after `from`, and wakes its streams.
    fn take(&self, order: &str, from: i64, events: Vec<StoredEvent>) {
        if events.is_empty() {
            return;
        }
        let orders = self.orders.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(tx) = orders.get(order) {
            tx.send_modify(|ring| *ring = Arc::new(ring.with(from, events)));
        }
    }

    /// PostgreSQL (several writers, several instances): reads what was committed to `order`
    /// after the newest event held for it, and hands that over; nothing when nobody here watches it.
    pub async fn refresh(&self, pool: &Pool, order: &str) -> Result<(), ApiError> {
        let newest = {
            let orders = self.orders.lock().unwrap_or_else(|e| e.into_inner());
            let Some(tx) = orders.get(order) else { return Ok(()) };
            let newest = tx.borrow().0.back().map(|e| e.id);
            newest
        };
        let (from, events) = match newest {
            Some(id) => (id, events::after(pool, order, id, PAGE).await?),
            None => {
                let events = events::newest(pool, order, RING as i64).await?;
                (events.first().map_or(0, |e| e.id - 1), events)
            }
        };
        self.take(order, from, events);
        Ok(())
    }

    /// The orders watched here now.
    pub fn watched(&self) -> Vec<String> {
        self.orders.lock().unwrap_or_else(|e| e.into_inner()).keys().cloned().collect()
    }

    /// PostgreSQL: wakes this instance's streams for what any instance commits, until the
    /// process ends. A notification names an order and carries nothing else; on a lost
    /// connection every watched order is read again, since notifications may have been missed.
    pub async fn listen(self, pool: Pool) {
        let Pool::Pg(pg) = &pool else { return };
        // Until the pool closes at shutdown.
        while !pg.is_closed() {
            let mut listener = match sqlx::postgres::PgListener::connect_with(pg).await {
                Ok(l) => l,
                Err(_) if pg.is_closed() => return,
                Err(e) => {
                    tracing::error!(error = %e, "cannot listen for events; trying again");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    continue;
                }
            };
            if let Err(e) = listener.listen(CHANNEL).await {
                tracing::error!(error = %e, "cannot listen for events; trying again");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                continue;
            }
            self.refresh_all(&pool).await;
            loop {
                match listener.try_recv().await {
                    Ok(Some(n)) => {
                        if let Err(e) = self.refresh(&pool, n.payload()).await {
                            tracing::error!(error = %e, "reading events failed");
                        }
                    }
                    Ok(None) => {
                        // Reconnected: what was sent meanwhile is lost, so read everything watched.
                        self.refresh_all(&pool).await;
                    }
                    Err(_) if pg.is_closed() => return,
                    Err(e) => {
                        tracing::error!(error = %e, "listening for events failed");
                        break;
                    }
                }
            }
        }
    }

    async fn refresh_all(&self, pool: &Pool) {
        for order in self.watched() {
            if let Err(e) = self.refresh(pool, &order).await {
                tracing::error!(error = %e, "reading events failed");
            }
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
    pool: Pool,
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
            // Boxed, so an idle stream does not carry the space of a query it is not running.
            match Box::pin(events::after(&pool, &order, after, PAGE)).await {
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
