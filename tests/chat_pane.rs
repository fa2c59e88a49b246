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
    for l in Locale::ALL {
        kept_widget::i18n::install_bundled(l);
    }
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
            <MessageList chat more_on_server=Memo::new(move |_| more_on_server) load_older locale=Locale::En
                on_retry=Callback::new(|_: String| {}) api=api()/>
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
            <WayOut api plan=Memo::new(move |_| Some(plan.clone())) time_zone="Europe/Warsaw".into() locale=Locale::En on_message/>
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
    assert_eq!(sent.lock().unwrap().as_slice(), ["Please continue in Telegram: anna_k"]);
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

fn api() -> Api {
    Api::new(Config::new(Some("http://127.0.0.1:9".into()), Some("KC-1".into()), Some("t".into()), Locale::En).unwrap())
}

/// The same on the order-status page (`data-mode="status"`: the chat without the step).
fn status_page_api() -> Api {
    let mut config =
        Config::new(Some("http://127.0.0.1:9".into()), Some("KC-1".into()), Some("t".into()), Locale::En).unwrap();
    config.status_only = true;
    Api::new(config)
}

fn texts(root: &HtmlElement, css: &str) -> Vec<String> {
    let nodes = root.query_selector_all(css).unwrap();
    (0..nodes.length()).filter_map(|i| nodes.item(i)).filter_map(|n| n.text_content()).collect()
}

#[wasm_bindgen_test]
async fn the_timeline_says_what_happened_in_words_naming_the_item() {
    use kept_protocol::{ItemResolution, Money, OrderStatus, TimelineEntry, TimelineEvent};
    let root = container();
    let entries = vec![
        TimelineEntry {
            at: "2026-11-23T10:00:00.000Z".into(),
            event: TimelineEvent::Status { status: OrderStatus::OrderInTransit },
            by: None,
        },
        TimelineEntry {
            at: "2026-11-23T10:05:00.000Z".into(),
            event: TimelineEvent::ItemResolved {
                item: "coffee-1".into(),
                resolution: ItemResolution::Substituted {
                    replacement: "coffee-2".into(),
                    name: "Colombia Huila, 250 g".into(),
                    unit_price: Money { amount_minor: 4500, currency: "PLN".into() },
                },
            },
            by: Some("Anna".into()),
        },
    ];
    let items = vec![("coffee-1".to_owned(), "Ethiopia Yirgacheffe, 250 g".to_owned())];
    leptos::mount::mount_to(root.clone(), move || {
        view! { <kept_widget::components::chat::status::Timeline entries=RwSignal::new(entries) items locale=Locale::En/> }
    })
    .forget();
    settle().await;
    let lines = texts(&root, "li");
    assert_eq!(lines.len(), 2);
    assert!(lines[0].ends_with("On its way"), "{}", lines[0]);
    assert!(
        lines[1].ends_with("Ethiopia Yirgacheffe, 250 g: replaced with Colombia Huila, 250 g (PLN\u{a0}45.00)"),
        "{}",
        lines[1]
    );
}

#[wasm_bindgen_test]
async fn the_agreement_card_shows_the_receipt_in_words_and_opens_the_report_form() {
    use kept_protocol::{PaymentMethod, Preferences, Receipt, SubstitutionPolicy};
    let root = container();
    let receipt = RwSignal::new(None::<Receipt>);
    leptos::mount::mount_to(root.clone(), move || {
        view! { <kept_widget::components::chat::status::AgreementCard api=status_page_api() receipt chat=RwSignal::new(Chat::default()) locale=Locale::En/> }
    })
    .forget();
    settle().await;
    assert!(find(&root, "agreement-card").is_none(), "no agreement, no card");
    receipt.set(Some(Receipt {
        version: 2,
        accepted_at: "2026-11-23T10:00:00.000Z".into(),
        digest: "sha256:0".into(),
        summary: vec!["We will not call you.".into(), "You pay: Card on delivery.".into()],
        preferences: Preferences {
            contact: plan(vec![Channel::Chat], true),
            substitutions: SubstitutionPolicy::default(),
            payment: Some(PaymentMethod::CardOnDelivery),
            notes: vec![],
            locale: Locale::En,
        },
    }));
    settle().await;
    assert_eq!(texts(&root, ".kept-receipt__summary li"), ["We will not call you.", "You pay: Card on delivery."]);
    let toggle = find(&root, "broke-this").unwrap();
    assert_eq!(toggle.get_attribute("aria-expanded").as_deref(), Some("false"));
    assert!(find(&root, "promise").is_none());
    click(&root, "broke-this");
    settle().await;
    assert_eq!(toggle.get_attribute("aria-expanded").as_deref(), Some("true"));
    let options = texts(&root, "[data-testid=\"promise\"] option");
    assert_eq!(options.len(), 4);
    assert!(options.contains(&"They called me".to_owned()));
}

#[wasm_bindgen_test]
async fn the_card_says_what_was_promised_and_what_became_of_it_and_the_shops_record_on_request() {
    use kept_widget::wire::PromiseWords;
    let root = container();
    let chat = RwSignal::new(Chat::default());
    chat.update(|c| {
        c.promises = PromiseWords {
            lines: vec!["An answer within 5 minutes: answered in 7 minutes (promised 5)".into()],
            trust: Some((
                "This shop kept 97 % of 1,204 promises in the last 30 days".into(),
                vec!["Replies: 1,100 of 1,134 kept".into()],
            )),
        }
    });
    let receipt = RwSignal::new(Some(kept_protocol::Receipt {
        version: 1,
        accepted_at: "2026-12-01T09:00:00.000Z".into(),
        digest: "sha256:0".into(),
        summary: vec!["We will not call you.".into()],
        preferences: kept_protocol::Preferences {
            contact: plan(vec![Channel::Chat], true),
            substitutions: Default::default(),
            payment: None,
            notes: vec![],
            locale: Locale::En,
        },
    }));
    leptos::mount::mount_to(root.clone(), move || {
        view! { <kept_widget::components::chat::status::AgreementCard api=api() receipt chat locale=Locale::En/> }
    })
    .forget();
    settle().await;
    // Beside the step (whose receipt shows the agreement): her promises, not the agreement again.
    assert!(find(&root, "promises-card").is_some());
    assert!(find(&root, "agreement-card").is_none());
    assert!(texts(&root, ".kept-receipt__summary li").is_empty(), "one agreement card per page");
    assert_eq!(
        texts(&root, "[data-testid=\"promises\"] li"),
        ["An answer within 5 minutes: answered in 7 minutes (promised 5)"]
    );
    let trust = find(&root, "trust-line").unwrap();
    assert!(trust.text_content().unwrap().starts_with("This shop kept 97 % of 1,204 promises in the last 30 days"));
    assert_eq!(trust.get_attribute("open"), None, "the kinds behind it on request");
    assert_eq!(texts(&root, "[data-testid=\"trust-line\"] li"), ["Replies: 1,100 of 1,134 kept"]);
    // A promise kept after the page loaded changes its line; without a record, no trust line.
    chat.update(|c| {
        c.promises =
            PromiseWords { lines: vec!["A call today, 10:00–12:00: called today, 10:40".into()], trust: None }
    });
    settle().await;
    assert_eq!(texts(&root, "[data-testid=\"promises\"] li"), ["A call today, 10:00–12:00: called today, 10:40"]);
    assert!(find(&root, "trust-line").is_none());
}

#[wasm_bindgen_test]
async fn the_composer_sends_trimmed_text_once_clears_itself_and_ignores_blanks() {
    use kept_widget::components::chat::composer::Composer;
    let sent = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = sent.clone();
    let root = container();
    let on_send = Callback::new(move |t: String| sink.lock().unwrap().push(t));
    leptos::mount::mount_to(root.clone(), move || view! { <Composer locale=Locale::En on_send/> }).forget();
    settle().await;
    let area: web_sys::HtmlTextAreaElement = find(&root, "composer").unwrap().unchecked_into();
    area.set_value("   ");
    area.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    click(&root, "send");
    settle().await;
    assert!(sent.lock().unwrap().is_empty(), "blank is not sent");
    area.set_value("  Is the Kenya in stock?  ");
    area.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    click(&root, "send");
    settle().await;
    assert_eq!(sent.lock().unwrap().as_slice(), ["Is the Kenya in stock?"]);
    assert_eq!(area.value(), "", "cleared after sending");
}

#[wasm_bindgen_test]
async fn a_message_being_sent_says_so_and_a_failed_one_offers_a_retry_with_its_client_id() {
    use kept_protocol::NewMessage;
    let chat = RwSignal::new(Chat::default());
    chat.update(|c| {
        c.start(NewMessage { client_id: "c-1".into(), text: "first".into() });
        c.start(NewMessage { client_id: "c-2".into(), text: "second".into() });
        c.fail("c-2");
    });
    let retried = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = retried.clone();
    let root = container();
    let on_retry = Callback::new(move |id: String| sink.lock().unwrap().push(id));
    leptos::mount::mount_to(root.clone(), move || {
        view! {
            <MessageList chat more_on_server=Memo::new(|_| false) load_older=Callback::new(|()| {}) locale=Locale::En on_retry api=api()/>
        }
    })
    .forget();
    settle().await;
    let hints = texts(&root, ".kept-message .kept-hint");
    assert_eq!(hints, ["Saving…"]);
    assert_eq!(texts(&root, ".kept-message .kept-field__error"), ["Not sent yet."]);
    click(&root, "retry-message");
    assert_eq!(retried.lock().unwrap().as_slice(), ["c-2"]);
}

#[wasm_bindgen_test]
async fn an_order_full_of_values_from_a_newer_server_renders_as_updated() {
    let o: kept_protocol::OrderView = kept_widget::wire::parse(
        r#"{ "id": "KC-1001", "status": "OrderOnTheMoon", "editable": false, "items": [],
            "timeline": [{ "at": "2026-11-23T10:00:00.000Z", "event": { "type": "drone_dispatched" } }],
            "change_requests": [{ "id": 1, "change": { "kind": "gift_wrap" }, "reason": "Free gift wrap",
                "status": "pending", "created_at": "2026-11-23T10:00:00.000Z" }] }"#,
    )
    .unwrap();
    let root = container();
    let entries = o.timeline.clone();
    let requests = RwSignal::new(o.change_requests.clone());
    leptos::mount::mount_to(root.clone(), move || {
        use kept_widget::components::chat::status::{ChangeCards, Timeline};
        view! {
            <Timeline entries=RwSignal::new(entries) items=vec![] locale=Locale::En/>
            <ChangeCards api=api() requests locale=Locale::En/>
        }
    })
    .forget();
    settle().await;
    let lines = texts(&root, "li");
    assert!(lines[0].ends_with("The order was updated; reload the page to see how"), "{}", lines[0]);
    let card = texts(&root, "[data-testid=\"change-request\"]");
    assert!(card[0].contains("Free gift wrap"), "{card:?}");
    assert!(texts(&root, "[data-testid=\"accept-change\"]").is_empty(), "no consent to a change it cannot describe");
}
