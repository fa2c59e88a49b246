//! The record of kept promises, as rows: each opened, kept, broken or answered inside the write
//! that causes it (the promise rules are `domain::promise`'s), with an event on the order's
//! stream, and counted into `record_days` the moment it is decided, so the record never scans
//! the promises.

use jiff::Timestamp;
use kept_protocol::record::{PromisePage, Record, RecordFigures, RecordRow};
use kept_protocol::{DeliverySlot, Deviation, EventData, OrderStatus, PromiseEntry, PromiseKind, PromiseState};

use super::{events, Tx};
use crate::db::{Conn, Pool, Stamp};
use crate::domain::promise::{self, Outcome};
use crate::{clock, ApiError};

/// `record_days` rows per (day, kind, operator): concurrent writers add to different ones.
const SHARDS: u32 = 8;

/// Whether promises are recorded (always, but for `--no-record`, which the benchmark runs beside
/// the ordinary server to measure what recording costs).
static RECORDING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// Turns the recording of promises on or off for this process.
pub fn set_recording(on: bool) {
    RECORDING.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// Whether this process records promises.
pub fn recording() -> bool {
    RECORDING.load(std::sync::atomic::Ordering::Relaxed)
}

type PromiseRow = (
    i64,
    String,
    String,
    String,
    Stamp,
    Option<Stamp>,
    Option<Stamp>,
    Option<i64>,
    Option<Stamp>,
    Option<Stamp>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
);
const COLUMNS: &str = "id, order_id, kind, state, opened_at, due_at, window_start, promised_minutes, closed_at, \
                       decided_at, operator, deviation, subject, event_id";

fn entry(row: PromiseRow) -> PromiseEntry {
    let (
        id,
        order,
        kind,
        state,
        opened_at,
        due_at,
        window_start,
        minutes,
        closed_at,
        decided_at,
        operator,
        dev,
        subject,
        event,
    ) = row;
    PromiseEntry {
        id,
        order,
        kind: PromiseKind::parse(&kind).unwrap_or(PromiseKind::Unknown),
        state: PromiseState::parse(&state).unwrap_or(PromiseState::Unknown),
        opened_at: opened_at.0,
        due_at: due_at.map(|s| s.0),
        window_start: window_start.map(|s| s.0),
        promised_minutes: minutes.map(|m| m.clamp(0, i64::from(u32::MAX)) as u32),
        closed_at: closed_at.map(|s| s.0),
        decided_at: decided_at.map(|s| s.0),
        operator,
        deviation: dev.and_then(|d| serde_json::from_value(serde_json::Value::String(d)).ok()),
        subject,
        event,
    }
}

fn stamp(t: Timestamp) -> Stamp {
    Stamp(clock::rfc3339(t))
}

fn instant(s: &Stamp) -> Option<Timestamp> {
    s.0.parse().ok()
}

/// A promise Kept makes now.
pub struct NewPromise {
    pub kind: PromiseKind,
    pub at: Timestamp,
    /// When it falls due, and when (an ask-first's minute of grace later) it breaks.
    pub due: Option<(Timestamp, Timestamp)>,
    pub window_start: Option<Timestamp>,
    pub promised_minutes: Option<u32>,
    pub subject: Option<i64>,
}

impl NewPromise {
    /// A promise of `kind` made at `at`, with no due time (a claim).
    pub fn made(kind: PromiseKind, at: Timestamp) -> NewPromise {
        NewPromise { kind, at, due: None, window_start: None, promised_minutes: None, subject: None }
    }

    /// A promise of `kind` made at `at`, due at `due`.
    pub fn due(kind: PromiseKind, at: Timestamp, due: Timestamp) -> NewPromise {
        NewPromise { due: Some((due, due)), ..NewPromise::made(kind, at) }
    }
}

/// Opens a promise on `order` and tells the order's streams.
pub async fn open(tx: &mut Tx, order: &str, p: NewPromise) -> Result<(), ApiError> {
    if recording() {
        insert(tx, order, &p, PromiseState::Open, None, None).await?;
    }
    Ok(())
}

async fn insert(
    tx: &mut Tx,
    order: &str,
    p: &NewPromise,
    state: PromiseState,
    deviation: Option<Deviation>,
    operator: Option<&str>,
) -> Result<PromiseEntry, ApiError> {
    let decided = matches!(state, PromiseState::Prevented).then(|| stamp(p.at));
    let row: PromiseRow = crate::sql!(tx.db(), |c| sqlx::query_as(&format!(
        "INSERT INTO promises (order_id, kind, state, opened_at, due_at, breaks_at, window_start, promised_minutes, \
         subject, deviation, operator, decided_at, closed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING {COLUMNS}"
    ))
    .bind(order)
    .bind(p.kind.as_str())
    .bind(state.as_str())
    .bind(stamp(p.at))
    .bind(p.due.map(|d| stamp(d.0)))
    .bind(p.due.map(|d| stamp(d.1)))
    .bind(p.window_start.map(stamp))
    .bind(p.promised_minutes.map(i64::from))
    .bind(p.subject)
    .bind(deviation.map(Deviation::as_str))
    .bind(operator)
    .bind(decided)
    .fetch_one(c)
    .await)?;
    let promise = entry(row);
    let counted = match (p.kind, state) {
        (PromiseKind::Deviation, _) => Some(Column::Prevented),
        (PromiseKind::Claim, _) => Some(Column::Claims),
        _ => None,
    };
    if let Some(column) = counted {
        count(tx, order, p.at, p.kind.as_str(), operator, column, 1).await?;
    }
    publish(tx, order, promise).await
}

/// Records a deviation Kept stopped (counted at once, for the operator who tried).
pub async fn prevented(
    tx: &mut Tx,
    order: &str,
    deviation: Deviation,
    subject: Option<i64>,
    at: Timestamp,
) -> Result<(), ApiError> {
    if !recording() {
        return Ok(());
    }
    let p = NewPromise { subject, ..NewPromise::made(PromiseKind::Deviation, at) };
    let operator = tx.actor.clone();
    insert(tx, order, &p, PromiseState::Prevented, Some(deviation), operator.as_deref()).await?;
    Ok(())
}

/// Which promise of an order a close is about.
#[derive(Clone, Copy)]
pub struct Owed {
    pub kind: PromiseKind,
    /// The callback, change request or report; none for the order's reply and delivery promises.
    pub subject: Option<i64>,
}

/// How a promise closed.
pub enum Close {
    /// Done at `at`: kept or broken by the promise's own rule.
    Done,
    /// No longer owed.
    Withdrawn,
    /// What it protected was changed without it (an item resolved before her answer): broken.
    Touched,
}

/// (id, state, due, window start, the day its decision was counted on).
type OwedRow = (i64, String, Option<Stamp>, Option<Stamp>, Option<String>);

/// Closes the promises `owed` on `order` that are still open (or broken without having been
/// done): done at `at` by the transaction's actor, its evidence the event `event`. An open one is
/// kept or broken by its kind's rule; one the sweeper broke gets its late close and its operator.
/// How many it closed.
pub async fn close(
    tx: &mut Tx,
    order: &str,
    owed: Owed,
    how: Close,
    at: Timestamp,
    event: Option<i64>,
) -> Result<usize, ApiError> {
    if !recording() {
        return Ok(0);
    }
    let rows: Vec<OwedRow> = crate::sql!(tx.db(), |c| sqlx::query_as(
        "SELECT id, state, due_at, window_start, counted_day FROM promises WHERE order_id = $1 AND kind = $2 \
         AND ($3 IS NULL OR subject = $3) AND closed_at IS NULL AND state IN ('open', 'broken')"
    )
    .bind(order)
    .bind(owed.kind.as_str())
    .bind(owed.subject)
    .fetch_all(c)
    .await)?;
    let operator = tx.actor.clone();
    let n = rows.len();
    for (id, state, due, window_start, counted_day) in rows {
        let was_open = state == "open";
        let state = match (&how, owed.kind) {
            (Close::Withdrawn, _) if was_open => PromiseState::Withdrawn,
            (Close::Withdrawn, _) | (Close::Touched, _) => PromiseState::Broken,
            (Close::Done, PromiseKind::Claim) => PromiseState::Answered,
            (Close::Done, _) if !was_open => PromiseState::Broken,
            (Close::Done, kind) => {
                decide(kind, due.as_ref().and_then(instant), window_start.as_ref().and_then(instant), at)
            }
        };
        let decided = was_open && matches!(state, PromiseState::Kept | PromiseState::Broken);
        // The day a decision counts on is written with it, in the same statement.
        let day = match decided {
            true => Some(local_day(tx, at).await?),
            false => None,
        };
        let row: PromiseRow = crate::sql!(tx.db(), |c| sqlx::query_as(&format!(
            "UPDATE promises SET state = $2, closed_at = $3, operator = COALESCE($4, operator), event_id = $5, \
             decided_at = CASE WHEN $6 THEN $3 ELSE decided_at END, counted_day = COALESCE($7, counted_day) \
             WHERE id = $1 RETURNING {COLUMNS}"
        ))
        .bind(id)
        .bind(state.as_str())
        .bind(stamp(at))
        .bind(operator.as_deref())
        .bind(event)
        .bind(decided)
        .bind(day.as_deref())
        .fetch_one(c)
        .await)?;
        let kind = owed.kind.as_str();
        match (state, day) {
            (PromiseState::Kept | PromiseState::Broken, Some(day)) => {
                let column = if state == PromiseState::Kept { Column::Kept } else { Column::Broken };
                add_to(tx, &day, kind, operator.as_deref().unwrap_or(""), shard(order), column, 1).await?;
            }
            // Broken by the sweeper with nobody's name: it is the operator's who closed it late.
            (PromiseState::Broken, None) => {
                if let (Some(op), Some(day)) = (operator.as_deref(), counted_day) {
                    move_count(tx, order, &day, kind, op).await?;
                }
            }
            (PromiseState::Answered, _) => {
                count(tx, order, at, kind, operator.as_deref(), Column::ClaimsAnswered, 1).await?;
            }
            _ => {}
        }
        publish(tx, order, entry(row)).await?;
    }
    Ok(n)
}

/// The order's delivery slot was agreed (or moved, by an agreed change): the slot it replaces is
/// no longer owed, this one is. A slot that does not parse promises nothing.
pub async fn slot_agreed(tx: &mut Tx, order: &str, slot: &DeliverySlot, at: Timestamp) -> Result<(), ApiError> {
    let owed = Owed { kind: PromiseKind::Delivery, subject: None };
    close(tx, order, owed, Close::Withdrawn, at, None).await?;
    let (Ok(start), Ok(end)) = (slot.start.parse::<Timestamp>(), slot.end.parse::<Timestamp>()) else { return Ok(()) };
    let p = NewPromise { window_start: Some(start), ..NewPromise::due(PromiseKind::Delivery, at, end) };
    open(tx, order, p).await?;
    Ok(())
}

/// The order's status changed: delivered keeps (or breaks, when late) its slot; cancelled
/// withdraws it.
pub async fn status_changed(tx: &mut Tx, order: &str, status: OrderStatus, at: Timestamp) -> Result<(), ApiError> {
    let how = match status {
        OrderStatus::OrderDelivered => Close::Done,
        OrderStatus::OrderCancelled | OrderStatus::OrderReturned => Close::Withdrawn,
        _ => return Ok(()),
    };
    close(tx, order, Owed { kind: PromiseKind::Delivery, subject: None }, how, at, None).await?;
    Ok(())
}

/// Kept or broken, by the rule for `kind`, for a promise done at `at`.
fn decide(kind: PromiseKind, due: Option<Timestamp>, window_start: Option<Timestamp>, at: Timestamp) -> PromiseState {
    let Some(due) = due else { return PromiseState::Kept };
    let outcome = match (kind, window_start) {
        (PromiseKind::Callback, Some(start)) => promise::callback((start, due), Some(at), at),
        (PromiseKind::AskFirst, _) => promise::ask_first(due, Some(at), false, at),
        _ => promise::by_deadline(due, Some(at), at),
    };
    match outcome {
        Outcome::Kept => PromiseState::Kept,
        Outcome::Broken | Outcome::Open => PromiseState::Broken,
    }
}

async fn set_counted_day(tx: &mut Tx, id: i64, day: &str) -> Result<(), ApiError> {
    crate::sql!(tx.db(), |c| sqlx::query("UPDATE promises SET counted_day = $2 WHERE id = $1")
        .bind(id)
        .bind(day)
        .execute(c)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Promises that fell overdue by `now`, at most `limit`: (order, promise id).
pub async fn overdue(pool: &Pool, now: Timestamp, limit: i64) -> Result<Vec<(String, i64)>, ApiError> {
    Ok(crate::sql!(pool, |c| sqlx::query_as(
        "SELECT order_id, id FROM promises WHERE state = 'open' AND breaks_at < $1 ORDER BY breaks_at LIMIT $2"
    )
    .bind(stamp(now))
    .bind(limit)
    .fetch_all(c)
    .await)?)
}

/// Breaks the promise `id` if it is still open and overdue at `now` (another instance's sweeper,
/// or the close that got there first, is seen after the order's lock); whether it did.
pub async fn break_one(tx: &mut Tx, order: &str, id: i64, now: Timestamp) -> Result<bool, ApiError> {
    tx.lock_order(order).await?;
    let row: Option<PromiseRow> = crate::sql!(tx.db(), |c| sqlx::query_as(&format!(
        "UPDATE promises SET state = 'broken', decided_at = breaks_at WHERE id = $1 AND order_id = $2 \
         AND state = 'open' AND breaks_at < $3 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(order)
    .bind(stamp(now))
    .fetch_optional(c)
    .await)?;
    let Some(row) = row else { return Ok(false) };
    let p = entry(row);
    let at = p.decided_at.as_deref().and_then(|d| d.parse().ok()).unwrap_or(now);
    let day = count(tx, order, at, p.kind.as_str(), None, Column::Broken, 1).await?;
    set_counted_day(tx, id, &day).await?;
    publish(tx, order, p).await?;
    Ok(true)
}

/// Open promises that fall due by `by` and were not announced yet, at most `limit`.
pub async fn due_soon(pool: &Pool, by: Timestamp, limit: i64) -> Result<Vec<(String, i64)>, ApiError> {
    Ok(crate::sql!(pool, |c| sqlx::query_as(
        "SELECT order_id, id FROM promises WHERE state = 'open' AND breaks_at <= $1 AND due_soon_sent = FALSE \
         ORDER BY breaks_at LIMIT $2"
    )
    .bind(stamp(by))
    .bind(limit)
    .fetch_all(c)
    .await)?)
}

/// Announces the open promise `id` as due soon, once.
pub async fn announce(tx: &mut Tx, order: &str, id: i64) -> Result<bool, ApiError> {
    tx.lock_order(order).await?;
    let row: Option<PromiseRow> = crate::sql!(tx.db(), |c| sqlx::query_as(&format!(
        "UPDATE promises SET due_soon_sent = TRUE WHERE id = $1 AND order_id = $2 AND state = 'open' \
         AND due_soon_sent = FALSE RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(order)
    .fetch_optional(c)
    .await)?;
    let Some(row) = row else { return Ok(false) };
    events::add(tx, order, EventData::PromiseDueSoon { promise: entry(row) }).await?;
    Ok(true)
}

async fn publish(tx: &mut Tx, order: &str, promise: PromiseEntry) -> Result<PromiseEntry, ApiError> {
    events::add(tx, order, EventData::Promise { promise: promise.clone() }).await?;
    Ok(promise)
}

/// The order's promises, oldest first.
pub async fn of_order(conn: &mut Conn, order: &str) -> Result<Vec<PromiseEntry>, ApiError> {
    let rows: Vec<PromiseRow> = crate::sql!(conn, |c| sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM promises WHERE order_id = $1 ORDER BY id LIMIT 500"
    ))
    .bind(order)
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(entry).collect())
}

/// The open promises that fall due next, soonest (or most overdue) first.
pub async fn next_due(pool: &Pool, limit: i64) -> Result<Vec<PromiseEntry>, ApiError> {
    let rows: Vec<PromiseRow> = crate::sql!(pool, |c| sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM promises WHERE state = 'open' AND breaks_at IS NOT NULL ORDER BY breaks_at, id LIMIT $1"
    ))
    .bind(limit.clamp(1, 1000))
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(entry).collect())
}

/// What `GET /v1/backend/promises` filters by.
#[derive(Default)]
pub struct Filter {
    pub kind: Option<PromiseKind>,
    pub state: Option<PromiseState>,
    pub operator: Option<String>,
    pub order: Option<String>,
    /// Opened at or after / before.
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    /// Ids below this one (the page after).
    pub before: Option<i64>,
}

/// A page of promises, newest first.
pub async fn page(pool: &Pool, f: &Filter, limit: i64) -> Result<PromisePage, ApiError> {
    let limit = limit.clamp(1, 1000);
    let rows: Vec<PromiseRow> = crate::sql!(pool, |c| sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM promises WHERE id < $1 AND ($2 IS NULL OR kind = $2) AND ($3 IS NULL OR state = $3) \
         AND ($4 IS NULL OR operator = $4) AND ($5 IS NULL OR order_id = $5) AND ($6 IS NULL OR opened_at >= $6) \
         AND ($7 IS NULL OR opened_at < $7) ORDER BY id DESC LIMIT $8"
    ))
    .bind(f.before.unwrap_or(i64::MAX))
    .bind(f.kind.map(PromiseKind::as_str))
    .bind(f.state.map(PromiseState::as_str))
    .bind(f.operator.as_deref())
    .bind(f.order.as_deref())
    .bind(f.from.map(stamp))
    .bind(f.to.map(stamp))
    .bind(limit + 1)
    .fetch_all(c)
    .await)?;
    let mut promises: Vec<PromiseEntry> = rows.into_iter().map(entry).collect();
    let next = (promises.len() as i64 > limit).then(|| {
        promises.truncate(limit as usize);
        promises.last().map_or(0, |p| p.id)
    });
    Ok(PromisePage { promises, next })
}

/// How the record is grouped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum By {
    Kind,
    Operator,
    Day,
}

impl By {
    /// The grouping named `s`.
    pub fn parse(s: &str) -> Option<By> {
        match s {
            "kind" => Some(By::Kind),
            "operator" => Some(By::Operator),
            "day" => Some(By::Day),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            By::Kind => "kind",
            By::Operator => "operator",
            By::Day => "day",
        }
    }
}

type FiguresRow = (String, i64, i64, i64, i64, i64, i64, i64);

/// The record over the local days `from` to `to` (inclusive), grouped `by`, optionally of one
/// kind: sums of the day rows, a few hundred at most whatever the history.
pub async fn record(
    pool: &Pool,
    from: jiff::civil::Date,
    to: jiff::civil::Date,
    by: By,
    kind: Option<PromiseKind>,
) -> Result<Record, ApiError> {
    let key = match by {
        By::Kind => "kind",
        By::Operator => "operator",
        By::Day => "day",
    };
    let rows: Vec<FiguresRow> = crate::sql!(pool, |c| sqlx::query_as(&format!(
        "SELECT {key}, CAST(SUM(kept) AS BIGINT), CAST(SUM(broken) AS BIGINT), CAST(SUM(prevented) AS BIGINT), \
         CAST(SUM(claims) AS BIGINT), CAST(SUM(claims_answered) AS BIGINT), CAST(SUM(surveys) AS BIGINT), \
         CAST(SUM(rating_sum) AS BIGINT) FROM record_days WHERE day >= $1 AND day <= $2 AND ($3 IS NULL OR kind = $3) \
         GROUP BY {key} ORDER BY {key}"
    ))
    .bind(from.to_string())
    .bind(to.to_string())
    .bind(kind.map(PromiseKind::as_str))
    .fetch_all(c)
    .await)?;
    let mut total = RecordFigures::default();
    let mut out = Vec::new();
    for (key, kept, broken, prevented, claims, claims_answered, surveys, rating_sum) in rows {
        let n = |v: i64| v.max(0) as u64;
        let figures = RecordFigures {
            kept: n(kept),
            broken: n(broken),
            prevented: n(prevented),
            claims: n(claims),
            claims_answered: n(claims_answered),
            surveys: n(surveys),
            rating_sum: n(rating_sum),
            kept_percent: None,
        };
        total.add(&figures);
        // Surveys are not promises: they count in the total only, when grouped by kind.
        if by == By::Kind && key == SURVEY {
            continue;
        }
        out.push(RecordRow { key, figures: figures.finish() });
    }
    if by == By::Kind {
        out.sort_by_key(|r| PromiseKind::parse(&r.key).map_or(usize::MAX, |k| k as usize));
    }
    Ok(Record {
        from: from.to_string(),
        to: to.to_string(),
        by: by.name().to_owned(),
        rows: out,
        total: total.finish(),
    })
}

/// The `record_days` kind surveys are counted under.
const SURVEY: &str = "survey";

/// Counts an answered survey into the record.
pub async fn surveyed(tx: &mut Tx, order: &str, at: Timestamp, rating: u8) -> Result<(), ApiError> {
    if !recording() {
        return Ok(());
    }
    count(tx, order, at, SURVEY, None, Column::Surveys, 1).await?;
    count(tx, order, at, SURVEY, None, Column::RatingSum, i64::from(rating)).await?;
    Ok(())
}

#[derive(Clone, Copy)]
enum Column {
    Kept,
    Broken,
    Prevented,
    Claims,
    ClaimsAnswered,
    Surveys,
    RatingSum,
}

impl Column {
    fn name(self) -> &'static str {
        match self {
            Column::Kept => "kept",
            Column::Broken => "broken",
            Column::Prevented => "prevented",
            Column::Claims => "claims",
            Column::ClaimsAnswered => "claims_answered",
            Column::Surveys => "surveys",
            Column::RatingSum => "rating_sum",
        }
    }
}

/// Adds `by` to a day row's column; the shop's local day of `at`, which it returns.
async fn count(
    tx: &mut Tx,
    order: &str,
    at: Timestamp,
    kind: &str,
    operator: Option<&str>,
    column: Column,
    by: i64,
) -> Result<String, ApiError> {
    let day = local_day(tx, at).await?;
    add_to(tx, &day, kind, operator.unwrap_or(""), shard(order), column, by).await?;
    Ok(day)
}

/// The shop's local date of `at`, as the day rows name it.
async fn local_day(tx: &mut Tx, at: Timestamp) -> Result<String, ApiError> {
    let shop = super::orders::shop(tx.db()).await?;
    Ok(promise::day_of(&shop.time_zone, at).to_string())
}

async fn add_to(
    tx: &mut Tx,
    day: &str,
    kind: &str,
    operator: &str,
    shard: i64,
    column: Column,
    by: i64,
) -> Result<(), ApiError> {
    let c = column.name();
    crate::sql!(tx.db(), |conn| sqlx::query(&format!(
        "INSERT INTO record_days (day, kind, operator, shard, {c}) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (day, kind, operator, shard) DO UPDATE SET {c} = record_days.{c} + excluded.{c}"
    ))
    .bind(day)
    .bind(kind)
    .bind(operator)
    .bind(shard)
    .bind(by)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// A broken promise the sweeper counted for nobody, now closed (late) by `operator`.
async fn move_count(tx: &mut Tx, order: &str, day: &str, kind: &str, operator: &str) -> Result<(), ApiError> {
    let s = shard(order);
    add_to(tx, day, kind, "", s, Column::Broken, -1).await?;
    add_to(tx, day, kind, operator, s, Column::Broken, 1).await
}

/// The order's shard of the day rows.
fn shard(order: &str) -> i64 {
    // FNV-1a: stable across processes and versions.
    let h = order.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    (h % u64::from(SHARDS)) as i64
}
