//! Renders the step, the receipt and the order-status chat in every language, light and dark,
//! at a phone's and a laptop's width, into PNG files; `cargo xtask screenshots` sets it up.

use std::path::PathBuf;

use base64::Engine;
use kept_e2e::fixture::{action, find};
use kept_e2e::server::TestServer;
use kept_e2e::webdriver::Browser;
use serde_json::json;

const LOCALES: [&str; 5] = ["en", "ru", "pl", "uk", "de"];
const THEMES: [&str; 2] = ["light", "dark"];
/// (width, height) of the viewport: a phone, a laptop.
const SIZES: [(u32, u32); 2] = [(390, 844), (1280, 900)];

fn main() {
    let out = std::env::args().nth(1).map(PathBuf::from).unwrap_or_else(|| PathBuf::from("target/screenshots"));
    // An optional second argument picks languages (`ru,uk`), for a quick look at one change.
    let only = std::env::args().nth(2).unwrap_or_default();
    std::fs::create_dir_all(&out).expect("the screenshots folder");
    let b = Browser::start();
    let mut written = 0;
    for locale in LOCALES.into_iter().filter(|l| only.is_empty() || only.split(',').any(|o| o == *l)) {
        for theme in THEMES {
            for (width, height) in SIZES {
                // A fresh shop each time: the demo order has no agreement yet, so the step shows.
                let server = TestServer::start();
                b.cdp(
                    "Emulation.setDeviceMetricsOverride",
                    json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600 }),
                );
                b.cdp(
                    "Emulation.setEmulatedMedia",
                    json!({ "features": [{ "name": "prefers-color-scheme", "value": theme }] }),
                );
                let name = |what: &str| out.join(format!("{what}-{locale}-{theme}-{width}.png"));
                b.goto(&format!("{}/shot.html?locale={locale}&theme={theme}", server.url));
                action::wait_for_form(&b);
                find::by_test_id(&b, "composer");
                shoot(&b, &name("step"));
                action::coffee_story(&b);
                find::by_test_id(&b, "receipt");
                shoot(&b, &name("receipt"));
                b.goto(&format!("{}/shot.html?locale={locale}&theme={theme}&mode=status", server.url));
                find::by_test_id(&b, "composer");
                shoot(&b, &name("chat"));
                written += 3;
            }
        }
    }
    println!("{written} screenshots in {}", out.display());
}

/// The whole page, however tall, as a PNG.
fn shoot(b: &Browser, path: &std::path::Path) {
    // Two frames for the layout to settle after the last change.
    b.execute_async(
        "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
        vec![],
    );
    let metrics = b.cdp("Page.getLayoutMetrics", json!({}));
    let size = &metrics["cssContentSize"];
    let clip = json!({ "x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1 });
    let shot = b.cdp("Page.captureScreenshot", json!({ "format": "png", "captureBeyondViewport": true, "clip": clip }));
    let png = base64::engine::general_purpose::STANDARD
        .decode(shot["data"].as_str().unwrap_or_default())
        .expect("base64 PNG");
    std::fs::write(path, png).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}
