//! The ask-first sweeper: when an ask-first question's wait runs out with no answer, the
//! customer's declared fallback applies. Every instance sweeps; each question is applied in a
//! transaction of its own that locks the order and reads the question again, so a fallback
//! applies once however many instances sweep, and never after the customer's answer.

use std::time::Duration;

use jiff::Timestamp;

use crate::store::changes;
use crate::{ApiError, AppState};

/// How often each instance sweeps.
const EVERY: Duration = Duration::from_secs(5);
/// Questions applied per sweep at most.
const BATCH: i64 = 100;

/// Applies the fallback of up to [`BATCH`] questions due at `now`, each in a transaction of its
/// own; how many it applied.
pub async fn sweep(state: &AppState, now: Timestamp) -> Result<u32, ApiError> {
    let mut applied = 0;
    for (order, id) in changes::due(&state.pool, now, BATCH).await? {
        let swept = state
            .writer
            .write(move |tx| Box::pin(async move { changes::sweep_one(tx, &order, id, now).await }))
            .await?;
        applied += u32::from(swept);
    }
    Ok(applied)
}

/// Sweeps every [`EVERY`] until the process ends.
pub async fn run(state: AppState) {
    let mut tick = tokio::time::interval(EVERY);
    loop {
        tick.tick().await;
        if let Err(e) = sweep(&state, crate::clock::instant()).await {
            tracing::error!(error = %e, "ask-first sweep failed");
        }
    }
}
