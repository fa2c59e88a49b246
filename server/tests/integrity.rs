//! The server keeps its own word: one test per defect the hostile review found, each failing
//! before its fix. Real SQLite files, the real router; a real socket where the defect needs one.

mod common;

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use futures_util::StreamExt;
use kept_server::db::{Jsonb, Stamp};
use kept_server::workers::ask_first::sweep as sweep_ask_first;
use kept_server::{app, AppState};
use serde_json::{json, Value};
use tower::ServiceExt;

const OP: &str = "/v1/operator/orders/KC-1001";
const MESSAGES: &str = "/v1/orders/KC-1001/messages";

/// Opens the order's event stream (after `last` when given) and reads frames until `until`
/// says stop or 20 s pass: the ids and names in the order they came.
async fn read_stream(s: &AppState, last: Option<i64>, until: impl Fn(&[(i64, String)]) -> bool) -> Vec<(i64, String)> {
    let mut b = Request::get("/v1/orders/KC-1001/events").header("authorization", format!("Bearer {TOKEN}"));
    if let Some(id) = last {
        b = b.header("last-event-id", id.to_string());
    }
    let res = app(s.clone()).oneshot(b.body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let mut stream = res.into_body().into_data_stream();
    let (mut text, mut out) = (String::new(), Vec::new());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    // `until` is asked again at least every 100 ms, so it may depend on more than what arrived.
    while !until(&out) && tokio::time::Instant::now() < deadline {
        let chunk = match tokio::time::timeout(Duration::from_millis(100), stream.next()).await {
            Ok(Some(Ok(chunk))) => chunk,
            Ok(_) => break,
            Err(_) => continue,
        };
        text.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = text.find("\n\n") {
            let frame: String = text.drain(..end + 2).collect();
            let field = |name: &str| frame.lines().find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_owned()));
            if let (Some(id), Some(event)) = (field("id:"), field("event:")) {
                out.push((id.parse().unwrap(), event));
            }
        }
    }
    out
}

async fn stored_ids(s: &AppState) -> Vec<i64> {
    let rows: Vec<(i64,)> =
        kept_server::sql!(&s.pool, |c| sqlx::query_as("SELECT id FROM events WHERE order_id = 'KC-1001' ORDER BY id")
            .fetch_all(c)
            .await)
        .unwrap();
    rows.into_iter().map(|(id,)| id).collect()
}

fn payment(method: &str) -> String {
    let mut p = coffee_story();
    p["payment"] = json!(method);
    p.to_string()
}

// Defect 1: events published after different commits arrived out of id order and the stream's
// `id > last sent` filter dropped the late ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_live_stream_gets_every_event_of_a_burst_of_concurrent_writes_once_in_id_order() {
    let dir = tempfile::tempdir().unwrap();
    let s = state_with(
        dir.path(),
        kept_server::Config { operator_token: Some(OPERATOR.into()), rate_limit: 1000, ..Default::default() },
    )
    .await;
    let start = stored_ids(&s).await.last().copied().unwrap_or(0);
    // 100 messages, 20 operator messages, 20 agreements (each a receipt and a timeline event), and
    // the reply promises they open and close (as many as the interleaving makes): the reader
    // reads until it has as many as were stored once the writes are done.
    let expected = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(usize::MAX));
    let reader = {
        let (s, expected) = (s.clone(), expected.clone());
        tokio::spawn(async move {
            read_stream(&s, Some(start), |got| got.len() >= expected.load(std::sync::atomic::Ordering::SeqCst)).await
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut writes = Vec::new();
    for i in 0..100 {
        let s = s.clone();
        let body = json!({ "client_id": format!("c{i}"), "text": format!("message {i}") }).to_string();
        writes.push(tokio::spawn(async move { call(&s, post(MESSAGES, Some(&format!("m{i}")), body)).await.0 }));
    }
    for i in 0..20 {
        let s1 = s.clone();
        writes.push(tokio::spawn(async move {
            call(
                &s1,
                op_post(&format!("{OP}/messages"), Some(&format!("o{i}")), json!({ "text": format!("reply {i}") })),
            )
            .await
            .0
        }));
        let s = s.clone();
        let method = if i % 2 == 0 { "card_online" } else { "card_on_delivery" };
        writes.push(tokio::spawn(async move {
            call(&s, post(&format!("{ORDER}/preferences"), Some(&format!("a{i}")), payment(method))).await.0
        }));
    }
    for w in writes {
        assert!(w.await.unwrap().is_success());
    }
    let stored: Vec<i64> = stored_ids(&s).await.into_iter().filter(|&id| id > start).collect();
    expected.store(stored.len(), std::sync::atomic::Ordering::SeqCst);
    let got = reader.await.unwrap();
    let ids: Vec<i64> = got.iter().map(|(id, _)| *id).collect();
    assert!(stored.len() > 160, "{}", stored.len());
    assert_eq!(ids, stored, "every committed event, once, in id order");
}

// Defect 2: resuming more than 10,000 events behind jumped to live after the first 10,000.
#[tokio::test]
async fn a_client_resuming_far_behind_receives_the_whole_backlog() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    let start = stored_ids(&s).await.last().copied().unwrap_or(0);
    let data = json!({ "type": "status", "status": "OrderProcessing" }).to_string();
    kept_server::sql!(&s.pool, |c| sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10050) \
         INSERT INTO events (order_id, data, created_at) SELECT 'KC-1001', $1, $2 FROM n",
    )
    .bind(Jsonb(data.clone()))
    .bind(Stamp::from("2026-11-23T10:00:00.000Z"))
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
    let got = read_stream(&s, Some(start), |got| got.len() >= 10050).await;
    assert_eq!(got.len(), 10050);
    assert_eq!(got.last().unwrap().0, start + 10050);
}

/// Makes every insert into `table` fail until the returned guard's SQL is run.
async fn break_inserts(s: &AppState, table: &str) {
    let sql = if on_postgres() {
        format!(
            "CREATE OR REPLACE FUNCTION disk_trouble() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk trouble'; END $$ \
             LANGUAGE plpgsql; CREATE TRIGGER broken_{table} BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION disk_trouble()"
        )
    } else {
        format!("CREATE TRIGGER broken_{table} BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'disk trouble'); END")
    };
    kept_server::sql!(&s.pool, |c| sqlx::raw_sql(&sql).execute(c).await.map(|r| r.rows_affected())).unwrap();
}

async fn mend(s: &AppState, table: &str) {
    kept_server::sql!(&s.pool, |c| sqlx::raw_sql(&format!(
        "DROP TRIGGER broken_{table}{}",
        pick("", &format!(" ON {table}"))
    ))
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
}

// Defect 3: the message and its event were two commits; a failure between them left a message
// with no event, and the retry (same client_id) answered 200 and never published.
#[tokio::test]
async fn a_message_is_never_stored_without_its_event() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    let body = json!({ "client_id": "c1", "text": "Is Kenya AA in stock?" }).to_string();
    break_inserts(&s, "events").await;
    let (status, _) = call(&s, post(MESSAGES, Some("k1"), body.clone())).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let (_, page) = call(&s, get(MESSAGES, Some(TOKEN))).await;
    assert_eq!(page["messages"].as_array().unwrap().len(), 0, "nothing half-written");
    mend(&s, "events").await;
    let (status, m) = call(&s, post(MESSAGES, Some("k2"), body)).await;
    assert_eq!(status, StatusCode::CREATED, "the retry creates it, with its event");
    let (n,): (i64,) = kept_server::sql!(&s.pool, |c| sqlx::query_as(pick(
        "SELECT COUNT(*) FROM events WHERE data LIKE '%\"type\":\"message\"%' AND data LIKE $1",
        "SELECT COUNT(*) FROM events WHERE data->>'type' = 'message' AND (data->'message'->>'id') = $1",
    ))
    .bind(if on_postgres() { m["id"].to_string() } else { format!("%\"id\":{}%", m["id"]) })
    .fetch_one(c)
    .await)
    .unwrap();
    assert_eq!(n, 1);
}

async fn ask_prepayment(s: &AppState) -> i64 {
    let body = json!({ "change": { "kind": "payment", "method": "card_online" }, "reason": "No terminal" });
    let (status, cr) = call(s, op_post(&format!("{OP}/change-requests"), Some("cr1"), body)).await;
    assert_eq!(status, StatusCode::CREATED, "{cr}");
    cr["id"].as_i64().unwrap()
}

fn answer(cr: i64, key: &str, accept: bool) -> Request<Body> {
    post(&format!("{ORDER}/change-requests/{cr}/answer"), Some(key), json!({ "accept": accept }).to_string())
}

// Defect 4: the status was written before the change was applied; a failed apply left the
// request accepted with nothing changed, and the retry answered "already answered".
#[tokio::test]
async fn accepting_a_change_is_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    agree(&s).await;
    let cr = ask_prepayment(&s).await;
    break_inserts(&s, "preference_versions").await;
    let (status, _) = call(&s, answer(cr, "a1", true)).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let (_, order) = call(&s, get(ORDER, Some(TOKEN))).await;
    assert_eq!(order["change_requests"][0]["status"], "pending", "nothing changed, not even the status");
    mend(&s, "preference_versions").await;
    let (status, answered) = call(&s, answer(cr, "a2", true)).await;
    assert_eq!(status, StatusCode::OK, "{answered}");
    let (_, order) = call(&s, get(ORDER, Some(TOKEN))).await;
    assert_eq!(order["receipt"]["preferences"]["payment"], "card_online");
}

// Defect 4, second half: the server stored the resulting agreement under a key a customer
// could send too, so the customer's own submission made the accept fail.
#[tokio::test]
async fn a_customer_key_cannot_collide_with_the_servers_own() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    agree(&s).await;
    let cr = ask_prepayment(&s).await;
    let key = format!("change-request-{cr}");
    let (status, _) = call(&s, post(&format!("{ORDER}/preferences"), Some(&key), payment("cash_on_delivery"))).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = call(&s, answer(cr, "a1", true)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, order) = call(&s, get(ORDER, Some(TOKEN))).await;
    assert_eq!(order["receipt"]["preferences"]["payment"], "card_online");
    assert_eq!(order["receipt"]["version"], 3);
}

fn oos(item: &str) -> String {
    format!("{OP}/items/{item}/out-of-stock")
}

fn kenya_ab() -> Value {
    json!({ "replacement": { "id": "coffee-11", "name": "Kenya AB, 250 g", "unit_price": { "amount_minor": 5600, "currency": "PLN" } } })
}

async fn question(s: &AppState) -> Value {
    let (_, order) = call(s, get(ORDER, Some(TOKEN))).await;
    order["change_requests"].as_array().unwrap().last().cloned().unwrap()
}

// Defect 5: nothing read the customer's answer; the sweeper applied the fallback at the deadline
// whatever the customer said.
#[tokio::test]
async fn an_accepted_ask_first_question_is_never_swept() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    agree(&s).await; // coffee-3 (Kenya AA): ask first in chat, wait 15 min, then remove
    let (status, res) = call(&s, op_post(&oos("coffee-3"), None, kenya_ab())).await;
    assert_eq!(status, StatusCode::OK, "{res}");
    let q = question(&s).await;
    assert_eq!(q["status"], "pending");
    assert_eq!(q["change"]["kind"], "substitution");
    assert_eq!(q["question"]["channel"], "chat");
    assert_eq!(q["question"]["fallback"]["then"], "remove");
    let (status, _) = call(&s, answer(q["id"].as_i64().unwrap(), "yes", true)).await;
    assert_eq!(status, StatusCode::OK);
    let later = jiff::Timestamp::now().checked_add(jiff::SignedDuration::from_mins(16)).unwrap();
    assert_eq!(sweep_ask_first(&s, later).await.unwrap(), 0, "an answered question is not swept");
    let (_, order) = call(&s, get(ORDER, Some(TOKEN))).await;
    assert_eq!(order["items"][2]["active"], true);
    assert_eq!(order["items"][2]["name"], "Kenya AB, 250 g");
}

#[tokio::test]
async fn a_declined_ask_first_question_removes_and_refunds_and_an_unanswered_one_falls_back_once() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    agree(&s).await;
    call(&s, op_post(&oos("coffee-3"), None, kenya_ab())).await;
    let q = question(&s).await;
    let (status, _) = call(&s, answer(q["id"].as_i64().unwrap(), "no", false)).await;
    assert_eq!(status, StatusCode::OK);
    let (_, order) = call(&s, get(ORDER, Some(TOKEN))).await;
    assert_eq!(order["items"][2]["active"], false, "declined: removed and refunded");

    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    agree(&s).await;
    call(&s, op_post(&oos("coffee-3"), None, kenya_ab())).await;
    let later = jiff::Timestamp::now().checked_add(jiff::SignedDuration::from_mins(16)).unwrap();
    assert_eq!(sweep_ask_first(&s, later).await.unwrap(), 1);
    assert_eq!(sweep_ask_first(&s, later).await.unwrap(), 0, "once");
    let q = question(&s).await;
    assert_eq!(q["status"], "expired");
    let (status, err) = call(&s, answer(q["id"].as_i64().unwrap(), "late", true)).await;
    assert_eq!(status, StatusCode::CONFLICT, "a late answer is told plainly: {err}");
    let (_, order) = call(&s, get(ORDER, Some(TOKEN))).await;
    assert_eq!(order["items"][2]["active"], false, "the fallback (remove) applied");
}

// Defect 5, second half: accepting a substitution for the item did not clear the pending
// ask-first, so the sweeper later removed the item the customer had just accepted.
#[tokio::test]
async fn a_substitution_accepted_for_an_item_withdraws_its_open_question() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    agree(&s).await;
    call(&s, op_post(&oos("coffee-3"), None, json!({}))).await;
    let body = json!({ "change": { "kind": "substitution", "item": "coffee-3", "replacement": "coffee-12",
        "name": "Tanzania Peaberry, 250 g", "unit_price": { "amount_minor": 6400, "currency": "PLN" } }, "reason": "Dearer" });
    let (_, cr) = call(&s, op_post(&format!("{OP}/change-requests"), Some("sub"), body)).await;
    let (status, _) = call(&s, answer(cr["id"].as_i64().unwrap(), "yes", true)).await;
    assert_eq!(status, StatusCode::OK);
    let later = jiff::Timestamp::now().checked_add(jiff::SignedDuration::from_mins(16)).unwrap();
    assert_eq!(sweep_ask_first(&s, later).await.unwrap(), 0);
    let (_, order) = call(&s, get(ORDER, Some(TOKEN))).await;
    assert_eq!(order["items"][2]["name"], "Tanzania Peaberry, 250 g");
    assert_eq!(order["items"][2]["active"], true);
    assert_eq!(order["change_requests"][0]["status"], "withdrawn");
}

// Defect 7: a callback id of another order, or none, answered 500 (foreign key failure).
#[tokio::test]
async fn a_call_naming_a_callback_that_does_not_exist_is_a_422_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    for callback in [999_999, -1] {
        let (status, err) =
            call(&s, op_post(&format!("{OP}/calls"), Some(&format!("c{callback}")), json!({ "callback": callback })))
                .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
        assert_eq!(field_codes(&err), one("callback", "invalid"));
    }
}

async fn raw(s: &AppState, req: Request<Body>) -> (StatusCode, String, Value) {
    let res = app(s.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let ct = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let bytes = http_body_util::BodyExt::collect(res.into_body()).await.unwrap().to_bytes();
    (status, ct, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

// Defect 8: extractor failures answered 400 text/plain; unknown routes an empty 404, wrong
// methods an empty 405.
#[tokio::test]
async fn every_rejection_is_the_documented_json_error_naming_the_parameter() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    // (method, uri, token, status, the parameter the error names)
    type Case<'a> = (&'a str, &'a str, Option<&'a str>, u16, Option<&'a str>);
    let cases: [Case; 11] = [
        ("GET", "/v1/orders/%FF%FE", Some(TOKEN), 400, Some("order")),
        ("GET", "/v1/orders/KC-1001/messages?after=abc", Some(TOKEN), 400, Some("after")),
        ("GET", "/v1/orders/KC-1001/messages?before=9223372036854775808", Some(TOKEN), 400, Some("before")),
        ("GET", "/v1/orders/KC-1001/messages?limit=1e309", Some(TOKEN), 400, Some("limit")),
        ("GET", "/v1/orders/KC-1001/messages?limit=-13447", Some(TOKEN), 400, Some("limit")),
        ("GET", "/v1/orders/KC-1001/events?last_event_id=abc", Some(TOKEN), 400, Some("last_event_id")),
        ("POST", "/v1/orders/KC-1001/change-requests/abc/answer", Some(TOKEN), 400, Some("id")),
        ("POST", "/v1/operator/orders/KC-1001/callbacks/x/done", Some(OPERATOR), 400, Some("callback")),
        ("GET", "/v1/nothing-here", None, 404, None),
        ("DELETE", "/v1/shop", None, 405, None),
        ("GET", "/v1/orders/KC-1001/preferences", Some(TOKEN), 405, None),
    ];
    for (method, uri, token, want, field) in cases {
        let mut b = Request::builder().method(method).uri(uri).header("content-type", "application/json");
        if let Some(t) = token {
            b = b.header("authorization", format!("Bearer {t}"));
        }
        let (status, ct, body) = raw(&s, b.body(Body::from("{\"accept\":true}")).unwrap()).await;
        assert_eq!(status.as_u16(), want, "{method} {uri}: {body}");
        assert_eq!(ct, "application/json", "{method} {uri}");
        assert!(body["error"]["code"].is_string(), "{method} {uri}: {body}");
        if let Some(f) = field {
            assert_eq!(body["error"]["fields"][0]["path"], f, "{method} {uri}: {body}");
        }
    }
}

// Defect 9: a JSON body was accepted with `Content-Type: text/plain` or none.
#[tokio::test]
async fn a_body_not_sent_as_json_is_refused_with_415() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    for ct in [Some("text/plain"), None] {
        let mut b =
            Request::post(MESSAGES).header("authorization", format!("Bearer {TOKEN}")).header("idempotency-key", "k");
        if let Some(ct) = ct {
            b = b.header("content-type", ct);
        }
        let body = json!({ "client_id": "c1", "text": "hi" }).to_string();
        let (status, _, err) = raw(&s, b.body(Body::from(body)).unwrap()).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{ct:?}");
        assert_eq!(err["error"]["code"], "unsupported_media_type");
    }
    let (status, _) = call(&s, post(MESSAGES, Some("k"), json!({ "client_id": "c1", "text": "hi" }).to_string())).await;
    assert_eq!(status, StatusCode::CREATED, "application/json is fine");
}

// Defect 10: `manager.photo_url` accepted javascript:, data: and non-URLs.
#[tokio::test]
async fn a_manager_photo_must_be_an_https_url() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    let (_, mut shop) = call(&s, get("/v1/shop", None)).await;
    for bad in [
        "javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:image/svg+xml,<svg onload=alert(1)>",
        "vbscript:x",
        "not a url",
    ] {
        shop["manager"] = json!({ "name": "Anna", "photo_url": bad });
        let (status, err) = call(&s, op_post("/v1/operator/shop", None, shop.clone())).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(field_codes(&err), one("manager.photo_url", "invalid"), "{bad}");
    }
    shop["manager"] = json!({ "name": "Anna", "photo_url": "https://shop.example/anna.jpg" });
    let (status, _) = call(&s, op_post("/v1/operator/shop", None, shop)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

// Defect 11: a repeated client_id answers 200, which the OpenAPI document did not list.
#[test]
fn the_openapi_document_lists_every_status_the_server_answers() {
    let doc = kept_protocol::schema::openapi();
    let statuses = |path: &str, method: &str| -> Vec<String> {
        doc["paths"][path][method]["responses"].as_object().unwrap().keys().cloned().collect()
    };
    assert!(statuses("/v1/orders/{order}/messages", "post").contains(&"200".to_owned()));
    for (path, method) in [
        ("/v1/operator/orders", "get"),
        ("/v1/operator/orders/{order}/messages", "post"),
        ("/v1/operator/orders/{order}/callbacks/{callback}/done", "post"),
        ("/v1/operator/shop", "post"),
        ("/v1/operator/presence", "post"),
    ] {
        let s = statuses(path, method);
        assert!(s.contains(&"401".to_owned()), "{method} {path}: {s:?}");
        assert!(s.contains(&"400".to_owned()), "{method} {path}: {s:?}");
    }
    assert!(statuses("/v1/operator/orders/{order}/callbacks/{callback}/done", "post").contains(&"404".to_owned()));
}

// Defect 12: no header-read timeout; half-sent requests stayed open indefinitely.
#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    let served = serve(&s, Duration::from_secs(1)).await;
    let addr = served.addr;
    let mut clients = Vec::new();
    for i in 0..50 {
        let mut c = tokio::net::TcpStream::connect(addr).await.unwrap();
        // Half of them on the event-stream path, which reads its head itself.
        let path = if i % 2 == 0 { "/v1/shop" } else { "/v1/orders/KC-1001/events" };
        c.write_all(format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ").as_bytes()).await.unwrap();
        clients.push(c);
    }
    for mut c in clients {
        let mut buf = [0u8; 512];
        // The server closes (0 bytes, or an error) well before this bound.
        let read = tokio::time::timeout(Duration::from_secs(10), c.read(&mut buf)).await;
        let closed = match read {
            Ok(Ok(n)) => n == 0 || String::from_utf8_lossy(&buf[..n]).contains("408"),
            Ok(Err(_)) => true,
            Err(_) => false,
        };
        assert!(closed, "a half-sent request was kept open");
    }
    served.stop().await;
}

// Defect 15: a message of only zero-width or control characters showed as an invisible message.
#[tokio::test]
async fn a_message_that_renders_as_nothing_is_refused_naming_the_text() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    let body = json!({ "client_id": "c1", "text": "\u{200B}\u{200D}\u{0007}\u{FEFF}" }).to_string();
    let (status, err) = call(&s, post(MESSAGES, Some("k"), body)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_codes(&err), one("text", "required"));
    let body = json!({ "client_id": "c2", "text": "beans\u{0000}\u{001B}, not ground" }).to_string();
    let (status, m) = call(&s, post(MESSAGES, Some("k2"), body)).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(m["text"], "beans, not ground", "control characters are stripped");
}

// Defect 6: multi-statement writes outside one transaction. The answer kept for an
// Idempotency-Key and the change it answers commit together...
#[tokio::test]
async fn a_change_and_the_answer_kept_for_its_key_commit_together() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    break_inserts(&s, "idempotency").await;
    let (status, _) =
        call(&s, post(MESSAGES, Some("k1"), json!({ "client_id": "c1", "text": "hello" }).to_string())).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let (n,): (i64,) =
        kept_server::sql!(&s.pool, |c| sqlx::query_as("SELECT COUNT(*) FROM messages").fetch_one(c).await).unwrap();
    assert_eq!(n, 0, "no message without the answer kept for its key");
}

// ...and an item running out changes the items, the timeline and the events at once.
#[tokio::test]
async fn an_item_running_out_changes_everything_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    agree(&s).await;
    let before = stored_ids(&s).await.len();
    break_inserts(&s, "timeline").await;
    let (status, _) = call(&s, op_post(&oos("coffee-1"), None, json!({ "replacement": {
        "id": "coffee-2", "name": "Colombia Huila, 250 g", "unit_price": { "amount_minor": 4500, "currency": "PLN" } } }))).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let (_, order) = call(&s, get(ORDER, Some(TOKEN))).await;
    assert_ne!(order["items"][0]["name"], "Colombia Huila, 250 g", "the items did not change alone");
    assert_eq!(stored_ids(&s).await.len(), before, "no event for a change that did not happen");
}

// ...and the sweeper and an operator never overwrite each other's change to the same items:
// each reads the order inside its own transaction on the one writer.
#[tokio::test]
async fn the_sweeper_and_an_operator_keep_each_others_changes() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    agree(&s).await;
    call(&s, op_post(&oos("coffee-3"), None, json!({}))).await; // ask first, remove when unanswered
    let later = jiff::Timestamp::now().checked_add(jiff::SignedDuration::from_mins(16)).unwrap();
    let (swept, (status, _)) = tokio::join!(
        sweep_ask_first(&s, later),
        call(
            &s,
            op_post(
                &oos("coffee-1"),
                None,
                json!({ "replacement": {
            "id": "coffee-2", "name": "Colombia Huila, 250 g", "unit_price": { "amount_minor": 4500, "currency": "PLN" } } })
            )
        )
    );
    assert_eq!(swept.unwrap(), 1);
    assert_eq!(status, StatusCode::OK);
    let (_, order) = call(&s, get(ORDER, Some(TOKEN))).await;
    assert_eq!(order["items"][0]["name"], "Colombia Huila, 250 g", "the operator's change");
    assert_eq!(order["items"][2]["active"], false, "the sweeper's change");
}

// Retention: what is older than the configured age goes, in bounded batches; what is newer stays.
#[tokio::test]
async fn old_events_answers_and_delivered_webhooks_are_pruned_and_recent_ones_kept() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    let old = "2026-01-01T00:00:00.000Z";
    kept_server::sql!(&s.pool, |c| sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500) \
         INSERT INTO events (order_id, data, created_at) SELECT 'KC-1001', $2, $1 FROM n",
    )
    .bind(Stamp::from(old))
    .bind(Jsonb::from("{\"type\":\"status\",\"status\":\"OrderProcessing\"}"))
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
    kept_server::sql!(&s.pool, |c| sqlx::query("INSERT INTO idempotency (scope, key, request_hash, status, body, created_at) VALUES ('x', 'old', 'h', 201, '{}', $1)")
        .bind(Stamp::from(old))
        .execute(c).await.map(|r| r.rows_affected()))
        .unwrap();
    // Something recent: a message and its event, its answer kept for its key.
    call(&s, post(MESSAGES, Some("recent"), json!({ "client_id": "c1", "text": "hello" }).to_string())).await;
    let now = jiff::Timestamp::now();
    let removed = kept_server::workers::retention::prune(&s, now, 30).await.unwrap();
    assert!(removed >= 2501, "{removed}");
    let (events,): (i64,) =
        kept_server::sql!(&s.pool, |c| sqlx::query_as("SELECT COUNT(*) FROM events WHERE created_at = $1")
            .bind(Stamp::from(old))
            .fetch_one(c)
            .await)
        .unwrap();
    assert_eq!(events, 0);
    let (kept,): (i64,) =
        kept_server::sql!(&s.pool, |c| sqlx::query_as("SELECT COUNT(*) FROM idempotency").fetch_one(c).await).unwrap();
    assert_eq!(kept, 1, "the recent answer stays");
    let (_, page) = call(&s, get(MESSAGES, Some(TOKEN))).await;
    assert_eq!(page["messages"].as_array().unwrap().len(), 1, "messages are not pruned");
    assert!(!stored_ids(&s).await.is_empty(), "the recent event stays");
}
