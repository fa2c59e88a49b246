//! "Ask me first" is a question the customer answers in the widget: Kenya AA runs out, the shop
//! proposes Kenya AB, the customer accepts with one tap, the deadline passes and Kenya AB stays;
//! another ask-first item nobody answers for gets the customer's fallback (removed, refunded).

use kept_e2e::fixture::{check, find};
use kept_e2e::server::{TestServer, OPERATOR, ORDER, TOKEN};
use kept_e2e::{ask_first_rule, post_json, wait_for};
use serde_json::json;

#[test]
fn the_customer_answers_an_ask_first_question_in_the_widget_and_silence_gets_the_fallback() {
    let server = TestServer::start();
    let agreement = json!({
        "contact": { "channels": ["chat", "whatsapp"], "do_not_call": true, "phone": "+48 600 100 200" },
        "substitutions": {
            "default": { "rule": "similar", "max_increase": { "kind": "percent", "percent": 10 } },
            "overrides": [{ "item": "coffee-3", "rule": ask_first_rule() }, { "item": "coffee-5", "rule": ask_first_rule() }]
        },
        "payment": "card_on_delivery",
        "locale": "en"
    });
    let (status, _) =
        post_json(&format!("{}/v1/orders/{ORDER}/preferences", server.url), TOKEN, Some("agree"), agreement);
    assert_eq!(status, 201);

    let customer = kept_e2e::webdriver::Browser::start();
    // The agreement is made: the page shows the receipt and the chat, not the form.
    customer.goto(&format!("{}/?locale=en", server.url));
    find::by_test_id(&customer, "receipt");
    find::by_test_id(&customer, "promises-card");

    // The shop runs out of Kenya AA and proposes Kenya AB; item 5 runs out with nothing to offer.
    let oos = |item: &str, body: serde_json::Value| {
        let url = format!("{}/v1/operator/orders/{ORDER}/items/{item}/out-of-stock", server.url);
        let (status, res) = post_json(&url, OPERATOR, None, body);
        assert_eq!(status, 200, "{res}");
        assert_eq!(res["outcome"], "asked_customer");
    };
    oos(
        "coffee-3",
        json!({ "replacement": { "id": "coffee-11", "name": "Kenya AB, 250 g",
        "unit_price": { "amount_minor": 5600, "currency": "PLN" } } }),
    );
    oos("coffee-5", json!({}));

    // The question arrives live, with its deadline and what happens without an answer.
    let accept_kenya_ab = "const root = document.querySelector(arguments[0]).shadowRoot; \
        const card = Array.from(root.querySelectorAll('[data-testid=\"change-request\"]')) \
            .find((c) => c.textContent.includes('Kenya AB')); \
        if (!card) return null; \
        const text = card.textContent; card.querySelector('[data-testid=\"accept-change\"]').click(); return text;";
    let card = wait_for("the Kenya AB question in the widget", find::PATIENCE, || {
        customer.try_execute(accept_kenya_ab, vec![find::HOST.into()])?.as_str().map(str::to_owned)
    });
    assert!(card.contains("Answer by"), "{card}");
    assert!(card.contains("otherwise we remove it and refund you"), "{card}");
    wait_for("the answer stored", find::PATIENCE, || {
        let order = server.get_json(&format!("/v1/orders/{ORDER}"));
        (order["change_requests"][0]["status"] == "accepted").then_some(())
    });

    // The deadline passes (the sweeper is run as if 16 minutes later).
    let (status, swept) =
        post_json(&format!("{}/v1/test/sweep", server.url), OPERATOR, None, json!({ "minutes_later": 16 }));
    assert_eq!(status, 200, "{swept}");
    assert_eq!(swept["applied"], 1, "only the unanswered question falls back");

    let order = server.get_json(&format!("/v1/orders/{ORDER}"));
    assert_eq!(order["items"][2]["name"], "Kenya AB, 250 g", "the accepted replacement stays");
    assert_eq!(order["items"][2]["active"], true);
    assert_eq!(order["items"][4]["active"], false, "silence: the fallback removed item 5");
    assert_eq!(order["change_requests"][1]["status"], "expired");
    wait_for("both outcomes in the customer's timeline", find::PATIENCE, || {
        let t = customer
            .find_in_shadow(find::HOST, "[data-testid=\"timeline\"]")
            .map(|t| customer.text(&t))
            .unwrap_or_default();
        (t.contains("Kenya AA, 250 g: replaced with Kenya AB") && t.contains("removed")).then_some(())
    });
    let violations = check::accessibility_violations(&customer);
    assert!(violations.is_empty(), "{violations:?}");
}
