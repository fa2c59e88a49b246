//! Messages and live events through the router: paging, de-duplication, limits, SSE resume.

mod common;

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use futures_util::StreamExt;
use kept_server::app;
use serde_json::{json, Value};
use tower::ServiceExt;

const MESSAGES: &str = "/v1/orders/KC-1001/messages";

fn message(client_id: &str, text: &str) -> String {
    json!({ "client_id": client_id, "text": text }).to_string()
}

/// Reads SSE frames until `n` events arrived (or 5 s passed): `(id, event name, data)`.
async fn sse(s: &kept_server::AppState, last_event_id: Option<&str>, n: usize) -> Vec<(i64, String, Value)> {
    let mut b = Request::get("/v1/orders/KC-1001/events").header("authorization", format!("Bearer {TOKEN}"));
    if let Some(id) = last_event_id {
        b = b.header("last-event-id", id);
    }
    let res = app(s.clone()).oneshot(b.body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    let mut stream = res.into_body().into_data_stream();
    let mut text = String::new();
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while out.len() < n {
        let Ok(Some(Ok(chunk))) = tokio::time::timeout_at(deadline, stream.next()).await else { break };
        text.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = text.find("\n\n") {
            let frame: String = text.drain(..end + 2).collect();
            let field =
                |name: &str| frame.lines().find_map(|l| l.strip_prefix(name).map(|v| v.trim_start().to_owned()));
            if let (Some(id), Some(event), Some(data)) = (field("id:"), field("event:"), field("data:")) {
                out.push((id.parse().unwrap(), event, serde_json::from_str(&data).unwrap()));
            }
        }
    }
    out
}

#[tokio::test]
async fn a_message_is_stored_once_per_client_id_and_listed_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    let (status, first) = call(&s, post(MESSAGES, Some("k1"), message("c1", "Is Kenya AA in stock?"))).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(first["author"], "customer");
    // A retry after a lost answer: a new key, the same client id, no second message.
    let (status, again) = call(&s, post(MESSAGES, Some("k2"), message("c1", "Is Kenya AA in stock?"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["id"], first["id"]);
    call(&s, post(MESSAGES, Some("k3"), message("c2", "And the decaf?"))).await;
    let (_, page) = call(&s, get(MESSAGES, Some(TOKEN))).await;
    let texts: Vec<&str> = page["messages"].as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap()).collect();
    assert_eq!(texts, vec!["Is Kenya AA in stock?", "And the decaf?"]);
}

#[tokio::test]
async fn pages_go_back_by_cursor_and_catch_up_after_an_id() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    for i in 0..5 {
        let (status, _) =
            call(&s, post(MESSAGES, Some(&format!("k{i}")), message(&format!("c{i}"), &format!("m{i}")))).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (_, newest) = call(&s, get(&format!("{MESSAGES}?limit=2"), Some(TOKEN))).await;
    let ids: Vec<i64> = newest["messages"].as_array().unwrap().iter().map(|m| m["id"].as_i64().unwrap()).collect();
    assert_eq!(ids.len(), 2);
    let older = newest["older"].as_i64().unwrap();
    let (_, previous) = call(&s, get(&format!("{MESSAGES}?limit=2&before={older}"), Some(TOKEN))).await;
    assert_eq!(previous["messages"][1]["id"].as_i64().unwrap(), older - 1);
    let (_, after) = call(&s, get(&format!("{MESSAGES}?after={}", ids[0]), Some(TOKEN))).await;
    assert_eq!(after["messages"].as_array().unwrap().len(), 1);
    assert_eq!(after["messages"][0]["id"], ids[1]);
}

#[tokio::test]
async fn empty_and_overlong_messages_name_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    let (status, err) = call(&s, post(MESSAGES, Some("k1"), message("c1", "   "))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_codes(&err), one("text", "required"));
    let (_, err) = call(&s, post(MESSAGES, Some("k2"), message("c2", &"a".repeat(2001)))).await;
    assert_eq!(field_codes(&err), one("text", "too_long"));
    let (_, err) = call(&s, post(MESSAGES, Some("k3"), json!({ "text": "hi" }).to_string())).await;
    assert_eq!(field_codes(&err), one("client_id", "required"));
}

#[tokio::test]
async fn posting_too_fast_is_refused_with_429_and_retry_after() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    for i in 0..5 {
        let (status, _) = call(&s, post(MESSAGES, Some(&format!("k{i}")), message(&format!("c{i}"), "hi"))).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let req = post(MESSAGES, Some("k6"), message("c6", "one too many"));
    let res = app(s.clone()).oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
}

#[tokio::test]
async fn the_event_stream_resumes_after_the_last_event_id_with_exactly_the_missed_events() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    for i in 0..3 {
        call(&s, post(MESSAGES, Some(&format!("k{i}")), message(&format!("c{i}"), &format!("m{i}")))).await;
    }
    // Her first message also opens the reply promise (its own event).
    let all = sse(&s, Some("0"), 4).await;
    let names: Vec<&str> = all.iter().map(|(_, name, _)| name.as_str()).collect();
    assert_eq!(names, ["message", "promise", "message", "message"]);
    let first_id = all[0].0.to_string();
    let resumed = sse(&s, Some(&first_id), 3).await;
    assert_eq!(resumed.iter().map(|e| e.0).collect::<Vec<_>>(), vec![all[1].0, all[2].0, all[3].0]);
    let texts: Vec<&str> = resumed.iter().filter_map(|(_, _, d)| d["message"]["text"].as_str()).collect();
    assert_eq!(texts, vec!["m1", "m2"]);
}

#[tokio::test]
async fn a_stream_opened_without_a_position_is_live_only() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    call(&s, post(MESSAGES, Some("k0"), message("c0", "before"))).await;
    let listener = {
        let s = s.clone();
        tokio::spawn(async move { sse(&s, None, 1).await })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    call(&s, post(MESSAGES, Some("k1"), message("c1", "after"))).await;
    let got = listener.await.unwrap();
    assert_eq!(got.iter().map(|e| e.2["message"]["text"].as_str().unwrap()).collect::<Vec<_>>(), vec!["after"]);
}

#[tokio::test]
async fn a_live_subscriber_receives_a_message_posted_after_it_connected() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    let listener = {
        let s = s.clone();
        tokio::spawn(async move { sse(&s, None, 1).await })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    call(&s, op_post("/v1/operator/orders/KC-1001/messages", Some("op1"), json!({ "text": "Hello, this is Anna." })))
        .await;
    let got = listener.await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].2["message"]["author"], "operator");
    assert_eq!(got[0].2["message"]["author_name"], "Anna Nowak");
}

#[tokio::test]
async fn a_foreign_token_sees_neither_messages_nor_events() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    let (status, _) = call(&s, get(MESSAGES, Some("someone-else"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(&s, get("/v1/orders/KC-1001/events", Some("someone-else"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_event_source_may_pass_the_token_in_the_query_and_a_wrong_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    let uri = format!("/v1/orders/KC-1001/events?access_token={TOKEN}");
    let res = app(s.clone()).oneshot(Request::get(&uri).body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = app(s.clone())
        .oneshot(Request::get("/v1/orders/KC-1001/events?access_token=guess").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}
