//! The widget wears the page's colours: light on a page that declares nothing, the customer's
//! dark only where the page allows it, and `data-theme` wins over both.

use kept_e2e::fixture::find;
use kept_e2e::server::TestServer;
use kept_e2e::wait_for;
use kept_e2e::webdriver::Browser;
use serde_json::json;

/// The background of the widget's box in the `n`th host on the page.
fn background(b: &Browser, n: usize) -> String {
    let script = "const hosts = document.querySelectorAll('.kept-host'); \
                  const el = hosts[arguments[0]]?.shadowRoot?.querySelector('.kept'); \
                  return el ? getComputedStyle(el).backgroundColor : '';";
    wait_for("the widget's box", find::PATIENCE, || {
        let bg = b.execute(script, vec![json!(n)]).as_str().unwrap_or("").to_owned();
        (!bg.is_empty()).then_some(bg)
    })
}

const LIGHT: &str = "rgb(255, 255, 255)";
const DARK: &str = "rgb(27, 28, 30)";

fn dark_os(b: &Browser) {
    b.cdp("Emulation.setEmulatedMedia", json!({ "features": [{ "name": "prefers-color-scheme", "value": "dark" }] }));
}

#[test]
fn a_page_that_declares_no_colour_scheme_gets_a_light_widget_even_on_a_dark_os() {
    let server = TestServer::start();
    let b = Browser::start();
    dark_os(&b);
    b.goto(&format!("{}/theme-none.html", server.url));
    find::by_test_id(&b, "submit");
    assert_eq!(background(&b, 0), LIGHT);
}

#[test]
fn a_dark_page_gets_a_dark_widget_on_a_light_os() {
    let server = TestServer::start();
    let b = Browser::start();
    b.goto(&format!("{}/theme-css.html", server.url));
    find::by_test_id(&b, "submit");
    assert_eq!(background(&b, 0), DARK, "the page's CSS says color-scheme: dark");
}

#[test]
fn a_page_that_allows_dark_follows_the_os_and_data_theme_wins() {
    let server = TestServer::start();
    let b = Browser::start();
    dark_os(&b);
    b.goto(&format!("{}/theme-both.html", server.url));
    find::by_test_id(&b, "submit");
    assert_eq!(background(&b, 0), DARK, "the page allows dark and the OS is dark");
    assert_eq!(background(&b, 1), LIGHT, "theme=\"light\" wins");
    b.cdp("Emulation.setEmulatedMedia", json!({ "features": [{ "name": "prefers-color-scheme", "value": "light" }] }));
    assert_eq!(background(&b, 0), LIGHT, "and follows the OS back to light");
}
