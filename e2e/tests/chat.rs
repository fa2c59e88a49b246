//! The order-status chat end to end: live replies, optimistic sends, text that stays text.

use kept_e2e::fixture::{action, find};
use kept_e2e::server::TestServer;
use kept_e2e::wait_for;
use kept_e2e::webdriver::Browser;
use serde_json::json;

fn message_texts(b: &Browser) -> Vec<String> {
    let script = "const r = document.querySelector(arguments[0]).shadowRoot; \
                  return Array.from(r.querySelectorAll('.kept-message__text')).map((p) => p.textContent);";
    b.execute(script, vec![find::HOST.into()])
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

fn send(b: &Browser, text: &str) {
    b.type_text(&find::by_test_id(b, "composer"), text);
    b.click(&find::by_test_id(b, "send"));
}

#[test]
fn an_operator_reply_appears_live_and_a_customer_message_reaches_the_shop() {
    let server = TestServer::start();
    let b = Browser::start();
    action::open_checkout(&b, &server, Some("en"));
    find::by_test_id(&b, "chat");

    send(&b, "Is Kenya AA in stock?");
    wait_for("the message stored", find::PATIENCE, || {
        let page = server.get_json("/v1/orders/KC-1001/messages");
        (page["messages"][0]["text"] == "Is Kenya AA in stock?").then_some(())
    });
    let status =
        server.operator_post("/v1/operator/orders/KC-1001/messages", "op-1", json!({ "text": "Yes, Anna here." }));
    assert_eq!(status, 201);
    wait_for("the reply shown live", find::PATIENCE, || {
        (message_texts(&b) == vec!["Is Kenya AA in stock?", "Yes, Anna here."]).then_some(())
    });
    b.refresh();
    wait_for("the same two messages after a reload", find::PATIENCE, || {
        (message_texts(&b) == vec!["Is Kenya AA in stock?", "Yes, Anna here."]).then_some(())
    });
}

#[test]
fn html_in_messages_is_shown_as_text_and_runs_nothing() {
    let server = TestServer::start();
    let b = Browser::start();
    action::open_checkout(&b, &server, Some("en"));
    let evil = "<img src=x onerror=\"window.__xss=1\"><script>window.__xss=2</script>";
    server.operator_post("/v1/operator/orders/KC-1001/messages", "op-1", json!({ "text": evil }));
    wait_for("the message shown", find::PATIENCE, || (message_texts(&b) == vec![evil.to_owned()]).then_some(()));
    let planted = "return [document.querySelector(arguments[0]).shadowRoot.querySelectorAll('.kept-message img, .kept-message script').length, window.__xss || 0];";
    assert_eq!(b.execute(planted, vec![find::HOST.into()]), json!([0, 0]));
}
