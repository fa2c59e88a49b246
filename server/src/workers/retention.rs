//! The retention worker: every ten minutes, prunes what is older than the configured age, a
//! bounded batch per transaction and a bounded number of batches per pass.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use crate::store::retention;
use crate::{clock, ApiError, AppState};

/// Batches one pass removes at most (the rest waits for the next pass).
const BATCHES_PER_PASS: u32 = 100;

/// Prunes what is older than `days` days at `now`; how many rows went.
pub async fn prune(state: &AppState, now: Timestamp, days: u32) -> Result<u64, ApiError> {
    let cutoff = now.checked_sub(SignedDuration::from_hours(24 * i64::from(days))).unwrap_or(now);
    let cutoff = clock::rfc3339(cutoff);
    let mut total = 0;
    for _ in 0..BATCHES_PER_PASS {
        let c = cutoff.clone();
        let removed = state
            .writer
            .write(move |tx| Box::pin(async move { retention::prune_batch(tx, &c, retention::BATCH).await }))
            .await?;
        total += removed;
        if removed == 0 {
            break;
        }
    }
    Ok(total)
}

/// Runs until the process ends.
pub async fn run(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        match prune(&state, crate::clock::instant(), state.config.retention_days).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(rows = n, "retention pruned old rows"),
            Err(e) => tracing::error!(error = %e, "retention pass failed"),
        }
    }
}
