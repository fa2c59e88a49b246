//! The step's layout in every language at a small phone's, a phone's and a laptop's width: nothing
//! sticks out or is clipped, every control is a 44×44 px target, the step is short enough to
//! finish at a glance, and the chat sits beside the step where the widget's box is wide enough,
//! under it where it is not.

use kept_e2e::fixture::find;
use kept_e2e::server::TestServer;
use kept_e2e::webdriver::Browser;
use serde_json::{json, Value};

const LOCALES: [&str; 5] = ["en", "ru", "pl", "uk", "de"];
/// (width, height): the smallest phones, a common phone, a laptop.
const SIZES: [(u32, u32); 3] = [(320, 640), (390, 844), (1280, 900)];

/// The tallest the step's column may be with nothing expanded, at a viewport width: 1.3 screens
/// of a 390×844 phone, 700 px on a laptop (the demo shop's page, its box 1100 px wide).
fn height_limit(width: u32) -> Option<f64> {
    match width {
        390 => Some(1.3 * 844.0),
        1280 => Some(700.0),
        _ => None,
    }
}

/// What is wrong with the layout, in words, and the heights measured.
const CHECK: &str = r#"
const host = document.querySelector('.kept-host');
const root = host.shadowRoot;
const box = root.querySelector('.kept').getBoundingClientRect();
const name = (el) => el.tagName.toLowerCase() + (el.dataset.testid ? `[${el.dataset.testid}]` : el.id ? `#${el.id}` : el.className ? `.${String(el.className).split(' ')[0]}` : '');
const problems = [];
if (document.documentElement.scrollWidth > innerWidth + 1) problems.push(`the page scrolls sideways (${document.documentElement.scrollWidth} > ${innerWidth})`);
for (const el of root.querySelectorAll('*')) {
  const r = el.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) continue;
  if (r.right > box.right + 1 || r.left < box.left - 1) problems.push(`${name(el)} sticks out (${Math.round(r.left)}..${Math.round(r.right)} of ${Math.round(box.left)}..${Math.round(box.right)})`);
  const cs = getComputedStyle(el);
  if (!['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) && cs.overflowX !== 'visible' && el.scrollWidth > el.clientWidth + 1) problems.push(`${name(el)} clips its content`);
}
for (const el of root.querySelectorAll('button, select, textarea, input, summary, a[href]')) {
  if (el.getBoundingClientRect().width === 0) continue;
  const target = ['checkbox', 'radio'].includes(el.type) ? (el.closest('label') ?? el) : el;
  const r = target.getBoundingClientRect();
  if (r.width < 44 - 0.5 || r.height < 44 - 0.5) problems.push(`${name(target)} is a ${Math.round(r.width)}x${Math.round(r.height)} target`);
}
const step = root.querySelector('.kept-layout__step').getBoundingClientRect();
const chat = root.querySelector('.kept-chat').getBoundingClientRect();
return { problems, width: box.width, step: step.height, side_by_side: chat.left >= step.right - 1, stacked: chat.top >= step.bottom - 1 };
"#;

#[test]
fn in_every_language_and_width_nothing_overflows_every_target_is_44px_the_step_is_short_and_the_columns_fit_the_box() {
    let server = TestServer::start();
    let b = Browser::start();
    let mut report = Vec::new();
    for (width, height) in SIZES {
        // Where the engine's window cannot be that narrow (WebKitGTK's), the shop's page is shown
        // in an iframe of that size, whose viewport it then is.
        let framed = b.set_viewport(width, height) != width;
        for locale in LOCALES {
            if framed {
                b.leave_frames();
                b.set_viewport(1280, 900);
                let page = format!("/?locale={locale}").replace('?', "%3F").replace('=', "%3D");
                b.goto(&format!("{}/frame.html?w={width}&h={height}&src={page}", server.url));
                let frame = kept_e2e::wait_for("the narrow frame", find::PATIENCE, || b.find("#narrow"));
                b.enter_frame(&frame);
            } else {
                b.goto(&format!("{}/?locale={locale}", server.url));
            }
            find::by_test_id(&b, "submit");
            find::by_test_id(&b, "composer");
            if framed {
                // A phone's scrollbars take no width (they overlay the page); a framed page's
                // classic ones would (Firefox's, 12 px).
                b.execute("document.documentElement.style.scrollbarWidth = 'none';", vec![]);
            }
            let seen: Value = b.execute(CHECK, vec![]);
            let problems: Vec<String> = serde_json::from_value(seen["problems"].clone()).unwrap_or_default();
            assert!(problems.is_empty(), "{locale} at {width} px: {problems:#?}");
            let box_width = seen["width"].as_f64().unwrap_or_default();
            if box_width >= 760.0 {
                assert_eq!(seen["side_by_side"], true, "{locale} at {width} px: the chat beside the step: {seen}");
            } else {
                assert_eq!(seen["stacked"], true, "{locale} at {width} px: the chat under the step: {seen}");
            }
            let step = seen["step"].as_f64().unwrap_or_default();
            report.push(format!("{locale} {width}: step {step} px in a {box_width} px box"));
            if let Some(limit) = height_limit(width) {
                assert!(step <= limit, "{locale} at {width} px: the step is {step} px tall, more than {limit}");
            }
        }
    }
    eprintln!("{}", report.join("\n"));
}

#[test]
fn under_the_step_the_chat_is_a_panel_that_counts_what_is_unread_and_beside_it_the_chat_is_open() {
    let server = TestServer::start();
    let b = Browser::start();
    b.set_viewport(390, 844);
    b.goto(&format!("{}/?locale=pl", server.url));
    let toggle = find::by_test_id(&b, "chat-toggle");
    let composer = find::by_test_id(&b, "composer");
    assert!(b.is_displayed(&toggle), "the panel's header is there");
    assert!(!b.is_displayed(&composer), "the panel starts closed under the step");
    assert_eq!(b.property(&toggle, "ariaExpanded"), "false");
    server.operator_post("/v1/operator/orders/KC-1001/messages", "op-1", json!({ "text": "Dzień dobry!" }));
    let badge = kept_e2e::wait_for("the unread count", find::PATIENCE, || {
        b.find_in_shadow(find::HOST, "[data-testid=\"chat-unread\"]").map(|e| b.text(&e)).filter(|t| t == "1")
    });
    assert_eq!(badge, "1");
    assert!(b.text(&toggle).contains("1 nowa wiadomość"), "{}", b.text(&toggle));
    b.click(&toggle);
    assert!(b.is_displayed(&composer), "opened by the customer");
    assert_eq!(b.property(&toggle, "ariaExpanded"), "true");
    assert_eq!(b.text(&find::by_test_id(&b, "chat-unread")), "", "read once open");
    b.click(&toggle);
    assert!(!b.is_displayed(&composer), "closed again");
    // Wide enough for two columns: no panel, the chat is simply there, closed panel or not.
    b.set_viewport(1280, 900);
    kept_e2e::wait_for("the chat beside the step", find::PATIENCE, || {
        (!b.is_displayed(&toggle) && b.is_displayed(&composer)).then_some(())
    });
}

#[test]
fn things_move_only_when_the_customers_settings_allow_motion() {
    let server = TestServer::start();
    let b = Browser::start();
    let animation = |b: &Browser| -> Value {
        b.execute(
            "return getComputedStyle(document.querySelector('.kept-host').shadowRoot.querySelector('.kept-chat__body')).animationName",
            vec![],
        )
    };
    for (setting, expected) in [("reduce", "none"), ("no-preference", "kept-in")] {
        b.cdp(
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-reduced-motion", "value": setting }] }),
        );
        b.goto(&format!("{}/?locale=en", server.url));
        find::by_test_id(&b, "composer");
        assert_eq!(animation(&b), expected, "prefers-reduced-motion: {setting}");
    }
}
