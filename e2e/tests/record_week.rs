//! The record of kept promises over a scripted week on a fixed calendar: a shop with split hours
//! and a holiday, two operators, three customers. Its record was worked out by hand; the backend
//! API (JSON and CSV) and the console's Record page must both show exactly that, on SQLite and on
//! PostgreSQL with two instances (the customers on one, the shop's people on the other, both
//! sweeping). The servers' clocks are set by the test (`POST /v1/test/clock`), never waited for.

use kept_e2e::fixture::find;
use kept_e2e::server::{TestServer, OPERATOR, TOKEN};
use kept_e2e::wait_for;
use kept_e2e::webdriver::Browser;
use serde_json::{json, Value};
use std::time::Duration;

const KEY: &str = "backend-key-record-week-0123";

/// Warsaw local time in December 2026 (UTC+1), e.g. `at("07 10:00")`.
fn at(day_time: &str) -> String {
    let (day, time) = day_time.split_once(' ').unwrap();
    format!("2026-12-{day}T{time}:00+01:00")
}

/// Who is calling: the shop's servers, the shop-wide operator token, a customer or a signed-in
/// operator's session cookie.
#[derive(Clone, Copy)]
enum By<'a> {
    Backend,
    Shop,
    Customer(&'a str),
    Session(&'a str),
}

/// The week's servers: `front` takes the customers' requests, `back` the shop's people's.
struct Week<'a> {
    all: &'a [TestServer],
    front: &'a TestServer,
    back: &'a TestServer,
}

fn agent() -> ureq::Agent {
    kept_e2e::agent(Duration::from_secs(20))
}

/// A fresh Idempotency-Key.
fn key() -> String {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    format!("week-{}", N.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
}

fn send(server: &TestServer, method: &str, path: &str, by: By, body: Option<Value>) -> (u16, String) {
    let url = format!("{}{path}", server.url);
    let a = agent();
    let req = match method {
        "GET" => a.get(&url).force_send_body(),
        "PUT" => a.put(&url),
        _ => a.post(&url),
    };
    let req = match by {
        By::Backend => req.header("Authorization", &format!("Bearer {KEY}")),
        By::Shop => req.header("Authorization", &format!("Bearer {OPERATOR}")),
        By::Customer(token) => req.header("Authorization", &format!("Bearer {token}")),
        By::Session(cookie) => req.header("Cookie", cookie).header("X-Kept-Console", "1"),
    };
    let req = req
        .header("Idempotency-Key", &key())
        .header("Accept", if path.contains("csv") { "text/csv" } else { "application/json" });
    let mut res = match body {
        Some(b) => req.send_json(&b),
        None if method == "GET" => req.send_empty(),
        None => req.send_json(json!({})),
    }
    .expect("the server answers");
    (res.status().as_u16(), res.body_mut().read_to_string().unwrap_or_default())
}

fn json_of(server: &TestServer, method: &str, path: &str, by: By, body: Option<Value>, want: u16) -> Value {
    let (status, text) = send(server, method, path, by, body);
    assert_eq!(status, want, "{method} {path}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

impl Week<'_> {
    /// Every instance's clock to `day_time`.
    fn set(&self, day_time: &str) {
        for s in self.all {
            json_of(s, "POST", "/v1/test/clock", By::Shop, Some(json!({ "at": at(day_time) })), 200);
        }
    }

    /// Every instance sweeps now (the background sweeper may have been first).
    fn sweep(&self) {
        for s in self.all {
            json_of(s, "POST", "/v1/test/sweep", By::Shop, Some(json!({ "minutes_later": 0 })), 200);
        }
    }

    /// A named operator, added by the shop's servers.
    fn operator(&self, name: &str, display: &str) {
        let body = json!({ "name": name, "display_name": display, "password": "correct horse battery" });
        json_of(self.back, "POST", "/v1/backend/operators", By::Backend, Some(body), 201);
    }

    /// The operator signs in on the shop's people's instance (a session lasts a working day, so
    /// each piece of work signs in afresh); their session cookie.
    fn session(&self, name: &str) -> String {
        let res = agent()
            .post(&format!("{}/v1/operator/session", self.back.url))
            .send_json(json!({ "name": name, "password": "correct horse battery" }))
            .expect("the server answers");
        assert_eq!(res.status().as_u16(), 200, "{name} signs in");
        res.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned()
    }

    /// A new order from the shop's servers (with a delivery slot, local times); its customer token.
    fn order(&self, id: &str, slot: Option<(&str, &str)>) -> String {
        let mut order = json!({ "items": [{ "id": "tea", "name": "Sencha", "quantity": 1,
            "unit_price": { "amount_minor": 1500, "currency": "PLN" } }] });
        if let Some((start, end)) = slot {
            order["delivery_slot"] = json!({ "start": at(start), "end": at(end) });
        }
        let saved = json_of(self.front, "PUT", &format!("/v1/backend/orders/{id}"), By::Backend, Some(order), 201);
        saved["customer_token"].as_str().unwrap().to_owned()
    }

    fn writes(&self, order: &str, token: &str, client_id: &str) {
        let body = json!({ "client_id": client_id, "text": "Where is my order?" });
        json_of(self.front, "POST", &format!("/v1/orders/{order}/messages"), By::Customer(token), Some(body), 201);
    }

    fn answers(&self, cookie: &str, order: &str) {
        let body = json!({ "text": "On its way." });
        json_of(
            self.back,
            "POST",
            &format!("/v1/operator/orders/{order}/messages"),
            By::Session(cookie),
            Some(body),
            201,
        );
    }

    fn status(&self, cookie: &str, order: &str, status: &str) {
        let body = json!({ "status": status });
        json_of(
            self.back,
            "POST",
            &format!("/v1/operator/orders/{order}/status"),
            By::Session(cookie),
            Some(body),
            200,
        );
    }

    /// `GET /v1/orders/{order}/promises` in English.
    fn own(&self, order: &str, token: &str) -> Value {
        json_of(self.front, "GET", &format!("/v1/orders/{order}/promises?locale=en"), By::Customer(token), None, 200)
    }

    fn reply_promise(&self, order: &str, token: &str) -> Value {
        let own = self.own(order, token);
        own["promises"].as_array().unwrap().iter().rfind(|p| p["kind"] == "reply").unwrap().clone()
    }
}

fn figures(row: &Value) -> (u64, u64, u64) {
    let n = |k: &str| row[k].as_u64().unwrap_or(0);
    (n("kept"), n("broken"), n("prevented"))
}

fn rows(record: &Value) -> Vec<(String, (u64, u64, u64))> {
    record["rows"].as_array().unwrap().iter().map(|r| (r["key"].as_str().unwrap().to_owned(), figures(r))).collect()
}

/// The week, scripted; then its record through the API, as CSV and on the console's Record page.
fn scripted_week(all: &[TestServer]) {
    let w = Week { all, front: &all[0], back: all.last().unwrap() };
    w.set("07 08:00");
    // The shop's split hours (09:00-13:00, 14:00-18:00 on weekdays) and a holiday on Wednesday.
    let mut shop = json_of(w.back, "GET", "/v1/shop", By::Shop, None, 200);
    let day = |d: &str| json!({ "day": d, "intervals": [{ "start": "09:00", "end": "13:00" }, { "start": "14:00", "end": "18:00" }] });
    shop["hours"] = json!(["monday", "tuesday", "wednesday", "thursday", "friday"].map(day));
    shop["holidays"] = json!([{ "date": "2026-12-09", "name": "Shop's day off" }]);
    json_of(w.back, "POST", "/v1/operator/shop", By::Shop, Some(shop), 204);
    w.operator("anna", "Anna");
    w.operator("piotr", "Piotr");
    let a = w.order("A-1", None);
    let b = w.order("B-1", Some(("11 10:00", "11 12:00")));
    let c = w.order("C-1", Some(("11 12:00", "11 14:00")));
    let story = json!({
        "contact": { "channels": ["chat", "whatsapp"], "do_not_call": true, "phone": "+48 600 100 200" },
        "substitutions": {
            "default": { "rule": "similar", "max_increase": { "kind": "percent", "percent": 10 } },
            "overrides": [{ "item": "coffee-3", "rule": kept_e2e::ask_first_rule() }]
        },
        "payment": "card_on_delivery",
        "notes": [],
        "locale": "en"
    });
    let demo = json_of(w.front, "POST", "/v1/orders/KC-1001/preferences", By::Customer(TOKEN), Some(story), 201);

    // Monday. R1: 10:00, shown 15 minutes (nothing measured yet); Anna answers at 10:05.
    w.set("07 10:00");
    w.writes("A-1", &a, "r1");
    let r1 = w.reply_promise("A-1", &a);
    assert_eq!((r1["promised_minutes"].as_u64(), r1["due_at"].as_str()), (Some(15), Some("2026-12-07T09:15:00.000Z")));
    w.set("07 10:05");
    w.answers(&w.session("anna"), "A-1");
    // CB1: asked at 11:00 for Tuesday 10:00-12:00.
    w.set("07 11:00");
    let cb = json!({ "date": "2026-12-08", "window": { "start": "10:00", "end": "12:00" } });
    let cb1 = json_of(w.front, "POST", "/v1/orders/A-1/callbacks", By::Customer(&a), Some(cb), 201);
    // R2: 12:58, two minutes before the lunch break: shown 5 (one sample of 300 s), due 14:03.
    w.set("07 12:58");
    w.writes("B-1", &b, "r2");
    let r2 = w.reply_promise("B-1", &b);
    assert_eq!((r2["promised_minutes"].as_u64(), r2["due_at"].as_str()), (Some(5), Some("2026-12-07T13:03:00.000Z")));
    w.set("07 14:02");
    w.answers(&w.session("piotr"), "B-1");
    // R3: 17:59, a minute before closing: due Tuesday 09:04.
    w.set("07 17:59");
    w.writes("C-1", &c, "r3");
    assert_eq!(w.reply_promise("C-1", &c)["due_at"], "2026-12-08T08:04:00.000Z");
    // CB2: asked at 20:00 for Tuesday 14:00-16:00, never called.
    w.set("07 20:00");
    let cb = json!({ "date": "2026-12-08", "window": { "start": "14:00", "end": "16:00" } });
    json_of(w.front, "POST", "/v1/orders/B-1/callbacks", By::Customer(&b), Some(cb), 201);

    // Tuesday. R3 breaks at 09:04 (nobody's yet); Anna answers late at 09:30.
    w.set("08 09:10");
    w.sweep();
    assert_eq!(w.reply_promise("C-1", &c)["state"], "broken");
    w.set("08 09:30");
    w.answers(&w.session("anna"), "C-1");
    // CB1 called by Anna inside its window.
    w.set("08 10:40");
    let log = json!({ "callback": cb1["id"], "note": "talked" });
    json_of(w.back, "POST", "/v1/operator/orders/A-1/calls", By::Session(&w.session("anna")), Some(log), 201);
    // Ask first: Piotr finds coffee-3 missing at 11:00 and offers Kenya AB; she accepts at 11:10.
    w.set("08 11:00");
    let offer = json!({ "replacement": { "id": "coffee-11", "name": "Kenya AB, 250 g",
        "unit_price": { "amount_minor": 5600, "currency": "PLN" } } });
    let path = "/v1/operator/orders/KC-1001/items/coffee-3/out-of-stock";
    json_of(w.back, "POST", path, By::Session(&w.session("piotr")), Some(offer), 200);
    let detail = json_of(w.back, "GET", "/v1/operator/orders/KC-1001", By::Shop, None, 200);
    let question = detail["promises"].as_array().unwrap().iter().find(|p| p["kind"] == "ask_first").unwrap().clone();
    w.set("08 11:10");
    let answer = format!("/v1/orders/KC-1001/change-requests/{}/answer", question["subject"]);
    json_of(w.front, "POST", &answer, By::Customer(TOKEN), Some(json!({ "accept": true })), 200);
    // Three deviations stopped: Piotr's call to a do-not-call customer, Piotr's dearer substitute,
    // Anna's request to prepay.
    w.set("08 11:30");
    json_of(
        w.back,
        "POST",
        "/v1/operator/orders/KC-1001/calls",
        By::Session(&w.session("piotr")),
        Some(json!({})),
        422,
    );
    let dear = json!({ "replacement": { "id": "x", "name": "Geisha", "unit_price": { "amount_minor": 99900, "currency": "PLN" } } });
    let path = "/v1/operator/orders/KC-1001/items/coffee-1/out-of-stock";
    json_of(w.back, "POST", path, By::Session(&w.session("piotr")), Some(dear), 422);
    let prepay =
        json!({ "change": { "kind": "payment", "method": "card_online" }, "reason": "the courier has no terminal" });
    json_of(
        w.back,
        "POST",
        "/v1/operator/orders/KC-1001/change-requests",
        By::Session(&w.session("anna")),
        Some(prepay),
        201,
    );
    // CB2 breaks at 16:00.
    w.set("08 16:05");
    w.sweep();

    // Wednesday is the shop's day off: R4 at 10:00 is due Thursday 09:05, answered 09:03.
    w.set("09 10:00");
    w.writes("A-1", &a, "r4");
    let r4 = w.reply_promise("A-1", &a);
    assert_eq!((r4["promised_minutes"].as_u64(), r4["due_at"].as_str()), (Some(5), Some("2026-12-10T08:05:00.000Z")));
    w.set("10 09:03");
    w.answers(&w.session("anna"), "A-1");
    // A claim at 12:00, answered by Piotr in the chat at 12:20.
    w.set("10 12:00");
    let claim = json!({ "receipt_version": demo["version"], "promise": "called_me" });
    json_of(w.front, "POST", "/v1/orders/KC-1001/reports", By::Customer(TOKEN), Some(claim), 201);
    w.set("10 12:20");
    w.answers(&w.session("piotr"), "KC-1001");

    // Friday: B delivered inside its slot by Anna; C late, by Piotr (the sweeper broke it at 14:00).
    w.set("11 11:30");
    w.status(&w.session("anna"), "B-1", "OrderDelivered");
    w.set("11 14:10");
    w.sweep();
    w.set("11 14:30");
    w.status(&w.session("piotr"), "C-1", "OrderDelivered");
    w.set("11 15:00");
    json_of(w.front, "POST", "/v1/orders/B-1/survey", By::Customer(&b), Some(json!({ "rating": 4 })), 201);
    w.sweep();

    // The record, worked out by hand: kept, broken, prevented.
    let week = "from=2026-12-07&to=2026-12-11";
    let by_kind = json_of(w.front, "GET", &format!("/v1/backend/record?{week}&by=kind"), By::Backend, None, 200);
    let hand = [
        ("reply", (3, 1, 0)),
        ("callback", (1, 1, 0)),
        ("ask_first", (1, 0, 0)),
        ("delivery", (1, 1, 0)),
        ("deviation", (0, 0, 3)),
        ("claim", (0, 0, 0)),
    ];
    assert_eq!(rows(&by_kind), hand.map(|(k, f)| (k.to_owned(), f)));
    let total = &by_kind["total"];
    assert_eq!(figures(total), (6, 3, 3));
    assert_eq!(
        (total["kept_percent"].as_u64(), total["claims"].as_u64(), total["claims_answered"].as_u64()),
        (Some(66), Some(1), Some(1))
    );
    assert_eq!((total["surveys"].as_u64(), total["rating_sum"].as_u64()), (Some(1), Some(4)));
    let by_op = json_of(w.back, "GET", &format!("/v1/backend/record?{week}&by=operator"), By::Backend, None, 200);
    let hand = [("", (1, 1, 0)), ("Anna", (4, 1, 1)), ("Piotr", (1, 1, 2))];
    assert_eq!(rows(&by_op), hand.map(|(k, f)| (k.to_owned(), f)));
    let by_day = json_of(w.front, "GET", &format!("/v1/backend/record?{week}&by=day"), By::Backend, None, 200);
    let hand =
        [("2026-12-07", (2, 0, 0)), ("2026-12-08", (2, 2, 3)), ("2026-12-10", (1, 0, 0)), ("2026-12-11", (1, 1, 0))];
    assert_eq!(rows(&by_day), hand.map(|(k, f)| (k.to_owned(), f)));

    // The same as CSV.
    let (status, csv) =
        send(w.back, "GET", &format!("/v1/backend/record?{week}&by=operator&format=csv"), By::Backend, None);
    assert_eq!(status, 200);
    assert_eq!(
        csv,
        "operator,kept,broken,kept_percent,prevented,claims,claims_answered,surveys,rating_sum\r\n\
         ,1,1,50,0,1,0,1,4\r\nAnna,4,1,80,1,0,0,0,0\r\nPiotr,1,1,50,2,0,1,0,0\r\ntotal,6,3,66,3,1,1,1,4\r\n"
    );

    // She reads them in her words: C's slot kept late, her reply answered late.
    assert_eq!(
        w.own("C-1", &c)["lines"],
        json!([
            "Delivery today, 12:00–14:00: delivered today, 14:30, late",
            "An answer within 5 minutes: answered in 31 minutes (promised 5)"
        ])
    );
    // Each promise links to its evidence: R3 broken, closed late by Anna with her answer's event.
    let page = json_of(w.back, "GET", "/v1/backend/promises?kind=reply&state=broken", By::Backend, None, 200);
    let broken = page["promises"].as_array().unwrap();
    assert_eq!(broken.len(), 1, "{page}");
    assert_eq!((broken[0]["order"].as_str(), broken[0]["operator"].as_str()), (Some("C-1"), Some("Anna")));
    assert_eq!(
        (broken[0]["decided_at"].as_str(), broken[0]["closed_at"].as_str()),
        (Some("2026-12-08T08:04:00.000Z"), Some("2026-12-08T08:30:00.000Z"))
    );
    assert!(broken[0]["event"].as_i64().is_some());

    // The console's Record page (the last 7 days, by the server's clock on Friday) shows the same.
    let console = Browser::start();
    console.goto(&format!("{}/operator/?locale=en", w.back.url));
    let token = wait_for("the sign-in form", find::PATIENCE, || console.find("[data-testid=\"op-token\"]"));
    console.type_text(&token, OPERATOR);
    console.click(&wait_for("sign in", find::PATIENCE, || console.find("[data-testid=\"op-sign-in\"]")));
    console.click(&wait_for("the record", find::PATIENCE, || console.find("[data-testid=\"op-record-toggle\"]")));
    let seven =
        "const b = Array.from(document.querySelectorAll('[data-testid=\"op-record\"] [role=\"group\"] button')) \
                 .find((b) => b.textContent.trim() === '7'); if (b) { b.click(); } return !!b;";
    wait_for("the 7 days button pressed", find::PATIENCE, || console.execute(seven, vec![]).as_bool().filter(|b| *b));
    let table = |id: &str| -> Vec<String> {
        let script = "return Array.from(document.querySelectorAll(`[data-testid=\"${arguments[0]}\"] tbody tr`)) \
                      .map((tr) => Array.from(tr.children).map((c) => c.textContent.trim()).join(' | '));";
        let rows = console.execute(script, vec![id.into()]);
        rows.as_array().into_iter().flatten().filter_map(|r| r.as_str().map(str::to_owned)).collect()
    };
    let shown = |id: &str, want: &[&str]| {
        let got = kept_e2e::poll(find::PATIENCE, || Some(table(id)).filter(|t| t == want)).unwrap_or_else(|| table(id));
        assert_eq!(got, want, "the console's {id}");
    };
    // Kind, kept share, kept, broken, prevented, claims (answered), surveys (mean rating).
    shown(
        "op-record-kinds",
        &[
            "Reply | 75 % | 3 | 1 | 0 | 0 (0) | –",
            "Callback | 50 % | 1 | 1 | 0 | 0 (0) | –",
            "Ask first | 100 % | 1 | 0 | 0 | 0 (0) | –",
            "Delivery slot | 50 % | 1 | 1 | 0 | 0 (0) | –",
            "Deviation stopped | – | 0 | 0 | 3 | 0 (0) | –",
            "Claim | – | 0 | 0 | 0 | 1 (1) | –",
            "Total | 66 % | 6 | 3 | 3 | 1 (1) | 1 (4.0)",
        ],
    );
    shown(
        "op-record-operators",
        &[
            "nobody | 50 % | 1 | 1 | 0 | 1 (0) | 1 (4.0)",
            "Anna | 80 % | 4 | 1 | 1 | 0 (0) | –",
            "Piotr | 50 % | 1 | 1 | 2 | 0 (1) | –",
            "Total | 66 % | 6 | 3 | 3 | 1 (1) | 1 (4.0)",
        ],
    );
    shown(
        "op-record-days",
        &[
            "2026-12-07 | 100 % | 2 | 0 | 0 | 0 (0) | –",
            "2026-12-08 | 50 % | 2 | 2 | 3 | 0 (0) | –",
            "2026-12-10 | 100 % | 1 | 0 | 0 | 1 (1) | –",
            "2026-12-11 | 50 % | 1 | 1 | 0 | 0 (0) | 1 (4.0)",
            "Total | 66 % | 6 | 3 | 3 | 1 (1) | 1 (4.0)",
        ],
    );
}

#[test]
fn a_scripted_week_gives_the_record_worked_out_by_hand_on_sqlite() {
    let server = TestServer::start_with(&[], &["--backend-key", KEY]);
    scripted_week(std::slice::from_ref(&server));
}

#[test]
fn a_scripted_week_gives_the_record_worked_out_by_hand_on_postgres_with_two_instances() {
    let servers = TestServer::instances(2, &["--backend-key", KEY]);
    scripted_week(&servers);
}
