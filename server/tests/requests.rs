//! Callbacks, broken-promise reports, consent answers and the survey, through the router.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::json;

fn next_monday() -> String {
    // A Monday well ahead, so the window is in the future whenever the test runs.
    let today = jiff::Zoned::now().date();
    let mut d = today.tomorrow().unwrap();
    while d.weekday() != jiff::civil::Weekday::Monday {
        d = d.tomorrow().unwrap();
    }
    d.to_string()
}

async fn agree_with_calls(s: &kept_server::AppState) {
    let prefs = json!({
        "contact": { "channels": ["phone"], "phone": "+48600100200" },
        "payment": "card_online", "locale": "en"
    });
    let (status, _) = call(s, post(&format!("{ORDER}/preferences"), Some("calls"), prefs.to_string())).await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn a_callback_inside_working_hours_is_promised_with_its_window() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    agree_with_calls(&s).await;
    let body = json!({ "date": next_monday(), "window": { "start": "10:00", "end": "11:00" } });
    let (status, cb) = call(&s, post(&format!("{ORDER}/callbacks"), Some("cb1"), body.to_string())).await;
    assert_eq!(status, StatusCode::CREATED, "{cb}");
    assert_eq!(cb["status"], "pending");
    let (_, order) = call(&s, get(ORDER, Some(TOKEN))).await;
    assert!(order["timeline"].as_array().unwrap().iter().any(|e| e["event"]["type"] == "callback_requested"));
}

#[tokio::test]
async fn a_callback_is_refused_outside_hours_and_for_a_do_not_call_customer() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    agree_with_calls(&s).await;
    let late = json!({ "date": next_monday(), "window": { "start": "20:00", "end": "21:00" } });
    let (status, err) = call(&s, post(&format!("{ORDER}/callbacks"), Some("cb1"), late.to_string())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_codes(&err), one("window", "outside_hours"));
    agree(&s).await; // the coffee story says "do not call"
    let ok_time = json!({ "date": next_monday(), "window": { "start": "10:00", "end": "11:00" } });
    let (_, err) = call(&s, post(&format!("{ORDER}/callbacks"), Some("cb2"), ok_time.to_string())).await;
    assert_eq!(field_codes(&err), one("window", "calls_forbidden"));
    let bad = json!({ "date": "someday", "window": { "start": "10:00", "end": "11:00" } });
    let (_, err) = call(&s, post(&format!("{ORDER}/callbacks"), Some("cb3"), bad.to_string())).await;
    assert!(field_codes(&err).contains(&("date".into(), "invalid".into())));
    let bad_time = json!({ "date": next_monday(), "window": { "start": "25:00", "end": "11:00" } });
    let (_, err) = call(&s, post(&format!("{ORDER}/callbacks"), Some("cb4"), bad_time.to_string())).await;
    assert_eq!(field_codes(&err), one("window.start", "invalid"));
}

#[tokio::test]
async fn a_report_is_tied_to_the_receipt_version_and_lands_in_the_timeline() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    let body = json!({ "receipt_version": 1, "promise": "called_me", "note": "They called twice." });
    let (status, err) = call(&s, post(&format!("{ORDER}/reports"), Some("r0"), body.to_string())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "no agreement yet");
    assert_eq!(field_codes(&err), one("receipt_version", "invalid"));
    agree(&s).await;
    let (status, report) = call(&s, post(&format!("{ORDER}/reports"), Some("r1"), body.to_string())).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(report["receipt_version"], 1);
    let (_, order) = call(&s, get(ORDER, Some(TOKEN))).await;
    let entry = order["timeline"].as_array().unwrap().iter().find(|e| e["event"]["type"] == "promise_broken").cloned();
    assert_eq!(entry.unwrap()["event"]["promise"], "called_me");
}

#[tokio::test]
async fn declining_a_prepayment_request_changes_nothing_and_accepting_makes_a_new_version() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    agree(&s).await;
    let ask =
        json!({ "change": { "kind": "payment", "method": "card_online" }, "reason": "No card terminal tomorrow." });
    let (status, cr) = call(&s, op_post("/v1/operator/orders/KC-1001/change-requests", Some("cr1"), ask.clone())).await;
    assert_eq!(status, StatusCode::CREATED);
    let answer = |id: i64| format!("{ORDER}/change-requests/{id}/answer");
    let id = cr["id"].as_i64().unwrap();
    let (status, declined) = call(&s, post(&answer(id), Some("a1"), json!({ "accept": false }).to_string())).await;
    assert_eq!((status, declined["status"].clone()), (StatusCode::OK, json!("declined")));
    let (_, order) = call(&s, get(ORDER, Some(TOKEN))).await;
    assert_eq!(order["receipt"]["version"], 1);
    assert_eq!(order["receipt"]["preferences"]["payment"], "card_on_delivery");
    let (status, _) = call(&s, post(&answer(id), Some("a2"), json!({ "accept": true }).to_string())).await;
    assert_eq!(status, StatusCode::CONFLICT, "an answered request stays answered");

    let (_, cr2) = call(&s, op_post("/v1/operator/orders/KC-1001/change-requests", Some("cr2"), ask)).await;
    let (_, accepted) =
        call(&s, post(&answer(cr2["id"].as_i64().unwrap()), Some("a3"), json!({ "accept": true }).to_string())).await;
    assert_eq!(accepted["status"], "accepted");
    let (_, order) = call(&s, get(ORDER, Some(TOKEN))).await;
    assert_eq!(order["receipt"]["version"], 2);
    assert_eq!(order["receipt"]["preferences"]["payment"], "card_online");
}

#[tokio::test]
async fn the_survey_opens_on_delivery_takes_one_answer_and_checks_the_rating() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    let survey = format!("{ORDER}/survey");
    let (status, _) = call(&s, post(&survey, Some("s0"), json!({ "rating": 5 }).to_string())).await;
    assert_eq!(status, StatusCode::CONFLICT, "not delivered yet");
    call(&s, op_post("/v1/operator/orders/KC-1001/status", None, json!({ "status": "OrderDelivered" }))).await;
    let (_, order) = call(&s, get(ORDER, Some(TOKEN))).await;
    assert_eq!(order["survey_due"], true);
    let (_, err) = call(&s, post(&survey, Some("s1"), json!({ "rating": 9 }).to_string())).await;
    assert_eq!(field_codes(&err), one("rating", "out_of_range"));
    let (status, _) =
        call(&s, post(&survey, Some("s2"), json!({ "rating": 4, "comment": "Good beans" }).to_string())).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = call(&s, post(&survey, Some("s3"), json!({ "rating": 1 }).to_string())).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (_, order) = call(&s, get(ORDER, Some(TOKEN))).await;
    assert_eq!(order["survey_due"], false);
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_answer_and_refuses_another_body() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    agree(&s).await;
    let body = json!({ "receipt_version": 1, "promise": "asked_to_prepay" });
    let (_, first) = call(&s, post(&format!("{ORDER}/reports"), Some("same"), body.to_string())).await;
    let (status, again) = call(&s, post(&format!("{ORDER}/reports"), Some("same"), body.to_string())).await;
    assert_eq!((status, &again), (StatusCode::CREATED, &first));
    let other = json!({ "receipt_version": 1, "promise": "called_me" });
    let (status, err) = call(&s, post(&format!("{ORDER}/reports"), Some("same"), other.to_string())).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(err["error"]["code"], "idempotency_conflict");
    let (_, order) = call(&s, get(ORDER, Some(TOKEN))).await;
    let reports =
        order["timeline"].as_array().unwrap().iter().filter(|e| e["event"]["type"] == "promise_broken").count();
    assert_eq!(reports, 1);
}
