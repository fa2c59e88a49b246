//! The record of kept promises from three sides: the customer writes, the operator answers late;
//! the console shows the breach live, the shop's receiver gets `promise.broken` signed, and her
//! widget says "answered in 17 minutes (promised 15)". The server's clock is moved on (the test
//! clock), never waited for.

use kept_e2e::fixture::{action, check, find};
use kept_e2e::server::{TestServer, OPERATOR};
use kept_e2e::shop::Shop;
use kept_e2e::webdriver::Browser;
use kept_e2e::{post_json, wait_for};
use serde_json::json;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// The console's promise list of the open order.
fn console_promises(b: &Browser) -> Option<String> {
    b.find("[data-testid=\"op-promises\"]").map(|e| b.text(&e))
}

fn widget_promises(b: &Browser) -> Option<String> {
    b.find_in_shadow(find::HOST, "[data-testid=\"promises\"]").map(|e| b.text(&e))
}

#[test]
fn an_answer_given_late_is_a_broken_promise_in_the_console_live_to_the_shop_signed_and_in_her_widget() {
    let shop = Shop::start(SECRET);
    let hooks = format!("{}/hooks", shop.url);
    let server = TestServer::start_with(&[], &["--webhook-url", &hooks, "--webhook-secret", SECRET]);
    // A Tuesday morning in Warsaw: the demo shop is open; nothing measured, so 15 minutes shown.
    let (status, _) =
        post_json(&format!("{}/v1/test/clock", server.url), "", None, json!({ "at": "2026-12-08T09:00:00Z" }));
    assert_eq!(status, 200);

    let customer = Browser::start();
    action::open_checkout(&customer, &server, Some("en"));
    action::choose_channel(&customer, "chat");
    action::choose_payment(&customer, "card_online");
    action::submit(&customer);
    customer.type_text(&find::by_test_id(&customer, "composer"), "Is my order packed?");
    customer.click(&find::by_test_id(&customer, "send"));
    wait_for("her promise in her widget", find::PATIENCE, || {
        widget_promises(&customer).filter(|t| t.contains("An answer within 15 minutes: due today, 10:15"))
    });

    let console = Browser::start();
    console.goto(&format!("{}/operator/?locale=en", server.url));
    let token = wait_for("the sign-in form", find::PATIENCE, || console.find("[data-testid=\"op-token\"]"));
    console.type_text(&token, OPERATOR);
    console.click(&wait_for("sign in", find::PATIENCE, || console.find("[data-testid=\"op-sign-in\"]")));
    let kc = wait_for("KC-1001 in the list", find::PATIENCE, || {
        let script = "return Array.from(document.querySelectorAll('[data-testid=\"op-order\"]')) \
                      .findIndex((b) => b.textContent.includes('KC-1001'));";
        let i = console.execute(script, vec![]).as_i64()?;
        (i >= 0).then_some(i)
    });
    console.execute("document.querySelectorAll('[data-testid=\"op-order\"]')[arguments[0]].click();", vec![kc.into()]);
    wait_for("the open reply promise in the console", find::PATIENCE, || {
        console_promises(&console).filter(|t| t.contains("Reply · open"))
    });

    // Seventeen minutes pass unanswered: the sweeper breaks it, and the console shows it live.
    let (status, _) = post_json(&format!("{}/v1/test/clock", server.url), "", None, json!({ "minutes": 17 }));
    assert_eq!(status, 200);
    wait_for("the breach in the console", find::PATIENCE, || {
        console_promises(&console).filter(|t| t.contains("Reply · broken"))
    });
    let hook = wait_for("promise.broken at the shop", find::PATIENCE, || {
        shop.received().into_iter().find(|r| r.body["type"] == "promise.broken")
    });
    assert!(hook.valid, "signed");
    assert_eq!(hook.body["data"]["promise"]["kind"], "reply");
    assert_eq!(hook.body["data"]["order"], "KC-1001");

    // The answer comes late; her widget says how late, against what it showed her.
    let url = format!("{}/v1/operator/orders/KC-1001/messages", server.url);
    let (status, _) = post_json(&url, OPERATOR, Some("late-answer"), json!({ "text": "Packed, sorry for the wait." }));
    assert_eq!(status, 201);
    wait_for("the late answer in her widget", find::PATIENCE, || {
        widget_promises(&customer)
            .filter(|t| t.contains("An answer within 15 minutes: answered in 17 minutes (promised 15)"))
    });
    // Once, however it ended.
    let breaches = shop.received().into_iter().filter(|r| r.body["type"] == "promise.broken").count();
    assert_eq!(breaches, 1);
    assert_eq!(check::accessibility_violations(&customer), Vec::<serde_json::Value>::new(), "her promises, axe-clean");

    // The console's Record page: the reply broken today, in the table and among the broken ones,
    // which opens its order.
    console.click(&wait_for("the record", find::PATIENCE, || console.find("[data-testid=\"op-record-toggle\"]")));
    let kinds = wait_for("the record by kind", find::PATIENCE, || {
        console.find("[data-testid=\"op-record-kinds\"]").map(|t| console.text(&t)).filter(|t| t.contains("Reply"))
    });
    assert!(kinds.contains("Reply 0 % 0 1"), "{kinds}");
    let broken = wait_for("the broken ones", find::PATIENCE, || console.find("[data-testid=\"op-broken\"] button"));
    assert!(console.text(&broken).contains("KC-1001"));
    let violations = check::accessibility_violations_in(&console, "[data-testid=\"op-record\"]");
    assert_eq!(violations, Vec::<serde_json::Value>::new(), "the Record page, axe-clean");
    console.click(&broken);
    wait_for("its order opened", find::PATIENCE, || {
        console_promises(&console).filter(|t| t.contains("Reply · broken"))
    });
    // With a history of 40 decided promises the demo shop (which opts in) shows its trust line.
    let (status, _) =
        post_json(&format!("{}/v1/test/promises", server.url), "", None, json!({ "count": 40, "days": 10 }));
    assert_eq!(status, 204);
    customer.goto(&format!("{}/?locale=en", server.url));
    let trust = wait_for("the trust line", find::PATIENCE, || {
        customer.find_in_shadow(find::HOST, "[data-testid=\"trust-line\"]").map(|t| customer.text(&t))
    });
    assert!(trust.starts_with("This shop kept 87 % of 41 promises in the last 30 days"), "{trust}");
    assert_eq!(
        check::accessibility_violations(&customer),
        Vec::<serde_json::Value>::new(),
        "the trust line, axe-clean"
    );
}
