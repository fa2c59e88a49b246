//! A widget that is destroyed or mounted again on the same element leaves nothing running on
//! the host page: its registry entry goes, and the tasks its components started end with them.
#![cfg(target_arch = "wasm32")]

use std::sync::{Arc, Mutex};

use kept_widget::api::sleep;
use kept_widget::host;
use kept_widget::task::Scope;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn host_element() -> web_sys::Element {
    let doc = document();
    let el = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&el).unwrap();
    el
}

fn config(token: Option<&str>) -> JsValue {
    let c = js_sys::Object::new();
    // Nothing listens on port 9: requests fail fast, which is all this test needs.
    js_sys::Reflect::set(&c, &"endpoint".into(), &"http://127.0.0.1:9".into()).unwrap();
    js_sys::Reflect::set(&c, &"order".into(), &"KC-1001".into()).unwrap();
    if let Some(t) = token {
        js_sys::Reflect::set(&c, &"token".into(), &t.into()).unwrap();
    }
    c.into()
}

fn containers(el: &web_sys::Element) -> u32 {
    el.shadow_root().map_or(0, |r| r.query_selector_all(".kept").map_or(0, |l| l.length()))
}

#[wasm_bindgen_test]
async fn mounting_twice_on_one_element_replaces_the_first_widget_and_destroy_removes_it() {
    let before = host::mounted();
    let el = host_element();
    kept_widget::mount_with(el.clone(), config(Some("token-1")), JsValue::UNDEFINED);
    assert_eq!(host::mounted(), before + 1);
    kept_widget::mount_with(el.clone(), config(Some("token-2")), JsValue::UNDEFINED);
    assert_eq!(host::mounted(), before + 1, "the first widget is gone, not running beside the second");
    assert_eq!(containers(&el), 1);
    kept_widget::destroy(el.clone());
    assert_eq!(host::mounted(), before, "the registry shrinks");
    assert_eq!(containers(&el), 0);
}

#[wasm_bindgen_test]
async fn a_configuration_notice_is_unmounted_by_destroy_too() {
    let before = host::mounted();
    let el = host_element();
    kept_widget::mount_with(el.clone(), config(None), JsValue::UNDEFINED);
    assert_eq!(host::mounted(), before + 1);
    kept_widget::destroy(el.clone());
    assert_eq!(host::mounted(), before);
}

/// Mounts a component that starts a 50 ms task after its setup; the task counts into `finished`.
fn busy_component(finished: &Arc<Mutex<u32>>) -> leptos::mount::UnmountHandle<impl leptos::tachys::view::Mountable> {
    let el = document().create_element("div").unwrap().unchecked_into::<web_sys::HtmlElement>();
    document().body().unwrap().append_child(&el).unwrap();
    let seen = finished.clone();
    leptos::mount::mount_to(el, move || {
        let scope = Scope::here();
        let seen = seen.clone();
        // As a click handler would: the task is started later, outside the component's setup.
        let start = move || {
            let seen = seen.clone();
            scope.spawn(async move {
                sleep(50).await;
                *seen.lock().unwrap() += 1;
            })
        };
        start();
        view! { <p>"busy"</p> }
    })
}

#[wasm_bindgen_test]
async fn a_task_started_by_a_component_ends_when_the_component_is_gone() {
    let finished = Arc::new(Mutex::new(0));
    let kept = busy_component(&finished);
    drop(busy_component(&finished));
    sleep(150).await;
    assert_eq!(*finished.lock().unwrap(), 1, "only the mounted component's task finished");
    drop(kept);
}
