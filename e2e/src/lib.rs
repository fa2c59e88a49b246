//! End-to-end harness: a real kept-server on a free loopback port with a fresh SQLite file,
//! serving the release widget, driven in headless Chromium over WebDriver.
//!
//! Tests follow the fixture split: `find` (locators), `action` (what the customer does),
//! `check` (what the customer sees).

pub mod bench;
pub mod fixture;
pub mod mailbox;
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

/// POSTs `body` as JSON with a bearer token and, when given, an Idempotency-Key; the status and
/// the JSON answer (null when there is none).
pub fn post_json(url: &str, token: &str, key: Option<&str>, body: serde_json::Value) -> (u16, serde_json::Value) {
    let mut req = agent(Duration::from_secs(10)).post(url).header("Authorization", &format!("Bearer {token}"));
    if let Some(k) = key {
        req = req.header("Idempotency-Key", k);
    }
    let mut res = req.send_json(&body).expect("the server answers");
    (res.status().as_u16(), res.body_mut().read_json().unwrap_or(serde_json::Value::Null))
}

/// "Ask me first" in the chat, 15 minutes, then remove the item: a substitution rule.
pub fn ask_first_rule() -> serde_json::Value {
    serde_json::json!({ "rule": "ask_first", "channel": "chat", "wait_minutes": 15, "fallback": { "then": "remove" } })
}

/// Polls `f` every 50 ms until it returns Some, for at most `timeout`.
pub fn wait_for<T>(what: &str, timeout: Duration, f: impl FnMut() -> Option<T>) -> T {
    poll(timeout, f).unwrap_or_else(|| panic!("timed out after {timeout:?} waiting for {what}"))
}

/// Polls `f` every 50 ms until it returns Some, for at most `timeout`; None when it never did.
pub fn poll<T>(timeout: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if start.elapsed() > timeout {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
