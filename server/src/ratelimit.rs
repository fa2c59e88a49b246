//! A fixed-window limit on message posting per order token.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Counts posts per key in fixed windows.
#[derive(Clone)]
pub struct Limiter {
    limit: u32,
    window: Duration,
    seen: Arc<Mutex<HashMap<String, (Instant, u32)>>>,
}

impl Limiter {
    /// At most `limit` posts per `window_secs` seconds per key.
    pub fn new(limit: u32, window_secs: u64) -> Limiter {
        Limiter { limit, window: Duration::from_secs(window_secs.max(1)), seen: Arc::default() }
    }

    /// Ok when `key` may post now; otherwise the seconds until it may.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), u64> {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() > 100_000 {
            seen.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = seen.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.limit {
            let wait = self.window.saturating_sub(now.duration_since(entry.0));
            return Err(wait.as_secs().max(1));
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_holds_within_a_window_and_resets_after_it() {
        let l = Limiter::new(2, 10);
        let t0 = Instant::now();
        assert!(l.check("a", t0).is_ok());
        assert!(l.check("a", t0).is_ok());
        assert_eq!(l.check("a", t0 + Duration::from_secs(3)), Err(7));
        assert!(l.check("b", t0).is_ok());
        assert!(l.check("a", t0 + Duration::from_secs(10)).is_ok());
    }
}
