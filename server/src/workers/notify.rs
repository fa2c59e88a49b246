//! The notification worker: what the shop said that she has not seen for `--notify-after`
//! minutes follows her, once, batched. Every instance sweeps; a notification is claimed under
//! its order's lock by one of them (a lease), so however many instances run, one email or one
//! `notification.requested` goes out per batch.

use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use crate::mail::Mail;
use crate::store::notifications::{self, Claimed, Decide, Email};
use crate::{ApiError, AppState};

/// How often each instance sweeps.
const EVERY: Duration = Duration::from_secs(2);
/// Notifications decided per sweep at most.
const BATCH: i64 = 50;
/// A claimed email is this worker's for this long (the mail server has 20 s to take it); one
/// whose worker died is due again after it, and sent with the same Message-ID.
pub const LEASE: SignedDuration = SignedDuration::from_secs(60);
/// After this many refusals that may pass (4xx, no connection), an email is given up.
const ATTEMPTS: u32 = 12;

/// Decides the notifications due at `now`; how many.
pub async fn sweep(state: &AppState, now: Timestamp) -> Result<u32, ApiError> {
    let due = notifications::due(&state.pool, now, BATCH).await?;
    if due.is_empty() {
        return Ok(0);
    }
    let shop = Arc::new(crate::routes::shop::live(&state.pool, now).await?);
    let email_built_in = state.mail.is_some();
    // One-tap answers need the server's address as browsers reach it.
    let links = match state.config.public_url.clone() {
        Some(base) => Some((state.link_key().await?, Arc::new(base))),
        None => None,
    };
    let lease = now.checked_add(LEASE).unwrap_or(now);
    let mut decided = 0;
    for (order, id) in due {
        let shop = shop.clone();
        let links = links.clone();
        let claimed = state
            .writer
            .write(move |tx| {
                Box::pin(async move {
                    let links = links.as_ref().map(|(key, base)| (&key[..], base.as_str()));
                    let cx = Decide { shop: &shop, email_built_in, links };
                    notifications::claim(tx, &order, id, now, lease, &cx).await
                })
            })
            .await?;
        match claimed {
            Claimed::Decided(None) => {}
            Claimed::Decided(Some(_)) => decided += 1,
            Claimed::Email(email) => decided += u32::from(send(state, *email, now).await?),
        }
    }
    Ok(decided)
}

/// Sends a claimed email and records what came of it; whether it was sent.
async fn send(state: &AppState, email: Email, now: Timestamp) -> Result<bool, ApiError> {
    let Some(mailer) = state.mail.clone() else { return Ok(false) };
    let locale = email.rendered.locale;
    let mail = Mail {
        to: &email.to,
        subject: &email.rendered.subject,
        text: &email.rendered.text,
        html: &email.rendered.html,
        locale,
        order: &email.order,
        reply_tag: Some(&email.reply_tag),
        notification: email.id,
        date: now,
    };
    match mailer.send(&mail).await {
        Ok(()) => {
            state.writer.write(move |tx| Box::pin(async move { notifications::sent(tx, &email).await })).await?;
            Ok(true)
        }
        Err(e) => {
            tracing::warn!(order = %email.order, error = %e.text, "an email was not taken");
            let retry = (!e.permanent && email.attempts < ATTEMPTS).then(|| {
                let wait = SignedDuration::from_secs(30 * (1i64 << email.attempts.saturating_sub(1).min(7)));
                now.checked_add(wait).unwrap_or(now)
            });
            let text = e.text;
            state
                .writer
                .write(move |tx| Box::pin(async move { notifications::failed(tx, &email, &text, retry).await }))
                .await?;
            Ok(false)
        }
    }
}

/// Sweeps every [`EVERY`] until the process ends.
pub async fn run(state: AppState) {
    let mut tick = tokio::time::interval(EVERY);
    loop {
        tick.tick().await;
        if let Err(e) = sweep(&state, crate::clock::instant()).await {
            tracing::error!(error = %e, "notification sweep failed");
        }
    }
}
