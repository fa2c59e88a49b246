//! The order-status chat end to end: live replies, optimistic sends, text that stays text.

use kept_e2e::fixture::{action, check, find};
use kept_e2e::server::TestServer;
use kept_e2e::wait_for;
use kept_e2e::webdriver::Browser;
use serde_json::json;

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
    let wait = b.text(&find::by_test_id(&b, "waiting"));
    assert!(wait.starts_with("Question received."), "{wait}");
    let status =
        server.operator_post("/v1/operator/orders/KC-1001/messages", "op-1", json!({ "text": "Yes, Anna here." }));
    assert_eq!(status, 201);
    wait_for("the reply shown live", find::PATIENCE, || {
        (check::message_texts(&b) == vec!["Is Kenya AA in stock?", "Yes, Anna here."]).then_some(())
    });
    assert!(b.find_in_shadow(find::HOST, "[data-testid=\"waiting\"]").is_none(), "answered: no more waiting");
    b.refresh();
    wait_for("the same two messages after a reload", find::PATIENCE, || {
        (check::message_texts(&b) == vec!["Is Kenya AA in stock?", "Yes, Anna here."]).then_some(())
    });
}

#[test]
fn html_in_messages_is_shown_as_text_and_runs_nothing() {
    let server = TestServer::start();
    let b = Browser::start();
    action::open_checkout(&b, &server, Some("en"));
    let evil = "<img src=x onerror=\"window.__xss=1\"><script>window.__xss=2</script>";
    server.operator_post("/v1/operator/orders/KC-1001/messages", "op-1", json!({ "text": evil }));
    wait_for("the message shown", find::PATIENCE, || (check::message_texts(&b) == vec![evil.to_owned()]).then_some(()));
    let planted = "return [document.querySelector(arguments[0]).shadowRoot.querySelectorAll('.kept-message img, .kept-message script').length, window.__xss || 0];";
    assert_eq!(b.execute(planted, vec![find::HOST.into()]), json!([0, 0]));
}

#[test]
fn after_the_server_restarts_every_message_sent_meanwhile_appears_exactly_once() {
    let mut server = TestServer::start();
    let b = Browser::start();
    action::open_checkout(&b, &server, Some("en"));
    server.operator_post("/v1/operator/orders/KC-1001/messages", "op-0", json!({ "text": "Before" }));
    wait_for("the first message", find::PATIENCE, || (check::message_texts(&b) == vec!["Before"]).then_some(()));

    server.restart();
    for i in 1..=3 {
        let status = server.operator_post(
            "/v1/operator/orders/KC-1001/messages",
            &format!("op-{i}"),
            json!({ "text": format!("While away {i}") }),
        );
        assert_eq!(status, 201);
    }

    let expected = vec!["Before", "While away 1", "While away 2", "While away 3"];
    wait_for("each message once, in order, after the reconnect", std::time::Duration::from_secs(30), || {
        (check::message_texts(&b) == expected).then_some(())
    });
}

#[test]
fn a_change_request_accepted_in_the_widget_is_recorded_on_the_server() {
    let server = TestServer::start();
    let b = Browser::start();
    action::open_checkout(&b, &server, Some("en"));
    action::choose_channel(&b, "chat");
    action::choose_payment(&b, "card_on_delivery");
    action::submit(&b);
    kept_e2e::fixture::check::receipt_version(&b);

    let ask = json!({ "change": { "kind": "payment", "method": "card_online" }, "reason": "No card terminal tomorrow morning." });
    assert_eq!(server.operator_post("/v1/operator/orders/KC-1001/change-requests", "cr-1", ask), 201);
    b.click(&find::by_test_id(&b, "accept-change"));

    // The click's request may still be storing; poll until the second version has landed whole.
    wait_for("the accepted change stored as a second version", find::PATIENCE, || {
        let order = server.get_json("/v1/orders/KC-1001");
        let stored = order["change_requests"][0]["status"] == "accepted"
            && order["receipt"]["preferences"]["payment"] == "card_online"
            && server.stored_versions() == 2;
        stored.then_some(())
    });
}

#[test]
fn a_broken_promise_report_lands_in_the_timeline() {
    let server = TestServer::start();
    let b = Browser::start();
    action::open_checkout(&b, &server, Some("en"));
    action::choose_channel(&b, "chat");
    action::choose_payment(&b, "card_online");
    action::submit(&b);
    kept_e2e::fixture::check::receipt_version(&b);

    b.click(&find::by_test_id(&b, "broke-this"));
    action::select(&b, "promise", "asked_to_prepay");
    b.type_text(&find::by_test_id(&b, "report-note"), "They sent a payment link.");
    b.click(&find::by_test_id(&b, "send-report"));

    assert_eq!(b.text(&find::by_test_id(&b, "report-status")), "Reported. It is on the order's timeline.");
    wait_for("the report in the widget's timeline", find::PATIENCE, || {
        b.text(&find::by_test_id(&b, "timeline")).contains("You reported a broken promise, version 1").then_some(())
    });
    let order = server.get_json("/v1/orders/KC-1001");
    let report = order["timeline"].as_array().unwrap().iter().find(|e| e["event"]["type"] == "promise_broken").cloned();
    assert_eq!(report.unwrap()["event"]["promise"], "asked_to_prepay");
}

#[test]
fn the_faq_answers_as_the_customer_types_and_a_person_is_one_tap_away() {
    let server = TestServer::start();
    let b = Browser::start();
    action::open_checkout(&b, &server, Some("pl"));
    assert!(b.text(&find::by_test_id(&b, "greeting")).contains("Anna Nowak"));

    b.type_text(&find::by_test_id(&b, "faq-search"), "ZWROC");
    wait_for("the returns answer", find::PATIENCE, || {
        b.text(&find::by_test_id(&b, "faq-results")).contains("Czy mogę zwrócić kawę?").then_some(())
    });
    b.click(&find::by_test_id(&b, "talk-to-person"));
    assert_eq!(kept_e2e::fixture::check::focused_id(&b), "kept-composer");
}

#[test]
fn after_delivery_the_survey_appears_and_its_answer_is_stored() {
    let server = TestServer::start();
    let b = Browser::start();
    action::open_checkout(&b, &server, Some("en"));
    assert!(b.find_in_shadow(find::HOST, "[data-testid=\"survey\"]").is_none());
    let agent_status =
        server.operator_post("/v1/operator/orders/KC-1001/status", "s-1", json!({ "status": "OrderDelivered" }));
    assert_eq!(agent_status, 200);
    b.click(&find::by_test_id(&b, "rating-5"));
    b.click(&find::by_test_id(&b, "send-survey"));
    find::by_test_id(&b, "survey-thanks");
    let order = server.get_json("/v1/orders/KC-1001");
    assert_eq!(order["survey_due"], false);
    assert!(order["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["event"]["type"] == "survey_answered" && e["event"]["rating"] == 5));
}

#[test]
fn a_stream_the_browser_gave_up_on_is_caught_up_when_the_network_comes_back() {
    let mut server = TestServer::start();
    let b = Browser::start();
    action::open_checkout(&b, &server, Some("en"));
    find::by_test_id(&b, "chat");
    // The server comes back refusing the stream, so EventSource stops trying for good.
    server.restart();
    server.arm_fault("/v1/orders/KC-1001/events", "fail", 1_000, 0);
    for i in 1..=2 {
        let text = json!({ "text": format!("Missed {i}") });
        assert_eq!(server.operator_post("/v1/operator/orders/KC-1001/messages", &format!("op-{i}"), text), 201);
    }
    std::thread::sleep(std::time::Duration::from_secs(6));
    assert!(check::message_texts(&b).is_empty(), "nothing arrives without the stream");
    b.execute("window.dispatchEvent(new Event('online'));", vec![]);
    wait_for("each missed message once, in order", find::PATIENCE, || {
        (check::message_texts(&b) == vec!["Missed 1", "Missed 2"]).then_some(())
    });
}

#[test]
fn a_missed_reply_time_offers_a_way_out_prefilled_from_the_contact_plan() {
    let server = TestServer::start();
    // Open around the clock, so the promise runs whenever this test does.
    let mut shop = server.get_json("/v1/shop");
    let all_day: Vec<_> = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
        .iter()
        .map(|d| json!({ "day": d, "intervals": [{ "start": "00:00", "end": "00:00" }] }))
        .collect();
    shop["hours"] = json!(all_day);
    shop["holidays"] = json!([]);
    assert_eq!(server.operator_post("/v1/operator/shop", "shop-1", shop), 204);
    let b = Browser::start();
    action::open_checkout(&b, &server, Some("en"));
    action::coffee_story(&b);
    find::by_test_id(&b, "receipt");
    // One quick exchange: the measured reply time is about a minute.
    send(&b, "Hello?");
    wait_for("the first message stored", find::PATIENCE, || {
        (server.get_json("/v1/orders/KC-1001/messages")["messages"][0]["text"] == "Hello?").then_some(())
    });
    server.operator_post("/v1/operator/orders/KC-1001/messages", "op-1", json!({ "text": "Hi!" }));
    b.refresh();
    assert!(b.text(&find::by_test_id(&b, "reply-time")).contains("1 minute"), "the promise shown");
    send(&b, "Where is my order?");
    assert!(b.find_in_shadow(find::HOST, "[data-testid=\"way-out\"]").is_none(), "not before the promise passes");
    wait_for("the way out, once the minute has passed", std::time::Duration::from_secs(100), || {
        b.find_in_shadow(find::HOST, "[data-testid=\"way-out\"]")
    });
    let violations = check::accessibility_violations(&b);
    assert!(violations.is_empty(), "the way out: {violations:?}");
    // Do not call: no callback. WhatsApp from the plan, with the number already there.
    assert!(b.find_in_shadow(find::HOST, "[data-testid=\"request-callback\"]").is_none());
    let whatsapp = find::by_test_id(&b, "continue-in");
    assert_eq!(b.text(&whatsapp), "Continue in WhatsApp: +48600100200");
    b.click(&whatsapp);
    wait_for("the way out reaches the shop", find::PATIENCE, || {
        let page = server.get_json("/v1/orders/KC-1001/messages");
        let texts: Vec<_> = page["messages"].as_array()?.iter().filter_map(|m| m["text"].as_str()).collect();
        texts.contains(&"Please continue in WhatsApp: +48600100200").then_some(())
    });
}
