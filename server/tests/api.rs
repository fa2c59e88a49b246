//! Router-level tests: the real router and a real SQLite file, no socket.

use std::path::Path;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use kept_server::{app, db, seed, AppState, Config};
use serde_json::{json, Value};
use tower::ServiceExt;

const TOKEN: &str = "test-token-for-kc1001";
const OPERATOR: &str = "test-operator-token";

async fn state(path: &Path) -> AppState {
    let pool = db::open(path).await.unwrap();
    seed::demo(&pool, TOKEN).await.unwrap();
    let config = Config { operator_token: Some(OPERATOR.into()), rate_limit: 5, ..Config::default() };
    AppState::new(pool, config)
}

async fn call(state: &AppState, req: Request<Body>) -> (StatusCode, Value) {
    let res = app(state.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn get(uri: &str, token: Option<&str>) -> Request<Body> {
    let mut b = Request::get(uri);
    if let Some(t) = token {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    b.body(Body::empty()).unwrap()
}

fn post(uri: &str, key: Option<&str>, body: impl Into<Body>) -> Request<Body> {
    let mut b = Request::post(uri)
        .header("authorization", format!("Bearer {TOKEN}"))
        .header("content-type", "application/json");
    if let Some(k) = key {
        b = b.header("idempotency-key", k);
    }
    b.body(body.into()).unwrap()
}

fn coffee_story() -> Value {
    json!({
        "contact": { "channels": ["chat", "whatsapp"], "do_not_call": true, "phone": "+48 600 100 200" },
        "payment": "card_on_delivery",
        "locale": "en"
    })
}

const PREFS: &str = "/v1/orders/KC-1001/preferences";

fn field_codes(body: &Value) -> Vec<(String, String)> {
    body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap().to_owned(), f["code"].as_str().unwrap().to_owned()))
        .collect()
}

#[tokio::test]
async fn the_shop_profile_lists_what_the_shop_offers() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir.path().join("kept.sqlite")).await;
    let (status, body) = call(&s, get("/v1/shop", None)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["name"], "Kept Coffee");
    assert!(body["payment_methods"].as_array().unwrap().iter().any(|m| m["method"] == "card_on_delivery"));
}

#[tokio::test]
async fn submitted_preferences_come_back_as_a_receipt_and_in_the_order_view() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir.path().join("kept.sqlite")).await;
    let (status, receipt) = call(&s, post(PREFS, Some("k1"), coffee_story().to_string())).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(receipt["version"], 1);
    assert_eq!(receipt["summary"][0], "We will not call you.");
    assert_eq!(receipt["preferences"]["contact"]["phone"], "+48600100200");
    assert!(receipt["digest"].as_str().unwrap().starts_with("sha256:"));
    let (status, order) = call(&s, get("/v1/orders/KC-1001", Some(TOKEN))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(order["receipt"], receipt);
    assert_eq!(order["status"], "OrderProcessing");
    assert_eq!(order["items"].as_array().unwrap().len(), 10);
}

#[tokio::test]
async fn each_change_is_a_new_version_and_the_newest_is_current() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir.path().join("kept.sqlite")).await;
    call(&s, post(PREFS, Some("k1"), coffee_story().to_string())).await;
    let mut changed = coffee_story();
    changed["payment"] = json!("cash_on_delivery");
    let (status, second) = call(&s, post(PREFS, Some("k2"), changed.to_string())).await;
    assert_eq!((status, second["version"].clone()), (StatusCode::CREATED, json!(2)));
    let (_, order) = call(&s, get("/v1/orders/KC-1001", Some(TOKEN))).await;
    assert_eq!(order["receipt"]["preferences"]["payment"], "cash_on_delivery");
}

#[tokio::test]
async fn do_not_call_with_only_phone_calls_is_refused_naming_the_channel() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir.path().join("kept.sqlite")).await;
    let body = json!({
        "contact": { "channels": ["phone"], "do_not_call": true, "phone": "+48600100200" },
        "payment": "card_online", "locale": "pl"
    });
    let (status, err) = call(&s, post(PREFS, Some("k1"), body.to_string())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["error"]["code"], "validation_failed");
    assert_eq!(field_codes(&err), vec![("contact.channels[0]".into(), "calls_forbidden".into())]);
}

#[tokio::test]
async fn wrong_types_name_the_field_and_broken_json_is_a_400() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir.path().join("kept.sqlite")).await;
    let mut body = coffee_story();
    body["payment"] = json!(42);
    let (status, err) = call(&s, post(PREFS, Some("k1"), body.to_string())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_codes(&err), vec![("payment".into(), "invalid".into())]);
    let (status, err) = call(&s, post(PREFS, Some("k2"), "{\"contact\": [")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["error"]["code"], "malformed_request");
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_413() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir.path().join("kept.sqlite")).await;
    let (status, err) = call(&s, post(PREFS, Some("k1"), " ".repeat(100 * 1024))).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(err["error"]["code"], "payload_too_large");
}

#[tokio::test]
async fn a_missing_idempotency_key_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir.path().join("kept.sqlite")).await;
    let (status, err) = call(&s, post(PREFS, None, coffee_story().to_string())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_codes(&err), vec![("Idempotency-Key".into(), "required".into())]);
}

#[tokio::test]
async fn the_same_key_and_body_replays_the_first_receipt_without_a_new_version() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir.path().join("kept.sqlite")).await;
    let (_, first) = call(&s, post(PREFS, Some("same"), coffee_story().to_string())).await;
    let (status, again) = call(&s, post(PREFS, Some("same"), coffee_story().to_string())).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(again, first);
    let mut other = coffee_story();
    other["payment"] = json!("cash_on_delivery");
    let (status, err) = call(&s, post(PREFS, Some("same"), other.to_string())).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(err["error"]["code"], "idempotency_conflict");
    let (_, order) = call(&s, get("/v1/orders/KC-1001", Some(TOKEN))).await;
    assert_eq!(order["receipt"]["version"], 1);
}

#[tokio::test]
async fn a_wrong_or_missing_token_looks_exactly_like_a_missing_order() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir.path().join("kept.sqlite")).await;
    let wrong = call(&s, get("/v1/orders/KC-1001", Some("guess"))).await;
    let missing_token = call(&s, get("/v1/orders/KC-1001", None)).await;
    let no_such_order = call(&s, get("/v1/orders/KC-9999", Some(TOKEN))).await;
    assert_eq!(wrong.0, StatusCode::NOT_FOUND);
    assert_eq!(wrong, missing_token);
    assert_eq!(wrong, no_such_order);
}

#[tokio::test]
async fn an_acknowledged_agreement_survives_a_restart_and_seeding_twice_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kept.sqlite");
    let s = state(&path).await;
    let (_, receipt) = call(&s, post(PREFS, Some("k1"), coffee_story().to_string())).await;
    s.pool.close().await;
    let reopened = state(&path).await;
    let (_, order) = call(&reopened, get("/v1/orders/KC-1001", Some(TOKEN))).await;
    assert_eq!(order["receipt"], receipt);
    let (orders,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM orders").fetch_one(&reopened.pool).await.unwrap();
    assert_eq!(orders, 1);
}
