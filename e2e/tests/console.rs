//! The coffee story from both sides: the customer in the widget, the operator in the console,
//! two headless Chromium sessions against one kept-server.

use kept_e2e::fixture::{action, check, find};
use kept_e2e::server::{TestServer, OPERATOR};
use kept_e2e::wait_for;
use kept_e2e::webdriver::{Browser, Element};

/// An element of the console page by test id, waiting for it.
fn op(b: &Browser, test_id: &str) -> Element {
    let css = format!("[data-testid=\"{test_id}\"]");
    wait_for(&css, find::PATIENCE, || b.find(&css))
}

/// The console's notice, once it reads something containing `expected`.
fn notice(b: &Browser, expected: &str) -> String {
    wait_for(&format!("a notice with {expected:?}"), find::PATIENCE, || {
        let text = b.find("[data-testid=\"op-notice\"]").map(|n| b.text(&n))?;
        text.contains(expected).then_some(text)
    })
}

/// Picks the option whose text starts with `name` in the select with this test id.
fn pick(b: &Browser, test_id: &str, name: &str) {
    let script = "const s = document.querySelector(`[data-testid=\"${arguments[0]}\"]`); \
                  const o = Array.from(s.options).find((o) => o.textContent.startsWith(arguments[1])); \
                  s.value = o.value; s.dispatchEvent(new Event('change')); return o.value;";
    b.execute(script, vec![test_id.into(), name.into()]);
}

fn customer_timeline(b: &Browser) -> String {
    b.find_in_shadow(find::HOST, "[data-testid=\"timeline\"]").map(|t| b.text(&t)).unwrap_or_default()
}

#[test]
fn the_coffee_story_from_both_sides() {
    let server = TestServer::start();
    let customer = Browser::start();
    action::open_checkout(&customer, &server, Some("en"));
    action::coffee_story(&customer);
    find::by_test_id(&customer, "receipt");

    let console = Browser::start();
    console.goto(&format!("{}/operator/?locale=en", server.url));
    console.type_text(&op(&console, "op-token"), "not the token");
    console.click(&op(&console, "op-sign-in"));
    wait_for("a wrong token refused", find::PATIENCE, || console.find("#op-token-error"));
    console.clear(&op(&console, "op-token"));
    console.type_text(&op(&console, "op-token"), OPERATOR);
    console.click(&op(&console, "op-sign-in"));
    op(&console, "op-orders");
    let kc = wait_for("KC-1001 in the list", find::PATIENCE, || {
        let script = "return Array.from(document.querySelectorAll('[data-testid=\"op-order\"]')) \
                      .findIndex((b) => b.textContent.includes('KC-1001'));";
        let i = console.execute(script, vec![]).as_i64()?;
        (i >= 0).then_some(i)
    });
    let script = "document.querySelectorAll('[data-testid=\"op-order\"]')[arguments[0]].click();";
    console.execute(script, vec![kc.into()]);

    // The agreement first, in the operator's words.
    let agreement = wait_for("the agreement", find::PATIENCE, || {
        let text = b_text(&console, "op-agreement");
        text.starts_with("DO NOT CALL").then_some(text)
    });
    assert!(agreement.contains("Chat on this site, then WhatsApp"), "{agreement}");
    assert!(agreement.contains("at most 10 % dearer"), "{agreement}");
    assert!(agreement.contains("Card on delivery"), "{agreement}");

    // No call for a do-not-call customer, and the console says which channels to use.
    console.click(&op(&console, "op-log-call"));
    let refused = notice(&console, "Refused");
    assert!(refused.contains("Chat on this site, WhatsApp"), "{refused}");

    // Ethiopia is out: Rwanda Bourbon is 10.2 % dearer, over the cap, and is refused; Colombia fits.
    pick(&console, "op-replacement-coffee-1", "Rwanda Bourbon");
    console.click(&op(&console, "op-substitute-coffee-1"));
    notice(&console, "above the customer's price cap");
    pick(&console, "op-replacement-coffee-1", "Colombia Huila");
    console.click(&op(&console, "op-substitute-coffee-1"));
    notice(&console, "replaced with Colombia Huila");
    // Kenya AA is out too: the shop's own suggestion, Kenya AB, is cheaper.
    pick(&console, "op-replacement-coffee-3", "Kenya AB");
    console.click(&op(&console, "op-substitute-coffee-3"));
    notice(&console, "replaced with Kenya AB");

    // Prepayment after "card on delivery" is only a request.
    console.type_text(&op(&console, "op-change-reason"), "The courier has no card terminal today.");
    console.click(&op(&console, "op-send-change"));
    notice(&console, "Nothing changes until the customer accepts");

    // The customer sees all of it live, without a reload, and declines.
    wait_for("the resolutions in the customer's timeline", find::PATIENCE, || {
        let t = customer_timeline(&customer);
        (t.contains("Ethiopia Yirgacheffe, 250 g: replaced with Colombia Huila")
            && t.contains("Kenya AA, 250 g: replaced with Kenya AB"))
        .then_some(())
    });
    let card = find::by_test_id(&customer, "change-request");
    assert!(customer.text(&card).contains("Card online"), "{}", customer.text(&card));
    customer.click(&find::by_test_id(&customer, "decline-change"));
    wait_for("the decline in the console's timeline", find::PATIENCE, || {
        b_text(&console, "op-timeline").contains("The customer declined the change").then_some(())
    });
    // Nothing changed without consent: the agreement still says card on delivery.
    let order = server.get_json("/v1/orders/KC-1001");
    assert_eq!(order["receipt"]["preferences"]["payment"], "card_on_delivery");
    assert_eq!(order["change_requests"][0]["status"], "declined");
    let violations = check::accessibility_violations(&customer);
    assert!(violations.is_empty(), "widget: {violations:?}");
    let violations = check::accessibility_violations_in(&console, "body");
    assert!(violations.is_empty(), "console: {violations:#?}");
}

fn b_text(b: &Browser, test_id: &str) -> String {
    b.find(&format!("[data-testid=\"{test_id}\"]")).map(|e| b.text(&e)).unwrap_or_default()
}
