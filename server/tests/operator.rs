//! The operator API through the router: auth, the order list, and actions that keep the agreement.

mod common;

use axum::http::StatusCode;
use common::*;
use kept_server::db::Stamp;
use kept_server::workers::ask_first::sweep as sweep_ask_first;
use serde_json::json;

const OP: &str = "/v1/operator/orders/KC-1001";

fn oos(item: &str) -> String {
    format!("{OP}/items/{item}/out-of-stock")
}

#[tokio::test]
async fn operator_endpoints_need_the_operator_token() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    let (status, err) = call(&s, get("/v1/operator/orders", Some(TOKEN))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(err["error"]["code"], "unauthorized");
    let (status, _) = call(&s, get("/v1/operator/orders", None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, list) = call(&s, get("/v1/operator/orders", Some(OPERATOR))).await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<&str> = list.as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"KC-1001") && ids.contains(&"KC-1002"), "{ids:?}");
}

#[tokio::test]
async fn a_waiting_customer_is_listed_until_the_operator_replies() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    let msg = json!({ "client_id": "c1", "text": "Hello?" }).to_string();
    call(&s, post(&format!("{ORDER}/messages"), Some("m1"), msg)).await;
    let (_, list) = call(&s, get("/v1/operator/orders", Some(OPERATOR))).await;
    assert_eq!(list[0]["id"], "KC-1001", "the waiting customer comes first");
    assert!(list[0]["waiting_since"].is_string());
    call(&s, op_post(&format!("{OP}/messages"), Some("o1"), json!({ "text": "Hi, Anna here." }))).await;
    let (_, list) = call(&s, get("/v1/operator/orders", Some(OPERATOR))).await;
    let kc = list.as_array().unwrap().iter().find(|o| o["id"] == "KC-1001").cloned().unwrap();
    assert!(kc["waiting_since"].is_null());
}

#[tokio::test]
async fn the_detail_puts_the_agreement_with_the_chat() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    agree(&s).await;
    let (status, detail) = call(&s, get(OP, Some(OPERATOR))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(detail["order"]["receipt"]["summary"][0], "We will not call you.");
    assert!(detail["messages"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_similar_substitute_above_the_customers_cap_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    agree(&s).await; // similar within +10 % for all but coffee-3
    let dear = json!({ "replacement": { "id": "x", "name": "Geisha", "unit_price": { "amount_minor": 5400, "currency": "PLN" } } });
    let (status, err) = call(&s, op_post(&oos("coffee-1"), None, dear)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_codes(&err), one("replacement.unit_price", "out_of_range"));
    let fair = json!({ "replacement": { "id": "y", "name": "Ethiopia Sidamo", "unit_price": { "amount_minor": 5300, "currency": "PLN" } } });
    let (status, res) = call(&s, op_post(&oos("coffee-1"), None, fair)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(res["outcome"], "substituted");
    let (_, order) = call(&s, get(ORDER, Some(TOKEN))).await;
    assert_eq!(order["items"][0]["name"], "Ethiopia Sidamo");
}

#[tokio::test]
async fn ask_first_asks_in_the_chat_and_falls_back_when_the_wait_runs_out() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    agree(&s).await; // coffee-3: ask first in chat, wait 15 min, then remove
    let (status, res) = call(&s, op_post(&oos("coffee-3"), None, json!({}))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(res["outcome"], "asked_customer");
    let (_, page) = call(&s, get(&format!("{ORDER}/messages"), Some(TOKEN))).await;
    assert_eq!(page["messages"][0]["author"], "system");
    assert!(page["messages"][0]["text"].as_str().unwrap().contains("Kenya AA"));
    let now = jiff::Timestamp::now();
    assert_eq!(sweep_ask_first(&s, now).await.unwrap(), 0, "not yet");
    let later = now.checked_add(jiff::SignedDuration::from_mins(16)).unwrap();
    assert_eq!(sweep_ask_first(&s, later).await.unwrap(), 1);
    let (_, order) = call(&s, get(ORDER, Some(TOKEN))).await;
    assert_eq!(order["items"][2]["active"], false);
    let last = order["timeline"].as_array().unwrap().last().cloned().unwrap();
    assert_eq!(last["event"]["resolution"]["outcome"], "removed");
    assert_eq!(last["event"]["resolution"]["refund"]["amount_minor"], 5900);
}

#[tokio::test]
async fn without_an_agreement_a_missing_item_is_removed_and_refunded() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    let (_, res) = call(&s, op_post(&oos("coffee-2"), None, json!({}))).await;
    assert_eq!(res["outcome"], "removed");
    assert_eq!(res["refund"]["amount_minor"], 4500);
    let (status, _) = call(&s, op_post(&oos("coffee-2"), None, json!({}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "already removed");
}

#[tokio::test]
async fn a_status_change_reaches_the_timeline_and_ends_editing_once_picking_starts() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    call(&s, op_post(&format!("{OP}/status"), None, json!({ "status": "OrderInTransit" }))).await;
    let (_, order) = call(&s, get(ORDER, Some(TOKEN))).await;
    assert_eq!(order["status"], "OrderInTransit");
    assert_eq!(order["editable"], false);
    assert_eq!(order["timeline"].as_array().unwrap().last().unwrap()["event"]["status"], "OrderInTransit");
    let (status, err) = call(&s, post(&format!("{ORDER}/preferences"), Some("late"), coffee_story().to_string())).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(err["error"]["code"], "not_editable");
    let (status, err) = call(&s, op_post(&format!("{OP}/status"), None, json!({ "status": "OrderLost" }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_codes(&err), one("status", "invalid"));
}

#[tokio::test]
async fn a_change_request_needs_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    let ask = json!({ "change": { "kind": "payment", "method": "card_online" }, "reason": " " });
    let (status, err) = call(&s, op_post(&format!("{OP}/change-requests"), Some("c1"), ask)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_codes(&err), one("reason", "required"));
}

#[tokio::test]
async fn the_operator_can_change_the_shops_hours_and_a_bad_time_zone_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    let (_, mut shop) = call(&s, get("/v1/shop", None)).await;
    shop["hours"] = json!([]);
    let (status, _) = call(&s, op_post("/v1/operator/shop", None, shop.clone())).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, now) = call(&s, get("/v1/shop", None)).await;
    assert_eq!(now["availability"]["open_now"], false, "no hours: never open");
    assert!(now["availability"]["next_opening"].is_null());
    shop["time_zone"] = json!("Mars/Olympus");
    let (status, err) = call(&s, op_post("/v1/operator/shop", None, shop)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_codes(&err), one("time_zone", "invalid"));
    let (status, _) = call(&s, post_as("/v1/operator/shop", TOKEN, None, "{}")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_phone_call_is_refused_for_a_do_not_call_customer_naming_the_channels_to_use() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    agree(&s).await; // do not call; chat, then WhatsApp
    let (status, err) =
        call(&s, op_post(&format!("{OP}/calls"), Some("c1"), json!({ "note": "asked about beans" }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_codes(&err), one("contact.do_not_call", "calls_forbidden"));
    assert!(err["error"]["message"].as_str().unwrap().contains("chat, then whatsapp"), "{err}");
}

#[tokio::test]
async fn a_call_to_a_customer_who_allows_calls_is_logged_and_closes_their_callback() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    let mut prefs = coffee_story();
    prefs["contact"] = json!({ "channels": ["phone", "chat"], "do_not_call": false, "phone": "+48 600 100 200" });
    let (status, _) = call(&s, post(&format!("{ORDER}/preferences"), Some("p"), prefs.to_string())).await;
    assert_eq!(status, StatusCode::CREATED);
    // A callback window in the past is already overdue the moment the operator looks.
    let table = "INSERT INTO callbacks (order_id, window_start, window_end, created_at) VALUES \
                 ('KC-1001', '2026-01-05T09:00:00.000Z', '2026-01-05T10:00:00.000Z', '2026-01-05T08:00:00.000Z')";
    kept_server::sql!(&s.pool, |c| sqlx::query(table).execute(c).await.map(|r| r.rows_affected())).unwrap();
    let (_, detail) = call(&s, get(OP, Some(OPERATOR))).await;
    assert_eq!(detail["callbacks"][0]["status"], "overdue");
    let id = detail["callbacks"][0]["id"].as_i64().unwrap();
    let (status, logged) = call(&s, op_post(&format!("{OP}/calls"), Some("c2"), json!({ "callback": id }))).await;
    assert_eq!(status, StatusCode::CREATED, "{logged}");
    let (_, detail) = call(&s, get(OP, Some(OPERATOR))).await;
    assert_eq!(detail["callbacks"][0]["status"], "done");
    let (status, _) = call(&s, op_post(&format!("{OP}/callbacks/999/done"), None, json!({}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_console_stream_needs_the_operator_token() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    let (status, _) = call(&s, get(&format!("{OP}/events?access_token={TOKEN}"), None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a customer token does not open the console stream");
    let res = tower::ServiceExt::oneshot(
        kept_server::app(s.clone()),
        get(&format!("{OP}/events?access_token={OPERATOR}"), None),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/event-stream");
}

#[tokio::test]
async fn a_specific_replacement_is_used_and_cancel_order_cancels() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    let mut prefs = coffee_story();
    prefs["substitutions"] = json!({
        "default": { "rule": "cancel_order" },
        "overrides": [{ "item": "coffee-3", "rule": { "rule": "specific", "replacement": "coffee-11" } }]
    });
    let (status, body) = call(&s, post(&format!("{ORDER}/preferences"), Some("p"), prefs.to_string())).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, res) = call(&s, op_post(&oos("coffee-3"), None, json!({}))).await;
    assert_eq!(
        (res["outcome"].as_str(), res["name"].as_str()),
        (Some("substituted"), Some("Kenya AB, 250 g")),
        "{res}"
    );
    let (_, res) = call(&s, op_post(&oos("coffee-2"), None, json!({}))).await;
    assert_eq!(res["outcome"], "order_cancelled");
    let (_, order) = call(&s, get(ORDER, Some(TOKEN))).await;
    assert_eq!(order["status"], "OrderCancelled");
}

#[tokio::test]
async fn ask_first_with_a_similar_fallback_takes_the_cheapest_replacement_within_the_cap() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    let mut prefs = coffee_story();
    prefs["substitutions"]["overrides"][0]["rule"]["fallback"] =
        json!({ "then": "similar", "max_increase": { "kind": "percent", "percent": 50 } });
    let (status, body) = call(&s, post(&format!("{ORDER}/preferences"), Some("p"), prefs.to_string())).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    call(&s, op_post(&oos("coffee-3"), None, json!({}))).await;
    let later = jiff::Timestamp::now().checked_add(jiff::SignedDuration::from_mins(16)).unwrap();
    assert_eq!(sweep_ask_first(&s, later).await.unwrap(), 1);
    assert_eq!(sweep_ask_first(&s, later).await.unwrap(), 0, "applied once");
    let (_, order) = call(&s, get(ORDER, Some(TOKEN))).await;
    let last = order["timeline"].as_array().unwrap().last().cloned().unwrap();
    assert_eq!(last["event"]["resolution"]["outcome"], "substituted", "{last}");
}

#[tokio::test]
async fn a_replacement_priced_in_another_currency_is_refused_whatever_the_amount() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    agree(&s).await; // similar within +10 %, items in PLN
    let euros = json!({ "replacement": { "id": "e", "name": "Cheap in EUR", "unit_price": { "amount_minor": 100, "currency": "EUR" } } });
    let (status, err) = call(&s, op_post(&oos("coffee-1"), None, euros)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_codes(&err), one("replacement.unit_price", "out_of_range"));
}

#[tokio::test]
async fn a_callback_shows_as_due_a_quarter_of_an_hour_before_its_window() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    let at = |mins: i64| kept_server::clock::rfc3339(jiff::Timestamp::now() + jiff::SignedDuration::from_mins(mins));
    let insert =
        "INSERT INTO callbacks (order_id, window_start, window_end, created_at) VALUES ('KC-1001', $1, $2, $3)";
    kept_server::sql!(&s.pool, |c| sqlx::query(insert)
        .bind(Stamp(at(60)))
        .bind(Stamp(at(120)))
        .bind(Stamp(at(0)))
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .unwrap();
    let due = |list: &serde_json::Value| {
        list.as_array().unwrap().iter().find(|o| o["id"] == "KC-1001").unwrap()["callbacks_due"].as_u64().unwrap()
    };
    let (_, list) = call(&s, get("/v1/operator/orders", Some(OPERATOR))).await;
    assert_eq!(due(&list), 0, "an hour ahead is not due yet");
    kept_server::sql!(&s.pool, |c| sqlx::query(insert)
        .bind(Stamp(at(10)))
        .bind(Stamp(at(70)))
        .bind(Stamp(at(0)))
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .unwrap();
    let (_, list) = call(&s, get("/v1/operator/orders", Some(OPERATOR))).await;
    assert_eq!(due(&list), 1, "ten minutes ahead is due");
    assert_eq!(list[0]["id"], "KC-1001", "and comes first");
}

// Regression: `GET /v1/operator/orders?access_token=<operator token>` answered 200, so a token
// could sit in URLs (proxies, history, access logs) anywhere. Only the event streams, which
// EventSource opens without headers, read it there; everywhere else it is refused.
#[tokio::test]
async fn a_token_in_the_url_opens_only_the_event_streams() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    for uri in [
        format!("/v1/operator/orders?access_token={OPERATOR}"),
        format!("{OP}?access_token={OPERATOR}"),
        format!("/v1/operator/session?access_token={OPERATOR}"),
        format!("{ORDER}?access_token={TOKEN}"),
        format!("{ORDER}/messages?access_token={TOKEN}"),
    ] {
        let (status, body) = call(&s, get(&uri, None)).await;
        assert_eq!((status, &body["error"]["code"]), (StatusCode::UNAUTHORIZED, &json!("unauthorized")), "{uri}");
    }
    // Not even beside a good header: the URL still carries a secret.
    let (status, _) = call(&s, get(&format!("{ORDER}?access_token={TOKEN}"), Some(TOKEN))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) =
        call(&s, post_as(&format!("{OP}/messages?access_token={OPERATOR}"), OPERATOR, Some("u"), "{}")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // The header alone, and the streams with the token in the URL, still work.
    assert_eq!(call(&s, get("/v1/operator/orders", Some(OPERATOR))).await.0, StatusCode::OK);
    for uri in [format!("{OP}/events?access_token={OPERATOR}"), format!("{ORDER}/events?access_token={TOKEN}")] {
        let res = tower::ServiceExt::oneshot(kept_server::app(s.clone()), get(&uri, None)).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{uri}");
    }
}
