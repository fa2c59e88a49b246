//! Group commit for agreements: submissions that arrive together are written in one SQLite
//! transaction, so many agreements share one fsync (synchronous=FULL stays on). Each agreement
//! runs in its own savepoint: one that fails (a raced idempotency key) leaves the others intact.
//! A caller hears back only after the commit, so an acknowledged agreement is on disk.

use kept_protocol::{EventData, Receipt, TimelineEvent};
use sqlx::SqlitePool;
use tokio::sync::{mpsc, oneshot};

use kept_protocol::Event;

use crate::events;
use crate::ApiError;

/// At most this many agreements share one transaction.
const BATCH: usize = 128;

/// One agreement to store as the order's next version.
pub struct NewVersion {
    pub order: String,
    pub canonical: String,
    pub summary_json: String,
    pub key: String,
    pub request_hash: String,
    /// The receipt, without its version, which the database picks.
    pub receipt: Receipt,
}

/// What became of it.
pub enum Written {
    /// Stored: the receipt with its version, and the two events to send.
    Stored(Box<(Receipt, [Event; 2])>),
    /// The idempotency key was already used for this order (a concurrent retry).
    KeyTaken,
}

type Job = (NewVersion, oneshot::Sender<Result<Written, ApiError>>);

/// The single writer of agreements.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer on a thread of its own (a single-threaded runtime: one writer, in order).
    pub fn start(pool: SqlitePool) -> Writer {
        let (jobs, mut rx) = mpsc::channel::<Job>(4 * BATCH);
        let run = move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                tracing::error!("the agreement writer could not start");
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
                    write_batch(&pool, batch).await;
                }
            });
        };
        if let Err(e) = std::thread::Builder::new().name("kept-writer".into()).spawn(run) {
            tracing::error!(error = %e, "the agreement writer could not start");
        }
        Writer { jobs }
    }

    /// Stores `v`, answering once it is committed.
    pub async fn store(&self, v: NewVersion) -> Result<Written, ApiError> {
        let (reply, answer) = oneshot::channel();
        self.jobs.send((v, reply)).await.map_err(|_| ApiError::Conflict("the writer stopped"))?;
        answer.await.map_err(|_| ApiError::Conflict("the writer stopped"))?
    }
}

async fn write_one(conn: &mut sqlx::SqliteConnection, v: &NewVersion) -> Result<Written, ApiError> {
    // One statement picks the next version and inserts it, so two agreements cannot collide.
    let inserted: Result<(u32,), sqlx::Error> = sqlx::query_as(
        "INSERT INTO preference_versions \
         (order_id, version, preferences, digest, summary, accepted_at, idempotency_key, request_hash) \
         SELECT ?1, COALESCE(MAX(version), 0) + 1, ?2, ?3, ?4, ?5, ?6, ?7 FROM preference_versions WHERE order_id = ?1 \
         RETURNING version",
    )
    .bind(&v.order)
    .bind(&v.canonical)
    .bind(&v.receipt.digest)
    .bind(&v.summary_json)
    .bind(&v.receipt.accepted_at)
    .bind(&v.key)
    .bind(&v.request_hash)
    .fetch_one(&mut *conn)
    .await;
    let version = match inserted {
        Ok((version,)) => version,
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Ok(Written::KeyTaken),
        Err(e) => return Err(e.into()),
    };
    let receipt = Receipt { version, ..v.receipt.clone() };
    let stored = events::store(conn, &v.order, EventData::Receipt { receipt: receipt.clone() }).await?;
    let agreed = events::store_timeline(conn, &v.order, TimelineEvent::PreferencesAgreed { version }).await?;
    Ok(Written::Stored(Box::new((receipt, [stored, agreed]))))
}

fn failed(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(crate::error::anyhow_lite::Error::msg(e.to_string()))
}

async fn write_batch(pool: &SqlitePool, batch: Vec<Job>) {
    let mut pooled = match pool.acquire().await {
        Ok(c) => c,
        Err(e) => {
            for (_, reply) in batch {
                let _ = reply.send(Err(failed(&e)));
            }
            return;
        }
    };
    let conn: &mut sqlx::SqliteConnection = &mut pooled;
    let begun = sqlx::raw_sql("BEGIN IMMEDIATE").execute(&mut *conn).await.map(|_| ());
    let mut results = Vec::with_capacity(batch.len());
    for (v, reply) in batch {
        let result = match &begun {
            Ok(()) => match sqlx::raw_sql("SAVEPOINT one").execute(&mut *conn).await {
                Ok(_) => write_one(conn, &v).await,
                Err(e) => Err(e.into()),
            },
            Err(e) => Err(failed(e)),
        };
        if begun.is_ok() {
            let close = if result.is_ok() { "RELEASE one" } else { "ROLLBACK TO one; RELEASE one" };
            if let Err(e) = sqlx::raw_sql(close).execute(&mut *conn).await {
                tracing::error!(error = %e, "savepoint");
            }
        }
        results.push((reply, result));
    }
    // Nothing is acknowledged before the commit: a failed commit fails every agreement in it.
    let committed = match begun {
        Ok(()) => sqlx::raw_sql("COMMIT").execute(&mut *conn).await.map(|_| ()),
        Err(e) => Err(e),
    };
    if committed.is_err() {
        let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
    }
    for (reply, result) in results {
        let _ = reply.send(match &committed {
            Ok(()) => result,
            Err(e) => Err(failed(e)),
        });
    }
}
