//! The split release build: the step comes with the first screen, the chat's code after it, and
//! a chunk that cannot be fetched is told plainly and fetched again on request.

use kept_e2e::fixture::{action, check, find};
use kept_e2e::server::{dist, shipped, shipped_files, TestServer};
use kept_e2e::wait_for;
use kept_e2e::webdriver::{Browser, Engine};
use serde_json::json;

/// Every fetch goes over a network that takes its time, as a customer's does. Over bare loopback
/// the wasm can arrive in less time than the loader takes to reach its head starts, so "asked for
/// before the wasm has arrived" would hang on the machine's load, not on the loader (it once
/// failed that way in CI, by 5 ms, with the wasm from the cache).
fn over_a_real_network(b: &Browser) {
    b.cdp("Network.enable", json!({}));
    b.cdp(
        "Network.emulateNetworkConditions",
        json!({ "offline": false, "latency": 20, "downloadThroughput": 1_000_000, "uploadThroughput": -1 }),
    );
}

#[test]
fn every_shipped_file_loads_and_the_chat_works_from_its_own_chunk() {
    let (first, later) = shipped_files(&dist());
    assert!(!later.is_empty(), "the release build has chunks to load later: {first:?}");
    let server = TestServer::start();
    let b = Browser::start();
    action::open_checkout(&b, &server, Some("en"));
    // The chat is code from a chunk: it is there and it works.
    b.type_text(&find::by_test_id(&b, "composer"), "Beans, not ground, please");
    b.click(&find::by_test_id(&b, "send"));
    wait_for("the message stored", find::PATIENCE, || {
        let page = server.get_json("/v1/orders/KC-1001/messages");
        (page["messages"][0]["text"] == "Beans, not ground, please").then_some(())
    });
    let fetched = check::fetched_files(&b);
    for name in first.iter().chain(&later) {
        assert!(fetched.contains(name), "{name} was never fetched; the page fetched {fetched:?}");
    }
}

#[test]
fn a_chat_chunk_that_cannot_be_fetched_leaves_the_step_usable_and_loads_on_retry() {
    // The chat's code and the chat's words for a Polish customer.
    let (_, later) = shipped(&dist()).for_locale("pl");
    let server = TestServer::start();
    let b = Browser::start();
    let chromium = b.engine == Engine::Chromium;
    if chromium {
        b.cdp("Network.enable", json!({}));
        let blocked: Vec<String> = later.iter().map(|name| format!("*{name}")).collect();
        b.cdp("Network.setBlockedURLs", json!({ "urls": blocked }));
    } else {
        // Engines without DevTools' blocking: the server fails the first fetch of each.
        for name in &later {
            server.arm_fault(&format!("/{name}"), "fail", 1, 0);
        }
    }
    action::open_checkout(&b, &server, Some("pl"));
    let alert = find::by_test_id(&b, "chat-load-error");
    assert!(b.text(&alert).starts_with("Czat się nie wczytał."), "{}", b.text(&alert));
    // The step works without the chat.
    action::coffee_story(&b);
    find::by_test_id(&b, "receipt");

    if chromium {
        b.cdp("Network.setBlockedURLs", json!({ "urls": [] }));
    }
    b.click(&find::in_widget(&b, "[data-testid=\"chat-load-error\"] button"));
    find::by_test_id(&b, "composer");
    assert!(b.find_in_shadow(find::HOST, "[data-testid=\"chat-load-error\"]").is_none());
}

#[test]
fn the_loader_asks_for_the_shop_and_the_order_once_while_the_wasm_downloads() {
    let (first, _) = shipped_files(&dist());
    let wasm = first.iter().find(|n| n.ends_with(".wasm")).expect("the main wasm").clone();
    let link = first.iter().find(|n| n.starts_with("kept-chunks-")).expect("the link module").clone();
    let server = TestServer::start();
    let b = Browser::start();
    over_a_real_network(&b);
    // A cold cache for every page: they share the wasm's content-hashed name.
    b.cdp("Network.setCacheDisabled", json!({ "cacheDisabled": true }));
    // An absolute endpoint (the demo page), the page's own origin as `/` (it once lost the head
    // start: the loader took the trailing slash off before checking it was a URL), and
    // `Kept.mount` (it once had none).
    for (page, order) in [("/?locale=en", "KC-1001"), ("/bench-boot.html", "KC-1002"), ("/shot.html", "KC-1001")] {
        b.goto(&format!("{}{page}", server.url));
        action::wait_for_form(&b);
        let timing = b.execute(
            "const all = performance.getEntriesByType('resource'); \
             const named = (tail) => all.filter(e => e.name.split('?')[0].endsWith(tail)); \
             return { shop: named('/v1/shop').map(e => e.startTime), order: named('/v1/orders/' + arguments[1]).map(e => e.startTime), \
                      wasmEnd: named('/' + arguments[0]).map(e => e.responseEnd), \
                      link: named('/' + arguments[2]).length, \
                      preloaded: [...document.querySelectorAll('link[rel=modulepreload]')].map(l => l.href.split('/').pop()) };",
            vec![json!(wasm), json!(order), json!(link)],
        );
        let starts = |key: &str| -> Vec<f64> { serde_json::from_value(timing[key].clone()).unwrap_or_default() };
        let wasm_end = starts("wasmEnd");
        assert_eq!(wasm_end.len(), 1, "{page}: {timing}");
        // The widget took the loader's answers: the shop once in all (the order again later, when
        // the chat catches up on opening its live stream).
        assert_eq!(starts("shop").len(), 1, "{page}: the shop is asked for once: {timing}");
        for key in ["shop", "order"] {
            let asked = starts(key);
            assert!(asked[0] < wasm_end[0], "{page}: the {key} is asked for before the wasm has arrived: {timing}");
        }
        // The glue imports the link module; the loader preloads it beside the glue (it once came
        // only when the glue had arrived and been parsed: one more round trip before the widget
        // could start), and the browser fetches it once.
        assert_eq!(timing["preloaded"], json!([link]), "{page}: the link module is preloaded: {timing}");
        assert_eq!(timing["link"], 1, "{page}: the link module is fetched once: {timing}");
    }
}

#[test]
fn on_the_order_status_page_the_chats_code_comes_beside_the_first_screen_and_over_the_network_once() {
    let (first, later) = shipped_files(&dist());
    let wasm = first.iter().find(|n| n.ends_with(".wasm")).expect("the main wasm").clone();
    let chat = later.iter().find(|n| n.starts_with("kept-chat-")).expect("the chat's chunk").clone();
    let server = TestServer::start();
    let b = Browser::start();
    over_a_real_network(&b);
    b.goto(&format!("{}/status.html", server.url));
    find::by_test_id(&b, "composer");
    let timing = b.execute(
        "const all = performance.getEntriesByType('resource'); \
         const named = (name) => all.filter(e => e.name.endsWith('/' + name)); \
         return { wasmEnd: named(arguments[0]).map(e => e.responseEnd), \
                  chat: named(arguments[1]).map(e => ({ start: e.startTime, bytes: e.transferSize })) };",
        vec![json!(wasm), json!(chat)],
    );
    let wasm_end = timing["wasmEnd"][0].as_f64().expect("the main wasm was fetched");
    let fetches = timing["chat"].as_array().cloned().unwrap_or_default();
    let first_start = fetches.first().and_then(|f| f["start"].as_f64()).expect("the chat's chunk was fetched");
    assert!(first_start < wasm_end, "the chat's code is asked for before the main wasm has arrived: {timing}");
    let over_network = fetches.iter().filter(|f| f["bytes"].as_f64().unwrap_or(0.0) > 0.0).count();
    assert_eq!(over_network, 1, "the chat's code crosses the network once: {timing}");
}
