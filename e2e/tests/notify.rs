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
    agree_with(server, contact, locale, json!([]));
}

/// The same, with these substitution overrides.
fn agree_with(server: &TestServer, contact: Value, locale: &str, overrides: Value) {
    let body = json!({
        "contact": contact,
        "substitutions": { "default": { "rule": "similar", "max_increase": { "kind": "percent", "percent": 10 } },
            "overrides": overrides },
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
    let mut flags = mail_flags(&mailbox);
    flags.extend(["--smtp-listen", "127.0.0.1:0", "--public-url", PUBLIC].map(str::to_owned));
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let servers = TestServer::instances(2, &flags);
    for s in &servers {
        clock(s, json!({ "at": "2026-12-08T09:00:00Z" }));
    }
    agree_with(&servers[0], email_first(), "ru", json!([{ "item": "coffee-3", "rule": kept_e2e::ask_first_rule() }]));
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

    // Her reply reaches the other instance's listener; the chat of both has it.
    let to = reply_address(&got);
    let reply = kept_e2e::mailbox::fixture("attachment_reply.eml", "ola@example.pl", &to, "<pg.1@example.pl>");
    let smtp = servers[1].smtp.clone().expect("the SMTP listener");
    assert_eq!(kept_e2e::mailbox::send(&smtp, "ola@example.pl", &to, &reply).0, 250);
    assert_eq!(her_messages(&servers[0]), ["Here is a photo of the door, code 1234."]);

    // A question asked on one instance is answered by a link on the other: one key for both.
    let url = format!("{}/v1/operator/orders/KC-1001/items/coffee-3/out-of-stock", servers[1].url);
    let replacement = json!({ "replacement": { "id": "coffee-11", "name": "Kenya AB, 250 g",
        "unit_price": { "amount_minor": 5600, "currency": "PLN" } } });
    let (status, res) = post_json(&url, OPERATOR, None, replacement);
    assert_eq!((status, res["outcome"].as_str()), (200, Some("asked_customer")), "{res}");
    for s in &servers {
        clock(s, json!({ "minutes": 3 }));
    }
    std::thread::scope(|scope| {
        for s in &servers {
            scope.spawn(move || sweep(s));
        }
    });
    let question = wait_for("the question", Duration::from_secs(10), || mailbox.received().get(1).cloned());
    let found = links(&question.text());
    assert_eq!(found.len(), 2, "{}", question.text());
    for (s, want) in [(&servers[0], 200), (&servers[1], 409)] {
        let (status, page) = open(s, "POST", &found[0].1);
        assert_eq!(status, want, "{page}");
    }
    assert_eq!(request_status(&servers[1], 0), "accepted");
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(mailbox.received().len(), 2, "one email per batch, whatever the instances");
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

/// Where the tests' links point: the server as browsers would reach it behind a proxy; the tests
/// fetch the same path from the server itself.
const PUBLIC: &str = "https://kept.kawa.example";

/// Her address, the reply address of the order from the email's `Reply-To`.
fn reply_address(got: &kept_e2e::mailbox::Received) -> String {
    let reply_to = got.header("Reply-To").expect("a Reply-To");
    let address = reply_to.rsplit('<').next().unwrap_or(&reply_to).trim_end_matches('>').to_owned();
    assert!(address.starts_with("orders+") && address.ends_with("@kawa.example"), "{reply_to}");
    address
}

/// The customer's messages in the order's chat, as the console reads them.
fn her_messages(server: &TestServer) -> Vec<String> {
    let mut res = kept_e2e::agent(Duration::from_secs(10))
        .get(&format!("{}/v1/orders/KC-1001/messages", server.url))
        .header("Authorization", &format!("Bearer {TOKEN}"))
        .call()
        .expect("the server answers");
    let page: Value = res.body_mut().read_json().expect("JSON");
    let messages = page["messages"].as_array().cloned().unwrap_or_default();
    messages
        .iter()
        .filter(|m| m["author"] == "customer")
        .filter_map(|m| m["text"].as_str().map(str::to_owned))
        .collect()
}

/// A server that sends email, takes replies over SMTP, and links to one-tap answers.
fn replying_server(mailbox: &Mailbox) -> TestServer {
    let mut flags = mail_flags(mailbox);
    flags.extend(["--smtp-listen", "127.0.0.1:0", "--public-url", PUBLIC].map(str::to_owned));
    start(&flags)
}

/// The first email after the operator's answer, two minutes on.
fn first_email(server: &TestServer, mailbox: &Mailbox) -> kept_e2e::mailbox::Received {
    clock(server, json!({ "minutes": 3 }));
    sweep(server);
    wait_for("the email", Duration::from_secs(10), || mailbox.received().into_iter().next())
}

#[test]
fn her_reply_by_email_comes_back_into_the_chat_once_and_only_from_her() {
    use kept_e2e::mailbox::{fixture, send};
    let mailbox = Mailbox::start();
    let server = replying_server(&mailbox);
    let smtp = server.smtp.clone().expect("the SMTP listener's address");
    clock(&server, json!({ "at": "2026-12-08T09:00:00Z" }));
    agree(&server, email_first(), "pl");
    answer(&server, "Dzień dobry, Kenya AA się skończyła. Może Kenya AB?");
    let got = first_email(&server, &mailbox);
    let to = reply_address(&got);
    assert!(got.text().contains("odpisując na tę wiadomość"), "she is told she can reply: {}", got.text());
    let her = "ola@example.pl";

    // A Gmail reply (text and HTML, the quote after "On … wrote:"), over real SMTP.
    let gmail = fixture("gmail_reply.eml", her, &to, "<CAF=gmail.1@mail.gmail.com>");
    assert_eq!(send(&smtp, her, &to, &gmail).0, 250);
    assert_eq!(her_messages(&server), ["Tak, poproszę o wymianę na Kenya AB."], "her words, not the quote");
    // Her mail program sends it again: the same Message-ID is the same message.
    assert_eq!(send(&smtp, her, &to, &gmail).0, 250);
    assert_eq!(her_messages(&server).len(), 1, "no second copy");

    // Outlook (ISO-8859-2, its quoted header block) and a reply with an attachment and a signature.
    let outlook = fixture("outlook_reply.eml", her, &to, "<DB9PR01MB.outlook.2@eurprd01.prod.outlook.com>");
    assert_eq!(send(&smtp, her, &to, &outlook).0, 250);
    let attached = fixture("attachment_reply.eml", her, &to, "<attach.3@example.pl>");
    assert_eq!(send(&smtp, her, &to, &attached).0, 250);
    let said = her_messages(&server);
    assert_eq!(said.len(), 3, "{said:?}");
    assert_eq!(said[1], "Proszę zostawić paczkę pod drzwiami.\n\nOla");
    assert_eq!(said[2], "Here is a photo of the door, code 1234.", "no signature, no attachment");

    // Each refusal is a clear SMTP answer, and nothing is stored.
    let forged = fixture("gmail_reply.eml", "mallory@example.com", &to, "<forged.4@example.com>");
    let (code, text) = send(&smtp, "mallory@example.com", &to, &forged);
    assert_eq!(code, 550, "{text}");
    assert!(text.contains("Only the address given for this order"), "{text}");
    let (code, text) = send(&smtp, her, "orders+aaaaaaaaaaaaaaaaaaaa@kawa.example", &gmail);
    assert_eq!(code, 550, "an address no order has: {text}");
    let (code, text) = send(&smtp, her, "orders@kawa.example", &gmail);
    assert_eq!(code, 550, "not a reply address: {text}");
    let mut huge = fixture("attachment_reply.eml", her, &to, "<huge.5@example.pl>");
    let line = [&b"x"[..]; 76].concat();
    for _ in 0..(5 * 1024 * 1024 / 78) {
        huge.extend_from_slice(&line);
        huge.extend_from_slice(b"\r\n");
    }
    let (code, text) = send(&smtp, her, &to, &huge);
    assert_eq!(code, 552, "over 4 MB, said at MAIL FROM: {text}");
    let (code, text) = kept_e2e::mailbox::send_as(&smtp, her, &to, &huge, false);
    assert_eq!(code, 552, "over 4 MB, found in DATA: {text}");
    // A refused message leaves the session sound (QUIT is answered at once) and the next is taken.
    let again = fixture("gmail_reply.eml", her, &to, "<after.7@mail.gmail.com>");
    assert_eq!(kept_e2e::mailbox::send_as(&smtp, her, &to, &again, false).0, 250);
    let (code, text) = send(&smtp, her, &to, b"\x00\x01 not a mail at all");
    assert_eq!(code, 554, "{text}");
    let quoted_only =
        format!("From: {her}\r\nTo: {to}\r\nMessage-ID: <q.6@example.pl>\r\nSubject: Re\r\n\r\n> only the quote\r\n");
    assert_eq!(send(&smtp, her, &to, quoted_only.as_bytes()).0, 550, "nothing of her own");
    assert_eq!(her_messages(&server).len(), 4, "none of the refused stored");
}

#[test]
fn the_inbound_mail_webhook_takes_the_providers_shapes_and_refuses_what_is_not_hers() {
    use kept_e2e::mailbox::fixture;
    let mailbox = Mailbox::start();
    let server = replying_server(&mailbox);
    clock(&server, json!({ "at": "2026-12-08T09:00:00Z" }));
    agree(&server, email_first(), "en");
    answer(&server, "Packed. Anything else?");
    let to = reply_address(&first_email(&server, &mailbox));
    let url = format!("{}/v1/backend/inbound-mail", server.url);
    let post = |body: Value| post_json(&url, KEY, None, body);

    // Parsed (Postmark's, Mailgun's): HTML only, Gmail's quote cut off.
    let html = r#"<div dir="ltr">Ring twice, please.</div><div class="gmail_quote"><div class="gmail_attr">On Tue wrote:</div><blockquote>Packed.</blockquote></div>"#;
    let parts = json!({ "from": "Ola <ola@example.pl>", "to": [to], "message_id": "<p.1@x>", "html": html });
    let (status, body) = post(parts.clone());
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        (body["order"].as_str(), body["message"]["text"].as_str()),
        (Some("KC-1001"), Some("Ring twice, please."))
    );
    let (status, body) = post(parts);
    assert_eq!((status, body["duplicate"].as_bool()), (200, Some(true)), "{body}");
    // Raw (SendGrid's, Mailgun's raw mode): the whole message.
    let raw = String::from_utf8(fixture("outlook_reply.eml", "ola@example.pl", &to, "<o.2@x>")).unwrap();
    let (status, body) = post(json!({ "raw": raw }));
    assert_eq!(status, 201, "{body}");
    assert!(body["message"]["text"].as_str().unwrap().starts_with("Proszę zostawić"), "{body}");
    // And as message/rfc822.
    let raw = fixture("attachment_reply.eml", "ola@example.pl", &to, "<a.3@x>");
    let res = kept_e2e::agent(Duration::from_secs(10))
        .post(&url)
        .header("Authorization", &format!("Bearer {KEY}"))
        .content_type("message/rfc822")
        .send(&raw[..])
        .expect("the server answers");
    assert_eq!(res.status().as_u16(), 201);
    assert_eq!(her_messages(&server).len(), 3);

    // Refusals name their field; nothing is stored.
    let field = |(status, body): (u16, Value)| (status, body["error"]["fields"][0]["path"].as_str().map(str::to_owned));
    let forged = json!({ "from": "mallory@example.com", "to": [to], "text": "Cancel everything" });
    assert_eq!(field(post(forged)), (422, Some("from".into())));
    let nowhere = json!({ "from": "ola@example.pl", "to": ["orders@kawa.example"], "text": "Hi" });
    assert_eq!(field(post(nowhere)), (422, Some("to".into())));
    let empty = json!({ "from": "ola@example.pl", "to": [to], "text": "> quoted\n> only" });
    assert_eq!(field(post(empty)), (422, Some("text".into())));
    let malformed = json!({ "raw": "no headers, no body" });
    assert_eq!(field(post(malformed)), (422, Some("raw".into())));
    let huge = json!({ "from": "ola@example.pl", "to": [to], "text": "x".repeat(5 * 1024 * 1024) });
    assert_eq!(post(huge).0, 413);
    let (status, _) = post_json(&url, "not-a-backend-key-at-all", None, json!({ "raw": "x" }));
    assert_eq!(status, 401);
    assert_eq!(her_messages(&server).len(), 3, "none of them stored");
}

/// The one-tap links in an email's text: (label, path on the server).
fn links(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.split_once(": https://kept.kawa.example"))
        .map(|(label, path)| (label.to_owned(), path.to_owned()))
        .collect()
}

/// GET or POST a link's page; its status and HTML.
fn open(server: &TestServer, method: &str, path: &str) -> (u16, String) {
    let agent = kept_e2e::agent(Duration::from_secs(10));
    let url = format!("{}{path}", server.url);
    let mut res = match method {
        "GET" => agent.get(&url).call(),
        _ => agent.post(&url).content_type("application/x-www-form-urlencoded").send(""),
    }
    .expect("the server answers");
    (res.status().as_u16(), res.body_mut().read_to_string().unwrap_or_default())
}

fn request_status(server: &TestServer, n: usize) -> String {
    server.get_json("/v1/orders/KC-1001")["change_requests"][n]["status"].as_str().unwrap_or_default().to_owned()
}

#[test]
fn a_question_by_email_is_answered_by_a_confirming_tap_and_never_by_a_fetch() {
    let mailbox = Mailbox::start();
    let server = replying_server(&mailbox);
    clock(&server, json!({ "at": "2026-12-08T09:00:00Z" }));
    let ask = kept_e2e::ask_first_rule();
    agree_with(
        &server,
        email_first(),
        "pl",
        json!([{ "item": "coffee-3", "rule": ask }, { "item": "coffee-5", "rule": ask }]),
    );
    let oos = |item: &str| {
        let url = format!("{}/v1/operator/orders/KC-1001/items/{item}/out-of-stock", server.url);
        let replacement = json!({ "replacement": { "id": "coffee-11", "name": "Kenya AB, 250 g",
            "unit_price": { "amount_minor": 5600, "currency": "PLN" } } });
        let (status, res) = post_json(&url, OPERATOR, None, replacement);
        assert_eq!((status, res["outcome"].as_str()), (200, Some("asked_customer")), "{res}");
    };
    oos("coffee-3");
    let got = first_email(&server, &mailbox);
    let text = got.text();
    let found = links(&text);
    assert_eq!(
        found.iter().map(|(l, _)| l.as_str()).collect::<Vec<_>>(),
        ["Przyjmuję zamiennik", "Usuńcie go"],
        "{text}"
    );
    assert!(got.html().contains(">Przyjmuję zamiennik</a>"), "{}", got.html());
    let (accept, remove) = (found[0].1.clone(), found[1].1.clone());

    // Mail scanners and link previews fetch it: the page shows the question, nothing is answered.
    for _ in 0..2 {
        let (status, page) = open(&server, "GET", &accept);
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("Kenya AB") && page.contains("Nic się nie zmieni"), "{page}");
        assert!(page.contains("<button type=\"submit\">Przyjmuję zamiennik</button>"), "{page}");
    }
    assert_eq!(request_status(&server, 0), "pending", "a GET answers nothing");

    // Another order's path, a token edited by hand: not a link of this order.
    let (status, page) = open(&server, "POST", &accept.replace("/KC-1001/", "/KC-1002/"));
    assert_eq!(status, 404, "{page}");
    let edited = accept.replacen("-a-", "-d-", 1);
    let (status, page) = open(&server, "POST", &edited);
    assert!(status == 404 && page.contains("Ten link jest nieprawidłowy"), "{status} {page}");
    assert_eq!(request_status(&server, 0), "pending");

    // Her confirming tap substitutes the item, through the widget's write path.
    let (status, page) = open(&server, "POST", &accept);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Dziękujemy") && page.contains("Zgoda została udzielona"), "{page}");
    let order = server.get_json("/v1/orders/KC-1001");
    assert_eq!(order["change_requests"][0]["status"], "accepted");
    assert_eq!(order["items"][2]["name"], "Kenya AB, 250 g");
    // Single use: the same tap again, or the other answer, says it is already answered.
    for path in [&accept, &remove] {
        let (status, page) = open(&server, "POST", path);
        assert!(status == 409 && page.contains("już odpowiedziano"), "{status} {page}");
    }
    assert_eq!(server.get_json("/v1/orders/KC-1001")["items"][2]["active"], true, "not removed after all");

    // A question whose deadline passes: its link answers nothing any more.
    oos("coffee-5");
    let second = {
        clock(&server, json!({ "minutes": 3 }));
        sweep(&server);
        wait_for("the second email", Duration::from_secs(10), || mailbox.received().get(1).cloned())
    };
    let accept5 = links(&second.text())[0].1.clone();
    clock(&server, json!({ "minutes": 20 }));
    let (status, page) = open(&server, "POST", &accept5);
    assert_eq!(status, 410, "{page}");
    assert!(page.contains("link wygasł") || page.contains("Czas na odpowiedź minął"), "{page}");
    assert_ne!(request_status(&server, 1), "accepted");
    sweep(&server);
    let (status, page) = open(&server, "GET", &accept5);
    assert!(status == 410 && page.contains("Czas na odpowiedź minął"), "{status} {page}");
    assert_eq!(server.get_json("/v1/orders/KC-1001")["items"][4]["active"], false, "her fallback: removed");
}

/// An element of the console page by test id, waiting for it.
fn op(b: &kept_e2e::webdriver::Browser, test_id: &str) -> kept_e2e::webdriver::Element {
    let css = format!("[data-testid=\"{test_id}\"]");
    wait_for(&css, kept_e2e::fixture::find::PATIENCE, || b.find(&css))
}

/// The text of the first element `css` finds, read in one script (a page that re-renders or
/// navigates meanwhile gives None, never a stale element).
fn text_at(b: &kept_e2e::webdriver::Browser, css: &str) -> Option<String> {
    let script = "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;";
    b.try_execute(script, vec![css.into()])?.as_str().map(str::to_owned)
}

fn op_text(b: &kept_e2e::webdriver::Browser, test_id: &str) -> String {
    text_at(b, &format!("[data-testid=\"{test_id}\"]")).unwrap_or_default()
}

#[test]
fn the_shops_answer_follows_her_by_email_and_she_answers_from_it() {
    use kept_e2e::fixture::{action, check, find};
    use kept_e2e::mailbox::{fixture, send};
    use kept_e2e::webdriver::Browser;
    let mailbox = Mailbox::start();
    let server = replying_server(&mailbox);
    clock(&server, json!({ "at": "2026-12-08T09:00:00Z" }));

    // In Polish: news by email first, never a call, and "ask me first" about substitutes.
    let customer = Browser::start();
    action::open_checkout(&customer, &server, Some("pl"));
    action::choose_channel(&customer, "email");
    action::type_into(&customer, "kept-email", "ola@example.pl");
    action::toggle_do_not_call(&customer);
    action::click(&customer, "rule-ask_first");
    action::choose_payment(&customer, "card_on_delivery");
    action::submit(&customer);
    find::by_test_id(&customer, "receipt");
    let contact = server.get_json("/v1/orders/KC-1001")["receipt"]["preferences"]["contact"].clone();
    assert_eq!(
        (contact["channels"][0].as_str(), contact["do_not_call"].as_bool()),
        (Some("email"), Some(true)),
        "{contact}"
    );

    // The operator's console, signed in, on her order.
    let console = Browser::start();
    console.goto(&format!("{}/operator/?locale=pl", server.url));
    console.type_text(&op(&console, "op-token"), OPERATOR);
    console.click(&op(&console, "op-sign-in"));
    op(&console, "op-orders");
    let open_order = "const b = Array.from(document.querySelectorAll('[data-testid=\"op-order\"]')) \
        .find((b) => b.textContent.includes('KC-1001')); if (!b) return false; b.click(); return true;";
    wait_for("KC-1001 in the console", find::PATIENCE, || console.execute(open_order, vec![]).as_bool()?.then_some(()));
    let say = |text: &str| {
        console.type_text(&op(&console, "op-composer"), text);
        console.click(&op(&console, "op-send"));
    };

    // What she reads in the open widget is never emailed. The widget's beacons have gone out
    // once the browser lists them as done: one more than before the message.
    let beacons = "return performance.getEntriesByType('resource').filter((e) => e.name.includes('/seen?')).length;";
    let before = customer.execute(beacons, vec![]).as_u64().unwrap_or(0);
    say("Dzień dobry! Kawa jest w drodze do pakowania.");
    wait_for("the message in the widget", find::PATIENCE, || {
        check::message_texts(&customer).iter().any(|t| t.contains("w drodze do pakowania")).then_some(())
    });
    wait_for("the widget's seen beacon", find::PATIENCE, || {
        (customer.execute(beacons, vec![]).as_u64()? > before).then_some(())
    });
    clock(&server, json!({ "minutes": 3 }));
    sweep(&server);
    assert_eq!(notifications(&server)[0]["state"], "seen");
    assert!(mailbox.received().is_empty(), "she saw it in the widget");

    // She closes the page; the operator answers; two minutes on, one email in Polish.
    customer.goto("about:blank");
    say("Przepraszamy, Etiopia się skończyła. Czy Kenya AB pasuje?");
    clock(&server, json!({ "minutes": 1 }));
    sweep(&server);
    assert!(mailbox.received().is_empty(), "not before two minutes");
    clock(&server, json!({ "minutes": 2 }));
    sweep(&server);
    let got = wait_for("the email", Duration::from_secs(10), || mailbox.received().into_iter().next());
    assert_eq!(
        (got.to.as_slice(), got.header("Content-Language").as_deref()),
        (&["ola@example.pl".to_owned()][..], Some("pl"))
    );
    assert!(
        got.text().contains("Czy Kenya AB pasuje?") && !got.text().contains("w drodze do pakowania"),
        "{}",
        got.text()
    );
    wait_for("'sent by email' in the console", find::PATIENCE, || {
        op_text(&console, "op-notifications").contains("Wysłane e-mailem").then_some(())
    });

    // She replies by email; her words appear in the console's chat, without the quote.
    let to = reply_address(&got);
    let smtp = server.smtp.clone().expect("the SMTP listener");
    let reply = fixture("gmail_reply.eml", "ola@example.pl", &to, "<CAF=story.1@mail.gmail.com>");
    assert_eq!(send(&smtp, "ola@example.pl", &to, &reply).0, 250);
    let chat = wait_for("her reply in the console", find::PATIENCE, || {
        let text = op_text(&console, "op-messages");
        text.contains("Tak, poproszę o wymianę na Kenya AB.").then_some(text)
    });
    assert!(!chat.contains("wrote:") && !chat.contains("Masz nieprzeczytane"), "{chat}");

    // An ask-first question arrives by email, with one-tap answers.
    let url = format!("{}/v1/operator/orders/KC-1001/items/coffee-3/out-of-stock", server.url);
    let replacement = json!({ "replacement": { "id": "coffee-11", "name": "Kenya AB, 250 g",
        "unit_price": { "amount_minor": 5600, "currency": "PLN" } } });
    let (status, res) = post_json(&url, OPERATOR, None, replacement);
    assert_eq!((status, res["outcome"].as_str()), (200, Some("asked_customer")), "{res}");
    clock(&server, json!({ "minutes": 3 }));
    sweep(&server);
    let question = wait_for("the question by email", Duration::from_secs(10), || mailbox.received().get(1).cloned());
    let accept =
        links(&question.text()).into_iter().find(|(l, _)| l == "Przyjmuję zamiennik").expect("the accept link").1;

    // A mail scanner fetches the link first: nothing is answered.
    let (status, _) = open(&server, "GET", &accept);
    assert_eq!(status, 200);
    assert_eq!(request_status(&server, 0), "pending", "a prefetch answers nothing");

    // Her tap opens the page; her confirming press substitutes the item.
    customer.goto(&format!("{}{accept}", server.url));
    let button = wait_for("the confirming button", find::PATIENCE, || customer.find("form button"));
    assert_eq!(customer.text(&button), "Przyjmuję zamiennik");
    let violations = check::accessibility_violations_in(&customer, "body");
    assert!(violations.is_empty(), "the answer page: {violations:#?}");
    customer.click(&button);
    wait_for("the thanks", find::PATIENCE, || {
        text_at(&customer, "main").filter(|t| t.contains("Dziękujemy")).map(|_| ())
    });
    assert_eq!(request_status(&server, 0), "accepted");

    // When she returns, the widget shows it.
    customer.goto(&format!("{}/?locale=pl", server.url));
    find::by_test_id(&customer, "receipt");
    wait_for("the substitute in her timeline", find::PATIENCE, || {
        let script = "const h = document.querySelector(arguments[0]); \
            const t = h && h.shadowRoot && h.shadowRoot.querySelector('[data-testid=\"timeline\"]'); \
            return t ? t.textContent : null;";
        let t = customer.try_execute(script, vec![find::HOST.into()])?.as_str()?.to_owned();
        t.contains("zastąpiony przez Kenya AB").then_some(())
    });
}
