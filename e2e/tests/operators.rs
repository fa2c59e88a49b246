//! Named operators: accounts made with `kept-server operator add`, signed in to the console with
//! name and password; what they do is recorded as theirs; guessing passwords is slowed.

use kept_e2e::fixture::find;
use kept_e2e::server::{TestServer, TOKEN};
use kept_e2e::wait_for;
use kept_e2e::webdriver::{Browser, Element};

fn op(b: &Browser, test_id: &str) -> Element {
    let css = format!("[data-testid=\"{test_id}\"]");
    wait_for(&css, find::PATIENCE, || b.find(&css))
}

fn text_of(b: &Browser, test_id: &str) -> String {
    b.find(&format!("[data-testid=\"{test_id}\"]")).map(|e| b.text(&e)).unwrap_or_default()
}

fn sign_in(b: &Browser, name: &str, password: &str) {
    let (n, p) = (op(b, "op-name"), op(b, "op-password"));
    b.clear(&n);
    b.type_text(&n, name);
    b.clear(&p);
    b.type_text(&p, password);
    b.click(&op(b, "op-sign-in-named"));
}

#[test]
fn a_named_operator_signs_in_and_the_order_shows_who_acted_while_guessing_is_slowed() {
    let server = TestServer::start();
    // The customer's agreement: missing items are substituted with something similar, at most +10 %.
    let agreement = serde_json::json!({
        "contact": { "channels": ["chat"], "do_not_call": true },
        "substitutions": { "default": { "rule": "similar", "max_increase": { "kind": "percent", "percent": 10 } } },
        "payment": "card_online",
        "locale": "en"
    });
    let res = ureq::post(&format!("{}/v1/orders/KC-1001/preferences", server.url))
        .header("Authorization", &format!("Bearer {TOKEN}"))
        .header("Idempotency-Key", "agree")
        .send_json(&agreement)
        .expect("agreed");
    assert_eq!(res.status().as_u16(), 201);
    server.add_operator("anna", "Anna", "anna-long-password-1");
    server.add_operator("bob", "Bob", "bob-long-password-22");
    let console = Browser::start();
    console.goto(&format!("{}/operator/?locale=en", server.url));

    // A wrong password is refused, and repeated failures are slowed.
    for _ in 0..5 {
        sign_in(&console, "bob", "not his password");
        wait_for("the refusal", find::PATIENCE, || {
            text_of(&console, "op-sign-in-error").contains("Wrong name or password").then_some(())
        });
    }
    sign_in(&console, "bob", "bob-long-password-22");
    let slowed = wait_for("slowed down", find::PATIENCE, || {
        let t = text_of(&console, "op-sign-in-error");
        t.contains("Too many wrong passwords").then_some(t)
    });
    assert!(slowed.contains("15") || slowed.contains("14"), "{slowed}");

    // Anna signs in and marks Ethiopia out of stock; the order says she did.
    sign_in(&console, "anna", "anna-long-password-1");
    op(&console, "op-orders");
    let script = "const b = Array.from(document.querySelectorAll('[data-testid=\"op-order\"]')) \
                  .find((b) => b.textContent.includes('KC-1001')); if (b) { b.click(); return true; } return false;";
    wait_for("KC-1001 opened", find::PATIENCE, || console.execute(script, vec![]).as_bool().filter(|b| *b));
    let pick = "const s = document.querySelector('[data-testid=\"op-replacement-coffee-1\"]'); \
                const o = Array.from(s.options).find((o) => o.textContent.startsWith('Colombia Huila')); \
                s.value = o.value; s.dispatchEvent(new Event('change')); return o.value;";
    wait_for("the replacement list", find::PATIENCE, || console.find("[data-testid=\"op-replacement-coffee-1\"]"));
    console.execute(pick, vec![]);
    console.click(&op(&console, "op-substitute-coffee-1"));
    let timeline = wait_for("Anna on the timeline", find::PATIENCE, || {
        let t = text_of(&console, "op-timeline");
        t.contains("Anna · ").then_some(t)
    });
    assert!(timeline.contains("replaced with Colombia Huila"), "{timeline}");
    let order = server.get_json("/v1/orders/KC-1001");
    let last = order["timeline"].as_array().unwrap().last().cloned().unwrap();
    assert_eq!(last["by"], "Anna");

    // Her console is open: the shop says so by name.
    let shop = server.get_json("/v1/shop");
    assert_eq!(shop["availability"]["online"][0], "Anna");
}

/// Signs in over HTTP; the session cookie, or the status when refused.
fn session(server: &TestServer, name: &str, password: &str) -> Result<String, u16> {
    let res = kept_e2e::agent(std::time::Duration::from_secs(10))
        .post(&format!("{}/v1/operator/session", server.url))
        .send_json(serde_json::json!({ "name": name, "password": password }))
        .expect("kept-server answers");
    match res.status().as_u16() {
        200 => Ok(res.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned()),
        other => Err(other),
    }
}

fn signed_in(server: &TestServer, cookie: &str) -> u16 {
    kept_e2e::agent(std::time::Duration::from_secs(10))
        .get(&format!("{}/v1/operator/session", server.url))
        .header("Cookie", cookie)
        .call()
        .expect("kept-server answers")
        .status()
        .as_u16()
}

#[test]
fn the_command_line_lists_disables_enables_resets_and_removes_people_while_the_server_runs() {
    let server = TestServer::start();
    server.add_operator("anna", "Anna", "anna-long-password-1");
    let (ok, list) = server.cli(&["operator", "list"], "");
    assert!(ok && list.contains("anna\tAnna\tenabled"), "{list}");
    let cookie = session(&server, "anna", "anna-long-password-1").expect("anna signs in");

    let (ok, said) = server.cli(&["operator", "disable", "anna"], "");
    assert!(ok, "{said}");
    assert_eq!(signed_in(&server, &cookie), 401, "her session ended at once");
    assert_eq!(session(&server, "anna", "anna-long-password-1"), Err(401), "no sign-in while disabled");
    assert!(server.cli(&["operator", "list"], "").1.contains("anna\tAnna\tdisabled"));

    assert!(server.cli(&["operator", "enable", "anna"], "").0);
    let cookie = session(&server, "anna", "anna-long-password-1").expect("enabled again");
    let (ok, said) = server.cli(&["operator", "password", "anna"], "anna-new-password-22\n");
    assert!(ok, "{said}");
    assert_eq!(signed_in(&server, &cookie), 401, "a new password ends every old session");
    assert!(session(&server, "anna", "anna-new-password-22").is_ok());
    let (ok, said) = server.cli(&["operator", "password", "anna"], "short\n");
    assert!(!ok && said.contains("password"), "a short password is refused: {said}");

    assert!(server.cli(&["operator", "remove", "anna"], "").0);
    let (ok, said) = server.cli(&["operator", "remove", "anna"], "");
    assert!(!ok && said.contains("not found"), "{said}");
    assert!(!server.cli(&["operator", "list"], "").1.contains("anna"));
}
