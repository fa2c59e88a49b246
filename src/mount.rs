//! Mounting into a shadow root so the host page's CSS and ours never meet.

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CssStyleSheet, Element, HtmlElement, ShadowRoot, ShadowRootInit, ShadowRootMode};

use crate::components::app::App;
use crate::config::{browser_locale, Config};
use crate::i18n::Text;

/// The widget's stylesheet, adopted by each shadow root.
pub const CSS: &str = include_str!("../style/kept.css");

/// Creates the host element right after `script`, mounts a widget configured by it, returns the host.
pub fn after_script(script: &Element) -> Option<Element> {
    let host = script.owner_document()?.create_element("div").ok()?;
    host.set_class_name("kept-host");
    script.after_with_node_1(&host).ok()?;
    mount(&host, Config::from_element(script));
    Some(host)
}

/// Mounts into `host`: the widget when `config` is good, otherwise a translated notice.
pub fn mount(host: &Element, config: Result<Config, crate::config::ConfigError>) {
    let Some(container) = shadow_container(host) else {
        web_sys::console::error_1(&JsValue::from_str("Kept: could not create the widget's shadow root"));
        return;
    };
    match config {
        Ok(config) => {
            let id = crate::host::register(host.clone());
            leptos::mount::mount_to(container, move || {
                provide_context(id);
                view! { <App config/> }
            })
            .forget()
        }
        Err(e) => {
            let mut msg = String::from("Kept: missing or invalid ");
            msg.push_str(e.attribute());
            msg.push_str(" on the embedding element");
            web_sys::console::error_1(&JsValue::from_str(&msg));
            let text = Text::ConfigError.in_locale(browser_locale());
            leptos::mount::mount_to(container, move || view! { <p class="kept-notice" role="alert">{text}</p> })
                .forget();
        }
    }
}

/// An open shadow root on `host` with our stylesheet, and the element to render into.
fn shadow_container(host: &Element) -> Option<HtmlElement> {
    let init = ShadowRootInit::new(ShadowRootMode::Open);
    let root: ShadowRoot = host.attach_shadow(&init).ok()?;
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
