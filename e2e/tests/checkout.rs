//! The preference step end to end: release widget, real kept-server, real SQLite, headless Chromium.

use kept_e2e::fixture::{action, check};
use kept_e2e::server::TestServer;
use kept_e2e::webdriver::Browser;

#[test]
fn a_customer_submits_preferences_and_the_server_keeps_them_across_a_reload() {
    let server = TestServer::start();
    let b = Browser::start();
    action::open_checkout(&b, &server, Some("en"));

    action::choose_channel(&b, "whatsapp");
    action::type_phone(&b, "+48 600 100 200");
    action::toggle_do_not_call(&b);
    action::choose_payment(&b, "card_on_delivery");
    action::submit(&b);

    assert_eq!(check::receipt_version(&b), "Version 1");
    let summary = check::receipt_summary(&b);
    assert!(summary.contains("We will not call you."), "{summary}");
    assert!(summary.contains("You pay: Card on delivery."), "{summary}");
    let stored = server.get_json("/v1/orders/KC-1001");
    assert_eq!(stored["receipt"]["version"], 1);
    let prefs = &stored["receipt"]["preferences"];
    assert_eq!(prefs["contact"]["channels"], serde_json::json!(["whatsapp"]));
    assert_eq!(prefs["contact"]["do_not_call"], true);
    assert_eq!(prefs["contact"]["phone"], "+48600100200");
    assert_eq!(prefs["payment"], "card_on_delivery");

    b.refresh();
    assert_eq!(check::receipt_version(&b), "Version 1");
}

#[test]
fn do_not_call_with_phone_calls_is_refused_in_russian_next_to_the_channel() {
    let server = TestServer::start();
    let b = Browser::start();
    action::open_checkout(&b, &server, Some("ru"));

    action::choose_channel(&b, "phone");
    action::toggle_do_not_call(&b);

    assert_eq!(
        check::field_problem(&b, "kept-channel-error"),
        "Вы попросили не звонить, поэтому звонок выбрать нельзя."
    );
    action::submit(&b);
    assert!(!check::has_receipt(&b));
    // Unticking the call leaves it disabled, with the reason next to it.
    action::choose_channel(&b, "phone");
    assert!(check::is_disabled(&b, "channel-phone"));
    assert!(!check::has_receipt(&b));
    assert_eq!(server.get_json("/v1/orders/KC-1001")["receipt"], serde_json::Value::Null);
}

#[test]
fn whatsapp_without_a_number_moves_focus_to_the_phone_field_with_a_polish_message() {
    let server = TestServer::start();
    let b = Browser::start();
    action::open_checkout(&b, &server, Some("pl"));

    action::choose_channel(&b, "whatsapp");
    action::choose_payment(&b, "cash_on_delivery");
    action::submit(&b);

    assert_eq!(check::focused_id(&b), "kept-phone");
    assert_eq!(check::field_problem(&b, "kept-phone-error"), "Wybrany sposób kontaktu tego wymaga.");
    assert_eq!(server.get_json("/v1/orders/KC-1001")["receipt"], serde_json::Value::Null);
}

#[test]
fn three_failed_attempts_are_retried_and_exactly_one_version_is_stored() {
    let server = TestServer::start();
    let b = Browser::start();
    action::open_checkout(&b, &server, Some("en"));
    server.arm_fault("/v1/orders/KC-1001/preferences", "fail", 3, 0);

    action::choose_channel(&b, "chat");
    action::choose_payment(&b, "card_online");
    action::submit(&b);

    assert_eq!(check::receipt_version(&b), "Version 1");
    assert_eq!(server.stored_versions(), 1);
}

#[test]
fn a_reload_while_the_submission_is_in_flight_still_stores_exactly_one_version() {
    let server = TestServer::start();
    let b = Browser::start();
    action::open_checkout(&b, &server, Some("en"));
    server.arm_fault("/v1/orders/KC-1001/preferences", "hang", 1, 3000);

    action::choose_channel(&b, "chat");
    action::choose_payment(&b, "cash_on_delivery");
    action::submit(&b);
    assert_eq!(check::submit_label(&b, "Saving…"), "Saving…");
    b.refresh();

    assert_eq!(check::receipt_version(&b), "Version 1");
    let stored = server.get_json("/v1/orders/KC-1001");
    assert_eq!(stored["receipt"]["preferences"]["payment"], "cash_on_delivery");
    assert_eq!(server.stored_versions(), 1);
}

#[test]
fn choices_survive_a_reload_before_submitting() {
    let server = TestServer::start();
    let b = Browser::start();
    action::open_checkout(&b, &server, Some("en"));

    action::choose_channel(&b, "whatsapp");
    action::type_phone(&b, "+48 600 100 200");
    action::choose_payment(&b, "card_online");
    b.refresh();
    action::wait_for_form(&b);

    assert!(check::is_checked(&b, "channel-whatsapp"));
    assert!(check::is_checked(&b, "payment-card_online"));
    assert_eq!(check::value(&b, "kept-phone"), "+48 600 100 200");
    assert_eq!(server.get_json("/v1/orders/KC-1001")["receipt"], serde_json::Value::Null);
}

#[test]
fn the_coffee_story_is_stored_exactly_as_chosen() {
    let server = TestServer::start();
    let b = Browser::start();
    action::open_checkout(&b, &server, Some("en"));

    action::coffee_story(&b);

    assert_eq!(check::receipt_version(&b), "Version 1");
    let summary = check::receipt_summary(&b);
    assert!(summary.contains("Missing items: substitute similar, at most 10 % dearer."), "{summary}");
    let p = &server.get_json("/v1/orders/KC-1001")["receipt"]["preferences"];
    assert_eq!(p["contact"]["channels"], serde_json::json!(["chat", "whatsapp"]));
    assert_eq!(p["contact"]["do_not_call"], true);
    assert_eq!(p["contact"]["phone"], "+48600100200");
    assert_eq!(
        p["substitutions"]["default"],
        serde_json::json!({ "rule": "similar", "max_increase": { "kind": "percent", "percent": 10 } })
    );
    assert_eq!(p["payment"], "card_on_delivery");
    assert_eq!(p["notes"], serde_json::json!([{ "item": "coffee-3", "option": "whole" }]));
    assert_eq!(server.stored_versions(), 1);
}

#[test]
fn the_shops_own_button_submits_through_the_js_api_and_hears_the_events() {
    let server = TestServer::start();
    let b = Browser::start();
    action::open_checkout(&b, &server, Some("pl"));
    action::record_events(&b);

    let refused = action::submit_from_page(&b);
    assert_eq!(refused["rejected"]["problems"][0]["path"], "contact.channels", "{refused}");
    action::choose_channel(&b, "chat");
    action::choose_payment(&b, "card_online");
    let events = check::recorded_events(&b);
    let last_change = events.iter().rev().find(|e| e["type"] == "kept:change").cloned().unwrap();
    assert_eq!(last_change["detail"]["valid"], true, "{events:?}");

    let done = action::submit_from_page(&b);
    assert_eq!(done["receipt"]["version"], 1, "{done}");
    assert!(check::recorded_events(&b).iter().any(|e| e["type"] == "kept:submitted" && e["detail"]["version"] == 1));
    assert_eq!(server.stored_versions(), 1);
}
