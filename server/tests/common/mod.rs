//! Shared helpers for the router-level tests: the real router, a real SQLite file, no socket.
#![allow(dead_code)]

use std::path::Path;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use kept_server::{app, db, seed, AppState, Config};
use serde_json::{json, Value};
use tower::ServiceExt;

pub const TOKEN: &str = "test-token-for-kc1001";
pub const OPERATOR: &str = "test-operator-token";
pub const ORDER: &str = "/v1/orders/KC-1001";

/// A seeded server state on a fresh SQLite file in `dir`.
pub async fn state(dir: &Path) -> AppState {
    state_with(dir, Config { operator_token: Some(OPERATOR.into()), rate_limit: 5, ..Config::default() }).await
}

/// The same with a chosen configuration.
pub async fn state_with(dir: &Path, config: Config) -> AppState {
    let pool = db::open(&database(dir)).await.unwrap();
    seed::demo(&pool, TOKEN).await.unwrap();
    AppState::new(pool, config)
}

/// The database of the test working in `dir`: a SQLite file there, or, when
/// `KEPT_TEST_POSTGRES` names a PostgreSQL cluster (`cargo xtask test` runs every test on both
/// engines), a database of its own in that cluster.
pub fn database(dir: &Path) -> String {
    match std::env::var("KEPT_TEST_POSTGRES") {
        Ok(base) => {
            let name: String = dir.to_string_lossy().chars().filter(char::is_ascii_alphanumeric).collect();
            // kept-server makes the database when it opens a missing one.
            format!("{base}/t_{}", name.to_lowercase())
        }
        Err(_) => dir.join("kept.sqlite").to_string_lossy().into_owned(),
    }
}

/// Whether the tests run on PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var_os("KEPT_TEST_POSTGRES").is_some()
}

/// The statement for the engine the tests run on (for SQL the two engines write differently).
pub fn pick<'a>(sqlite: &'a str, postgres: &'a str) -> &'a str {
    if on_postgres() {
        postgres
    } else {
        sqlite
    }
}

/// The whole server on a loopback socket (serve.rs, as kept-server runs it), until dropped.
pub struct Served {
    pub addr: std::net::SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

/// Serves `state` on a free loopback port with this header-read timeout.
pub async fn serve(state: &AppState, header_timeout: std::time::Duration) -> Served {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(kept_server::serve::serve(listener, app(state.clone()), header_timeout, async {
        let _ = stopped.await;
    }));
    Served { addr, stop: Some(stop), server: Some(server) }
}

impl Served {
    /// Shuts the server down and waits (at most 10 s) for it to end.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(10), server).await;
        }
    }
}

/// Sends a request through the whole router.
pub async fn call(state: &AppState, req: Request<Body>) -> (StatusCode, Value) {
    let res = app(state.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

/// A GET with a bearer token.
pub fn get(uri: &str, token: Option<&str>) -> Request<Body> {
    let mut b = Request::get(uri);
    if let Some(t) = token {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    b.body(Body::empty()).unwrap()
}

/// A POST of JSON with a bearer token and an optional idempotency key.
pub fn post_as(uri: &str, token: &str, key: Option<&str>, body: impl Into<Body>) -> Request<Body> {
    let mut b = Request::post(uri)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json");
    if let Some(k) = key {
        b = b.header("idempotency-key", k);
    }
    b.body(body.into()).unwrap()
}

/// A customer POST.
pub fn post(uri: &str, key: Option<&str>, body: impl Into<Body>) -> Request<Body> {
    post_as(uri, TOKEN, key, body)
}

/// An operator POST.
pub fn op_post(uri: &str, key: Option<&str>, body: Value) -> Request<Body> {
    post_as(uri, OPERATOR, key, body.to_string())
}

/// The `(path, code)` pairs of a validation error.
pub fn field_codes(body: &Value) -> Vec<(String, String)> {
    body["error"]["fields"]
        .as_array()
        .unwrap_or(&vec![])
        .iter()
        .map(|f| (f["path"].as_str().unwrap().to_owned(), f["code"].as_str().unwrap().to_owned()))
        .collect()
}

/// One `(path, code)` pair.
pub fn one(path: &str, code: &str) -> Vec<(String, String)> {
    vec![(path.to_owned(), code.to_owned())]
}

/// The coffee story of DESIGN.md §1 as preferences.
pub fn coffee_story() -> Value {
    json!({
        "contact": { "channels": ["chat", "whatsapp"], "do_not_call": true, "phone": "+48 600 100 200" },
        "substitutions": {
            "default": { "rule": "similar", "max_increase": { "kind": "percent", "percent": 10 } },
            "overrides": [{ "item": "coffee-3", "rule": { "rule": "ask_first", "channel": "chat", "wait_minutes": 15,
                "fallback": { "then": "remove" } } }]
        },
        "payment": "card_on_delivery",
        "notes": [{ "item": "coffee-3", "option": "whole", "text": "beans, not ground" }],
        "locale": "en"
    })
}

/// Agrees the coffee story and returns its receipt.
pub async fn agree(s: &AppState) -> Value {
    let (status, receipt) =
        call(s, post(&format!("{ORDER}/preferences"), Some("agree"), coffee_story().to_string())).await;
    assert_eq!(status, StatusCode::CREATED, "{receipt}");
    receipt
}
