//! The server's clock, the one place that reads the time (everything else asks [`instant`], or
//! takes the instant as an argument, so rules can be tested at any time), and one way to write
//! an instant, so the instants stored in SQLite sort and compare as text.

use std::sync::atomic::{AtomicI64, Ordering};

use jiff::{SignedDuration, Timestamp};

/// How far this process's clock runs ahead of the system's, in milliseconds: 0, except in tests
/// that move time on with [`advance`].
static AHEAD_MS: AtomicI64 = AtomicI64::new(0);

/// Tests only: the instant this process's clock stands still at, in milliseconds since the
/// epoch ([`NOT_SET`]: it runs).
static FIXED_MS: AtomicI64 = AtomicI64::new(NOT_SET);
const NOT_SET: i64 = i64::MIN;

/// The current instant.
pub fn instant() -> Timestamp {
    let fixed = FIXED_MS.load(Ordering::Relaxed);
    let now = match fixed {
        NOT_SET => Timestamp::now(),
        ms => Timestamp::from_millisecond(ms).unwrap_or_else(|_| Timestamp::now()),
    };
    now.checked_add(SignedDuration::from_millis(AHEAD_MS.load(Ordering::Relaxed))).unwrap_or(now)
}

/// Moves this process's clock `by` ahead (tests only: a deadline need not be waited for).
pub fn advance(by: SignedDuration) {
    AHEAD_MS.fetch_add(by.as_millis() as i64, Ordering::Relaxed);
}

/// Stops this process's clock at `at` (tests only: a scripted week runs on a fixed calendar,
/// to the millisecond); [`advance`] still moves it on.
pub fn set(at: Timestamp) {
    AHEAD_MS.store(0, Ordering::Relaxed);
    FIXED_MS.store(at.as_millisecond(), Ordering::Relaxed);
}

/// RFC 3339 in UTC, always to the millisecond: `2026-11-23T10:00:00.000Z`.
pub fn rfc3339(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The current instant, written as [`rfc3339`].
pub fn now() -> String {
    rfc3339(instant())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_have_a_fixed_width_so_text_order_is_time_order() {
        let whole: Timestamp = "2026-11-23T10:00:00Z".parse().unwrap();
        let later: Timestamp = "2026-11-23T10:00:00.5Z".parse().unwrap();
        assert_eq!(rfc3339(whole), "2026-11-23T10:00:00.000Z");
        assert_eq!(rfc3339(later), "2026-11-23T10:00:00.500Z");
        assert!(rfc3339(whole) < rfc3339(later));
    }
}
