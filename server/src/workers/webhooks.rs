//! The webhook worker: claims due deliveries (several instances never send one twice at once),
//! sends them (oldest first per order and endpoint, several orders
//! at once), signs each per Standard Webhooks, and records every attempt through the writer.
//! 2xx delivers; 410 switches the endpoint off; anything else is retried with exponential
//! backoff and full jitter for three days. A restart loses nothing: the rows are the queue.

use std::time::Duration;

use futures_util::future::join_all;
use jiff::Timestamp;

use crate::store::webhooks::{self, Due, Outcome};
use crate::{clock, AppState};

/// Each attempt gets this long to answer.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// A delivery is retried for this long before it is given up (visible in the console).
const GIVE_UP_AFTER_HOURS: i64 = 72;
/// Deliveries attempted at once.
const BATCH: i64 = 16;
/// A claimed delivery is left to this worker for this long, and the lease is renewed every
/// [`RENEW`] while its attempt runs: a live worker's claim never lapses under it, however long
/// the receiver takes (up to [`ATTEMPT_TIMEOUT`]), and a killed worker's claims are due again
/// this long after it died (it was 60 s, which left a shop hearing nothing for a minute after a
/// crash).
pub const LEASE: jiff::SignedDuration = jiff::SignedDuration::from_secs(5);
/// How often the leases of attempts in flight are renewed.
const RENEW: Duration = Duration::from_secs(1);

/// Runs until the process ends.
pub async fn run(state: AppState) {
    let client = match reqwest::Client::builder().timeout(ATTEMPT_TIMEOUT).build() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "the webhook client could not start; webhooks wait in the outbox");
            return;
        }
    };
    loop {
        let now = crate::clock::instant();
        let (at, lease) = (clock::rfc3339(now), clock::rfc3339(now.checked_add(LEASE).unwrap_or(now)));
        // A read first, so an idle worker does not take the writer four times a second.
        if !webhooks::any_due(&state.pool, &at).await.unwrap_or(true) {
            tokio::time::sleep(Duration::from_millis(250)).await;
            continue;
        }
        let claimed =
            state.writer.write(move |tx| Box::pin(async move { webhooks::claim(tx, &at, &lease, BATCH).await })).await;
        let due = match claimed {
            Ok(d) => d,
            Err(e) => {
                tracing::error!(error = %e, "reading due webhooks");
                Vec::new()
            }
        };
        if due.is_empty() {
            tokio::time::sleep(Duration::from_millis(250)).await;
            continue;
        }
        let ids: Vec<i64> = due.iter().map(|d| d.id).collect();
        let outcomes = {
            let attempts = join_all(due.iter().map(|d| attempt(&client, d)));
            tokio::pin!(attempts);
            loop {
                tokio::select! {
                    outcomes = &mut attempts => break outcomes,
                    () = tokio::time::sleep(RENEW) => renew(&state, &ids).await,
                }
            }
        };
        let recorded = state
            .writer
            .write(move |tx| {
                Box::pin(async move {
                    for (d, outcome) in due.iter().zip(&outcomes) {
                        webhooks::attempted(tx, d, outcome).await?;
                    }
                    Ok(())
                })
            })
            .await;
        if let Err(e) = recorded {
            tracing::error!(error = %e, "recording webhook attempts");
        }
    }
}

/// Moves the leases of the deliveries in flight [`LEASE`] on from now.
async fn renew(state: &AppState, ids: &[i64]) {
    let now = crate::clock::instant();
    let lease = clock::rfc3339(now.checked_add(LEASE).unwrap_or(now));
    let ids = ids.to_vec();
    let renewed = state.writer.write(move |tx| Box::pin(async move { webhooks::renew(tx, &ids, &lease).await })).await;
    if let Err(e) = renewed {
        tracing::error!(error = %e, "renewing webhook leases");
    }
}

async fn attempt(client: &reqwest::Client, d: &Due) -> Outcome {
    let Some(key) = crate::webhooks::secret_key(&d.secret) else {
        return failed(d, "the endpoint's secret is not a whsec_ secret".into(), None);
    };
    let timestamp = crate::clock::instant().as_second();
    let signature = crate::webhooks::sign(&key, &d.msg_id, timestamp, &d.payload);
    let sent = client
        .post(&d.url)
        .header("content-type", "application/json")
        .header("webhook-id", &d.msg_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(d.payload.clone())
        .send()
        .await;
    match sent {
        Ok(res) if res.status().is_success() => Outcome::Delivered,
        Ok(res) if res.status().as_u16() == 410 => Outcome::Gone,
        Ok(res) => failed(d, format!("answered {}", res.status().as_u16()), Some(res.status().as_u16())),
        Err(e) => failed(d, if e.is_timeout() { "timed out".into() } else { "no answer".into() }, None),
    }
}

fn failed(d: &Due, error: String, status: Option<u16>) -> Outcome {
    let unit = {
        let mut b = [0u8; 4];
        let _ = getrandom::fill(&mut b);
        f64::from(u32::from_le_bytes(b)) / f64::from(u32::MAX)
    };
    let wait = crate::webhooks::backoff_ms(d.attempts + 1, unit);
    let now = crate::clock::instant();
    let next = now.checked_add(jiff::SignedDuration::from_millis(wait)).unwrap_or(now);
    let age_hours = d.created_at.parse::<Timestamp>().map_or(0, |c| (now.as_second() - c.as_second()) / 3600);
    Outcome::Failed { error, status, next: clock::rfc3339(next), give_up: age_hours >= GIVE_UP_AFTER_HOURS }
}
