//! Several kept-server instances on one PostgreSQL database behind HAProxy (round robin, no
//! sticky sessions): the coffee story through the proxy with the operator console on one
//! instance; an instance killed mid-chat while the widget carries on through the other, every
//! message shown exactly once; the ask-first sweeper of both instances applying each fallback once.

use std::time::Duration;

use kept_e2e::fixture::{action, check, find};
use kept_e2e::proxy::Proxy;
use kept_e2e::server::{TestServer, OPERATOR, ORDER, TOKEN};
use kept_e2e::webdriver::{Browser, Element};
use kept_e2e::{ask_first_rule, post_json, wait_for};
use serde_json::{json, Value};

fn agent() -> ureq::Agent {
    kept_e2e::agent(Duration::from_secs(10))
}

fn operator_says(server: &TestServer, key: &str, text: &str) {
    let url = format!("{}/v1/operator/orders/{ORDER}/messages", server.url);
    let (status, body) = post_json(&url, OPERATOR, Some(key), json!({ "text": text }));
    assert_eq!(status, 201, "{body}");
}

fn op(b: &Browser, test_id: &str) -> Element {
    let css = format!("[data-testid=\"{test_id}\"]");
    wait_for(&css, find::PATIENCE, || b.find(&css))
}

fn waits_for_messages(b: &Browser, expected: &[&str]) {
    let mut seen = Vec::new();
    let found = kept_e2e::poll(Duration::from_secs(30), || {
        seen = check::message_texts(b);
        (seen == expected).then_some(())
    });
    if found.is_none() {
        let chat = b.find_in_shadow(find::HOST, "[data-testid=\"chat\"]").map(|c| b.text(&c)).unwrap_or_default();
        panic!("waited 30 s for the messages {expected:?}, each once; the customer saw {seen:?}\nthe chat: {chat}");
    }
}

#[test]
fn the_coffee_story_and_the_chat_carry_on_through_a_load_balancer_when_an_instance_dies() {
    let mut servers = TestServer::instances(2, &[]);
    let proxy = Proxy::start(&[&servers[0], &servers[1]]);

    // The customer only ever talks to the load balancer.
    let customer = Browser::start();
    action::open_checkout_at(&customer, &proxy.url, Some("en"));
    action::coffee_story(&customer);
    find::by_test_id(&customer, "receipt");

    // The operator works in the console of instance 0.
    let console = Browser::start();
    console.goto(&format!("{}/operator/?locale=en", servers[0].url));
    console.type_text(&op(&console, "op-token"), OPERATOR);
    console.click(&op(&console, "op-sign-in"));
    op(&console, "op-orders");
    let script = "const b = Array.from(document.querySelectorAll('[data-testid=\"op-order\"]')) \
                  .find((b) => b.textContent.includes('KC-1001')); if (b) { b.click(); return true; } return false;";
    wait_for("KC-1001 opened in the console", find::PATIENCE, || {
        console.execute(script, vec![]).as_bool().filter(|b| *b)
    });
    let agreement = wait_for("the agreement in the console", find::PATIENCE, || {
        let text = console.find("[data-testid=\"op-agreement\"]").map(|e| console.text(&e)).unwrap_or_default();
        text.starts_with("DO NOT CALL").then_some(text)
    });
    assert!(agreement.contains("Card on delivery"), "{agreement}");
    let pick = "const s = document.querySelector('[data-testid=\"op-replacement-coffee-1\"]'); \
                const o = Array.from(s.options).find((o) => o.textContent.startsWith('Colombia Huila')); \
                s.value = o.value; s.dispatchEvent(new Event('change'));";
    console.execute(pick, vec![]);
    console.click(&op(&console, "op-substitute-coffee-1"));
    // Written through instance 0, seen live by the customer's stream wherever it landed.
    wait_for("the substitution in the customer's timeline", find::PATIENCE, || {
        let t = customer.find_in_shadow(find::HOST, "[data-testid=\"timeline\"]").map(|t| customer.text(&t))?;
        t.contains("Ethiopia Yirgacheffe, 250 g: replaced with Colombia Huila").then_some(())
    });

    // The chat: the customer asks through the proxy, the shop answers through either instance.
    customer_says(&customer, &proxy, "Is Kenya AA in stock?");
    operator_says(&servers[1], "op-1", "Before");
    waits_for_messages(&customer, &["Is Kenya AA in stock?", "Before"]);

    // Instance 1 dies; the shop answers through instance 0 and the customer writes on.
    servers[1].kill();
    for i in 1..=3 {
        operator_says(&servers[0], &format!("op-away-{i}"), &format!("While away {i}"));
    }
    customer_says(&customer, &proxy, "Thanks!");
    waits_for_messages(
        &customer,
        &["Is Kenya AA in stock?", "Before", "While away 1", "While away 2", "While away 3", "Thanks!"],
    );

    // It comes back and the other one dies: the widget carries on through it.
    servers[1].restart();
    wait_for("instance 1 back in the proxy", Duration::from_secs(20), || proxy.is_up(1).then_some(()));
    servers[0].kill();
    operator_says(&servers[1], "op-after-1", "After 1");
    operator_says(&servers[1], "op-after-2", "After 2");
    let all = [
        "Is Kenya AA in stock?",
        "Before",
        "While away 1",
        "While away 2",
        "While away 3",
        "Thanks!",
        "After 1",
        "After 2",
    ];
    waits_for_messages(&customer, &all);

    // Stored once each, whatever instance took them.
    assert_eq!(stored_messages(&proxy).expect("the proxy answers"), all);
}

/// The order's messages as the server stores them, asked through the proxy (None when it does
/// not answer, as for a moment after an instance dies).
fn stored_messages(proxy: &Proxy) -> Option<Vec<String>> {
    let mut res = agent()
        .get(&format!("{}/v1/orders/{ORDER}/messages", proxy.url))
        .header("Authorization", &format!("Bearer {TOKEN}"))
        .call()
        .ok()?;
    let page: Value = res.body_mut().read_json().ok()?;
    Some(page["messages"].as_array()?.iter().filter_map(|m| m["text"].as_str().map(str::to_owned)).collect())
}

/// The customer writes `text` and sends it; returns once the server has stored it, so what the
/// shop says next comes after it (the widget shows a message at once, before the server has it).
fn customer_says(customer: &Browser, proxy: &Proxy, text: &str) {
    customer.type_text(&find::by_test_id(customer, "composer"), text);
    customer.click(&find::by_test_id(customer, "send"));
    wait_for(&format!("{text:?} stored"), find::PATIENCE, || {
        stored_messages(proxy)?.iter().any(|m| m == text).then_some(())
    });
}

#[test]
fn with_two_instances_sweeping_at_once_each_fallback_is_applied_once_and_a_session_holds_on_both() {
    let servers = TestServer::instances(2, &[]);
    // A named operator signs in on one instance; the session works on the other.
    servers[0].add_operator("anna", "Anna", "a long enough password");
    let mut res = agent()
        .post(&format!("{}/v1/operator/session", servers[0].url))
        .send_json(json!({ "name": "anna", "password": "a long enough password" }))
        .expect("the server answers");
    assert_eq!(res.status().as_u16(), 200);
    let cookie = res.headers().get("set-cookie").and_then(|v| v.to_str().ok()).expect("a session cookie").to_owned();
    let cookie = cookie.split(';').next().unwrap_or_default().to_owned();
    let _ = res.body_mut().read_to_string();
    let mut me = agent()
        .get(&format!("{}/v1/operator/session", servers[1].url))
        .header("Cookie", &cookie)
        .call()
        .expect("the other instance answers");
    assert_eq!(me.status().as_u16(), 200);
    let me: Value = me.body_mut().read_json().expect("who is signed in");
    assert_eq!(me["display_name"], "Anna");

    let asked = ["coffee-2", "coffee-4", "coffee-5", "coffee-6", "coffee-7", "coffee-8", "coffee-9", "coffee-10"];
    let overrides: Vec<Value> = asked.iter().map(|i| json!({ "item": i, "rule": ask_first_rule() })).collect();
    let agreement = json!({
        "contact": { "channels": ["chat"], "do_not_call": true },
        "substitutions": { "default": { "rule": "remove" }, "overrides": overrides },
        "payment": "card_on_delivery",
        "locale": "en"
    });
    let (status, body) =
        post_json(&format!("{}/v1/orders/{ORDER}/preferences", servers[0].url), TOKEN, Some("agree"), agreement);
    assert_eq!(status, 201, "{body}");
    // Out of stock, each through one instance or the other: a question each.
    for (n, item) in asked.iter().enumerate() {
        let url = format!("{}/v1/operator/orders/{ORDER}/items/{item}/out-of-stock", servers[n % 2].url);
        let (status, res) = post_json(&url, OPERATOR, None, json!({}));
        assert_eq!(status, 200, "{res}");
        assert_eq!(res["outcome"], "asked_customer");
    }

    // Both instances sweep at the same moment, three times over, as if 16 minutes had passed.
    let applied: u64 = std::thread::scope(|s| {
        let sweeps: Vec<_> = (0..6)
            .map(|i| {
                let url = format!("{}/v1/test/sweep", servers[i % 2].url);
                s.spawn(move || {
                    let (status, swept) = post_json(&url, OPERATOR, None, json!({ "minutes_later": 16 }));
                    assert_eq!(status, 200, "{swept}");
                    swept["applied"].as_u64().unwrap()
                })
            })
            .collect();
        sweeps.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(applied, asked.len() as u64, "each fallback applied once in all");

    let mut res = agent()
        .get(&format!("{}/v1/orders/{ORDER}", servers[1].url))
        .header("Authorization", &format!("Bearer {TOKEN}"))
        .call()
        .expect("the server answers");
    let order: Value = res.body_mut().read_json().expect("the order");
    let expired = order["change_requests"].as_array().unwrap().iter().filter(|c| c["status"] == "expired").count();
    assert_eq!(expired, asked.len());
    for item in asked {
        let removals = order["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["event"]["type"] == "item_resolved" && e["event"]["item"] == item)
            .filter(|e| e["event"]["resolution"]["outcome"] == "removed")
            .count();
        assert_eq!(removals, 1, "{item} removed once: {}", order["timeline"]);
    }
}
