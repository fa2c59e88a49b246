//! A good guest on any page: hostile CSS, strict CSP, two widgets, the JS API, a bad embed.

use kept_e2e::fixture::{action, check, find};
use kept_e2e::server::TestServer;
use kept_e2e::wait_for;
use kept_e2e::webdriver::Browser;
use serde_json::{json, Value};

fn computed(b: &Browser, css: &str, property: &str) -> String {
    let script = "return getComputedStyle(document.querySelector(arguments[0])).getPropertyValue(arguments[1]);";
    b.execute(script, vec![css.into(), property.into()]).as_str().unwrap_or("").to_owned()
}

fn computed_in_widget(b: &Browser, css: &str, property: &str) -> String {
    let script = "const el = document.querySelector(arguments[0]).shadowRoot.querySelector(arguments[1]); \
                  return getComputedStyle(el).getPropertyValue(arguments[2]);";
    b.execute(script, vec![find::HOST.into(), css.into(), property.into()]).as_str().unwrap_or("").to_owned()
}

fn quick_story(b: &Browser) {
    action::choose_channel(b, "chat");
    action::choose_payment(b, "card_online");
    action::submit(b);
    assert_eq!(check::receipt_version(b), "Version 1");
}

#[test]
fn hostile_page_css_neither_breaks_the_widget_nor_is_changed_by_it() {
    let server = TestServer::start();
    let b = Browser::start();
    b.goto(&format!("{}/hostile.html", server.url));
    action::wait_for_form(&b);

    assert!(b.is_displayed(&find::by_test_id(&b, "submit")), "button {{ display: none }} does not reach in");
    assert_eq!(computed_in_widget(&b, "[data-testid=\"submit\"]", "font-size"), "16px");
    assert_eq!(computed_in_widget(&b, ".kept-field__label", "text-transform"), "none");
    assert_eq!(computed_in_widget(&b, ".kept-choice__label", "visibility"), "visible");
    // The shop's own elements keep what its CSS says.
    assert_eq!(computed(&b, "#shop-box", "font-size"), "40px");
    assert_eq!(computed(&b, "#shop-box", "text-transform"), "uppercase");
    assert_eq!(computed(&b, "#shop-button", "display"), "none");
    action::coffee_story(&b);
    assert_eq!(check::receipt_version(&b), "Version 1");
    let p = &server.get_json("/v1/orders/KC-1001")["receipt"]["preferences"];
    assert_eq!(p["contact"]["channels"], json!(["chat", "whatsapp"]));
    assert_eq!(p["notes"][0]["option"], "whole");
    assert_eq!(server.stored_versions(), 1);
}

#[test]
fn the_widget_works_under_a_strict_content_security_policy() {
    let server = TestServer::start();
    let b = Browser::start();
    b.goto(&format!("{}/csp.html", server.url));
    action::wait_for_form(&b);
    assert_eq!(computed_in_widget(&b, "[data-testid=\"submit\"]", "min-height"), "44px", "the stylesheet applies");
    quick_story(&b);
}

#[test]
fn two_widgets_on_one_page_keep_to_their_own_orders() {
    let server = TestServer::start();
    let b = Browser::start();
    b.goto(&format!("{}/two.html", server.url));
    let second = |css: &str| wait_for(css, find::PATIENCE, || b.find_in_nth_shadow(".kept-host", 1, css));
    action::wait_for_form(&b);
    let submit2 = second("[data-testid=\"submit\"]");
    assert_eq!(b.text(&submit2), "Zapisz moje wybory", "the second widget speaks Polish");

    action::choose_channel(&b, "chat");
    action::choose_payment(&b, "card_online");
    b.click(&second("[data-testid=\"channel-email\"]"));
    b.type_text(&second("[data-testid=\"kept-email\"]"), "anna@example.pl");
    b.click(&second("[data-testid=\"payment-cash_on_delivery\"]"));
    action::submit(&b);
    b.click(&submit2);

    assert_eq!(check::receipt_version(&b), "Version 1");
    second("[data-testid=\"receipt\"]");
    let first = server.get_json("/v1/orders/KC-1001")["receipt"]["preferences"].clone();
    let other = server.get_json("/v1/orders/KC-1002")["receipt"]["preferences"].clone();
    assert_eq!(first["payment"], "card_online");
    assert_eq!(other["payment"], "cash_on_delivery");
    assert_eq!(other["contact"]["email"], "anna@example.pl");
    assert_eq!(other["locale"], "pl");
}

#[test]
fn a_bad_embed_shows_a_notice_instead_of_a_blank_hole() {
    let server = TestServer::start();
    let b = Browser::start();
    b.goto(&format!("{}/badconfig.html", server.url));
    let notice = find::in_widget(&b, "[role=\"alert\"]");
    // Said once the customer's texts have arrived (the page asks for English).
    let said = wait_for("the notice's words", find::PATIENCE, || Some(b.text(&notice)).filter(|t| !t.is_empty()));
    assert_eq!(said, "The checkout widget is not set up correctly on this page.");
}

/// A page with the loader and no widget (its bad embed's notice shown, then removed), for
/// widgets mounted from JS with `Kept.mount`.
fn page_without_widgets() -> (TestServer, Browser) {
    let server = TestServer::start();
    let b = Browser::start();
    b.goto(&format!("{}/badconfig.html", server.url));
    find::in_widget(&b, "[role=\"alert\"]");
    b.execute("document.querySelector('.kept-host').remove();", vec![]);
    (server, b)
}

#[test]
fn kept_mount_gives_a_handle_that_submits_reports_and_destroys() {
    let (_server, b) = page_without_widgets();
    let script = "const done = arguments[arguments.length - 1]; \
        const el = document.createElement('section'); document.body.append(el); \
        const h = Kept.mount(el, { endpoint: '/', order: 'KC-1001', token: arguments[0], locale: 'ru' }); \
        window.keptHandle = h; window.keptSeen = []; h.on('submitted', (r) => window.keptSeen.push(r.version)); \
        done(true);";
    b.execute_async(script, vec![json!(kept_e2e::server::TOKEN)]);
    action::wait_for_form(&b);
    assert_eq!(b.text(&find::by_test_id(&b, "submit")), "Сохранить мой выбор");
    action::choose_channel(&b, "chat");
    action::choose_payment(&b, "card_online");
    let submit = "const done = arguments[arguments.length - 1]; \
        window.keptHandle.submit().then((r) => done(r.version), (e) => done(e));";
    assert_eq!(b.execute_async(submit, vec![]), json!(1));
    assert_eq!(b.execute("return window.keptSeen;", vec![]), json!([1]));
    let destroy = "const done = arguments[arguments.length - 1]; \
        window.keptHandle.destroy().then(() => done(window.keptHandle.element.shadowRoot.childElementCount));";
    assert_eq!(b.execute_async(destroy, vec![]), Value::from(0));
}

/// How many lists of the agreement's promises the widget shows (visible ones only).
const AGREEMENTS_SHOWN: &str = "return [...document.querySelector('.kept-host').shadowRoot\
    .querySelectorAll('.kept-receipt__summary')].filter((e) => e.getClientRects().length > 0).length;";

// Defect: the step's receipt and the chat's card showed the same agreement twice, one under the
// other on a phone.
#[test]
fn the_agreement_shows_once_on_a_page_with_the_step_and_the_chat() {
    let server = TestServer::start();
    let b = Browser::start();
    b.set_viewport(390, 844);
    action::open_checkout(&b, &server, Some("en"));
    quick_story(&b);
    // On a phone the chat is a panel under the step: opened, it shows "the shop broke this", and
    // the agreement still shows once.
    b.click(&find::by_test_id(&b, "chat-toggle"));
    wait_for("the chat panel open", find::PATIENCE, || {
        b.is_displayed(&find::by_test_id(&b, "broke-this")).then_some(())
    });
    assert_eq!(b.execute(AGREEMENTS_SHOWN, vec![]), json!(1));
    // Beside the step, the chat shows her promises instead.
    find::by_test_id(&b, "promises-card");
    // And side by side on a laptop, after a reload.
    b.set_viewport(1280, 900);
    b.goto(&format!("{}/?locale=en", server.url));
    find::by_test_id(&b, "receipt");
    find::by_test_id(&b, "promises-card");
    assert_eq!(b.execute(AGREEMENTS_SHOWN, vec![]), json!(1));
}

#[test]
fn the_order_status_page_shows_the_chat_and_the_agreement_without_the_form() {
    let server = TestServer::start();
    let b = Browser::start();
    action::open_checkout(&b, &server, Some("en"));
    quick_story(&b);
    b.goto(&format!("{}/status.html", server.url));
    find::by_test_id(&b, "chat");
    let card = find::by_test_id(&b, "agreement-card");
    assert!(b.text(&card).contains("You pay: Card online."), "{}", b.text(&card));
    assert_eq!(b.execute(AGREEMENTS_SHOWN, vec![]), json!(1));
    assert!(b.find_in_shadow(find::HOST, "[data-testid=\"preferences\"]").is_none());
}

#[test]
fn a_widget_destroyed_while_its_submission_travels_leaves_the_others_working() {
    let (server, b) = page_without_widgets();
    let script = "const done = arguments[arguments.length - 1]; \
        const a = document.createElement('section'), b = document.createElement('section'); \
        document.body.append(a, b); \
        window.keptA = Kept.mount(a, { endpoint: '/', order: 'KC-1001', token: arguments[0], locale: 'en' }); \
        window.keptB = Kept.mount(b, { endpoint: '/', order: 'KC-1002', token: arguments[0], locale: 'en' }); \
        done(true);";
    b.execute_async(script, vec![json!(kept_e2e::server::TOKEN)]);
    let second = |css: &str| wait_for(css, find::PATIENCE, || b.find_in_nth_shadow(".kept-host", 1, css));
    action::wait_for_form(&b);
    second("[data-testid=\"submit\"]");
    // The first widget's submission is held up, and the widget is destroyed before it is answered.
    server.arm_fault("/v1/orders/KC-1001/preferences", "hang", 1, 1_000);
    action::choose_channel(&b, "chat");
    action::choose_payment(&b, "card_online");
    let gone = "const done = arguments[arguments.length - 1]; \
        window.keptA.submit(); setTimeout(() => window.keptA.destroy().then(() => done(true)), 200);";
    assert_eq!(b.execute_async(gone, vec![]), json!(true));
    // Its retry still lands (the outbox's promise), and the answer reaches the page after the widget went.
    wait_for("the destroyed widget's submission to be stored", find::PATIENCE, || {
        Some(()).filter(|()| !server.get_json("/v1/orders/KC-1001")["receipt"].is_null())
    });
    std::thread::sleep(std::time::Duration::from_millis(500));

    // The other widget on the page still works.
    b.click(&second("[data-testid=\"channel-chat\"]"));
    b.click(&second("[data-testid=\"payment-cash_on_delivery\"]"));
    let submit = "const done = arguments[arguments.length - 1]; \
        const late = new Promise((r) => setTimeout(() => r('no answer in 10 s'), 10000)); \
        Promise.race([window.keptB.submit().then((r) => r.version), late]).then(done, (e) => done(String(e)));";
    assert_eq!(b.execute_async(submit, vec![]), json!(1), "the second widget submits");
    assert_eq!(server.get_json("/v1/orders/KC-1002")["receipt"]["preferences"]["payment"], "cash_on_delivery");
}

#[test]
fn a_browser_without_a_feature_the_widget_needs_gets_a_translated_notice_with_the_shops_contacts() {
    let server = TestServer::start();
    let b = Browser::start();
    for hide in ["stylesheets", "container", "intl", "wasm"] {
        b.goto(&format!("{}/old.html?hide={hide}", server.url));
        let notice = wait_for(&format!("the notice without {hide}"), find::PATIENCE, || {
            b.find("[data-testid=\"kept-unsupported\"]")
        });
        let text = b.text(&notice);
        assert!(text.contains("Twoja przeglądarka jest zbyt stara"), "{hide}: in Polish, as the page asked: {text}");
        let links: Value = b.execute(
            "return [...document.querySelectorAll('[data-testid=\"kept-unsupported\"] a')].map((a) => a.href);",
            vec![],
        );
        assert_eq!(
            links,
            json!(["tel:+48221002030", "mailto:sklep@kawa.example", "https://kawa.example/kontakt"]),
            "{hide}: the shop's contact links"
        );
        assert_eq!(b.execute("return window.keptErrors;", vec![]), json!([]), "{hide}: no error in the page");
        assert!(b.find_in_shadow(find::HOST, "[data-testid=\"submit\"]").is_none(), "{hide}: no half-started widget");
    }
    // Nothing hidden: the widget itself, and no notice.
    b.goto(&format!("{}/old.html", server.url));
    action::wait_for_form(&b);
    assert!(b.find("[data-testid=\"kept-unsupported\"]").is_none());
}
