//! The record of kept promises: a scripted week on a fixed calendar (a shop with split hours and
//! a holiday, two operators), whose record was worked out by hand, read back through the backend
//! API as JSON and CSV (on PostgreSQL with two instances, the operators on one, both sweeping);
//! and the sweeper on two instances breaking each promise once.
//!
//! These tests set the process's clock, so they take turns ([`CLOCK`]).

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use http_body_util::BodyExt;
use kept_server::{app, clock, AppState, Config};
use serde_json::{json, Value};
use tower::ServiceExt;

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

async fn text(s: &AppState, req: Request<Body>) -> (StatusCode, String) {
    let res = app(s.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    (status, String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap())
}

/// The shop's split hours (09:00-13:00, 14:00-18:00 on weekdays) and a holiday on Wednesday 9 Dec.
async fn split_hours(s: &AppState) {
    let (_, mut shop) = call(s, get("/v1/shop", None)).await;
    let day = |d: &str| json!({ "day": d, "intervals": [{ "start": "09:00", "end": "13:00" }, { "start": "14:00", "end": "18:00" }] });
    shop["hours"] = json!(["monday", "tuesday", "wednesday", "thursday", "friday"].map(day));
    shop["holidays"] = json!([{ "date": "2026-12-09", "name": "Shop's day off" }]);
    let (status, body) = call(s, op_post("/v1/operator/shop", None, shop)).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
}

/// A named operator with a session of a month (opened in the store: signing in through argon2
/// every scripted day would be the slow part of this test); their cookie.
async fn operator(s: &AppState, name: &str, display: &str) -> String {
    let body = json!({ "name": name, "display_name": display, "password": "correct horse battery" });
    let (status, saved) = call(s, backend("POST", "/v1/backend/operators", Some(body))).await;
    assert_eq!(status, StatusCode::CREATED, "{saved}");
    let id = saved["account"]["id"].as_i64().or(saved["id"].as_i64());
    let token = format!("session-of-{name}-0123456789abcdef");
    let hash = kept_server::auth::hash_token(&token);
    let who = name.to_owned();
    let id = match id {
        Some(id) => id,
        None => kept_server::store::operators::by_name(&s.pool, name).await.unwrap().unwrap().0.id,
    };
    let expires = clock::instant() + jiff::SignedDuration::from_hours(24 * 30);
    s.writer
        .write(move |tx| {
            Box::pin(async move { kept_server::store::operators::open_session(tx, id, &who, &hash, expires).await })
        })
        .await
        .unwrap();
    format!("kept_session={token}")
}

/// A fresh Idempotency-Key.
fn key() -> String {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    format!("key-{}", N.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
}

fn as_op(cookie: &str, uri: &str, body: Value) -> Request<Body> {
    Request::post(uri)
        .header("cookie", cookie)
        .header(kept_server::extract::CONSOLE_HEADER, "1")
        .header("idempotency-key", key())
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
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

async fn answers(s: &AppState, cookie: &str, order: &str) {
    let (st, body) =
        call(s, as_op(cookie, &format!("/v1/operator/orders/{order}/messages"), json!({ "text": "On its way." })))
            .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
}

/// Both instances sweep at once; how many promises they broke between them.
async fn sweep_both(a: &AppState, b: &AppState) -> u32 {
    let (x, y) = tokio::join!(sweep(a), sweep(b));
    x.0 + y.0
}

async fn sweep(s: &AppState) -> (u32, u32) {
    kept_server::workers::promises::sweep(s, clock::instant()).await.unwrap()
}

async fn promises_of(s: &AppState, order: &str, token: &str) -> Vec<Value> {
    own(s, order, token).await["promises"].as_array().unwrap().clone()
}

/// `GET /v1/orders/{order}/promises` in English.
async fn own(s: &AppState, order: &str, token: &str) -> Value {
    let (status, own) = call(s, get(&format!("/v1/orders/{order}/promises?locale=en"), Some(token))).await;
    assert_eq!(status, StatusCode::OK, "{own}");
    own
}

async fn status(s: &AppState, cookie: &str, order: &str, status: &str) {
    let (st, body) =
        call(s, as_op(cookie, &format!("/v1/operator/orders/{order}/status"), json!({ "status": status }))).await;
    assert_eq!(st, StatusCode::OK, "{body}");
}

fn figures(row: &Value) -> (u64, u64, u64) {
    let n = |k: &str| row[k].as_u64().unwrap_or(0);
    (n("kept"), n("broken"), n("prevented"))
}

fn rows(record: &Value) -> Vec<(String, (u64, u64, u64))> {
    record["rows"].as_array().unwrap().iter().map(|r| (r["key"].as_str().unwrap().to_owned(), figures(r))).collect()
}

#[tokio::test]
async fn a_scripted_week_gives_the_record_worked_out_by_hand() {
    let _turn = CLOCK.lock().await;
    let dir = tempfile::tempdir().unwrap();
    set("07 08:00");
    let s = shop_state(dir.path()).await;
    // On PostgreSQL the shop's people work on a second instance, and both instances sweep.
    let t = if on_postgres() { shop_state(dir.path()).await } else { s.clone() };
    split_hours(&s).await;
    let anna = operator(&s, "anna", "Anna").await;
    let piotr = operator(&s, "piotr", "Piotr").await;
    let a = new_order(&s, "A-1", None).await;
    let b = new_order(&s, "B-1", Some(("11 10:00", "11 12:00"))).await;
    let c = new_order(&s, "C-1", Some(("11 12:00", "11 14:00"))).await;
    let demo = agree(&s).await;
    assert!(demo["version"].as_u64().is_some());

    // Monday. R1: 10:00, shown 15 minutes (nothing measured yet); Anna answers at 10:05.
    set("07 10:00");
    customer_writes(&s, "A-1", &a, "r1").await;
    let r1 = promises_of(&s, "A-1", &a).await;
    assert_eq!(r1[0]["kind"], "reply");
    assert_eq!(r1[0]["promised_minutes"], 15);
    assert_eq!(r1[0]["due_at"], clock::rfc3339(at("07 10:15")));
    set("07 10:05");
    answers(&t, &anna, "A-1").await;
    // CB1: asked at 11:00 for Tuesday 10:00-12:00.
    set("07 11:00");
    let cb = json!({ "date": "2026-12-08", "window": { "start": "10:00", "end": "12:00" } }).to_string();
    let (st, cb1) = call(&s, post_as("/v1/orders/A-1/callbacks", &a, Some(&key()), cb)).await;
    assert_eq!(st, StatusCode::CREATED, "{cb1}");
    // R2: 12:58, two minutes before the lunch break: shown 5 (one sample of 300 s), due 14:03.
    set("07 12:58");
    customer_writes(&s, "B-1", &b, "r2").await;
    let r2 = promises_of(&s, "B-1", &b).await.into_iter().find(|p| p["kind"] == "reply").unwrap();
    assert_eq!(
        (r2["promised_minutes"].as_u64(), r2["due_at"].as_str()),
        (Some(5), Some(clock::rfc3339(at("07 14:03")).as_str()))
    );
    set("07 14:02");
    answers(&t, &piotr, "B-1").await;
    // R3: 17:59, a minute before closing: due Tuesday 09:04.
    set("07 17:59");
    customer_writes(&s, "C-1", &c, "r3").await;
    let r3 = promises_of(&s, "C-1", &c).await.into_iter().find(|p| p["kind"] == "reply").unwrap();
    assert_eq!(r3["due_at"], clock::rfc3339(at("08 09:04")));
    // CB2: asked at 20:00 for Tuesday 14:00-16:00, never called.
    set("07 20:00");
    let cb = json!({ "date": "2026-12-08", "window": { "start": "14:00", "end": "16:00" } }).to_string();
    let (st, body) = call(&s, post_as("/v1/orders/B-1/callbacks", &b, Some(&key()), cb)).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");

    // Tuesday. R3 breaks at 09:04 (nobody's yet); Anna answers late at 09:30.
    set("08 09:10");
    assert_eq!(sweep_both(&s, &t).await, 1, "R3 broke");
    set("08 09:30");
    answers(&t, &anna, "C-1").await;
    // CB1 called by Anna inside its window.
    set("08 10:40");
    let log = json!({ "callback": cb1["id"], "note": "talked" });
    let (st, body) = call(&t, as_op(&anna, "/v1/operator/orders/A-1/calls", log)).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    // Ask first: Piotr finds coffee-3 missing at 11:00 and offers Kenya AB; she accepts at 11:10.
    set("08 11:00");
    let offer = json!({ "replacement": { "id": "coffee-11", "name": "Kenya AB, 250 g",
        "unit_price": { "amount_minor": 5600, "currency": "PLN" } } });
    let (st, body) = call(&t, as_op(&piotr, "/v1/operator/orders/KC-1001/items/coffee-3/out-of-stock", offer)).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let (_, detail) = call(&s, get("/v1/operator/orders/KC-1001", Some(OPERATOR))).await;
    let question = detail["promises"].as_array().unwrap().iter().find(|p| p["kind"] == "ask_first").unwrap().clone();
    set("08 11:10");
    let answer = format!("{ORDER}/change-requests/{}/answer", question["subject"]);
    let (st, body) = call(&s, post(&answer, Some(&key()), json!({ "accept": true }).to_string())).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    // Three deviations stopped: Piotr's call to a do-not-call customer, Piotr's dearer substitute,
    // Anna's request to prepay.
    set("08 11:30");
    let (st, body) = call(&t, as_op(&piotr, "/v1/operator/orders/KC-1001/calls", json!({}))).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let dear = json!({ "replacement": { "id": "x", "name": "Geisha", "unit_price": { "amount_minor": 99900, "currency": "PLN" } } });
    let (st, body) = call(&t, as_op(&piotr, "/v1/operator/orders/KC-1001/items/coffee-1/out-of-stock", dear)).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let prepay =
        json!({ "change": { "kind": "payment", "method": "card_online" }, "reason": "the courier has no terminal" });
    let (st, body) = call(&t, as_op(&anna, "/v1/operator/orders/KC-1001/change-requests", prepay)).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    // CB2 breaks at 16:00.
    set("08 16:05");
    assert_eq!(sweep_both(&s, &t).await, 1, "CB2 broke");

    // Wednesday is the shop's day off: R4 at 10:00 is due Thursday 09:05, answered 09:03.
    set("09 10:00");
    customer_writes(&s, "A-1", &a, "r4").await;
    let r4 = promises_of(&s, "A-1", &a).await.into_iter().rfind(|p| p["kind"] == "reply").unwrap();
    assert_eq!(
        (r4["promised_minutes"].as_u64(), r4["due_at"].as_str()),
        (Some(5), Some(clock::rfc3339(at("10 09:05")).as_str()))
    );
    set("10 09:03");
    answers(&t, &anna, "A-1").await;
    // A claim at 12:00, answered by Piotr in the chat at 12:20.
    set("10 12:00");
    let claim = json!({ "receipt_version": demo["version"], "promise": "called_me" }).to_string();
    let (st, body) = call(&s, post(&format!("{ORDER}/reports"), Some(&key()), claim)).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    set("10 12:20");
    answers(&t, &piotr, "KC-1001").await;

    // Friday: B delivered inside its slot by Anna; C late, by Piotr (the sweeper broke it at 14:00).
    set("11 11:30");
    status(&t, &anna, "B-1", "OrderDelivered").await;
    set("11 14:10");
    assert_eq!(sweep_both(&s, &t).await, 1, "C's slot broke");
    set("11 14:30");
    status(&t, &piotr, "C-1", "OrderDelivered").await;
    set("11 15:00");
    let (st, body) =
        call(&s, post_as("/v1/orders/B-1/survey", &b, Some(&key()), json!({ "rating": 4 }).to_string())).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(sweep_both(&s, &t).await, 0, "nothing else is overdue");

    // The record, worked out by hand.
    let week = "from=2026-12-07&to=2026-12-11";
    let (st, by_kind) = call(&s, backend("GET", &format!("/v1/backend/record?{week}&by=kind"), None)).await;
    assert_eq!(st, StatusCode::OK, "{by_kind}");
    assert_eq!(
        rows(&by_kind),
        [
            ("reply".into(), (3, 1, 0)),
            ("callback".into(), (1, 1, 0)),
            ("ask_first".into(), (1, 0, 0)),
            ("delivery".into(), (1, 1, 0)),
            ("deviation".into(), (0, 0, 3)),
            ("claim".into(), (0, 0, 0)),
        ]
    );
    let total = &by_kind["total"];
    assert_eq!(figures(total), (6, 3, 3));
    assert_eq!(
        (total["kept_percent"].as_u64(), total["claims"].as_u64(), total["claims_answered"].as_u64()),
        (Some(66), Some(1), Some(1))
    );
    assert_eq!((total["surveys"].as_u64(), total["rating_sum"].as_u64()), (Some(1), Some(4)));

    let (_, by_op) = call(&s, backend("GET", &format!("/v1/backend/record?{week}&by=operator"), None)).await;
    assert_eq!(rows(&by_op), [("".into(), (1, 1, 0)), ("Anna".into(), (4, 1, 1)), ("Piotr".into(), (1, 1, 2))]);

    let (_, by_day) = call(&s, backend("GET", &format!("/v1/backend/record?{week}&by=day"), None)).await;
    assert_eq!(
        rows(&by_day),
        [
            ("2026-12-07".into(), (2, 0, 0)),
            ("2026-12-08".into(), (2, 2, 3)),
            ("2026-12-10".into(), (1, 0, 0)),
            ("2026-12-11".into(), (1, 1, 0)),
        ]
    );

    // The same as CSV.
    let req = Request::get(format!("/v1/backend/record?{week}&by=operator"))
        .header("authorization", format!("Bearer {KEY}"))
        .header("accept", "text/csv")
        .body(Body::empty())
        .unwrap();
    let (st, csv) = text(&s, req).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        csv,
        "operator,kept,broken,kept_percent,prevented,claims,claims_answered,surveys,rating_sum\r\n\
         ,1,1,50,0,1,0,1,4\r\nAnna,4,1,80,1,0,0,0,0\r\nPiotr,1,1,50,2,0,1,0,0\r\ntotal,6,3,66,3,1,1,1,4\r\n"
    );

    // She reads them in her words: C's slot kept late, her reply answered late.
    assert_eq!(
        own(&s, "C-1", &c).await["lines"],
        json!([
            "Delivery today, 12:00–14:00: delivered today, 14:30, late",
            "An answer within 5 minutes: answered in 31 minutes (promised 5)"
        ])
    );

    // Each promise links to its evidence: R3 broken, closed late by Anna with her answer's event.
    let (_, page) = call(&s, backend("GET", "/v1/backend/promises?kind=reply&state=broken", None)).await;
    let broken = page["promises"].as_array().unwrap();
    assert_eq!(broken.len(), 1, "{page}");
    assert_eq!((broken[0]["order"].as_str(), broken[0]["operator"].as_str()), (Some("C-1"), Some("Anna")));
    assert_eq!(broken[0]["decided_at"], clock::rfc3339(at("08 09:04")));
    assert_eq!(broken[0]["closed_at"], clock::rfc3339(at("08 09:30")));
    assert!(broken[0]["event"].as_i64().is_some());
    let (_, csv) = text(&s, backend("GET", "/v1/backend/promises?kind=deviation&format=csv", None)).await;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(lines[1..].iter().any(|l| l.contains(",call_refused,") && l.contains(",Piotr,")), "{csv}");
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
