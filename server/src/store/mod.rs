//! The store: every change goes through one writer, in one transaction with the events it
//! causes (the event rows are the outbox), and subscribers are woken only after the commit.
//!
//! SQLite, group commit: jobs that arrive together share one transaction and so one fsync
//! (synchronous=FULL stays on); each job runs in its own savepoint, so one that fails leaves the
//! others intact. A caller hears back only after the commit, so an acknowledged change is on
//! disk. With one writer, event ids are assigned in commit order, which is what lets a stream
//! read "every committed event after my last id" without gaps.

pub mod backend;
pub mod changes;
pub mod console;
pub mod events;
pub mod idempotency;
pub mod messages;
pub mod notifications;
pub mod operators;
pub mod orders;
pub mod promises;
pub mod replies;
pub mod retention;
pub mod webhooks;

use futures_util::future::BoxFuture;
use tokio::sync::{mpsc, oneshot};

use crate::db::{Conn, Pool};
use crate::live::Hub;
use crate::ApiError;

/// At most this many jobs share one SQLite transaction.
const BATCH: usize = 128;
/// PostgreSQL: transactions one instance runs at once (the engine groups their commits).
const PG_WRITERS: usize = 8;

/// The open transaction a job writes in.
pub struct Tx {
    conn: Conn,
    /// Who on the shop's side the current job acts for (recorded on its timeline entries).
    pub actor: Option<String>,
    /// The events written, handed to the live streams after the commit.
    published: Vec<(String, events::StoredEvent)>,
    /// The webhook endpoints and the event types each wants, read once per transaction.
    pub(crate) endpoints: Option<Vec<(i64, Vec<String>)>>,
    /// PostgreSQL: the orders whose rows this transaction has locked.
    locked: Vec<String>,
}

impl Tx {
    /// The connection, inside the transaction.
    pub fn db(&mut self) -> &mut Conn {
        &mut self.conn
    }

    /// PostgreSQL: locks the order's row until the commit, so that transactions of several
    /// instances that touch one order do so one after another: its event ids grow in commit
    /// order, and what one reads after the lock is what the other committed. SQLite has one
    /// writer, so nothing to do there.
    pub async fn lock_order(&mut self, order: &str) -> Result<(), ApiError> {
        if !self.conn.is_pg() || self.locked.iter().any(|o| o == order) {
            return Ok(());
        }
        let sql = format!("{MARK_CHANGED} SELECT pg_notify($2, id)::text, {} FROM changed", self.endpoints_column());
        let found: Option<(Option<String>, Option<String>)> = crate::sql!(self.conn, |c| sqlx::query_as(&sql)
            .bind(order)
            .bind(crate::live::CHANNEL)
            .fetch_optional(c)
            .await)?;
        // An order this transaction is about to create has no row to lock or mark yet: the
        // commit marks it.
        if let Some((_, endpoints)) = found {
            self.locked(order);
            self.took_endpoints(endpoints)?;
        }
        Ok(())
    }

    /// PostgreSQL: the column that reads the live webhook endpoints into the statement that locks
    /// an order (a transaction that writes an event needs them; one round trip fewer), while this
    /// transaction has not read them yet.
    pub(crate) fn endpoints_column(&self) -> &'static str {
        if self.endpoints.is_none() {
            "(SELECT json_agg(json_build_array(w.id, w.event_types)) FROM webhook_endpoints w \
             WHERE w.disabled_at IS NULL)::text"
        } else {
            "NULL::text"
        }
    }

    /// Keeps the endpoints read by [`Tx::endpoints_column`] (NULL: there are none).
    pub(crate) fn took_endpoints(&mut self, json: Option<String>) -> Result<(), ApiError> {
        if self.endpoints.is_none() {
            self.endpoints = Some(webhooks::endpoints_from_json(json.as_deref())?);
        }
        Ok(())
    }

    /// Notes that a statement of this transaction locked the order's row and marked it changed
    /// ([`MARK_CHANGED`]) itself.
    pub(crate) fn locked(&mut self, order: &str) {
        if self.conn.is_pg() && !self.locked.iter().any(|o| o == order) {
            self.locked.push(order.to_owned());
        }
    }

    /// PostgreSQL: waits for any other transaction working under the same `name` (an
    /// idempotency key, a new order's id) to finish, so a check-then-insert sees what that one
    /// committed.
    pub async fn serialize_on(&mut self, name: &str) -> Result<(), ApiError> {
        if !self.conn.is_pg() {
            return Ok(());
        }
        crate::sql!(self.conn, |c| sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(name)
            .execute(c)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// Hands `event` to the order's live streams once this transaction commits.
    pub fn publish(&mut self, order: &str, event: events::StoredEvent) {
        self.published.push((order.to_owned(), event));
    }

    /// The events written so far, by order (in the order first written), each in id order.
    fn by_order(&self) -> Vec<(String, Vec<events::StoredEvent>)> {
        let mut groups: Vec<(String, Vec<events::StoredEvent>)> = Vec::new();
        for (order, e) in &self.published {
            match groups.iter_mut().find(|(o, _)| o == order) {
                Some((_, events)) => events.push(e.clone()),
                None => groups.push((order.clone(), vec![e.clone()])),
            }
        }
        groups
    }
}

/// PostgreSQL: the start of a statement that locks the order `$1` (an UPDATE takes the same row
/// lock as `SELECT … FOR NO KEY UPDATE`) and marks it changed by this transaction: its cursor is
/// the transaction's id. Followed by `SELECT pg_notify($2, id) FROM changed`, the engine names it
/// to every instance at the commit. Locking and marking in one round trip, where they were two.
/// A transaction that then writes nothing wakes the order's streams for nothing: they read no
/// new event.
pub(crate) const MARK_CHANGED: &str =
    "WITH changed AS (UPDATE orders SET cursor = pg_current_xact_id()::text::bigint WHERE id = $1 RETURNING id, status, editable)";

type Reply = Box<dyn FnOnce(Option<String>) + Send>;
type Job = Box<dyn for<'t> FnOnce(&'t mut Tx) -> BoxFuture<'t, (bool, Reply)> + Send>;

/// The single writer.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer. SQLite: one thread of its own (a single-threaded runtime: one writer,
    /// in order) group-committing batches. PostgreSQL: a few tasks, one transaction per job,
    /// whose commits the engine groups; orders' row locks keep each order's events in order.
    pub fn start(pool: Pool, hub: Hub) -> Writer {
        let (jobs, mut rx) = mpsc::channel::<Job>(4 * BATCH);
        if let Pool::Pg(_) = pool {
            let rx = std::sync::Arc::new(tokio::sync::Mutex::new(rx));
            for _ in 0..PG_WRITERS {
                let (pool, rx) = (pool.clone(), rx.clone());
                tokio::spawn(async move {
                    // Each writer keeps its connection between jobs: the pool tests a connection
                    // on every release (a round trip each time) and this one is not released.
                    let mut kept = crate::db::Kept::new(&pool);
                    loop {
                        let Some(job) = kept.idle(async { rx.lock().await.recv().await }).await else { return };
                        let held = write_one(&pool, kept.take(), job).await;
                        kept.put(held);
                    }
                });
            }
            return Writer { jobs };
        }
        let run = move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                tracing::error!("the writer could not start");
                return;
            };
            rt.block_on(async move {
                // Kept between batches, as on PostgreSQL.
                let mut kept = crate::db::Kept::new(&pool);
                while let Some(first) = kept.idle(rx.recv()).await {
                    let mut batch = vec![first];
                    while batch.len() < BATCH {
                        match rx.try_recv() {
                            Ok(job) => batch.push(job),
                            Err(_) => break,
                        }
                    }
                    let held = write_batch(&pool, kept.take(), &hub, batch).await;
                    kept.put(held);
                }
            });
        };
        if let Err(e) = std::thread::Builder::new().name("kept-writer".into()).spawn(run) {
            tracing::error!(error = %e, "the writer could not start");
        }
        Writer { jobs }
    }

    /// Runs `work` in the write transaction and answers once it is committed. An error from
    /// `work` rolls back everything it wrote.
    pub async fn write<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: for<'t> FnOnce(&'t mut Tx) -> BoxFuture<'t, Result<T, ApiError>> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move |tx| {
            Box::pin(async move {
                let result = work(tx).await;
                let ok = result.is_ok();
                let reply: Reply = Box::new(move |commit_failed| {
                    let _ = answer.send(match commit_failed {
                        None => result,
                        Some(e) => Err(failed(e)),
                    });
                });
                (ok, reply)
            })
        });
        self.jobs.send(job).await.map_err(|_| failed("the writer stopped"))?;
        answered.await.map_err(|_| failed("the writer stopped"))?
    }
}

fn failed(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(crate::error::anyhow_lite::Error::msg(e.to_string()))
}

/// PostgreSQL: one job in one transaction. Each changed order's cursor is the transaction's id,
/// and a notification per order (sent by the engine at the commit) wakes the streams of every
/// instance, this one included, which read the committed events by id.
fn write_one(pool: &Pool, held: Option<Conn>, job: Job) -> BoxFuture<'_, Option<Conn>> {
    // Boxed as Send here, where the compiler can see it is (it cannot prove that for the
    // unboxed future inside the spawned loop).
    Box::pin(write_one_inner(pool, held, job))
}

/// A transaction's state on `held`, else on a connection from the pool; None when the pool
/// gives none (nothing runs then: dropping the jobs tells each caller the write failed; it may
/// retry).
async fn open(pool: &Pool, held: Option<Conn>) -> Option<Tx> {
    let conn = match held {
        Some(conn) => conn,
        None => match pool.acquire().await {
            Ok(conn) => conn,
            Err(e) => {
                tracing::error!(error = %e, "no connection for a write");
                return None;
            }
        },
    };
    Some(Tx { conn, actor: None, published: Vec::new(), endpoints: None, locked: Vec::new() })
}

/// Opens a transaction: on the connection held, else (it broke while idle: the database
/// restarted) on a fresh one. None when neither can.
fn begin<'a>(pool: &'a Pool, held: Option<Conn>, sql: &'static str) -> BoxFuture<'a, Result<Tx, String>> {
    Box::pin(async move {
        let tries = if held.is_some() { 2 } else { 1 };
        let mut error = String::new();
        for held in [held, None].into_iter().take(tries) {
            let Some(mut tx) = open(pool, held).await else { return Err("no connection for a write".into()) };
            match crate::sql!(tx.conn, |c| sqlx::query(sql).execute(c).await.map(|_| ())) {
                Ok(()) => return Ok(tx),
                Err(e) => error = e.to_string(),
            }
        }
        Err(error)
    })
}

async fn write_one_inner(pool: &Pool, held: Option<Conn>, job: Job) -> Option<Conn> {
    let mut tx = match begin(pool, held, "BEGIN").await {
        Ok(tx) => tx,
        Err(e) => {
            // The job is dropped unrun, so its caller hears the write failed.
            tracing::error!(error = %e, "a write could not start");
            return None;
        }
    };
    let (ok, reply) = job(&mut tx).await;
    let committed = if ok { commit_pg(&mut tx).await.map_err(|e| e.to_string()) } else { Err(String::new()) };
    // A connection that cannot even roll back is not kept.
    let healthy = match committed {
        Ok(()) => true,
        Err(_) => crate::sql!(tx.db(), |c| sqlx::query("ROLLBACK").execute(c).await.map(|_| ())).is_ok(),
    };
    // A refused job answers with its own error; only a failed commit turns an answer into one.
    reply(if ok { committed.err() } else { None });
    healthy.then_some(tx.conn)
}

/// Sets the cursors of the orders changed, names them to every instance, and commits.
async fn commit_pg(tx: &mut Tx) -> Result<(), sqlx::Error> {
    let mut changed: Vec<String> = Vec::new();
    for (order, _) in &tx.published {
        if !changed.contains(order) {
            changed.push(order.clone());
        }
    }
    // Those locked are marked already (`Tx::lock_order`).
    changed.retain(|o| !tx.locked.contains(o));
    for order in changed {
        // One round trip for both.
        crate::sql!(tx.db(), |c| {
            sqlx::query(
            "WITH changed AS (UPDATE orders SET cursor = pg_current_xact_id()::text::bigint WHERE id = $1 RETURNING id) \
             SELECT pg_notify($2, id) FROM changed"
        )
        .bind(&order)
        .bind(crate::live::CHANNEL)
        .execute(c)
        .await
        .map(|_| ())
        })?;
    }
    crate::sql!(tx.db(), |c| sqlx::query("COMMIT").execute(c).await.map(|_| ()))
}

async fn write_batch(pool: &Pool, held: Option<Conn>, hub: &Hub, batch: Vec<Job>) -> Option<Conn> {
    // The first job's savepoint opens with the transaction, and each job's savepoint closes in
    // the round trip that opens the next one's: every statement is a hand-over to the
    // connection's thread, and these were two per job.
    let (mut tx, begun) = match begin(pool, held, "BEGIN IMMEDIATE; SAVEPOINT job").await {
        Ok(tx) => (tx, Ok(())),
        Err(e) => match open(pool, None).await {
            // Each job hears the failure (below).
            Some(tx) => (tx, Err(e)),
            None => return None,
        },
    };
    let mut savepoint = begun.is_ok();
    let mut replies = Vec::with_capacity(batch.len());
    let jobs = batch.len();
    for (i, job) in batch.into_iter().enumerate() {
        if let Err(e) = &begun {
            replies.push(fail_now(e.clone()));
            continue;
        }
        if !savepoint {
            if let Err(e) = crate::sql!(tx.conn, |c| sqlx::raw_sql("SAVEPOINT job").execute(c).await.map(|_| ())) {
                replies.push(fail_now(e.to_string()));
                continue;
            }
        }
        let published_before = tx.published.len();
        tx.actor = None;
        let (ok, reply) = job(&mut tx).await;
        let close = if ok { "RELEASE job" } else { "ROLLBACK TO job; RELEASE job" };
        if !ok {
            tx.published.truncate(published_before);
            // A job that failed may have changed the endpoints before rolling back.
            tx.endpoints = None;
        }
        let next = if i + 1 < jobs { "; SAVEPOINT job" } else { "" };
        let closed = [close, next].concat();
        savepoint = match crate::sql!(tx.conn, |c| sqlx::raw_sql(&closed).execute(c).await.map(|_| ())) {
            Ok(()) => !next.is_empty(),
            Err(e) => {
                tracing::error!(error = %e, "savepoint");
                false
            }
        };
        replies.push(reply);
    }
    let groups = tx.by_order();
    // Each changed order's place in "orders changed since": its newest event, once per batch.
    let begun = match begun {
        Ok(()) => set_cursors(&mut tx, &groups).await,
        Err(e) => Err(e),
    };
    // Nothing is acknowledged or published before the commit.
    let committed = match begun {
        Ok(()) => {
            crate::sql!(tx.conn, |c| sqlx::raw_sql("COMMIT").execute(c).await.map(|_| ())).map_err(|e| e.to_string())
        }
        Err(e) => Err(e),
    };
    let mut healthy = true;
    if committed.is_err() {
        healthy = crate::sql!(tx.conn, |c| sqlx::raw_sql("ROLLBACK").execute(c).await.map(|_| ())).is_ok();
    } else {
        // In commit order: with one writer, each order's events reach its streams in id order.
        for (order, events) in groups {
            hub.publish(&order, events);
        }
    }
    for reply in replies {
        reply(committed.as_ref().err().cloned());
    }
    healthy.then_some(tx.conn)
}

/// A job that never ran (it is dropped, so its caller hears the write failed).
fn fail_now(e: String) -> Reply {
    Box::new(move |_| tracing::error!(error = %e, "a write could not start"))
}

async fn set_cursors(tx: &mut Tx, groups: &[(String, Vec<events::StoredEvent>)]) -> Result<(), String> {
    for (order, events) in groups {
        let Some(newest) = events.last() else { continue };
        crate::sql!(tx.conn, |c| sqlx::query("UPDATE orders SET cursor = $1 WHERE id = $2")
            .bind(newest.id)
            .bind(order)
            .execute(c)
            .await
            .map(|_| ()))
        .map_err(|e| e.to_string())?;
    }
    Ok(())
}
