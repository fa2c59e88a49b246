//! The shop's own servers and the shop's people: orders in through the backend API, the
//! agreement out by signed webhooks to a real receiver on loopback, named operators.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use kept_server::{app, AppState, Config};
use serde_json::{json, Value};
use tower::ServiceExt;

const KEY: &str = "backend-key-0123456789";
const OLD_KEY: &str = "backend-key-old-98765";

async fn shop_state(dir: &std::path::Path) -> AppState {
    let config = Config {
        operator_token: Some(OPERATOR.into()),
        backend_keys: vec![KEY.into(), OLD_KEY.into()],
        ..Config::default()
    };
    state_with(dir, config).await
}

fn backend(method: &str, uri: &str, key: &str, body: Option<Value>) -> Request<Body> {
    let b = Request::builder().method(method).uri(uri).header("authorization", format!("Bearer {key}"));
    match body {
        Some(v) => b.header("content-type", "application/json").body(Body::from(v.to_string())).unwrap(),
        None => b.body(Body::empty()).unwrap(),
    }
}

fn pln(a: i64) -> Value {
    json!({ "amount_minor": a, "currency": "PLN" })
}

fn new_order() -> Value {
    json!({
        "items": [
            { "id": "beans-1", "name": "Kenya AA, 250 g", "quantity": 1, "unit_price": pln(5900), "option_set": "grind",
              "replacements": [{ "id": "beans-2", "name": "Kenya AB, 250 g", "unit_price": pln(5600) }] },
            { "id": "beans-3", "name": "Colombia Huila, 250 g", "quantity": 2, "unit_price": pln(4500) }
        ],
        "customer": { "phone": "+48 600 100 200", "email": "anna@example.com" },
        "locale": "pl"
    })
}

#[tokio::test]
async fn an_order_in_yen_says_it_is_in_yen() {
    let dir = tempfile::tempdir().unwrap();
    let s = shop_state(dir.path()).await;
    let yen = |a: i64| json!({ "amount_minor": a, "currency": "JPY" });
    let order =
        json!({ "items": [{ "id": "tea", "name": "Sencha", "quantity": 1, "unit_price": yen(1500) }], "locale": "uk" });
    let (status, created) = call(&s, backend("PUT", "/v1/backend/orders/JP-1", KEY, Some(order))).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["order"]["currency"], "JPY");
}

#[tokio::test]
async fn the_backend_api_needs_one_of_the_configured_keys() {
    let dir = tempfile::tempdir().unwrap();
    let s = shop_state(dir.path()).await;
    for key in ["", "wrong-key-000000000", TOKEN, OPERATOR] {
        let (status, err) = call(&s, backend("GET", "/v1/backend/orders", key, None)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{key:?}");
        assert_eq!(err["error"]["code"], "unauthorized");
    }
    for key in [KEY, OLD_KEY] {
        let (status, _) = call(&s, backend("GET", "/v1/backend/orders", key, None)).await;
        assert_eq!(status, StatusCode::OK, "both keys work while one is rotated out");
    }
    // A key never rides in the URL, not even beside a good header.
    let (status, _) = call(&s, backend("GET", &format!("/v1/backend/orders?access_token={KEY}"), KEY, None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_order_created_by_the_shop_opens_with_the_token_it_returns_and_updates_keep_the_agreement() {
    let dir = tempfile::tempdir().unwrap();
    let s = shop_state(dir.path()).await;
    let (status, created) = call(&s, backend("PUT", "/v1/backend/orders/WEB-77", KEY, Some(new_order()))).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let token = created["customer_token"].as_str().unwrap().to_owned();
    assert_eq!(created["embed"]["data-order"], "WEB-77");
    assert_eq!(created["embed"]["data-token"], token.as_str());
    assert_eq!(created["embed"]["data-locale"], "pl");
    let (status, view) = call(&s, get("/v1/orders/WEB-77", Some(&token))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["known_contact"]["email"], "anna@example.com", "prefilled for the customer");
    assert_eq!(view["currency"], "PLN", "the order says its currency; nobody guesses it from an item");

    // The same PUT again changes nothing and returns no token.
    let (status, again) = call(&s, backend("PUT", "/v1/backend/orders/WEB-77", KEY, Some(new_order()))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(again["customer_token"].is_null());

    // The customer agrees, with an override and a note for beans-1.
    let prefs = json!({
        "contact": { "channels": ["chat"], "do_not_call": true },
        "substitutions": { "default": { "rule": "remove" }, "overrides": [{ "item": "beans-1", "rule": { "rule": "specific", "replacement": "beans-2" } }] },
        "payment": "card_on_delivery",
        "notes": [{ "item": "beans-1", "option": "whole" }],
        "locale": "pl"
    });
    let (status, receipt) =
        call(&s, post_as("/v1/orders/WEB-77/preferences", &token, Some("a1"), prefs.to_string())).await;
    assert_eq!(status, StatusCode::CREATED, "{receipt}");

    // The shop drops beans-1: the agreement stays, without what it said about beans-1.
    let mut fewer = new_order();
    fewer["items"].as_array_mut().unwrap().remove(0);
    let (status, _) = call(&s, backend("PUT", "/v1/backend/orders/WEB-77", KEY, Some(fewer))).await;
    assert_eq!(status, StatusCode::OK);
    let (_, detail) = call(&s, backend("GET", "/v1/backend/orders/WEB-77", KEY, None)).await;
    let versions = detail["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    let now = &versions[1]["preferences"];
    let empty = |v: &Value| v.as_array().is_none_or(|a| a.is_empty());
    assert!(empty(&now["substitutions"]["overrides"]), "{now}");
    assert!(empty(&now["notes"]), "{now}");
    assert_eq!(now["payment"], "card_on_delivery", "the rest of the agreement stays");
    let timeline = detail["order"]["timeline"].as_array().unwrap();
    assert!(timeline
        .iter()
        .any(|e| e["event"]["type"] == "order_updated" && e["event"]["dropped"] == json!(["beans-1"])));

    // Cancelling is a status.
    let mut cancel = new_order();
    cancel["status"] = json!("OrderCancelled");
    call(&s, backend("PUT", "/v1/backend/orders/WEB-77", KEY, Some(cancel))).await;
    let (_, view) = call(&s, get("/v1/orders/WEB-77", Some(&token))).await;
    assert_eq!(view["status"], "OrderCancelled");
    assert_eq!(view["editable"], false);
}

// A handler held one pooled connection while waiting for another (the order view), so more
// concurrent saves than the pool has connections starved it and every request hung.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_orders_saved_at_once_never_starve_the_connection_pool() {
    let dir = tempfile::tempdir().unwrap();
    let s = shop_state(dir.path()).await;
    let saves = (0..24).map(|i| {
        let s = s.clone();
        tokio::spawn(async move {
            let uri = format!("/v1/backend/orders/MANY-{i}");
            call(&s, backend("PUT", &uri, KEY, Some(new_order()))).await.0
        })
    });
    let all = tokio::time::timeout(std::time::Duration::from_secs(20), futures_util::future::join_all(saves))
        .await
        .expect("every save answers within 20 s");
    for status in all {
        assert_eq!(status.unwrap(), StatusCode::CREATED);
    }
}

#[tokio::test]
async fn an_order_with_bad_items_is_refused_naming_each_field() {
    let dir = tempfile::tempdir().unwrap();
    let s = shop_state(dir.path()).await;
    let bad = json!({ "items": [
        { "id": "a", "name": "A", "quantity": 1, "unit_price": { "amount_minor": -5, "currency": "PLN" } },
        { "id": "a", "name": "B", "quantity": 1, "unit_price": { "amount_minor": 5, "currency": "EUR" }, "option_set": "nope" }
    ], "customer": { "phone": "12" } });
    let (status, err) = call(&s, backend("PUT", "/v1/backend/orders/WEB-1", KEY, Some(bad))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let paths: Vec<String> = field_codes(&err).into_iter().map(|(p, _)| p).collect();
    for p in [
        "items[0].unit_price.amount_minor",
        "items[1].id",
        "items[1].unit_price.currency",
        "customer.phone",
        "items[1].option_set",
    ] {
        assert!(paths.contains(&p.to_owned()), "{p} in {paths:?}");
    }
    let (status, err) = call(&s, backend("PUT", "/v1/backend/orders/a%2Fb", KEY, Some(new_order()))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(field_codes(&err), one("order", "invalid"));
}

#[tokio::test]
async fn a_rotated_token_stops_the_old_one_and_changes_are_listed_by_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let s = shop_state(dir.path()).await;
    let (_, created) = call(&s, backend("PUT", "/v1/backend/orders/WEB-9", KEY, Some(new_order()))).await;
    let old = created["customer_token"].as_str().unwrap().to_owned();
    let (status, rotated) = call(&s, backend("POST", "/v1/backend/orders/WEB-9/token", KEY, None)).await;
    assert_eq!(status, StatusCode::OK);
    let new = rotated["customer_token"].as_str().unwrap();
    assert_eq!(call(&s, get("/v1/orders/WEB-9", Some(&old))).await.0, StatusCode::NOT_FOUND);
    assert_eq!(call(&s, get("/v1/orders/WEB-9", Some(new))).await.0, StatusCode::OK);

    // On PostgreSQL a change is listed once every transaction older than it has ended, in any
    // database of the cluster (other tests share it): bounded patience, not a race.
    let mut first = Value::Null;
    for _ in 0..500 {
        first = call(&s, backend("GET", "/v1/backend/orders?after=0&limit=500", KEY, None)).await.1;
        if first["orders"].as_array().unwrap().iter().any(|o| o["id"] == "WEB-9") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let cursor = first["next"].as_i64().unwrap();
    assert!(first["orders"].as_array().unwrap().iter().any(|o| o["id"] == "WEB-9"), "{first}");
    let (_, none) = call(&s, backend("GET", &format!("/v1/backend/orders?after={cursor}"), KEY, None)).await;
    assert_eq!(none["orders"], json!([]));
    assert_eq!(none["next"], cursor, "nothing changed: the same cursor");
    let prefs = json!({ "contact": { "channels": ["chat"] }, "payment": "card_online", "locale": "en" });
    call(&s, post_as("/v1/orders/WEB-9/preferences", new, Some("p"), prefs.to_string())).await;
    let mut after = Value::Null;
    for _ in 0..500 {
        after = call(&s, backend("GET", &format!("/v1/backend/orders?after={cursor}"), KEY, None)).await.1;
        if !after["orders"].as_array().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let ids: Vec<&str> = after["orders"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec!["WEB-9"]);
    assert_eq!(after["orders"][0]["receipt_version"], 1);
}

/// A shop's webhook receiver on loopback: answers 500 for the first `fail` requests, then 200;
/// keeps what it received (headers and body).
/// What the receiver got: webhook-id, webhook-timestamp, webhook-signature, body.
type Got = Arc<Mutex<Vec<(String, String, String, String)>>>;

async fn receiver(fail: usize) -> (String, Got) {
    let (url, got, _) = receiver_holding(fail, Duration::ZERO).await;
    (url, got)
}

/// The same, holding its first request for `hold` before answering it (and keeping nothing of
/// it); also counts every request that arrived.
async fn receiver_holding(fail: usize, hold: Duration) -> (String, Got, Arc<Mutex<usize>>) {
    let got: Got = Arc::default();
    let seen = got.clone();
    let count = Arc::new(Mutex::new(0usize));
    let arrived = count.clone();
    let handler = move |headers: axum::http::HeaderMap, body: String| {
        let (seen, count) = (seen.clone(), count.clone());
        async move {
            let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
            let n = {
                let mut n = count.lock().unwrap();
                *n += 1;
                *n
            };
            if n == 1 && !hold.is_zero() {
                tokio::time::sleep(hold).await;
                return StatusCode::OK;
            }
            if n <= fail {
                return StatusCode::INTERNAL_SERVER_ERROR;
            }
            seen.lock().unwrap().push((h("webhook-id"), h("webhook-timestamp"), h("webhook-signature"), body));
            StatusCode::OK
        }
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, axum::Router::new().route("/hooks", axum::routing::post(handler))).await
    });
    (url, got, arrived)
}

/// Waits, at most `limit`, until `ready` holds; the time it took.
async fn within(limit: Duration, what: &str, ready: impl Fn() -> bool) -> Duration {
    let start = std::time::Instant::now();
    while !ready() {
        assert!(start.elapsed() < limit, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    start.elapsed()
}

async fn hook_for(s: &AppState, url: &str) {
    let body = json!({ "url": url, "event_types": ["agreement.created"] });
    let (status, hook) = call(s, backend("POST", "/v1/backend/webhooks", KEY, Some(body))).await;
    assert_eq!(status, StatusCode::CREATED, "{hook}");
}

// Regression: a delivery claimed by a process killed mid-attempt stayed leased for 60 s, so the
// shop heard nothing for a minute after the restart.
#[tokio::test]
async fn a_delivery_whose_worker_died_mid_attempt_goes_out_within_seconds_of_the_restart() {
    let dir = tempfile::tempdir().unwrap();
    let s = shop_state(dir.path()).await;
    let (url, got, arrived) = receiver_holding(0, Duration::from_secs(120)).await;
    hook_for(&s, &url).await;
    let dying = tokio::spawn(kept_server::workers::webhooks::run(s.clone()));
    agree(&s).await;
    within(Duration::from_secs(10), "the first attempt", || *arrived.lock().unwrap() == 1).await;
    // The worker dies with the attempt in flight, as under kill -9: nothing is recorded.
    dying.abort();
    let _ = dying.await;

    tokio::spawn(kept_server::workers::webhooks::run(s.clone()));
    let took = within(Duration::from_secs(15), "delivered after the restart", || !got.lock().unwrap().is_empty()).await;
    assert!(took < Duration::from_secs(10), "delivered {took:?} after the restart");
}

#[tokio::test]
async fn a_live_instance_keeps_its_claim_while_a_slow_receiver_answers() {
    let dir = tempfile::tempdir().unwrap();
    let s = shop_state(dir.path()).await;
    // A second instance on the same database (on PostgreSQL, two servers behind one balancer).
    let other = AppState::new(kept_server::db::open(&database(dir.path())).await.unwrap(), s.config.as_ref().clone());
    // Longer than a lease, shorter than an attempt may take.
    let (url, _, arrived) = receiver_holding(0, Duration::from_secs(8)).await;
    hook_for(&s, &url).await;
    tokio::spawn(kept_server::workers::webhooks::run(s.clone()));
    tokio::spawn(kept_server::workers::webhooks::run(other.clone()));
    agree(&s).await;
    within(Duration::from_secs(10), "the first attempt", || *arrived.lock().unwrap() == 1).await;
    let start = std::time::Instant::now();
    loop {
        assert_eq!(*arrived.lock().unwrap(), 1, "no other attempt while the first one runs");
        let (_, pending) = call(&s, get("/v1/operator/webhook-deliveries", Some(OPERATOR))).await;
        if pending.as_array().is_some_and(Vec::is_empty) {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(15), "the slow attempt was recorded: {pending}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(*arrived.lock().unwrap(), 1, "delivered once");
}

#[tokio::test]
async fn an_agreement_reaches_the_shop_signed_after_its_receiver_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let s = shop_state(dir.path()).await;
    let (url, got) = receiver(3).await;
    let (status, hook) = call(
        &s,
        backend("POST", "/v1/backend/webhooks", KEY, Some(json!({ "url": url, "event_types": ["agreement.created"] }))),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{hook}");
    let secret = hook["secret"].as_str().unwrap().to_owned();
    let (_, list) = call(&s, backend("GET", "/v1/backend/webhooks", KEY, None)).await;
    assert!(list[0]["secret"].is_null(), "the secret is shown once");
    tokio::spawn(kept_server::workers::webhooks::run(s.clone()));

    let receipt = agree(&s).await;
    let delivered = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            if let Some(d) = got.lock().unwrap().first().cloned() {
                return d;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("delivered once the receiver recovered");
    let (id, timestamp, signature, body) = delivered;
    let key = kept_server::webhooks::secret_key(&secret).unwrap();
    assert_eq!(
        signature,
        kept_server::webhooks::sign(&key, &id, timestamp.parse().unwrap(), &body),
        "a valid signature"
    );
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["type"], "agreement.created");
    assert_eq!(body["data"]["order"], "KC-1001");
    assert_eq!(body["data"]["receipt"]["preferences"], receipt["preferences"], "the exact preferences");
    assert_eq!(body["data"]["receipt"]["summary"], receipt["summary"]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(got.lock().unwrap().len(), 1, "once");
}

fn cookie_of(res: &axum::http::Response<Body>) -> String {
    res.headers()["set-cookie"].to_str().unwrap().to_owned()
}

async fn sign_in(s: &AppState, name: &str, password: &str) -> axum::http::Response<Body> {
    let req = Request::post("/v1/operator/session")
        .header("content-type", "application/json")
        .header("host", "127.0.0.1:8080")
        .body(Body::from(json!({ "name": name, "password": password }).to_string()))
        .unwrap();
    app(s.clone()).oneshot(req).await.unwrap()
}

#[tokio::test]
async fn a_named_operator_signs_in_acts_as_themselves_and_guessing_is_slowed() {
    let dir = tempfile::tempdir().unwrap();
    let s = shop_state(dir.path()).await;
    let hash = kept_server::password::hash("anna's long password").unwrap();
    kept_server::store::operators::add(&mut s.pool.acquire().await.unwrap(), "anna", "Anna", &hash).await.unwrap();

    assert_eq!(sign_in(&s, "anna", "wrong password").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(sign_in(&s, "nobody", "wrong password").await.status(), StatusCode::UNAUTHORIZED);
    let res = sign_in(&s, "anna", "anna's long password").await;
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = cookie_of(&res);
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(!cookie.contains("Secure"), "loopback is plain http: {cookie}");
    let session = cookie.split(';').next().unwrap().to_owned();

    // A cookie alone (a form posted from another site) does nothing.
    let oos = |with_header: bool| {
        let mut b = Request::post("/v1/operator/orders/KC-1001/items/coffee-1/out-of-stock")
            .header("content-type", "application/json")
            .header("cookie", &session);
        if with_header {
            b = b.header("x-kept-console", "1");
        }
        b.body(Body::from("{}")).unwrap()
    };
    assert_eq!(call(&s, oos(false)).await.0, StatusCode::UNAUTHORIZED);
    let (status, _) = call(&s, oos(true)).await;
    assert_eq!(status, StatusCode::OK);
    let (_, order) = call(&s, get(ORDER, Some(TOKEN))).await;
    let last = order["timeline"].as_array().unwrap().last().cloned().unwrap();
    assert_eq!(last["by"], "Anna", "the order shows who did it");

    let msg = Request::post("/v1/operator/orders/KC-1001/messages")
        .header("content-type", "application/json")
        .header("idempotency-key", "m1")
        .header("x-kept-console", "1")
        .header("cookie", &session)
        .body(Body::from(json!({ "text": "Anna here" }).to_string()))
        .unwrap();
    let (status, m) = call(&s, msg).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(m["author_name"], "Anna");

    let beat = Request::post("/v1/operator/presence")
        .header("x-kept-console", "1")
        .header("cookie", &session)
        .body(Body::empty())
        .unwrap();
    assert_eq!(call(&s, beat).await.0, StatusCode::NO_CONTENT);
    let (_, shop) = call(&s, get("/v1/shop", None)).await;
    assert_eq!(shop["availability"]["online"], json!(["Anna"]));

    // Sign out ends the session.
    let out = Request::delete("/v1/operator/session")
        .header("x-kept-console", "1")
        .header("cookie", &session)
        .body(Body::empty())
        .unwrap();
    assert_eq!(call(&s, out).await.0, StatusCode::NO_CONTENT);
    let me = Request::get("/v1/operator/session").header("cookie", &session).body(Body::empty()).unwrap();
    assert_eq!(call(&s, me).await.0, StatusCode::UNAUTHORIZED);

    // Five wrong passwords in a row, and even the right one waits.
    for _ in 0..5 {
        assert_eq!(sign_in(&s, "anna", "guess").await.status(), StatusCode::UNAUTHORIZED);
    }
    let res = sign_in(&s, "anna", "anna's long password").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key("retry-after"));
}
