//! Chat pieces in a real headless Chromium: the windowed message list and the way-out offer.
#![cfg(target_arch = "wasm32")]

use std::sync::{Arc, Mutex};

use kept_protocol::chat::AuthorKind;
use kept_protocol::{Channel, ContactPlan, LocalTime, Locale, Message, TimeWindow};
use kept_widget::api::Api;
use kept_widget::components::chat::message_list::{MessageList, WINDOW};
use kept_widget::components::chat::way_out::{routes, suggested_window, Routes, WayOut};
use kept_widget::components::chat::Chat;
use kept_widget::config::Config;
use leptos::prelude::*;
use leptos::task::tick;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

fn container() -> HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let div: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&div).unwrap();
    div
}

fn message(id: i64) -> Message {
    Message {
        id,
        client_id: None,
        author: if id % 2 == 0 { AuthorKind::Operator } else { AuthorKind::Customer },
        author_name: Some("Anna".into()),
        text: ["message ", &id.to_string()].concat(),
        sent_at: "2026-11-23T10:00:00.000Z".into(),
    }
}

fn find(root: &HtmlElement, test_id: &str) -> Option<Element> {
    root.query_selector(&format!("[data-testid=\"{test_id}\"]")).unwrap()
}

fn click(root: &HtmlElement, test_id: &str) {
    find(root, test_id).unwrap_or_else(|| panic!("no {test_id}")).unchecked_into::<HtmlElement>().click();
}

/// The texts of the messages in the page, in order.
fn shown(root: &HtmlElement) -> Vec<String> {
    let nodes = root.query_selector_all(".kept-message__text").unwrap();
    (0..nodes.length()).filter_map(|i| nodes.item(i)).filter_map(|n| n.text_content()).collect()
}

/// Lets effects and the next animation frame run.
async fn settle() {
    for _ in 0..3 {
        tick().await;
        kept_widget::api::sleep(20).await;
    }
}

fn mount_list(chat: RwSignal<Chat>, more_on_server: bool) -> (HtmlElement, Arc<Mutex<u32>>) {
    let asked = Arc::new(Mutex::new(0));
    let counter = asked.clone();
    let root = container();
    let load_older = Callback::new(move |()| *counter.lock().unwrap() += 1);
    leptos::mount::mount_to(root.clone(), move || {
        view! {
            <MessageList chat more_on_server=Signal::stored(more_on_server) load_older locale=Locale::En
                on_retry=Callback::new(|_: String| {})/>
        }
    })
    .forget();
    (root, asked)
}

#[wasm_bindgen_test]
async fn ten_thousand_messages_keep_the_page_small_and_the_newest_in_view() {
    let chat = RwSignal::new(Chat::default());
    chat.update(|c| (1..=10_000).for_each(|i| c.confirm(message(i))));
    let (root, _) = mount_list(chat, false);
    settle().await;
    let texts = shown(&root);
    assert_eq!(texts.len(), WINDOW, "only a window of lines is in the page");
    assert_eq!(texts.last().map(String::as_str), Some("message 10000"));
    assert!(root.query_selector_all("*").unwrap().length() < 2_000, "DOM nodes stay bounded");

    click(&root, "earlier");
    settle().await;
    let texts = shown(&root);
    assert_eq!(texts.len(), WINDOW);
    assert_eq!(texts.last().map(String::as_str), Some("message 9970"), "a step back shows earlier lines");
    assert!(find(&root, "new-messages").is_none());

    // Scrolled back, a new message does not yank the view: a pill says it is there.
    chat.update(|c| c.confirm(message(10_001)));
    settle().await;
    assert_eq!(shown(&root).last().map(String::as_str), Some("message 9970"));
    click(&root, "new-messages");
    settle().await;
    assert_eq!(shown(&root).last().map(String::as_str), Some("message 10001"));
    assert!(find(&root, "new-messages").is_none());
}

#[wasm_bindgen_test]
async fn at_the_oldest_line_in_memory_the_server_is_asked_for_the_page_before() {
    let chat = RwSignal::new(Chat::default());
    chat.update(|c| (101..=110).for_each(|i| c.confirm(message(i))));
    let (root, asked) = mount_list(chat, true);
    settle().await;
    click(&root, "earlier");
    settle().await;
    assert_eq!(*asked.lock().unwrap(), 1, "the older page is requested by cursor");
    // The page arrives: it lands above, once, in order.
    chat.update(|c| (71..=100).for_each(|i| c.confirm(message(i))));
    settle().await;
    let texts = shown(&root);
    assert_eq!(texts.first().map(String::as_str), Some("message 71"));
    assert!(texts.len() <= WINDOW);
}

#[wasm_bindgen_test]
async fn with_nothing_older_anywhere_there_is_no_earlier_button() {
    let chat = RwSignal::new(Chat::default());
    chat.update(|c| (1..=5).for_each(|i| c.confirm(message(i))));
    let (root, _) = mount_list(chat, false);
    settle().await;
    assert!(find(&root, "earlier").is_none());
    assert_eq!(shown(&root).len(), 5);
}

fn mount_way_out(plan: ContactPlan) -> (HtmlElement, Arc<Mutex<Vec<String>>>) {
    let sent = Arc::new(Mutex::new(Vec::new()));
    let sink = sent.clone();
    let root = container();
    let api = Api::new(
        Config::new(Some("http://127.0.0.1:9".into()), Some("KC-1".into()), Some("t".into()), Locale::En).unwrap(),
    );
    let on_message = Callback::new(move |t: String| sink.lock().unwrap().push(t));
    leptos::mount::mount_to(root.clone(), move || {
        view! {
            <WayOut api plan=Signal::stored(Some(plan)) time_zone="Europe/Warsaw".into() locale=Locale::En on_message/>
        }
    })
    .forget();
    (root, sent)
}

fn plan(channels: Vec<Channel>, do_not_call: bool) -> ContactPlan {
    ContactPlan {
        channels,
        do_not_call,
        phone: Some("+48600100200".into()),
        email: Some("anna@example.com".into()),
        telegram: Some("anna_k".into()),
        callback_window: None,
    }
}

#[wasm_bindgen_test]
async fn do_not_call_gets_no_callback_offer_and_the_messenger_is_one_tap() {
    let (root, sent) = mount_way_out(plan(vec![Channel::Chat, Channel::Telegram, Channel::Phone], true));
    settle().await;
    assert!(find(&root, "request-callback").is_none(), "no call offered to someone who said do not call");
    let email: HtmlInputElement = find(&root, "kept-wo-email").unwrap().unchecked_into();
    assert_eq!(email.value(), "anna@example.com", "prefilled from the plan");
    click(&root, "continue-in");
    settle().await;
    assert_eq!(sent.lock().unwrap().as_slice(), ["Continue in Telegram: anna_k"]);
    assert!(find(&root, "way-out-status").is_some());
}

#[wasm_bindgen_test]
async fn a_plan_with_calls_gets_a_prefilled_callback_and_a_bad_email_is_refused_in_place() {
    let (root, sent) = mount_way_out(plan(vec![Channel::Phone, Channel::Email], false));
    settle().await;
    let legend = root.query_selector("legend").unwrap().and_then(|l| l.text_content()).unwrap_or_default();
    assert!(legend.contains("+48600100200"), "{legend}");
    let date: HtmlInputElement = find(&root, "kept-wo-date").unwrap().unchecked_into();
    assert_eq!(date.value().len(), 10, "today, prefilled: {}", date.value());
    let email: HtmlInputElement = find(&root, "kept-wo-email").unwrap().unchecked_into();
    email.set_value("anna@");
    email.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    click(&root, "answer-by-email");
    settle().await;
    assert!(sent.lock().unwrap().is_empty());
    let error = find(&root, "kept-wo-email-error").and_then(|e| e.text_content()).unwrap_or_default();
    assert!(error.contains("name@example.com"), "{error}");
    assert_eq!(email.value(), "anna@", "what the customer typed stays");
}

#[wasm_bindgen_test]
fn the_suggested_callback_window_is_the_customers_own_or_the_next_hour() {
    let own = TimeWindow { start: LocalTime::hm(17, 0), end: LocalTime::hm(19, 0) };
    let mut p = plan(vec![Channel::Phone], false);
    assert_eq!(suggested_window(Some(&p), LocalTime::hm(9, 5)).start, LocalTime::hm(10, 0));
    p.callback_window = Some(own);
    assert_eq!(suggested_window(Some(&p), LocalTime::hm(9, 5)), own);
    assert_eq!(suggested_window(None, LocalTime::hm(23, 30)).start, LocalTime::hm(0, 0));
}

#[wasm_bindgen_test]
fn without_an_agreement_only_the_email_field_is_offered() {
    assert_eq!(routes(None), Routes::default());
    assert_eq!(routes(Some(&plan(vec![Channel::Chat], true))).messengers, vec![]);
}
