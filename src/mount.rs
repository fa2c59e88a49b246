//! Mounting into a shadow root so the host page's CSS and ours never meet.

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CssStyleSheet, Element, HtmlElement, ShadowRoot, ShadowRootInit, ShadowRootMode};

use crate::components::app::App;
use crate::config::{browser_locale, Config};
use crate::i18n::BootText;

/// The widget's stylesheet (`style/kept.css`, minified by the build script), adopted by each
/// shadow root.
pub const CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/kept.min.css"));

/// Mounts into `host`: the widget when `config` is good, otherwise a translated notice.
pub fn mount(host: &Element, config: Result<Config, crate::config::ConfigError>) {
    // A second mount on the same element replaces the first: its tasks, stream, timers and
    // listeners end with it.
    crate::host::unregister(host);
    let Some(container) = shadow_container(host) else {
        web_sys::console::error_1(&JsValue::from_str("Kept: could not create the widget's shadow root"));
        return;
    };
    match config {
        Ok(config) => {
            // Without one, the loader has set the page's own scheme (see `reserve` in kept.js).
            if let Some(theme) = config.theme {
                let _ = host.set_attribute("data-kept-theme", theme);
            }
            let id = crate::host::register(host.clone());
            let handle = leptos::mount::mount_to(container, move || {
                provide_context(id);
                view! { <App config/> }
            });
            crate::host::set_unmount(id, Box::new(handle));
        }
        Err(e) => {
            let mut msg = String::from("Kept: missing or invalid ");
            msg.push_str(e.attribute());
            msg.push_str(" on the embedding element");
            web_sys::console::error_1(&JsValue::from_str(&msg));
            // Said in the customer's language once their texts arrive, in English if they cannot.
            let locale = browser_locale();
            let asked = RwSignal::new(false);
            let text = move || asked.get().then(|| BootText::ConfigError.in_locale(locale));
            let id = crate::host::register(host.clone());
            let handle =
                leptos::mount::mount_to(container, move || view! { <p class="kept-notice" role="alert">{text}</p> });
            let words = crate::i18n::request(locale, crate::i18n::Part::Step);
            crate::task::detached(async move {
                let _ = words.done().await;
                asked.set(true);
            });
            crate::host::set_unmount(id, Box::new(handle));
        }
    }
}

/// Unmounts the widget on `host` and empties its shadow root.
pub fn destroy(host: &Element) {
    crate::host::unregister(host);
    if let Some(root) = host.shadow_root() {
        root.set_inner_html("");
    }
}

/// An open shadow root on `host` with our stylesheet, and the element to render into.
fn shadow_container(host: &Element) -> Option<HtmlElement> {
    // Mounting again on the same element (after destroy) reuses its shadow root.
    let root: ShadowRoot = match host.shadow_root() {
        Some(root) => {
            root.set_inner_html("");
            root
        }
        None => host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open)).ok()?,
    };
    if let Ok(sheet) = CssStyleSheet::new() {
        if sheet.replace_sync(CSS).is_ok() {
            let sheets = js_sys::Array::of1(&sheet);
            root.set_adopted_style_sheets(&sheets);
        }
    }
    let container = root.owner_document()?.create_element("div").ok()?;
    container.set_class_name("kept");
    root.append_child(&container).ok()?;
    container.dyn_into::<HtmlElement>().ok()
}
