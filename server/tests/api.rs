//! Router-level tests: the real router and a real SQLite file, no socket.

use axum::http::StatusCode;
use serde_json::json;

mod common;

use common::*;

const PREFS: &str = "/v1/orders/KC-1001/preferences";

#[tokio::test]
async fn the_shop_profile_lists_what_the_shop_offers() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    let (status, body) = call(&s, get("/v1/shop", None)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["name"], "Kept Coffee");
    assert!(body["payment_methods"].as_array().unwrap().iter().any(|m| m["method"] == "card_on_delivery"));
}

#[tokio::test]
async fn submitted_preferences_come_back_as_a_receipt_and_in_the_order_view() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
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
    let s = state(dir.path()).await;
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
    let s = state(dir.path()).await;
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
    let s = state(dir.path()).await;
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
    let s = state(dir.path()).await;
    let (status, err) = call(&s, post(PREFS, Some("k1"), " ".repeat(100 * 1024))).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(err["error"]["code"], "payload_too_large");
}

#[tokio::test]
async fn a_missing_idempotency_key_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    let (status, err) = call(&s, post(PREFS, None, coffee_story().to_string())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_codes(&err), vec![("Idempotency-Key".into(), "required".into())]);
}

#[tokio::test]
async fn the_same_key_and_body_replays_the_first_receipt_without_a_new_version() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
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
    let s = state(dir.path()).await;
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
    let s = state(dir.path()).await;
    let (_, receipt) = call(&s, post(PREFS, Some("k1"), coffee_story().to_string())).await;
    s.pool.close().await;
    let reopened = state(dir.path()).await;
    let (_, order) = call(&reopened, get("/v1/orders/KC-1001", Some(TOKEN))).await;
    assert_eq!(order["receipt"], receipt);
    let (orders,): (i64,) =
        kept_server::sql!(&reopened.pool, |c| sqlx::query_as("SELECT COUNT(*) FROM orders").fetch_one(c).await)
            .unwrap();
    assert_eq!(orders, 2, "the two demo orders, once each");
}

#[tokio::test]
async fn agreements_arriving_together_each_get_their_own_version_and_a_retried_key_stores_once() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    let body = coffee_story().to_string();
    // 40 submissions at once, two of them sharing a key (a retry racing its original).
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let (s, body) = (s.clone(), body.clone());
            let key = if i == 39 { "k0".to_owned() } else { format!("k{i}") };
            tokio::spawn(async move { call(&s, post(&format!("{ORDER}/preferences"), Some(&key), body)).await })
        })
        .collect();
    let mut versions = Vec::new();
    for t in tasks {
        let (status, receipt) = t.await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{receipt}");
        versions.push(receipt["version"].as_u64().unwrap());
    }
    let mut distinct = versions.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct, (1..=39).collect::<Vec<u64>>(), "39 keys, 39 versions, no gaps");
    assert_eq!(versions[0], versions[39], "the retry got the first one's receipt");
    let (_, order) = call(&s, get(ORDER, Some(TOKEN))).await;
    let agreed =
        order["timeline"].as_array().unwrap().iter().filter(|e| e["event"]["type"] == "preferences_agreed").count();
    assert_eq!(agreed, 39);
}
