//! WCAG 2.2 AA with axe-core on every state of the step, and the coffee story by keyboard alone.

use kept_e2e::fixture::{action, check, find};
use kept_e2e::server::TestServer;
use kept_e2e::wait_for;
use kept_e2e::webdriver::Browser;

const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";
const SPACE: &str = " ";
const UP: &str = "\u{E013}";
const DOWN: &str = "\u{E015}";

fn assert_clean(b: &Browser, state: &str) {
    let v = check::accessibility_violations(b);
    assert!(v.is_empty(), "{state}: {}", serde_json::to_string_pretty(&v).unwrap());
}

#[test]
fn every_state_of_the_step_has_no_wcag_violations() {
    let server = TestServer::start();
    let b = Browser::start();
    for locale in ["en", "pl", "uk", "de", "ru"] {
        action::open_checkout(&b, &server, Some(locale));
        assert_clean(&b, "empty form");
        action::submit(&b);
        find::by_test_id(&b, "fix-problems");
        assert_clean(&b, "every field with its problem");
    }
    action::choose_channel(&b, "whatsapp");
    action::choose_channel(&b, "phone");
    action::toggle_do_not_call(&b);
    action::click(&b, "rule-ask_first");
    for n in 0..3 {
        action::open_details(&b, n);
    }
    assert_clean(&b, "contradiction, details, ask-first editor and overrides open");
    action::choose_channel(&b, "phone");
    action::type_phone(&b, "+48600100200");
    action::choose_payment(&b, "card_online");
    action::submit(&b);
    check::receipt_version(&b);
    assert_clean(&b, "receipt");

    b.type_text(&find::by_test_id(&b, "faq-search"), "deliv");
    b.type_text(&find::by_test_id(&b, "composer"), "Hello");
    b.click(&find::by_test_id(&b, "send"));
    let ask =
        serde_json::json!({ "change": { "kind": "payment", "method": "cash_on_delivery" }, "reason": "No terminal." });
    server.operator_post("/v1/operator/orders/KC-1001/change-requests", "cr-a11y", ask);
    find::by_test_id(&b, "change-request");
    b.click(&find::by_test_id(&b, "broke-this"));
    assert_clean(&b, "chat with a message, FAQ results, a change request and the report form");
    server.operator_post(
        "/v1/operator/orders/KC-1001/status",
        "st-a11y",
        serde_json::json!({ "status": "OrderDelivered" }),
    );
    find::by_test_id(&b, "survey");
    assert_clean(&b, "survey after delivery");

    // A closed shop: no working hours at all.
    let mut shop = server.get_json("/v1/shop");
    shop["hours"] = serde_json::json!([]);
    assert_eq!(server.operator_post("/v1/operator/shop", "shop-closed", shop), 204);
    b.refresh();
    let presence = find::by_test_id(&b, "presence");
    assert_eq!(b.text(&presence), "Сейчас закрыто. Оставьте сообщение — ответим, когда откроемся.");
    assert_clean(&b, "closed shop");
}

/// Presses Tab until the widget's focused element has this test id.
fn tab_to(b: &Browser, test_id: &str) {
    let script = "const r = document.querySelector(arguments[0]).shadowRoot; \
                  const a = r && r.activeElement; return a ? a.getAttribute('data-testid') : null;";
    for _ in 0..150 {
        if b.execute(script, vec![find::HOST.into()]).as_str() == Some(test_id) {
            return;
        }
        b.keys(TAB);
    }
    panic!("Tab never reached {test_id}");
}

#[test]
fn the_coffee_story_can_be_completed_by_keyboard_alone() {
    let server = TestServer::start();
    let b = Browser::start();
    action::open_checkout(&b, &server, Some("en"));

    tab_to(&b, "channel-chat");
    b.keys(SPACE);
    tab_to(&b, "channel-whatsapp");
    b.keys(SPACE);
    tab_to(&b, "do-not-call");
    b.keys(SPACE);
    tab_to(&b, "kept-phone");
    b.keys("+48600100200");
    tab_to(&b, "rule-remove");
    b.keys(UP);
    b.keys(UP);
    tab_to(&b, "cap-value");
    tab_to(&b, "payment-card_online");
    b.keys(DOWN);
    tab_to(&b, "notes-toggle");
    b.keys(ENTER);
    tab_to(&b, "option-coffee-3");
    b.keys(DOWN);
    tab_to(&b, "submit");
    b.keys(ENTER);

    assert_eq!(check::receipt_version(&b), "Version 1");
    let p = wait_for("the stored agreement", find::PATIENCE, || {
        let p = server.get_json("/v1/orders/KC-1001")["receipt"]["preferences"].clone();
        (!p.is_null()).then_some(p)
    });
    assert_eq!(p["contact"]["channels"], serde_json::json!(["chat", "whatsapp"]));
    assert_eq!(p["contact"]["do_not_call"], true);
    assert_eq!(p["substitutions"]["default"]["rule"], "similar");
    assert_eq!(p["payment"], "card_on_delivery");
    assert_eq!(p["notes"][0]["option"], "whole");
}

#[test]
fn the_phones_chat_panel_and_the_dark_theme_have_no_wcag_violations() {
    let b = Browser::start();
    b.cdp(
        "Emulation.setDeviceMetricsOverride",
        serde_json::json!({ "width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": true }),
    );
    for theme in ["dark", "light"] {
        // A fresh shop each time: its order has no agreement yet, so the step shows.
        let server = TestServer::start();
        b.goto(&format!("{}/shot.html?locale=uk&theme={theme}", server.url));
        action::wait_for_form(&b);
        let toggle = find::by_test_id(&b, "chat-toggle");
        assert_clean(&b, &format!("{theme}: the step with the chat panel closed"));
        b.click(&toggle);
        assert!(b.is_displayed(&find::by_test_id(&b, "composer")), "the panel opens");
        assert_clean(&b, &format!("{theme}: the chat panel open"));
        action::coffee_story(&b);
        check::receipt_version(&b);
        assert_clean(&b, &format!("{theme}: the receipt card"));
    }
}

#[test]
fn the_accessibility_check_sees_inside_the_widgets_shadow_root() {
    // Guards the test above: an unlabelled input planted inside the widget must be reported.
    let server = TestServer::start();
    let b = Browser::start();
    action::open_checkout(&b, &server, Some("en"));
    let plant = "const r = document.querySelector(arguments[0]).shadowRoot; \
                 const i = document.createElement('input'); i.type = 'text'; r.querySelector('form').append(i); return true;";
    b.execute(plant, vec![find::HOST.into()]);
    let ids: Vec<String> =
        check::accessibility_violations(&b).iter().filter_map(|v| v["id"].as_str().map(str::to_owned)).collect();
    assert!(ids.iter().any(|id| id == "label"), "{ids:?}");
}
