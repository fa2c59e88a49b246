//! Reaching her where she is, against real servers: what the shop says that she has not seen in
//! the widget for two minutes follows her once, batched, by email through a real SMTP server on
//! loopback (or to the shop's own provider as a signed `notification.requested`), in her
//! language; what she saw is never sent; a mail server that refuses is tried again; two
//! instances on PostgreSQL send one email per batch. The servers' clocks are moved, never waited
//! for.

use kept_e2e::mailbox::Mailbox;
use kept_e2e::server::{TestServer, OPERATOR, TOKEN};
use kept_e2e::shop::Shop;
use kept_e2e::{post_json, wait_for};
use serde_json::{json, Value};
use std::time::Duration;

const KEY: &str = "backend-key-notify-0123";
const FROM: &str = "Kawa & Co <orders@kawa.example>";
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn mail_flags(mailbox: &Mailbox) -> Vec<String> {
    ["--smtp-url", &mailbox.smtp_url(), "--mail-from", FROM, "--backend-key", KEY].map(str::to_owned).to_vec()
}

fn start(flags: &[String]) -> TestServer {
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    TestServer::start_with(&[], &flags)
}

fn clock(server: &TestServer, body: Value) {
    let (status, _) = post_json(&format!("{}/v1/test/clock", server.url), "", None, body);
    assert_eq!(status, 200);
}

/// Every due thing decided now (the background workers may have been first); how many
/// notifications this call decided.
fn sweep(server: &TestServer) -> u64 {
    let (status, body) = post_json(&format!("{}/v1/test/sweep", server.url), "", None, json!({ "minutes_later": 0 }));
    assert_eq!(status, 200, "{body}");
    body["notified"].as_u64().unwrap_or(0)
}

/// The demo order's agreement with this contact plan, in `locale`.
fn agree(server: &TestServer, contact: Value, locale: &str) {
    let body = json!({
        "contact": contact,
        "substitutions": { "default": { "rule": "similar", "max_increase": { "kind": "percent", "percent": 10 } },
            "overrides": [] },
        "payment": "card_on_delivery",
        "notes": [],
        "locale": locale
    });
    let key = fresh_key();
    let (status, receipt) =
        post_json(&format!("{}/v1/orders/KC-1001/preferences", server.url), TOKEN, Some(&key), body);
    assert_eq!(status, 201, "{receipt}");
}

/// A new Idempotency-Key.
fn fresh_key() -> String {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    format!("notify-{}-{}", std::process::id(), N.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
}

fn email_first() -> Value {
    json!({ "channels": ["email", "chat"], "do_not_call": true, "email": "ola@example.pl" })
}

/// The operator answers in the chat; the message's id.
fn answer(server: &TestServer, text: &str) -> i64 {
    let url = format!("{}/v1/operator/orders/KC-1001/messages", server.url);
    let (status, m) = post_json(&url, OPERATOR, Some(&fresh_key()), json!({ "text": text }));
    assert_eq!(status, 201, "{m}");
    m["id"].as_i64().unwrap()
}

fn notifications(server: &TestServer) -> Vec<Value> {
    let mut res = kept_e2e::agent(Duration::from_secs(10))
        .get(&format!("{}/v1/operator/orders/KC-1001", server.url))
        .header("Authorization", &format!("Bearer {OPERATOR}"))
        .call()
        .expect("the server answers");
    let detail: Value = res.body_mut().read_json().expect("JSON");
    detail["notifications"].as_array().cloned().unwrap_or_default()
}

fn seen(server: &TestServer, body: Value) {
    let (status, answer) = post_json(&format!("{}/v1/orders/KC-1001/seen", server.url), TOKEN, None, body);
    assert_eq!(status, 204, "{answer}");
}

#[test]
fn what_she_has_not_seen_follows_her_once_by_email_batched_in_her_language() {
    let mailbox = Mailbox::start();
    let server = start(&mail_flags(&mailbox));
    clock(&server, json!({ "at": "2026-12-08T09:00:00Z" }));
    agree(&server, email_first(), "pl");
    answer(&server, "Dzień dobry, kawa jest już spakowana.");
    answer(&server, "Kurier będzie <b>jutro</b>.");
    answer(&server, "Proszę o odpowiedź & potwierdzenie.");

    // A minute on, nothing yet: she may still look.
    clock(&server, json!({ "minutes": 1 }));
    sweep(&server);
    assert!(mailbox.received().is_empty(), "nothing before two minutes");
    assert_eq!(notifications(&server)[0]["state"], "pending");

    // Two minutes after the first: one email, with all three.
    clock(&server, json!({ "minutes": 2 }));
    sweep(&server);
    let got = wait_for("the email", Duration::from_secs(10), || mailbox.received().into_iter().next());
    assert_eq!(got.to, ["ola@example.pl"]);
    assert_eq!(got.from, "orders@kawa.example");
    let text = got.text();
    for said in
        ["Dzień dobry, kawa jest już spakowana.", "Kurier będzie <b>jutro</b>.", "Proszę o odpowiedź & potwierdzenie."]
    {
        assert!(text.contains(said), "every message, in one email: {text}");
    }
    assert!(got.subject().contains("KC-1001") && got.subject().contains("zamówienia"), "{}", got.subject());
    assert!(text.contains("Ustalenia ze sklepem"), "the agreement in plain words, in Polish: {text}");
    assert!(text.contains("Sklep odpowiada w ciągu"), "the reply-time promise: {text}");
    let html = got.html();
    assert!(html.contains("&lt;b&gt;jutro&lt;/b&gt;") && !html.contains("<b>jutro"), "escaped: {html}");
    assert!(!html.contains("<img"), "no images: {html}");
    assert_eq!(got.header("Content-Language").as_deref(), Some("pl"));
    let id = notifications(&server)[0]["id"].as_i64().unwrap();
    assert_eq!(got.header("Message-ID"), Some(format!("<kept.KC-1001.{id}@kawa.example>")));
    assert_eq!(got.header("In-Reply-To").as_deref(), Some("<kept.KC-1001@kawa.example>"), "one thread per order");
    assert_eq!(mailbox.maildir_files(), 1, "in the maildir");

    // Once: sweeping again sends nothing more, and the console says how it went.
    clock(&server, json!({ "minutes": 5 }));
    sweep(&server);
    assert_eq!(mailbox.received().len(), 1);
    let n = notifications(&server);
    assert_eq!(n.len(), 1, "{n:?}");
    assert_eq!(
        (n[0]["state"].as_str(), n[0]["channel"].as_str(), n[0]["items"].as_u64()),
        (Some("sent"), Some("email"), Some(3))
    );

    // The next thing the shop says opens the next batch, which carries only it.
    answer(&server, "Kurier już jedzie.");
    clock(&server, json!({ "minutes": 3 }));
    sweep(&server);
    let second = wait_for("the second email", Duration::from_secs(10), || mailbox.received().get(1).cloned());
    assert!(second.text().contains("Kurier już jedzie.") && !second.text().contains("spakowana"), "{}", second.text());
}

#[test]
fn what_she_saw_in_the_widget_is_never_emailed() {
    let mailbox = Mailbox::start();
    let server = start(&mail_flags(&mailbox));
    clock(&server, json!({ "at": "2026-12-08T09:00:00Z" }));
    agree(&server, email_first(), "en");
    let m = answer(&server, "Your coffee is packed.");
    seen(&server, json!({ "message": m, "status": "OrderProcessing" }));
    clock(&server, json!({ "minutes": 3 }));
    sweep(&server);
    assert!(mailbox.received().is_empty(), "she saw it");
    assert_eq!(notifications(&server)[0]["state"], "seen");
    // A stale mark (an older tab) takes nothing back.
    seen(&server, json!({ "message": 0 }));
    let unseen = answer(&server, "The courier comes at 14:00.");
    assert!(unseen > m);
    clock(&server, json!({ "minutes": 3 }));
    sweep(&server);
    let got =
        wait_for("the email of the unseen one", Duration::from_secs(10), || mailbox.received().into_iter().next());
    assert!(got.text().contains("The courier comes at 14:00.") && !got.text().contains("packed"), "{}", got.text());
    // The widget's beacon: no body (all the order has now), the token in the URL.
    let late = answer(&server, "Anything else?");
    let url = format!("{}/v1/orders/KC-1001/seen?access_token={TOKEN}", server.url);
    let res = kept_e2e::agent(Duration::from_secs(10)).post(&url).send_empty().expect("the server answers");
    assert_eq!(res.status().as_u16(), 204);
    clock(&server, json!({ "minutes": 3 }));
    sweep(&server);
    assert_eq!(mailbox.received().len(), 1, "message {late}, seen by the beacon, is not emailed");
    assert_eq!(notifications(&server).last().unwrap()["state"], "seen");
    // Bad marks are refused, naming the field.
    let (status, body) =
        post_json(&format!("{}/v1/orders/KC-1001/seen", server.url), TOKEN, None, json!({ "message": -1 }));
    assert_eq!((status, body["error"]["fields"][0]["path"].as_str()), (422, Some("message")), "{body}");
    let (status, _) = post_json(&format!("{}/v1/orders/KC-1001/seen", server.url), "not-her-token", None, json!({}));
    assert_eq!(status, 404, "another token: as if there were no such order");
}

#[test]
fn a_chat_only_plan_gets_nothing_and_a_messenger_goes_to_the_shops_provider_signed() {
    let shop = Shop::start(SECRET);
    let hooks = format!("{}/hooks", shop.url);
    let server =
        TestServer::start_with(&[], &["--webhook-url", &hooks, "--webhook-secret", SECRET, "--backend-key", KEY]);
    clock(&server, json!({ "at": "2026-12-08T09:00:00Z" }));
    // Only this site's chat (and no phone ever): nothing goes anywhere.
    agree(&server, json!({ "channels": ["chat"], "do_not_call": true }), "en");
    answer(&server, "Packed.");
    clock(&server, json!({ "minutes": 3 }));
    sweep(&server);
    assert_eq!(notifications(&server)[0]["state"], "no_channel");

    // WhatsApp first (calls allowed, but a notification is never a call): the shop's provider.
    agree(&server, json!({ "channels": ["phone", "whatsapp"], "do_not_call": false, "phone": "+48600100200" }), "de");
    answer(&server, "Ihr Kaffee ist unterwegs.");
    clock(&server, json!({ "minutes": 3 }));
    sweep(&server);
    let hook = wait_for("notification.requested at the shop", Duration::from_secs(20), || {
        shop.received().into_iter().find(|r| r.body["type"] == "notification.requested")
    });
    assert!(hook.valid, "signed");
    let data = &hook.body["data"];
    assert_eq!(
        (data["channel"].as_str(), data["to"].as_str(), data["locale"].as_str()),
        (Some("whatsapp"), Some("+48600100200"), Some("de"))
    );
    assert!(data["text"].as_str().unwrap().contains("Ihr Kaffee ist unterwegs."), "{data}");
    assert!(data["text"].as_str().unwrap().contains("Bestellung"), "in German: {data}");
    let id = data["notification"].as_i64().unwrap();
    assert_eq!(notifications(&server).last().unwrap()["state"], "requested");

    // The shop's provider closes the loop.
    let url = |id: i64| format!("{}/v1/backend/notifications/{id}", server.url);
    let (status, entry) = post_json(&url(id), KEY, None, json!({ "state": "delivered" }));
    assert_eq!((status, entry["state"].as_str()), (200, Some("delivered")), "{entry}");
    assert_eq!(notifications(&server).last().unwrap()["state"], "delivered");
    let (status, _) = post_json(&url(id), KEY, None, json!({ "state": "failed", "error": "late" }));
    assert_eq!(status, 409, "decided once");
    let (status, _) = post_json(&url(id + 100), KEY, None, json!({ "state": "delivered" }));
    assert_eq!(status, 404);
    let (status, body) = post_json(&url(id), KEY, None, json!({ "state": "sent" }));
    assert_eq!((status, body["error"]["fields"][0]["path"].as_str()), (422, Some("state")), "{body}");
    let (status, _) = post_json(&url(id), TOKEN, None, json!({ "state": "delivered" }));
    assert_eq!(status, 401, "her token is not the shop's key");
}

#[test]
fn a_mail_server_that_refuses_is_tried_again_and_nothing_is_lost() {
    let mailbox = Mailbox::start();
    let server = start(&mail_flags(&mailbox));
    clock(&server, json!({ "at": "2026-12-08T09:00:00Z" }));
    agree(&server, email_first(), "uk");
    answer(&server, "Ваше замовлення готове.");
    mailbox.refuse_next(1);
    clock(&server, json!({ "minutes": 3 }));
    sweep(&server);
    assert!(mailbox.received().is_empty());
    let n = notifications(&server);
    assert_eq!(n[0]["state"], "pending", "tried again later: {n:?}");
    assert!(n[0]["error"].as_str().is_some_and(|e| e.contains("451")), "{n:?}");
    clock(&server, json!({ "minutes": 1 }));
    sweep(&server);
    let got = wait_for("the email, second time", Duration::from_secs(10), || mailbox.received().into_iter().next());
    assert!(got.text().contains("Ваше замовлення готове."), "{}", got.text());
    assert_eq!(mailbox.received().len(), 1);
    assert_eq!(notifications(&server)[0]["state"], "sent");
}

#[test]
fn two_instances_on_postgres_send_one_email_per_batch() {
    let mailbox = Mailbox::start();
    let flags = mail_flags(&mailbox);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let servers = TestServer::instances(2, &flags);
    for s in &servers {
        clock(s, json!({ "at": "2026-12-08T09:00:00Z" }));
    }
    agree(&servers[0], email_first(), "ru");
    answer(&servers[1], "Заказ собран.");
    answer(&servers[0], "Курьер выехал.");
    for s in &servers {
        clock(s, json!({ "minutes": 3 }));
    }
    std::thread::scope(|scope| {
        for s in &servers {
            scope.spawn(move || sweep(s));
        }
    });
    for s in &servers {
        sweep(s);
    }
    let got = wait_for("the email", Duration::from_secs(10), || mailbox.received().into_iter().next());
    assert!(got.text().contains("Заказ собран.") && got.text().contains("Курьер выехал."), "{}", got.text());
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(mailbox.received().len(), 1, "one email per batch, whatever the instances");
}

#[test]
fn a_server_killed_while_sending_loses_and_duplicates_nothing() {
    let mailbox = Mailbox::start();
    let mut server = start(&mail_flags(&mailbox));
    let at = json!({ "at": "2026-12-08T09:00:00Z" });
    clock(&server, at.clone());
    agree(&server, email_first(), "pl");
    answer(&server, "Paczka gotowa.");
    // Due; the mail server takes the connection and then says nothing: the send is in flight.
    mailbox.hold_next();
    clock(&server, json!({ "minutes": 3 }));
    let url = format!("{}/v1/test/sweep", server.url);
    std::thread::spawn(move || {
        let _ = kept_e2e::agent(Duration::from_secs(60)).post(&url).send_json(json!({ "minutes_later": 0 }));
    });
    wait_for("the send in flight", Duration::from_secs(20), || mailbox.holding().then_some(()));
    server.kill();
    mailbox.release();
    server.restart();
    // Back, its clock set again: within the claim's minute nothing is sent twice...
    clock(&server, at.clone());
    clock(&server, json!({ "minutes": 3 }));
    sweep(&server);
    assert!(mailbox.received().is_empty(), "the claim still holds");
    // ...after it, the email goes out once, with the batch's own Message-ID.
    clock(&server, json!({ "minutes": 2 }));
    sweep(&server);
    let got =
        wait_for("the email after the restart", Duration::from_secs(10), || mailbox.received().into_iter().next());
    assert!(got.text().contains("Paczka gotowa."), "{}", got.text());
    let id = notifications(&server)[0]["id"].as_i64().unwrap();
    assert_eq!(got.header("Message-ID"), Some(format!("<kept.KC-1001.{id}@kawa.example>")));
    clock(&server, json!({ "minutes": 5 }));
    sweep(&server);
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(mailbox.received().len(), 1, "nothing duplicated");
    assert_eq!(notifications(&server)[0]["state"], "sent");
}
