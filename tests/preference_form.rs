//! The preference form in a real headless Chromium: what the customer sees and does.
#![cfg(target_arch = "wasm32")]

use std::sync::{Arc, Mutex};

use kept_protocol::{Channel, Locale, OrderStatus, OrderView, PaymentMethod, PaymentOffer, Preferences, ShopProfile};
use kept_widget::components::preferences::PreferenceForm;
use kept_widget::config::{Config, ConfigError};
use leptos::prelude::*;
use leptos::task::tick;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

fn shop() -> ShopProfile {
    ShopProfile::new(
        "Kept Coffee",
        "Europe/Warsaw",
        vec![Channel::Chat, Channel::Whatsapp, Channel::Phone],
        vec![
            PaymentOffer { method: PaymentMethod::CardOnline, conditions: vec![] },
            PaymentOffer { method: PaymentMethod::CardOnDelivery, conditions: vec![] },
        ],
    )
}

fn order() -> OrderView {
    OrderView::new("KC-1", OrderStatus::OrderProcessing, vec![])
}

fn container() -> HtmlElement {
    for l in Locale::ALL {
        kept_widget::i18n::install_bundled(l);
    }
    let document = web_sys::window().unwrap().document().unwrap();
    let div: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&div).unwrap();
    div
}

/// Mounts the form and returns its container and what it submitted.
fn mount_form(locale: Locale) -> (HtmlElement, Arc<Mutex<Vec<Preferences>>>) {
    let submitted = Arc::new(Mutex::new(Vec::new()));
    let sink = submitted.clone();
    let el = container();
    let on_submit = Callback::new(move |p: Preferences| sink.lock().unwrap().push(p));
    leptos::mount::mount_to(el.clone(), move || {
        view! {
            <PreferenceForm shop=shop() order=order() locale initial=None on_submit
                sending=RwSignal::new(0) server_problems=RwSignal::new(vec![]) failure=RwSignal::new(None)/>
        }
    })
    .forget();
    (el, submitted)
}

fn find(root: &HtmlElement, test_id: &str) -> Option<Element> {
    root.query_selector(&format!("[data-testid=\"{test_id}\"]")).unwrap()
}

fn click(root: &HtmlElement, test_id: &str) {
    find(root, test_id).unwrap_or_else(|| panic!("no {test_id}")).unchecked_into::<HtmlElement>().click();
}

fn input(root: &HtmlElement, test_id: &str) -> HtmlInputElement {
    find(root, test_id).unwrap_or_else(|| panic!("no {test_id}")).unchecked_into()
}

fn type_into(root: &HtmlElement, test_id: &str, text: &str) {
    let field = input(root, test_id);
    field.set_value(text);
    field.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
}

fn text(root: &HtmlElement, test_id: &str) -> Option<String> {
    find(root, test_id).and_then(|e| e.text_content())
}

#[wasm_bindgen_test]
async fn only_the_channels_and_payments_the_shop_offers_are_shown() {
    let (root, _) = mount_form(Locale::En);
    tick().await;
    assert!(find(&root, "channel-whatsapp").is_some());
    assert!(find(&root, "channel-telegram").is_none());
    assert!(find(&root, "payment-card_on_delivery").is_some());
    assert!(find(&root, "payment-cash_on_delivery").is_none());
}

#[wasm_bindgen_test]
async fn ticking_do_not_call_disables_phone_calls_and_says_why() {
    let (root, _) = mount_form(Locale::En);
    tick().await;
    assert!(!input(&root, "channel-phone").disabled());
    click(&root, "do-not-call");
    tick().await;
    assert!(input(&root, "channel-phone").disabled());
    let reason = root.query_selector(".kept-choice__reason").unwrap().and_then(|e| e.text_content());
    assert_eq!(reason.as_deref(), Some("Not available: you asked us not to call."));
}

#[wasm_bindgen_test]
async fn choosing_phone_then_do_not_call_shows_the_conflict_at_once() {
    let (root, _) = mount_form(Locale::Ru);
    tick().await;
    click(&root, "channel-phone");
    click(&root, "do-not-call");
    tick().await;
    assert_eq!(
        text(&root, "kept-channel-error").as_deref(),
        Some("Вы попросили не звонить, поэтому звонок выбрать нельзя.")
    );
}

#[wasm_bindgen_test]
async fn whatsapp_asks_for_a_phone_number_and_blocks_submission_without_one() {
    let (root, submitted) = mount_form(Locale::En);
    tick().await;
    assert!(find(&root, "kept-phone").is_none());
    click(&root, "channel-whatsapp");
    click(&root, "payment-card_online");
    tick().await;
    assert!(find(&root, "kept-phone").is_some());
    click(&root, "submit");
    tick().await;
    assert_eq!(text(&root, "kept-phone-error").as_deref(), Some("The way of contact you chose needs this."));
    assert_eq!(input(&root, "kept-phone").get_attribute("aria-invalid").as_deref(), Some("true"));
    assert!(submitted.lock().unwrap().is_empty());
}

#[wasm_bindgen_test]
async fn a_valid_form_submits_the_chosen_preferences() {
    let (root, submitted) = mount_form(Locale::Pl);
    tick().await;
    click(&root, "channel-whatsapp");
    tick().await;
    type_into(&root, "kept-phone", "+48 600 100 200");
    click(&root, "do-not-call");
    click(&root, "payment-card_on_delivery");
    click(&root, "submit");
    tick().await;
    let sent = submitted.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].contact.channels, vec![Channel::Whatsapp]);
    assert!(sent[0].contact.do_not_call);
    assert_eq!(sent[0].contact.phone.as_deref(), Some("+48 600 100 200"));
    assert_eq!(sent[0].payment, Some(PaymentMethod::CardOnDelivery));
    assert_eq!(sent[0].locale, Locale::Pl);
}

#[wasm_bindgen_test]
async fn labels_speak_the_configured_language() {
    let (root, _) = mount_form(Locale::Pl);
    tick().await;
    let legend = root.query_selector("legend").unwrap().and_then(|e| e.text_content());
    assert_eq!(legend.as_deref(), Some("Jak mamy się z Tobą kontaktować?"));
    assert_eq!(text(&root, "submit").as_deref(), Some("Zapisz moje wybory"));
}

#[wasm_bindgen_test]
fn a_missing_token_is_a_configuration_error() {
    let e = Config::new(Some("http://127.0.0.1:1".into()), Some("KC-1".into()), None, Locale::En);
    assert_eq!(e, Err(ConfigError::MissingToken));
    let e = Config::new(Some("javascript:alert(1)".into()), Some("KC-1".into()), Some("t".into()), Locale::En);
    assert_eq!(e, Err(ConfigError::BadEndpoint));
}

#[wasm_bindgen_test]
fn a_malformed_token_an_unknown_locale_or_mode_or_unreadable_strings_are_configuration_errors() {
    let script = |attrs: &[(&str, &str)]| {
        let el = web_sys::window().unwrap().document().unwrap().create_element("script").unwrap();
        for (k, v) in [("data-endpoint", "/"), ("data-order", "KC-1"), ("data-token", "t0k")].iter().chain(attrs) {
            el.set_attribute(k, v).unwrap();
        }
        Config::from_element(&el)
    };
    assert!(script(&[]).is_ok());
    assert_eq!(script(&[("data-token", "has space")]), Err(ConfigError::BadToken));
    assert_eq!(script(&[("data-locale", "fr")]), Err(ConfigError::UnknownLocale));
    assert_eq!(script(&[("data-locale", "uk-UA")]).unwrap().locale, Locale::Uk);
    assert_eq!(script(&[("data-strings", "{not json")]), Err(ConfigError::BadStrings));
    assert_eq!(script(&[("data-strings", r#"{"submit":["a list"]}"#)]), Err(ConfigError::BadStrings));
    assert!(script(&[("data-strings", r#"{"de":{"submit":"Jetzt bestellen"}}"#)]).is_ok());
    assert_eq!(script(&[("data-mode", "kiosk")]), Err(ConfigError::UnknownMode));
    assert!(script(&[("data-mode", "status")]).unwrap().status_only);
}

#[wasm_bindgen_test]
async fn a_bad_configuration_shows_a_translated_notice_instead_of_a_blank_hole() {
    let host = container();
    kept_widget::mount::mount(&host, Err(ConfigError::MissingEndpoint));
    tick().await;
    let root = host.shadow_root().expect("a shadow root");
    let notice = root.query_selector("[role=alert]").unwrap().and_then(|e| e.text_content());
    assert_eq!(notice.as_deref(), Some("The checkout widget is not set up correctly on this page."));
}

#[wasm_bindgen_test]
async fn contact_details_the_shop_already_knows_are_filled_in_not_asked_again() {
    let el = container();
    let mut known = order();
    known.known_contact =
        Some(kept_protocol::backend::KnownContact { phone: Some("+48600100200".into()), email: None, telegram: None });
    let submitted = Arc::new(Mutex::new(Vec::new()));
    let sink = submitted.clone();
    let on_submit = Callback::new(move |p: Preferences| sink.lock().unwrap().push(p));
    leptos::mount::mount_to(el.clone(), move || {
        view! {
            <PreferenceForm shop=shop() order=known locale=Locale::En initial=None on_submit
                sending=RwSignal::new(0) server_problems=RwSignal::new(vec![]) failure=RwSignal::new(None)/>
        }
    })
    .forget();
    tick().await;
    click(&el, "channel-whatsapp");
    tick().await;
    assert_eq!(input(&el, "kept-phone").value(), "+48600100200");
    click(&el, "payment-card_online");
    click(&el, "submit");
    tick().await;
    let sent = submitted.lock().unwrap().clone();
    assert_eq!(sent.len(), 1, "nothing to type: the known phone number is there");
    assert_eq!(sent[0].contact.phone.as_deref(), Some("+48600100200"));
}

#[wasm_bindgen_test]
async fn ask_first_asks_on_the_channel_its_select_shows_after_the_contact_plan_changes() {
    // The rule once kept the channel that was first when "ask first" was chosen: the select then
    // showed the new plan's first channel, while the rule asked over one no longer in the plan,
    // which the rules refuse, so the form would not submit.
    let (root, submitted) = mount_form(Locale::En);
    tick().await;
    click(&root, "channel-chat");
    tick().await;
    click(&root, "rule-ask_first");
    tick().await;
    click(&root, "channel-whatsapp");
    tick().await;
    type_into(&root, "kept-phone", "+48 600 100 200");
    click(&root, "channel-chat");
    tick().await;
    let shown: web_sys::HtmlSelectElement = find(&root, "ask-channel").expect("the ask-first channel").unchecked_into();
    assert_eq!(shown.value(), "whatsapp");
    click(&root, "payment-card_online");
    click(&root, "submit");
    tick().await;
    let sent = submitted.lock().unwrap().clone();
    assert_eq!(sent.len(), 1, "submitted");
    assert_eq!(sent[0].contact.channels, vec![Channel::Whatsapp]);
    match &sent[0].substitutions.default {
        kept_protocol::SubstitutionRule::AskFirst { channel, .. } => assert_eq!(*channel, Channel::Whatsapp),
        other => panic!("not ask-first: {other:?}"),
    }
}
