//! The shop's people through the backend API: listed, added, disabled, enabled, given a new
//! password and removed; a person who leaves is locked out at once, on every instance.

mod common;

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use kept_server::{app, AppState, Config};
use serde_json::{json, Value};
use tower::ServiceExt;

const KEY: &str = "backend-key-0123456789";

async fn shop_state(dir: &std::path::Path) -> AppState {
    let config = Config { operator_token: Some(OPERATOR.into()), backend_keys: vec![KEY.into()], ..Config::default() };
    state_with(dir, config).await
}

fn backend(method: &str, uri: &str, body: Option<Value>) -> Request<Body> {
    let b = Request::builder().method(method).uri(uri).header("authorization", format!("Bearer {KEY}"));
    match body {
        Some(v) => b.header("content-type", "application/json").body(Body::from(v.to_string())).unwrap(),
        None => b.body(Body::empty()).unwrap(),
    }
}

/// Signs in and answers the session cookie (`kept_session=…`), or the status when refused.
async fn sign_in(s: &AppState, name: &str, password: &str) -> Result<String, StatusCode> {
    let req = Request::post("/v1/operator/session")
        .header("content-type", "application/json")
        .header("host", "127.0.0.1:8080")
        .body(Body::from(json!({ "name": name, "password": password }).to_string()))
        .unwrap();
    let res = app(s.clone()).oneshot(req).await.unwrap();
    match res.status() {
        StatusCode::OK => Ok(res.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned()),
        other => Err(other),
    }
}

async fn me(s: &AppState, cookie: &str) -> StatusCode {
    let req = Request::get("/v1/operator/session").header("cookie", cookie).body(Body::empty()).unwrap();
    app(s.clone()).oneshot(req).await.unwrap().status()
}

async fn add(s: &AppState, name: &str, password: Option<&str>) -> Value {
    let mut body = json!({ "name": name, "display_name": "Anna K." });
    if let Some(p) = password {
        body["password"] = json!(p);
    }
    let (status, saved) = call(s, backend("POST", "/v1/backend/operators", Some(body))).await;
    assert_eq!(status, StatusCode::CREATED, "{saved}");
    saved
}

#[tokio::test]
async fn the_shop_lists_adds_disables_enables_resets_and_removes_its_people() {
    let dir = tempfile::tempdir().unwrap();
    let s = shop_state(dir.path()).await;

    let made = add(&s, "anna", None).await;
    let password = made["password"].as_str().expect("a password made and shown once").to_owned();
    assert_eq!(made["operator"]["display_name"], "Anna K.");
    assert_eq!(made["operator"]["disabled"], false);
    add(&s, "boris", Some("boris's long password")).await;
    let (status, taken) =
        call(&s, backend("POST", "/v1/backend/operators", Some(json!({ "name": "anna", "password": "x".repeat(12) }))))
            .await;
    assert_eq!(status, StatusCode::CONFLICT, "{taken}");
    let (status, short) =
        call(&s, backend("POST", "/v1/backend/operators", Some(json!({ "name": "vera", "password": "short" })))).await;
    assert_eq!((status, field_codes(&short)), (StatusCode::UNPROCESSABLE_ENTITY, one("password", "invalid")));
    let (status, spaced) = call(&s, backend("POST", "/v1/backend/operators", Some(json!({ "name": "an na" })))).await;
    assert_eq!((status, field_codes(&spaced)), (StatusCode::UNPROCESSABLE_ENTITY, one("name", "invalid")));

    let (_, list) = call(&s, backend("GET", "/v1/backend/operators", None)).await;
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["anna", "boris"]);
    assert!(list[0].get("password").is_none() && list[0].get("password_hash").is_none(), "{list}");

    // Anna acts, then leaves: disabled, she cannot sign in, and her cookie stops working.
    let cookie = sign_in(&s, "anna", &password).await.expect("anna signs in");
    let oos = Request::post("/v1/operator/orders/KC-1001/items/coffee-1/out-of-stock")
        .header("content-type", "application/json")
        .header("cookie", &cookie)
        .header("x-kept-console", "1")
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(call(&s, oos).await.0, StatusCode::OK);
    let (status, disabled) = call(&s, backend("POST", "/v1/backend/operators/anna/disable", None)).await;
    assert_eq!((status, &disabled["disabled"]), (StatusCode::OK, &json!(true)));
    assert_eq!(me(&s, &cookie).await, StatusCode::UNAUTHORIZED, "her session ended");
    assert_eq!(sign_in(&s, "anna", &password).await, Err(StatusCode::UNAUTHORIZED), "no sign-in while disabled");

    // Back again: the same password works; a new one ends every old session.
    call(&s, backend("POST", "/v1/backend/operators/anna/enable", None)).await;
    let first = sign_in(&s, "anna", &password).await.expect("anna signs in again");
    let (status, reset) = call(&s, backend("POST", "/v1/backend/operators/anna/password", Some(json!({})))).await;
    assert_eq!(status, StatusCode::OK, "{reset}");
    let new_password = reset["password"].as_str().expect("a new password shown once");
    assert_eq!(me(&s, &first).await, StatusCode::UNAUTHORIZED, "the old session ended");
    assert_eq!(sign_in(&s, "anna", &password).await, Err(StatusCode::UNAUTHORIZED), "the old password is gone");
    let second = sign_in(&s, "anna", new_password).await.expect("the new password works");

    // Removed: gone from the list, locked out, and what she did is still hers.
    let (status, _) = call(&s, backend("DELETE", "/v1/backend/operators/anna", None)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(me(&s, &second).await, StatusCode::UNAUTHORIZED);
    let (_, list) = call(&s, backend("GET", "/v1/backend/operators", None)).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (_, order) = call(&s, get(ORDER, Some(TOKEN))).await;
    let by: Vec<&Value> = order["timeline"].as_array().unwrap().iter().map(|e| &e["by"]).collect();
    assert!(by.contains(&&json!("Anna K.")), "still attributed to her: {by:?}");
    for (method, uri) in [
        ("DELETE", "/v1/backend/operators/anna"),
        ("POST", "/v1/backend/operators/anna/disable"),
        ("POST", "/v1/backend/operators/anna/enable"),
    ] {
        assert_eq!(call(&s, backend(method, uri, None)).await.0, StatusCode::NOT_FOUND, "{method} {uri}");
    }
}

#[tokio::test]
async fn the_people_api_needs_a_backend_key() {
    let dir = tempfile::tempdir().unwrap();
    let s = shop_state(dir.path()).await;
    assert_eq!(call(&s, get("/v1/backend/operators", Some(OPERATOR))).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(call(&s, get("/v1/backend/operators", None)).await.0, StatusCode::UNAUTHORIZED);
}

/// Reads an open SSE response until it ends; the time that took, or None past `limit`.
async fn ended_within(mut res: reqwest::Response, limit: Duration) -> Option<Duration> {
    let start = Instant::now();
    loop {
        match tokio::time::timeout(limit.saturating_sub(start.elapsed()), res.chunk()).await {
            Err(_) => return None,
            Ok(Ok(Some(_))) => continue,
            Ok(_) => return Some(start.elapsed()),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_operator_is_locked_out_within_a_second_on_every_instance() {
    let dir = tempfile::tempdir().unwrap();
    let s = shop_state(dir.path()).await;
    // Two instances on one database: the stream is open on one, the shop disables on the other.
    let other = AppState::new(kept_server::db::open(&database(dir.path())).await.unwrap(), s.config.as_ref().clone());
    let served = serve(&s, Duration::from_secs(10)).await;
    add(&other, "anna", Some("anna's long password")).await;
    let cookie = sign_in(&s, "anna", "anna's long password").await.unwrap();

    let client = reqwest::Client::new();
    let stream = client
        .get(format!("http://{}/v1/operator/orders/KC-1001/events", served.addr))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    let watching = tokio::spawn(ended_within(stream, Duration::from_secs(5)));
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(!watching.is_finished(), "the stream stays open while she may work");

    let disabled_at = Instant::now();
    let (status, _) = call(&other, backend("POST", "/v1/backend/operators/anna/disable", None)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me(&s, &cookie).await, StatusCode::UNAUTHORIZED, "the cookie stops working on the other instance");
    watching.await.unwrap().expect("the open stream ended");
    assert!(disabled_at.elapsed() < Duration::from_secs(1), "ended {:?} after the disable", disabled_at.elapsed());
    served.stop().await;
}
