//! Kept plugged into a real shop: the shop's backend creates the order through the backend API,
//! its own checkout page (another origin) embeds the widget with the returned token, the customer
//! agrees, and the shop's webhook receiver gets `agreement.created`, signed, with the exact
//! preferences — after answering 500 three times, and again across a kill -9 of kept-server.

use std::time::Duration;

use kept_e2e::fixture::{action, find};
use kept_e2e::server::TestServer;
use kept_e2e::shop::Shop;
use kept_e2e::wait_for;
use kept_e2e::webdriver::Browser;
use serde_json::json;

const KEY: &str = "e2e-backend-key-4f1c9a0b";
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn agent() -> ureq::Agent {
    kept_e2e::agent(Duration::from_secs(10))
}

fn pln(a: i64) -> serde_json::Value {
    json!({ "amount_minor": a, "currency": "PLN" })
}

#[test]
fn the_shop_creates_the_order_and_receives_the_agreement_signed_even_across_failures_and_a_crash() {
    let shop = Shop::start(SECRET);
    let hooks = format!("{}/hooks", shop.url);
    let mut kept = TestServer::start_with(
        &[],
        &["--backend-key", KEY, "--webhook-url", &hooks, "--webhook-secret", SECRET, "--cors-origin", &shop.url],
    );

    // The shop's backend puts the order in.
    let order = json!({
        "items": [
            { "id": "coffee-1", "name": "Ethiopia Yirgacheffe, 250 g", "quantity": 1, "unit_price": pln(4900) },
            { "id": "coffee-2", "name": "Colombia Huila, 250 g", "quantity": 1, "unit_price": pln(4500) },
            { "id": "coffee-3", "name": "Kenya AA, 250 g", "quantity": 1, "unit_price": pln(5900), "option_set": "grind" }
        ],
        "locale": "en"
    });
    let mut res = agent()
        .put(&format!("{}/v1/backend/orders/SHOP-501", kept.url))
        .header("Authorization", &format!("Bearer {KEY}"))
        .send_json(&order)
        .expect("kept-server answers");
    assert_eq!(res.status().as_u16(), 201);
    let created: serde_json::Value = res.body_mut().read_json().unwrap();
    let token = created["customer_token"].as_str().expect("a customer token").to_owned();
    assert_eq!(created["embed"]["data-token"], token.as_str());

    // Its own checkout page, on its own origin, embeds the widget with that token.
    shop.fail_next(3);
    shop.set_checkout(&kept.url, "SHOP-501", &token, "en");
    let customer = Browser::start();
    customer.goto(&format!("{}/checkout", shop.url));
    action::wait_for_form(&customer);
    action::coffee_story(&customer);
    find::by_test_id(&customer, "receipt");

    // Three 500s, then the receiver recovers: delivered once, signed, with the exact preferences.
    let agreement = wait_for("agreement.created at the shop", Duration::from_secs(60), || {
        shop.received().into_iter().find(|r| r.body["type"] == "agreement.created")
    });
    assert!(agreement.valid, "the Standard Webhooks signature verifies");
    assert!(shop.attempts() >= 4, "it was retried after the 500s");
    let mut res = agent()
        .get(&format!("{}/v1/backend/orders/SHOP-501", kept.url))
        .header("Authorization", &format!("Bearer {KEY}"))
        .call()
        .unwrap();
    let detail: serde_json::Value = res.body_mut().read_json().unwrap();
    assert_eq!(agreement.body["data"]["receipt"]["preferences"], detail["versions"][0]["preferences"]);
    let prefs = &agreement.body["data"]["receipt"]["preferences"];
    assert_eq!(prefs["contact"]["do_not_call"], true);
    assert_eq!(prefs["payment"], "card_on_delivery");
    assert_eq!(prefs["notes"][0]["option"], "whole");

    // The receiver fails while kept-server is killed and restarted: nothing is lost.
    shop.fail_next(1_000);
    let mut res = agent()
        .post(&format!("{}/v1/orders/SHOP-501/messages", kept.url))
        .header("Authorization", &format!("Bearer {token}"))
        .header("Idempotency-Key", "m-1")
        .send_json(json!({ "client_id": "m-1", "text": "Is the courier on time?" }))
        .unwrap();
    assert_eq!(res.status().as_u16(), 201, "{:?}", res.body_mut().read_to_string());
    let before = shop.attempts();
    wait_for("a failed attempt at the message", Duration::from_secs(20), || (shop.attempts() > before).then_some(()));
    kept.restart(); // SIGKILL, same port, same file
    shop.fail_next(0);
    // Every pending delivery goes out within 15 s of the restart, an attempt killed in flight
    // included (its lease lapses within 5 s).
    let message = wait_for("message.created within 15 s of the restart", Duration::from_secs(15), || {
        shop.received().into_iter().find(|r| r.body["type"] == "message.created")
    });
    assert!(message.valid);
    assert_eq!(message.body["data"]["message"]["text"], "Is the courier on time?");
    let ids: Vec<String> = shop.received().into_iter().map(|r| r.id).collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "each webhook id once: {ids:?}");
}

#[test]
fn a_shop_writes_its_profile_from_a_toml_file_and_a_bad_one_is_refused_naming_the_field() {
    let kept = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shop.toml");
    std::fs::write(
        &file,
        r#"name = "Kawa Kraków"
time_zone = "Europe/Warsaw"
channels = ["chat", "email", "phone"]
holidays = []
faq = []
option_sets = []

[[hours]]
day = "monday"
intervals = [{ start = "09:00", end = "18:00" }]

[[payment_methods]]
method = "card_on_delivery"
"#,
    )
    .unwrap();
    let (ok, said) = kept.cli(&["shop", "set", file.to_str().unwrap()], "");
    assert!(ok, "{said}");
    let shop = kept.get_json("/v1/shop");
    assert_eq!(shop["name"], "Kawa Kraków");
    assert_eq!(shop["payment_methods"][0]["method"], "card_on_delivery");

    let bad = "name = \"Kawa\"\ntime_zone = \"Mars/Olympus\"\nchannels = []\npayment_methods = [{ method = \"card_online\" }]\n";
    std::fs::write(&file, bad).unwrap();
    let (ok, said) = kept.cli(&["shop", "set", file.to_str().unwrap()], "");
    assert!(!ok && said.contains("time_zone"), "{said}");
    assert_eq!(kept.get_json("/v1/shop")["name"], "Kawa Kraków", "nothing written");
}
