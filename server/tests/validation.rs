//! Every validation rule through HTTP: the server refuses each contradiction with a 422 naming
//! the field and the code the widget translates.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};

fn base() -> Value {
    json!({
        "contact": { "channels": ["chat"] },
        "payment": "card_online",
        "locale": "ru"
    })
}

async fn refused(s: &kept_server::AppState, case: usize, body: Value) -> Vec<(String, String)> {
    let (status, err) =
        call(s, post(&format!("{ORDER}/preferences"), Some(&format!("case-{case}")), body.to_string())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "case {case}: {err}");
    field_codes(&err)
}

#[tokio::test]
async fn each_contradiction_is_refused_with_its_field_and_code() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!({ "contact": { "channels": [] } }), "contact.channels", "required"),
        (json!({ "contact": { "channels": ["chat", "chat"] } }), "contact.channels[1]", "duplicate_channel"),
        (
            json!({ "contact": { "channels": ["phone"], "do_not_call": true, "phone": "+48600100200" } }),
            "contact.channels[0]",
            "calls_forbidden",
        ),
        (json!({ "contact": { "channels": ["whatsapp"] } }), "contact.phone", "contact_missing"),
        (json!({ "contact": { "channels": ["sms"], "phone": "600 100 200" } }), "contact.phone", "invalid_phone"),
        (json!({ "contact": { "channels": ["email"], "email": "anna@" } }), "contact.email", "invalid_email"),
        (json!({ "contact": { "channels": ["telegram"], "telegram": "@an" } }), "contact.telegram", "invalid_telegram"),
        (
            json!({ "contact": { "channels": ["chat"], "callback_window": { "start": "10:00", "end": "11:00" } } }),
            "contact.callback_window",
            "calls_forbidden",
        ),
        (
            json!({ "contact": { "channels": ["phone"], "phone": "+48600100200", "callback_window": { "start": "20:00", "end": "21:00" } } }),
            "contact.callback_window",
            "outside_hours",
        ),
        (json!({ "payment": null }), "payment", "required"),
        (json!({ "payment": "bank_transfer" }), "payment", "payment_not_offered"),
        (
            json!({ "substitutions": { "default": { "rule": "similar", "max_increase": { "kind": "percent", "percent": -10 } } } }),
            "substitutions.default.max_increase",
            "out_of_range",
        ),
        (
            json!({ "substitutions": { "default": { "rule": "specific", "replacement": "coffee-11" } } }),
            "substitutions.default",
            "invalid",
        ),
        (
            json!({ "substitutions": { "default": { "rule": "ask_first", "channel": "email", "wait_minutes": 10, "fallback": { "then": "remove" } } } }),
            "substitutions.default.channel",
            "channel_not_in_plan",
        ),
        (
            json!({ "contact": { "channels": ["chat"], "do_not_call": true }, "substitutions": { "default": { "rule": "ask_first", "channel": "phone", "wait_minutes": 10, "fallback": { "then": "remove" } } } }),
            "substitutions.default.channel",
            "calls_forbidden",
        ),
        (
            json!({ "substitutions": { "default": { "rule": "ask_first", "channel": "chat", "wait_minutes": 0, "fallback": { "then": "remove" } } } }),
            "substitutions.default.wait_minutes",
            "out_of_range",
        ),
        (
            json!({ "substitutions": { "overrides": [{ "item": "coffee-99", "rule": { "rule": "remove" } }] } }),
            "substitutions.overrides[0].item",
            "unknown_item",
        ),
        (
            json!({ "substitutions": { "overrides": [{ "item": "coffee-3", "rule": { "rule": "specific", "replacement": "coffee-77" } }] } }),
            "substitutions.overrides[0].rule.replacement",
            "unknown_replacement",
        ),
        (json!({ "notes": [{ "item": "coffee-3", "option": "powder" }] }), "notes[0].option", "unknown_option"),
        (json!({ "notes": [{ "item": "coffee-1", "option": "whole" }] }), "notes[0].option", "unknown_option"),
        (json!({ "notes": [{ "item": "coffee-3", "text": "x".repeat(201) }] }), "notes[0].text", "too_long"),
        (
            json!({ "notes": [{ "item": "coffee-3", "text": "a" }, { "item": "coffee-3", "text": "b" }] }),
            "notes[1].item",
            "duplicate",
        ),
        (json!({ "contact": { "channels": ["pigeon"] } }), "contact.channels[0]", "invalid"),
        (json!({ "locale": "fr" }), "locale", "invalid"),
    ];
    for (i, (patch, path, code)) in cases.into_iter().enumerate() {
        let mut body = base();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        assert_eq!(refused(&s, i, body).await, one(path, code), "case {i}");
    }
    let (_, order) = call(&s, get(ORDER, Some(TOKEN))).await;
    assert!(order["receipt"].is_null(), "nothing refused was stored");
}

#[tokio::test]
async fn a_payment_method_this_orders_slot_rules_out_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    // A morning slot: card on delivery needs a slot from 12:00 (no card terminal in the morning).
    let slot = json!({ "start": "2026-11-24T08:00:00Z", "end": "2026-11-24T10:00:00Z" });
    kept_server::sql!(&s.pool, |c| sqlx::query("UPDATE orders SET delivery_slot = $1 WHERE id = 'KC-1001'")
        .bind(kept_server::db::Jsonb(slot.to_string()))
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .unwrap();
    let (_, order) = call(&s, get(ORDER, Some(TOKEN))).await;
    let card = order["payment_options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["method"] == "card_on_delivery")
        .cloned()
        .unwrap();
    assert_eq!(card["available"], false);
    assert_eq!(card["unavailable_because"]["kind"], "slot_starts_from");
    let mut body = base();
    body["payment"] = json!("card_on_delivery");
    assert_eq!(refused(&s, 0, body).await, one("payment", "payment_unavailable"));
}

#[tokio::test]
async fn oversized_bodies_are_refused_on_every_creating_route() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    for route in ["messages", "callbacks", "reports", "survey"] {
        let big = format!("{{\"text\":\"{}\"}}", "a".repeat(70 * 1024));
        let (status, err) = call(&s, post(&format!("{ORDER}/{route}"), Some("k"), big)).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{route}");
        assert_eq!(err["error"]["code"], "payload_too_large");
    }
}

/// A request with a backend key (the NUL checks below reach every caller's endpoints).
fn as_backend(method: &str, uri: &str, body: Value) -> axum::http::Request<axum::body::Body> {
    axum::http::Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", "Bearer backend-key-0123456789")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(body.to_string()))
        .unwrap()
}

// Regression: PostgreSQL's text cannot hold U+0000 and SQLite's can, so `"name": "\u0000ª¡"` at
// the sign-in was a 500 on one engine and a 401 on the other. Every string that can reach the
// database is refused alike on both, naming its field, before any handler sees it.
#[tokio::test]
async fn a_nul_character_is_refused_naming_its_field_on_every_engine() {
    let dir = tempfile::tempdir().unwrap();
    let config = kept_server::Config {
        operator_token: Some(OPERATOR.into()),
        backend_keys: vec!["backend-key-0123456789".into()],
        ..kept_server::Config::default()
    };
    let s = kept_server::AppState::new(
        {
            let pool = kept_server::db::open(&database(dir.path())).await.unwrap();
            kept_server::seed::demo(&pool, TOKEN).await.unwrap();
            pool
        },
        config,
    );
    let nul = "\u{0}ª¡";
    let mut notes = coffee_story();
    notes["notes"][0]["text"] = json!(format!("beans{nul}"));
    let (_, shop) = call(&s, get("/v1/shop", None)).await;
    let mut profile = shop.clone();
    profile["name"] = json!(nul);
    let mut faq = shop.clone();
    faq["faq"][0]["answer"] = json!(nul);
    let order = |name: &str| {
        json!({ "items": [{ "id": "c-1", "name": name, "quantity": 1,
            "unit_price": { "amount_minor": 100, "currency": "PLN" } }] })
    };
    let sign_in = |body: Value| {
        axum::http::Request::post("/v1/operator/session")
            .header("content-type", "application/json")
            .body(axum::body::Body::from(body.to_string()))
            .unwrap()
    };
    let body_cases: Vec<(&str, axum::http::Request<axum::body::Body>, &str)> = vec![
        ("sign-in name", sign_in(json!({ "name": nul, "password": "long enough password" })), "name"),
        ("sign-in password", sign_in(json!({ "name": "anna", "password": format!("long{nul}enough") })), "password"),
        (
            "client id",
            post(&format!("{ORDER}/messages"), Some("m2"), json!({ "client_id": nul, "text": "hi" }).to_string()),
            "client_id",
        ),
        ("product note", post(&format!("{ORDER}/preferences"), Some("p1"), notes.to_string()), "notes[0].text"),
        ("shop profile name", op_post("/v1/operator/shop", None, profile), "name"),
        ("shop profile FAQ", op_post("/v1/operator/shop", None, faq), "faq[0].answer"),
        ("backend order field", as_backend("PUT", "/v1/backend/orders/W-1", order(nul)), "items[0].name"),
        (
            "webhook URL",
            as_backend("POST", "/v1/backend/webhooks", json!({ "url": format!("https://shop.example/{nul}") })),
            "url",
        ),
        ("operator name", as_backend("POST", "/v1/backend/operators", json!({ "name": nul })), "name"),
        (
            "operator display name",
            as_backend("POST", "/v1/backend/operators", json!({ "name": "vera", "display_name": nul })),
            "display_name",
        ),
        (
            "password reset",
            as_backend(
                "POST",
                "/v1/backend/operators/vera/password",
                json!({ "password": format!("{nul}0123456789") }),
            ),
            "password",
        ),
        ("an object key", post(&format!("{ORDER}/preferences"), Some("p2"), json!({ nul: 1 }).to_string()), "body"),
    ];
    for (family, req, field) in body_cases {
        let (status, body) = call(&s, req).await;
        assert_eq!((status, field_codes(&body)), (StatusCode::UNPROCESSABLE_ENTITY, one(field, "invalid")), "{family}");
    }

    // In the path and the query: a 400 naming the parameter.
    let param_cases = [
        ("order in the path", get("/v1/orders/KC%001001", Some(TOKEN)), "order"),
        ("operator order in the path", get("/v1/operator/orders/KC%001001", Some(OPERATOR)), "order"),
        ("backend order in the path", as_backend("GET", "/v1/backend/orders/W%00-1", json!(null)), "order"),
        ("operator name in the path", as_backend("POST", "/v1/backend/operators/an%00na/disable", json!(null)), "name"),
        ("query parameter", get(&format!("{ORDER}/messages?after=%00"), Some(TOKEN)), "after"),
    ];
    for (family, req, field) in param_cases {
        let (status, body) = call(&s, req).await;
        assert_eq!((status, field_codes(&body)), (StatusCode::BAD_REQUEST, one(field, "invalid")), "{family}");
    }

    // Nothing of it was stored.
    let (_, messages) = call(&s, get(&format!("{ORDER}/messages"), Some(TOKEN))).await;
    assert_eq!(messages["messages"], json!([]), "{messages}");

    // Where the protocol stores text cleaned of control characters (messages, notes, reasons),
    // U+0000 goes like the others, on both engines alike.
    let text = format!("beans{nul}, not ground");
    let (status, m) = call(
        &s,
        post(&format!("{ORDER}/messages"), Some("m1"), json!({ "client_id": "m1", "text": text }).to_string()),
    )
    .await;
    assert_eq!((status, &m["text"]), (StatusCode::CREATED, &json!("beansª¡, not ground")), "{m}");
    let (status, m) =
        call(&s, op_post("/v1/operator/orders/KC-1001/messages", Some("o1"), json!({ "text": format!("{nul}ok") })))
            .await;
    assert_eq!((status, &m["text"]), (StatusCode::CREATED, &json!("ª¡ok")), "{m}");
    let (_, people) = call(&s, as_backend("GET", "/v1/backend/operators", json!(null))).await;
    assert_eq!(people, json!([]));
    let (_, now) = call(&s, get("/v1/shop", None)).await;
    assert_eq!(now["name"], shop["name"]);
}
