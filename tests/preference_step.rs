//! The whole preference step in headless Chromium, with the shop and items given inline (a
//! backend with only the preferences endpoint): every control, contradictions, locales, drafts.
#![cfg(target_arch = "wasm32")]

use kept_protocol::*;
use kept_widget::api::sleep;
use kept_widget::components::app::App;
use kept_widget::config::Config;
use leptos::prelude::*;
use leptos::task::tick;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlInputElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

fn pln(a: i64) -> Money {
    Money { amount_minor: a, currency: "PLN".into() }
}

fn shop() -> ShopProfile {
    let mut shop = ShopProfile::new(
        "Kept Coffee",
        "Europe/Warsaw",
        vec![Channel::Chat, Channel::Whatsapp, Channel::Email, Channel::Phone],
        vec![
            PaymentOffer { method: PaymentMethod::CardOnline, conditions: vec![] },
            PaymentOffer {
                method: PaymentMethod::CardOnDelivery,
                conditions: vec![PaymentCondition::SlotStartsFrom { time: LocalTime::hm(12, 0) }],
            },
        ],
    );
    shop.hours = vec![DayHours {
        day: Weekday::Monday,
        intervals: vec![TimeWindow { start: LocalTime::hm(9, 0), end: LocalTime::hm(18, 0) }],
    }];
    shop.option_sets = vec![OptionSet {
        id: "grind".into(),
        label: Localized {
            en: "Grind".into(),
            ru: Some("Помол".into()),
            pl: Some("Mielenie".into()),
            ..Localized::default()
        },
        options: vec![ItemOption {
            id: "whole".into(),
            label: Localized {
                en: "whole beans".into(),
                ru: Some("в зёрнах".into()),
                pl: Some("ziarnista".into()),
                ..Localized::default()
            },
        }],
    }];
    shop
}

fn items() -> Vec<Item> {
    vec![
        Item {
            id: "coffee-3".into(),
            name: "Kenya AA".into(),
            quantity: 1,
            unit_price: pln(5900),
            option_set: Some("grind".into()),
            replacements: vec![Replacement { id: "coffee-11".into(), name: "Kenya AB".into(), unit_price: pln(5600) }],
            active: true,
        },
        Item {
            id: "coffee-1".into(),
            name: "Ethiopia".into(),
            quantity: 1,
            unit_price: pln(4900),
            option_set: None,
            replacements: vec![],
            active: true,
        },
    ]
}

/// Mounts the whole widget for order `order` with everything inline and no reachable backend.
async fn mount(order: &str, locale: Locale) -> HtmlElement {
    mount_items(order, locale, items()).await
}

/// Mounts the whole widget for order `order` of `items`.
async fn mount_items(order: &str, locale: Locale, items: Vec<Item>) -> HtmlElement {
    kept_widget::i18n::install_bundled(locale);
    let document = web_sys::window().unwrap().document().unwrap();
    let root: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&root).unwrap();
    let mut config =
        Config::new(Some("http://127.0.0.1:9".into()), Some(order.into()), Some("t".into()), locale).unwrap();
    config.shop = Some(kept_widget::wire::StepShop(shop(), wasm_bindgen::JsValue::UNDEFINED));
    config.items = Some(items);
    leptos::mount::mount_to(root.clone(), move || view! { <App config/> }).forget();
    // The step is built in a task after the answers are read: wait, a task at a time (at most
    // 50), until the skeleton has given way to it.
    for _ in 0..50 {
        sleep(0).await;
        tick().await;
        if root.query_selector(".kept-skeleton").unwrap().is_none() {
            break;
        }
    }
    assert!(root.query_selector(".kept-skeleton").unwrap().is_none(), "the step never replaced its skeleton");
    root
}

fn el(root: &HtmlElement, id: &str) -> Option<web_sys::Element> {
    root.query_selector(&format!("[data-testid=\"{id}\"]")).unwrap()
}

fn click(root: &HtmlElement, id: &str) {
    el(root, id).unwrap_or_else(|| panic!("no {id}")).unchecked_into::<HtmlElement>().click();
}

fn set_input(root: &HtmlElement, id: &str, value: &str) {
    let input: HtmlInputElement = el(root, id).unwrap_or_else(|| panic!("no {id}")).unchecked_into();
    input.set_value(value);
    input.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
}

fn set_select(root: &HtmlElement, id: &str, value: &str) {
    let select: HtmlSelectElement = el(root, id).unwrap_or_else(|| panic!("no {id}")).unchecked_into();
    select.set_value(value);
    select.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
}

/// Opens the disclosure whose summary says `summary`, as the customer would, and waits for the
/// content it builds on opening (its `toggle` event comes in a task of its own).
async fn open_disclosure(root: &HtmlElement, summary: &str) {
    let details = root.query_selector_all("details").unwrap();
    let found = (0..details.length())
        .filter_map(|i| details.item(i))
        .find(|d| d.first_child().and_then(|s| s.text_content()).is_some_and(|t| t.contains(summary)));
    found
        .unwrap_or_else(|| panic!("no disclosure {summary}"))
        .unchecked_into::<web_sys::Element>()
        .set_attribute("open", "")
        .unwrap();
    sleep(0).await;
    tick().await;
}

fn text(root: &HtmlElement, css: &str) -> String {
    root.query_selector(css).unwrap().and_then(|e| e.text_content()).unwrap_or_default()
}

fn summary(root: &HtmlElement) -> String {
    text(root, "[data-testid=\"live-summary\"]")
}

#[wasm_bindgen_test]
async fn inline_shop_and_items_give_a_working_step_without_a_shop_endpoint() {
    let root = mount("inline-1", Locale::En).await;
    assert!(el(&root, "channel-whatsapp").is_some());
    assert!(el(&root, "option-coffee-3").is_some());
    assert!(el(&root, "load-error").is_none());
}

#[wasm_bindgen_test]
async fn channels_are_ordered_by_the_customer_and_the_summary_follows() {
    let root = mount("order-1", Locale::En).await;
    click(&root, "channel-chat");
    click(&root, "channel-email");
    tick().await;
    assert!(summary(&root).contains("We contact you by: Chat on this site, then Email."), "{}", summary(&root));
    click(&root, "up-email");
    tick().await;
    assert!(summary(&root).contains("We contact you by: Email, then Chat on this site."), "{}", summary(&root));
    assert!(el(&root, "kept-email").is_some(), "email asks for the address");
    let up: HtmlElement = el(&root, "up-email").unwrap().unchecked_into();
    assert!(up.has_attribute("disabled") || up.unchecked_ref::<web_sys::HtmlButtonElement>().disabled());
}

#[wasm_bindgen_test]
async fn a_negative_price_cap_is_refused_in_russian_and_polish() {
    for (order, locale, expected) in [
        ("cap-ru", Locale::Ru, "Это число вне допустимого диапазона."),
        ("cap-pl", Locale::Pl, "Ta liczba jest poza dozwolonym zakresem."),
    ] {
        let root = mount(order, locale).await;
        click(&root, "channel-chat");
        click(&root, "payment-card_online");
        click(&root, "rule-similar");
        tick().await;
        set_input(&root, "cap-value", "-5");
        click(&root, "submit");
        tick().await;
        assert_eq!(text(&root, "#kept-substitution-error"), expected);
    }
}

#[wasm_bindgen_test]
async fn a_price_cap_is_read_in_the_currency_s_own_minor_unit() {
    // Yen have no minor unit, dinars three digits: "500" is 500 yen, "1.25" is 1.250 KWD.
    for (currency, typed, expected) in [("JPY", "500", "¥500"), ("KWD", "1.25", "KWD\u{a0}1.250")] {
        let mut items = items();
        for item in &mut items {
            item.unit_price.currency = currency.into();
        }
        let root = mount_items(&["cap-", currency].concat(), Locale::En, items).await;
        click(&root, "channel-chat");
        click(&root, "rule-similar");
        tick().await;
        set_select(&root, "cap-kind", "amount");
        set_input(&root, "cap-value", typed);
        tick().await;
        let said = summary(&root);
        assert!(
            said.contains(&["Missing items: substitute similar, at most ", expected, " dearer."].concat()),
            "{said}"
        );
    }
}

#[wasm_bindgen_test]
async fn the_summary_says_the_similar_cap_and_ask_first_in_plain_words() {
    let root = mount("rules-1", Locale::En).await;
    click(&root, "channel-chat");
    click(&root, "rule-similar");
    tick().await;
    set_input(&root, "cap-value", "10");
    tick().await;
    assert!(
        summary(&root).contains("Missing items: substitute similar, at most 10\u{a0}% dearer."),
        "{}",
        summary(&root)
    );
    click(&root, "rule-ask_first");
    tick().await;
    set_input(&root, "ask-wait", "20");
    tick().await;
    assert!(
        summary(&root)
            .contains("Missing items: ask me first via Chat on this site, wait 20 minutes, then remove and refund."),
        "{}",
        summary(&root)
    );
}

#[wasm_bindgen_test]
async fn a_per_item_override_picks_a_suggested_replacement() {
    let root = mount("override-1", Locale::En).await;
    click(&root, "channel-chat");
    assert!(el(&root, "override-coffee-3").is_none(), "built only when the customer opens the per-item rules");
    open_disclosure(&root, "A different rule for one item").await;
    set_select(&root, "override-coffee-3", "specific:coffee-11");
    tick().await;
    assert!(summary(&root).contains("Kenya AA: replace with Kenya AB."), "{}", summary(&root));
}

#[wasm_bindgen_test]
async fn a_payment_method_with_a_condition_says_it_before_the_choice() {
    let root = mount("pay-1", Locale::En).await;
    let reasons = text(&root, "fieldset:nth-of-type(3)");
    assert!(reasons.contains("Only for delivery slots starting from 12:00."), "{reasons}");
}

#[wasm_bindgen_test]
async fn a_product_note_counts_its_characters_and_refuses_an_overlong_text() {
    let root = mount("note-1", Locale::En).await;
    set_input(&root, "note-coffee-3", "beans, not ground");
    tick().await;
    assert_eq!(text(&root, "#kept-note-count-coffee-3"), "17 / 200");
    click(&root, "channel-chat");
    click(&root, "payment-card_online");
    set_input(&root, "note-coffee-3", &"x".repeat(201));
    click(&root, "submit");
    tick().await;
    assert!(text(&root, "[data-testid=\"preferences\"]").contains("This is too long."));
}

#[wasm_bindgen_test]
async fn the_callback_window_appears_only_when_calls_are_allowed_and_must_fit_working_hours() {
    let root = mount("callback-1", Locale::Pl).await;
    assert!(el(&root, "kept-callback-start").is_none());
    click(&root, "channel-phone");
    tick().await;
    set_input(&root, "kept-phone", "+48600100200");
    set_input(&root, "kept-callback-start", "19:00");
    set_input(&root, "kept-callback-end", "20:00");
    click(&root, "payment-card_online");
    click(&root, "submit");
    tick().await;
    assert_eq!(text(&root, "#kept-callback-error"), "Wybierz godzinę w czasie pracy sklepu.");
    click(&root, "do-not-call");
    tick().await;
    assert!(el(&root, "kept-callback-start").is_none(), "no callbacks for a do-not-call customer");
}

#[wasm_bindgen_test]
async fn a_draft_is_restored_when_the_widget_mounts_again() {
    let first = mount("draft-1", Locale::En).await;
    click(&first, "channel-whatsapp");
    tick().await;
    set_input(&first, "kept-phone", "+48 600 100 200");
    set_select(&first, "option-coffee-3", "whole");
    open_disclosure(&first, "A different rule for one item").await;
    set_select(&first, "override-coffee-3", "specific:coffee-11");
    tick().await;
    let again = mount("draft-1", Locale::En).await;
    // A per-item rule from before is in sight at once, not behind a closed disclosure.
    let rule: HtmlSelectElement = el(&again, "override-coffee-3").expect("the per-item rules open").unchecked_into();
    assert_eq!(rule.value(), "specific:coffee-11");
    let phone: HtmlInputElement = el(&again, "kept-phone").expect("phone field restored").unchecked_into();
    assert_eq!(phone.value(), "+48 600 100 200");
    let option: HtmlSelectElement = el(&again, "option-coffee-3").unwrap().unchecked_into();
    assert_eq!(option.value(), "whole");
}
