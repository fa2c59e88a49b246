//! The promise sweeper: an open promise breaks the minute it falls overdue, and the shop hears
//! it is due soon a configurable lead before. Every instance sweeps; each promise is decided in a
//! transaction of its own that locks the order and changes the row only if it is still open, so
//! however many instances sweep, a promise is broken (and announced) once.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use crate::store::promises;
use crate::{ApiError, AppState};

/// How often each instance sweeps: "broken the minute it is overdue", to the second or two.
const EVERY: Duration = Duration::from_secs(2);
/// Promises decided per sweep at most.
const BATCH: i64 = 200;

/// Breaks the promises overdue at `now` and announces those due within the lead; how many of
/// each.
pub async fn sweep(state: &AppState, now: Timestamp) -> Result<(u32, u32), ApiError> {
    let mut broken = 0;
    for (order, id) in promises::overdue(&state.pool, now, BATCH).await? {
        let done =
            state.writer.write(move |tx| Box::pin(async move { promises::break_one(tx, &order, id, now).await }));
        broken += u32::from(done.await?);
    }
    let lead = SignedDuration::from_mins(i64::from(state.config.due_soon_minutes));
    let by = now.checked_add(lead).unwrap_or(now);
    let mut announced = 0;
    for (order, id) in promises::due_soon(&state.pool, by, BATCH).await? {
        let done = state.writer.write(move |tx| Box::pin(async move { promises::announce(tx, &order, id).await }));
        announced += u32::from(done.await?);
    }
    Ok((broken, announced))
}

/// Sweeps every [`EVERY`] until the process ends.
pub async fn run(state: AppState) {
    let mut tick = tokio::time::interval(EVERY);
    loop {
        tick.tick().await;
        if let Err(e) = sweep(&state, crate::clock::instant()).await {
            tracing::error!(error = %e, "promise sweep failed");
        }
    }
}
