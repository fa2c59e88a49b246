//! End-to-end harness: a real kept-server on a free loopback port with a fresh SQLite file,
//! serving the release widget, driven in headless Chromium over WebDriver.
//!
//! Tests follow the fixture split: `find` (locators), `action` (what the customer does),
//! `check` (what the customer sees).

pub mod bench;
pub mod fixture;
pub mod proxy;
pub mod scale;
pub mod server;
pub mod shop;
pub mod webdriver;

use std::time::{Duration, Instant};

/// An HTTP client for the tests' own calls: every status is an answer, not an error.
pub fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder().timeout_global(Some(timeout)).http_status_as_error(false).build().new_agent()
}

/// Polls `f` every 50 ms until it returns Some, for at most `timeout`.
pub fn wait_for<T>(what: &str, timeout: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        if start.elapsed() > timeout {
            panic!("timed out after {timeout:?} waiting for {what}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
