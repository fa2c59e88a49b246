//! Five languages, a catalog at a time: the customer's language is the only one fetched, and a
//! shop's own words win over Kept's.

use kept_e2e::fixture::{action, check, find};
use kept_e2e::server::{dist, shipped, TestServer};
use kept_e2e::wait_for;
use kept_e2e::webdriver::Browser;

#[test]
fn a_ukrainian_customer_gets_ukrainian_and_fetches_no_other_language() {
    let shipped = shipped(&dist());
    assert_eq!(shipped.texts.len(), 5, "five languages ship: {:?}", shipped.texts);
    let server = TestServer::start();
    let b = Browser::start();
    action::open_checkout(&b, &server, Some("uk"));
    assert_eq!(b.text(&find::in_widget(&b, "#kept-heading")), "Ваші умови для цього замовлення");
    assert_eq!(b.text(&find::by_test_id(&b, "submit")), "Зберегти мій вибір");
    // The chat's words come with its code.
    find::by_test_id(&b, "composer");
    let fetched = check::fetched_files(&b);
    for (tag, step, chat) in &shipped.texts {
        let mine = tag == "uk";
        assert_eq!(fetched.contains(step), mine, "{step}: fetched only for its own language; fetched {fetched:?}");
        assert_eq!(fetched.contains(chat), mine, "{chat}: fetched only for its own language; fetched {fetched:?}");
    }
    let violations = check::accessibility_violations(&b);
    assert!(violations.is_empty(), "{violations:?}");
}

#[test]
fn a_shops_own_words_win_over_kepts_for_every_language_or_for_one() {
    let server = TestServer::start();
    let b = Browser::start();
    b.goto(&format!("{}/strings.html", server.url));
    let submit = find::by_test_id(&b, "submit");
    assert_eq!(b.text(&submit), "Jetzt verbindlich speichern", "the German override");
    assert_eq!(
        b.text(&find::in_widget(&b, "#kept-heading")),
        "Your coffee, your way",
        "the override for every language"
    );
    // Everything else is Kept's German.
    let legend = wait_for("the payment legend", find::PATIENCE, || {
        let all = b.text(&find::in_widget(&b, "form"));
        all.contains("Wie möchten Sie bezahlen?").then_some(all)
    });
    assert!(legend.contains("Falls etwas fehlt"), "{legend}");
}
