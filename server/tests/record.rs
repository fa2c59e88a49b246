//! The record of kept promises at the API's edge: bad queries are 400s naming the parameter, and
//! the sweeper on two instances breaks each promise once. (The scripted week, whose record was
//! worked out by hand, runs end to end against real servers: `e2e/tests/record_week.rs`.)
//!
//! These tests set the process's clock, so they take turns ([`CLOCK`]).

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use kept_server::{clock, AppState, Config};
use serde_json::{json, Value};

const KEY: &str = "backend-key-record-0123";

/// One test at a time moves the clock.
static CLOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn shop_state(dir: &std::path::Path) -> AppState {
    let config = Config { operator_token: Some(OPERATOR.into()), backend_keys: vec![KEY.into()], ..Config::default() };
    state_with(dir, config).await
}

/// Warsaw local time on December 2026 (UTC+1), e.g. `at("07 10:00")`.
fn at(day_time: &str) -> jiff::Timestamp {
    let (day, time) = day_time.split_once(' ').unwrap();
    format!("2026-12-{day}T{time}:00+01:00").parse().unwrap()
}

fn set(day_time: &str) {
    clock::set(at(day_time));
}

fn backend(method: &str, uri: &str, body: Option<Value>) -> Request<Body> {
    let b = Request::builder().method(method).uri(uri).header("authorization", format!("Bearer {KEY}"));
    match body {
        Some(v) => b.header("content-type", "application/json").body(Body::from(v.to_string())).unwrap(),
        None => b.body(Body::empty()).unwrap(),
    }
}

/// A new order from the shop's servers (with a delivery slot, local times); its customer token.
async fn new_order(s: &AppState, id: &str, slot: Option<(&str, &str)>) -> String {
    let mut order = json!({ "items": [{ "id": "tea", "name": "Sencha", "quantity": 1,
        "unit_price": { "amount_minor": 1500, "currency": "PLN" } }] });
    if let Some((start, end)) = slot {
        order["delivery_slot"] = json!({ "start": at(start).to_string(), "end": at(end).to_string() });
    }
    let (status, saved) = call(s, backend("PUT", &format!("/v1/backend/orders/{id}"), Some(order))).await;
    assert_eq!(status, StatusCode::CREATED, "{saved}");
    saved["customer_token"].as_str().unwrap().to_owned()
}

async fn customer_writes(s: &AppState, order: &str, token: &str, client_id: &str) {
    let body = json!({ "client_id": client_id, "text": "Where is my order?" }).to_string();
    let (status, m) = call(s, post_as(&format!("/v1/orders/{order}/messages"), token, Some(client_id), body)).await;
    assert_eq!(status, StatusCode::CREATED, "{m}");
}

async fn sweep(s: &AppState) -> (u32, u32) {
    kept_server::workers::promises::sweep(s, clock::instant()).await.unwrap()
}

fn figures(row: &Value) -> (u64, u64, u64) {
    let n = |k: &str| row[k].as_u64().unwrap_or(0);
    (n("kept"), n("broken"), n("prevented"))
}

#[tokio::test]
async fn bad_record_and_promise_queries_are_400s_naming_the_parameter() {
    let _turn = CLOCK.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let s = shop_state(dir.path()).await;
    for (uri, field) in [
        ("/v1/backend/record?by=week", "by"),
        ("/v1/backend/record?days=0", "days"),
        ("/v1/backend/record?from=2026-13-01", "from"),
        ("/v1/backend/record?from=2026-01-01&to=2027-06-01", "to"),
        ("/v1/backend/promises?kind=teleport", "kind"),
        ("/v1/backend/promises?state=maybe", "state"),
        ("/v1/backend/promises?from=yesterday", "from"),
        ("/v1/backend/promises?limit=0", "limit"),
        ("/v1/backend/promises?format=xml", "format"),
    ] {
        let (st, body) = call(&s, backend("GET", uri, None)).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{uri}: {body}");
        assert_eq!(body["error"]["fields"][0]["path"], field, "{uri}: {body}");
    }
    let (st, _) = call(&s, get("/v1/backend/record", Some(TOKEN))).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "a customer token does not read the shop's record");
}

#[tokio::test]
async fn two_instances_sweeping_at_once_break_each_promise_once() {
    let _turn = CLOCK.lock().await;
    let dir = tempfile::tempdir().unwrap();
    set("07 10:00");
    let one = shop_state(dir.path()).await;
    // A second instance on the same database.
    let two = shop_state(dir.path()).await;
    let mut tokens = Vec::new();
    for i in 0..12 {
        let id = format!("S-{i}");
        let token = new_order(&one, &id, None).await;
        customer_writes(&one, &id, &token, "late").await;
        tokens.push((id, token));
    }
    set("07 10:30");
    let (a, b) = tokio::join!(sweep(&one), sweep(&two));
    assert_eq!(a.0 + b.0, 12, "each broken by one instance: {a:?} {b:?}");
    assert_eq!(sweep(&two).await.0 + sweep(&one).await.0, 0);
    let (_, record) = call(&two, backend("GET", "/v1/backend/record?days=1", None)).await;
    assert_eq!(figures(&record["total"]), (0, 12, 0), "{record}");
    // And each order's stream told of the breach once.
    for (id, _) in &tokens {
        let count = kept_server::store::events::after(&one.pool, id, 0, 100)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.name == "promise")
            .filter(|e| serde_json::from_str::<Value>(&e.json).unwrap()["promise"]["state"] == "broken")
            .count();
        assert_eq!(count, 1, "{id}");
    }
}
