//! The store: every change goes through one writer, in one transaction with the events it
//! causes (the event rows are the outbox), and subscribers are woken only after the commit.
//!
//! Group commit: jobs that arrive together share one SQLite transaction and so one fsync
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
pub mod operators;
pub mod orders;
pub mod retention;
pub mod webhooks;

use futures_util::future::BoxFuture;
use sqlx::pool::PoolConnection;
use sqlx::{Sqlite, SqliteConnection, SqlitePool};
use tokio::sync::{mpsc, oneshot};

use crate::live::Hub;
use crate::ApiError;

/// At most this many jobs share one transaction.
const BATCH: usize = 128;

/// The open transaction a job writes in.
pub struct Tx {
    conn: PoolConnection<Sqlite>,
    /// Who on the shop's side the current job acts for (recorded on its timeline entries).
    pub actor: Option<String>,
    /// The events written, handed to the live streams after the commit.
    published: Vec<(String, events::StoredEvent)>,
    /// The webhook endpoints and the event types each wants, read once per transaction.
    pub(crate) endpoints: Option<Vec<(i64, Vec<String>)>>,
}

impl Tx {
    /// The connection, inside the transaction.
    pub fn db(&mut self) -> &mut SqliteConnection {
        &mut self.conn
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

type Reply = Box<dyn FnOnce(Option<String>) + Send>;
type Job = Box<dyn for<'t> FnOnce(&'t mut Tx) -> BoxFuture<'t, (bool, Reply)> + Send>;

/// The single writer.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer on a thread of its own (a single-threaded runtime: one writer, in order).
    pub fn start(pool: SqlitePool, hub: Hub) -> Writer {
        let (jobs, mut rx) = mpsc::channel::<Job>(4 * BATCH);
        let run = move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                tracing::error!("the writer could not start");
                return;
            };
            rt.block_on(async move {
                while let Some(first) = rx.recv().await {
                    let mut batch = vec![first];
                    while batch.len() < BATCH {
                        match rx.try_recv() {
                            Ok(job) => batch.push(job),
                            Err(_) => break,
                        }
                    }
                    write_batch(&pool, &hub, batch).await;
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

async fn write_batch(pool: &SqlitePool, hub: &Hub, batch: Vec<Job>) {
    let conn = match pool.acquire().await {
        Ok(c) => c,
        Err(e) => {
            // Nothing runs: dropping the jobs tells each caller the write failed; it may retry.
            tracing::error!(error = %e, "no connection for a write");
            return;
        }
    };
    let mut tx = Tx { conn, actor: None, published: Vec::new(), endpoints: None };
    let begun = sqlx::raw_sql("BEGIN IMMEDIATE").execute(tx.db()).await.map(|_| ()).map_err(|e| e.to_string());
    let mut replies = Vec::with_capacity(batch.len());
    for job in batch {
        if let Err(e) = &begun {
            replies.push(fail_now(e.clone()));
            continue;
        }
        if let Err(e) = sqlx::raw_sql("SAVEPOINT job").execute(tx.db()).await {
            replies.push(fail_now(e.to_string()));
            continue;
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
        if let Err(e) = sqlx::raw_sql(close).execute(tx.db()).await {
            tracing::error!(error = %e, "savepoint");
        }
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
        Ok(()) => sqlx::raw_sql("COMMIT").execute(tx.db()).await.map(|_| ()).map_err(|e| e.to_string()),
        Err(e) => Err(e),
    };
    if committed.is_err() {
        let _ = sqlx::raw_sql("ROLLBACK").execute(tx.db()).await;
    } else {
        // In commit order: with one writer, each order's events reach its streams in id order.
        for (order, events) in groups {
            hub.publish(&order, events);
        }
    }
    for reply in replies {
        reply(committed.as_ref().err().cloned());
    }
}

/// A job that never ran (it is dropped, so its caller hears the write failed).
fn fail_now(e: String) -> Reply {
    Box::new(move |_| tracing::error!(error = %e, "a write could not start"))
}

async fn set_cursors(tx: &mut Tx, groups: &[(String, Vec<events::StoredEvent>)]) -> Result<(), String> {
    for (order, events) in groups {
        let Some(newest) = events.last() else { continue };
        sqlx::query("UPDATE orders SET cursor = ? WHERE id = ?")
            .bind(newest.id)
            .bind(order)
            .execute(tx.db())
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}
