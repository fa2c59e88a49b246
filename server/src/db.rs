//! The two engines: an embedded SQLite file (the default) or a PostgreSQL database that several
//! instances share. One store API over both: each statement is written once (with `$n`
//! placeholders, which both engines read) and [`sql!`](crate::sql) runs it on whichever engine
//! the pool or connection is. Values with an engine-specific column type go through [`Stamp`]
//! (TEXT in SQLite, `timestamptz` in PostgreSQL) and [`Jsonb`] (TEXT / `jsonb`).

use std::path::Path;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{
    PgArgumentBuffer, PgConnectOptions, PgConnection, PgPool, PgPoolOptions, PgTypeInfo, PgValueFormat, PgValueRef,
    Postgres,
};
use sqlx::sqlite::{
    SqliteArgumentValue, SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous, SqliteTypeInfo, SqliteValueRef,
};
use sqlx::{Decode, Encode, Sqlite, Type};

/// One of the two engines, holding what each gives (a pool, a connection, a reference to one).
pub enum Engine<S, P> {
    Sqlite(S),
    Pg(P),
}

/// Runs `$body` with `$c` bound to the SQLite or the PostgreSQL side of `$on` (a [`Pool`] or a
/// [`Conn`]); the body is written once and compiled for both engines.
#[macro_export]
macro_rules! sql {
    ($on:expr, |$c:ident| $body:expr) => {
        match $on.engine() {
            $crate::db::Engine::Sqlite($c) => $body,
            $crate::db::Engine::Pg($c) => $body,
        }
    };
}

/// A pool of either engine.
#[derive(Clone)]
pub enum Pool {
    Sqlite(SqlitePool),
    Pg(PgPool),
}

impl Pool {
    /// The engine's own pool.
    pub fn engine(&self) -> Engine<&SqlitePool, &PgPool> {
        match self {
            Pool::Sqlite(p) => Engine::Sqlite(p),
            Pool::Pg(p) => Engine::Pg(p),
        }
    }

    /// Whether this is PostgreSQL (several instances may share it).
    pub fn is_pg(&self) -> bool {
        matches!(self, Pool::Pg(_))
    }

    /// A connection of its own.
    pub async fn acquire(&self) -> Result<Conn, sqlx::Error> {
        Ok(match self {
            Pool::Sqlite(p) => Conn::Sqlite(p.acquire().await?),
            Pool::Pg(p) => Conn::Pg(p.acquire().await?),
        })
    }

    /// Resolves once [`Pool::close`] is called.
    pub fn close_event(&self) -> sqlx::pool::CloseEvent {
        match self {
            Pool::Sqlite(p) => p.close_event(),
            Pool::Pg(p) => p.close_event(),
        }
    }

    /// Closes every connection.
    pub async fn close(&self) {
        match self {
            Pool::Sqlite(p) => p.close().await,
            Pool::Pg(p) => p.close().await,
        }
    }
}

/// Connections kept aside for the reads on every customer request's path (the token and order,
/// an earlier attempt of a key): the pool tests each connection it gets back with a round trip,
/// and a kept connection is not given back. One idle for longer than [`Reads::IDLE`] is tested
/// before use, so a database that restarted meanwhile costs no failed request.
#[derive(Clone)]
pub struct Reads {
    held: Arc<Mutex<Vec<(Conn, Instant)>>>,
    keep: usize,
    closed: Arc<std::sync::atomic::AtomicBool>,
}

impl Reads {
    const IDLE: Duration = Duration::from_secs(30);

    /// Keeping at most `keep` connections of `pool` aside, until it closes.
    pub fn new(pool: &Pool, keep: usize) -> Reads {
        let reads = Reads { held: Arc::default(), keep, closed: Arc::default() };
        if keep > 0 {
            let (closing, when) = (reads.clone(), pool.close_event());
            tokio::spawn(async move {
                when.await;
                // Under the lock a connection coming back checks the mark under.
                let mut held = closing.held.lock().unwrap_or_else(|e| e.into_inner());
                closing.closed.store(true, std::sync::atomic::Ordering::SeqCst);
                held.clear();
            });
        }
        reads
    }

    /// A kept connection, else one from the pool.
    pub async fn get(&self, pool: &Pool) -> Result<Held, sqlx::Error> {
        // Bounded: at most as many tries as connections are kept.
        for _ in 0..self.keep {
            let kept = self.held.lock().unwrap_or_else(|e| e.into_inner()).pop();
            let Some((mut conn, since)) = kept else { break };
            if since.elapsed() < Self::IDLE || conn.ping().await.is_ok() {
                return Ok(Held { conn: Some(conn), reads: self.clone() });
            }
        }
        Ok(Held { conn: Some(pool.acquire().await?), reads: self.clone() })
    }
}

/// A connection kept out of the pool between uses (a writer's), given back as soon as the pool
/// closes: closing waits for every connection to come back.
pub struct Kept {
    conn: Option<Conn>,
    closing: Option<std::pin::Pin<Box<sqlx::pool::CloseEvent>>>,
}

impl Kept {
    /// Nothing kept yet, for `pool`.
    pub fn new(pool: &Pool) -> Kept {
        Kept { conn: None, closing: Some(Box::pin(pool.close_event())) }
    }

    /// Waits for `next`, giving the connection back meanwhile should the pool close.
    pub async fn idle<T>(&mut self, next: impl std::future::Future<Output = T>) -> T {
        let mut next = std::pin::pin!(next);
        if let Some(closing) = self.closing.as_mut() {
            tokio::select! {
                v = &mut next => return v,
                _ = closing => {
                    self.closing = None;
                    self.conn = None;
                }
            }
        }
        next.await
    }

    /// The connection kept, if any, to use.
    pub fn take(&mut self) -> Option<Conn> {
        self.conn.take()
    }

    /// Keeps `conn` after a use, unless the pool is closing.
    pub fn put(&mut self, conn: Option<Conn>) {
        if self.closing.is_some() {
            self.conn = conn;
        }
    }
}

/// A connection from [`Reads`], kept aside again when dropped. Only single statements run on
/// it: one dropped mid-statement (a request given up) is drained by the driver before its next.
pub struct Held {
    conn: Option<Conn>,
    reads: Reads,
}

impl std::ops::Deref for Held {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        self.conn.as_ref().expect("a held connection is there until dropped")
    }
}

impl std::ops::DerefMut for Held {
    fn deref_mut(&mut self) -> &mut Conn {
        self.conn.as_mut().expect("a held connection is there until dropped")
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        let mut held = self.reads.held.lock().unwrap_or_else(|e| e.into_inner());
        if held.len() < self.reads.keep && !self.reads.closed.load(std::sync::atomic::Ordering::SeqCst) {
            held.push((conn, Instant::now()));
        }
    }
}

/// A connection of either engine.
pub enum Conn {
    Sqlite(PoolConnection<Sqlite>),
    Pg(PoolConnection<Postgres>),
}

impl Conn {
    /// The engine's own connection.
    pub fn engine(&mut self) -> Engine<&mut SqliteConnection, &mut PgConnection> {
        match self {
            Conn::Sqlite(c) => Engine::Sqlite(&mut **c),
            Conn::Pg(c) => Engine::Pg(&mut **c),
        }
    }

    /// Whether this is PostgreSQL.
    pub fn is_pg(&self) -> bool {
        matches!(self, Conn::Pg(_))
    }

    /// Whether the connection still answers.
    async fn ping(&mut self) -> Result<(), sqlx::Error> {
        use sqlx::Connection;
        match self {
            Conn::Sqlite(c) => c.ping().await,
            Conn::Pg(c) => c.ping().await,
        }
    }
}

/// Whether `db` names a PostgreSQL database rather than a SQLite file.
pub fn is_postgres(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// Opens `db` (a PostgreSQL URL, or a SQLite path with or without `sqlite:`) and migrates it.
pub async fn open(db: &str) -> Result<Pool, sqlx::Error> {
    if is_postgres(db) {
        let options = PgConnectOptions::from_str(db)?;
        let connect = || {
            PgPoolOptions::new()
                // The writers keep 8 (`store::PG_WRITERS`), the customer's reads 8 (`Reads`); the
                // rest serve other reads.
                .max_connections(24)
                // Tested on every release already (by the pool), not again on every acquire:
                // a round trip per read fewer.
                .test_before_acquire(false)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options.clone())
        };
        let pool = match connect().await {
            // A database not made yet is made (when the user may), so a new shop needs no psql.
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("3D000") => {
                let (base, name) =
                    db.rsplit_once('/').ok_or_else(|| sqlx::Error::Configuration("no database name".into()))?;
                create_database(base, name.split('?').next().unwrap_or(name)).await?;
                connect().await?
            }
            other => other?,
        };
        sqlx::migrate!("./migrations_pg").run(&pool).await?;
        return Ok(Pool::Pg(pool));
    }
    open_sqlite(Path::new(db.strip_prefix("sqlite:").unwrap_or(db))).await
}

/// Creates the database `name` in the cluster at `base` (`postgres://USER@HOST:PORT`) unless it
/// exists.
async fn create_database(base: &str, name: &str) -> Result<(), sqlx::Error> {
    let admin = PgPoolOptions::new().max_connections(1).connect(&format!("{base}/postgres")).await?;
    let exists: Option<(i32,)> =
        sqlx::query_as("SELECT 1 FROM pg_database WHERE datname = $1").bind(name).fetch_optional(&admin).await?;
    if exists.is_none() {
        // A name of letters, digits and underscores only, so quoting it is enough.
        let safe: String = name.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        if let Err(e) = sqlx::raw_sql(&format!("CREATE DATABASE \"{safe}\"")).execute(&admin).await {
            // Another process made it meanwhile.
            if !e.to_string().contains("already exists") {
                return Err(e);
            }
        }
    }
    admin.close().await;
    Ok(())
}

/// Opens (creating when missing) the SQLite file in WAL mode and migrates it.
async fn open_sqlite(path: &Path) -> Result<Pool, sqlx::Error> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
    }
    let options = SqliteConnectOptions::from_str("sqlite:")?
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // FULL: an acknowledged agreement survives a power cut, not only a crash.
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        // Tested on every release already (by the pool), not again on every acquire: a hand-over
        // to the connection's thread per read fewer.
        .test_before_acquire(false)
        .connect_with(options)
        .await?;
    sqlx::migrate!("./migrations").run(&pool).await?;
    Ok(Pool::Sqlite(pool))
}

/// An instant, written as [`crate::clock::rfc3339`]: TEXT in SQLite (fixed width, so text order
/// is time order), `timestamptz` in PostgreSQL.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stamp(pub String);

impl From<&str> for Stamp {
    fn from(s: &str) -> Stamp {
        Stamp(s.to_owned())
    }
}

impl From<&String> for Stamp {
    fn from(s: &String) -> Stamp {
        Stamp(s.clone())
    }
}

impl From<String> for Stamp {
    fn from(s: String) -> Stamp {
        Stamp(s)
    }
}

/// JSON: TEXT in SQLite, `jsonb` in PostgreSQL (which may reorder keys: read it as JSON, not bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Jsonb(pub String);

impl From<String> for Jsonb {
    fn from(s: String) -> Jsonb {
        Jsonb(s)
    }
}

impl From<&str> for Jsonb {
    fn from(s: &str) -> Jsonb {
        Jsonb(s.to_owned())
    }
}

macro_rules! text_in_sqlite {
    ($t:ty) => {
        impl Type<Sqlite> for $t {
            fn type_info() -> SqliteTypeInfo {
                <String as Type<Sqlite>>::type_info()
            }
            fn compatible(ty: &SqliteTypeInfo) -> bool {
                <String as Type<Sqlite>>::compatible(ty)
            }
        }
        impl<'q> Encode<'q, Sqlite> for $t {
            fn encode_by_ref(&self, buf: &mut Vec<SqliteArgumentValue<'q>>) -> Result<IsNull, BoxDynError> {
                <String as Encode<'q, Sqlite>>::encode_by_ref(&self.0, buf)
            }
        }
        impl<'r> Decode<'r, Sqlite> for $t {
            fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
                Ok(Self(<String as Decode<'r, Sqlite>>::decode(value)?))
            }
        }
    };
}
text_in_sqlite!(Stamp);
text_in_sqlite!(Jsonb);

/// Microseconds from the Unix epoch to PostgreSQL's (2000-01-01T00:00:00Z).
const PG_EPOCH_MICROS: i64 = 946_684_800_000_000;
const TIMESTAMPTZ: u32 = 1184;
const JSONB: u32 = 3802;

fn oid(ty: &PgTypeInfo) -> Option<u32> {
    ty.oid().map(|o| o.0)
}

impl Type<Postgres> for Stamp {
    fn type_info() -> PgTypeInfo {
        PgTypeInfo::with_oid(sqlx::postgres::types::Oid(TIMESTAMPTZ))
    }
}

impl Encode<'_, Postgres> for Stamp {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        let t: jiff::Timestamp = self.0.parse()?;
        let micros = t.as_microsecond() - PG_EPOCH_MICROS;
        buf.extend_from_slice(&micros.to_be_bytes());
        Ok(IsNull::No)
    }
}

impl<'r> Decode<'r, Postgres> for Stamp {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        let t = match value.format() {
            PgValueFormat::Binary => {
                let bytes: [u8; 8] = value.as_bytes()?.try_into()?;
                jiff::Timestamp::from_microsecond(i64::from_be_bytes(bytes) + PG_EPOCH_MICROS)?
            }
            // "2026-11-24 10:00:00.5+00"
            PgValueFormat::Text => {
                let text = value.as_str()?.replacen(' ', "T", 1);
                let text = if text.ends_with("+00") { format!("{text}:00") } else { text };
                text.parse()?
            }
        };
        Ok(Stamp(crate::clock::rfc3339(t)))
    }
}

impl Type<Postgres> for Jsonb {
    fn type_info() -> PgTypeInfo {
        PgTypeInfo::with_oid(sqlx::postgres::types::Oid(JSONB))
    }
    fn compatible(ty: &PgTypeInfo) -> bool {
        oid(ty) == Some(JSONB)
    }
}

impl Encode<'_, Postgres> for Jsonb {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        // jsonb's binary form: a version byte, then the text.
        buf.push(1);
        buf.extend_from_slice(self.0.as_bytes());
        Ok(IsNull::No)
    }
}

impl<'r> Decode<'r, Postgres> for Jsonb {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        let mut bytes = value.as_bytes()?;
        if value.format() == PgValueFormat::Binary {
            match bytes.split_first() {
                Some((1, rest)) => bytes = rest,
                _ => return Err("unknown jsonb version".into()),
            }
        }
        Ok(Jsonb(std::str::from_utf8(bytes)?.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_urls_are_told_from_sqlite_paths() {
        assert!(is_postgres("postgres://kept@127.0.0.1:5432/kept"));
        assert!(is_postgres("postgresql://kept@127.0.0.1/kept"));
        assert!(!is_postgres("data/kept.sqlite"));
        assert!(!is_postgres("sqlite:data/kept.sqlite"));
    }
}
