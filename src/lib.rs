//! Kept: the checkout preference step and order-status chat, embedded into any shop page.
//!
//! The loader (`kept.js`) instantiates this module and calls [`boot`] once per script tag.

pub mod api;
pub mod components;
pub mod config;
pub mod format;
pub mod host;
pub mod i18n;
pub mod mount;
pub mod storage;
pub mod task;
pub mod wire;

use wasm_bindgen::prelude::*;

/// Mounts a widget into `host`, configured by the attributes of `source` (the script tag, or a
/// `<kept-checkout>` element that is its own host).
#[wasm_bindgen]
pub fn boot(host: web_sys::Element, source: web_sys::Element, prefetched: wasm_bindgen::JsValue) {
    api::keep_prefetched(&prefetched);
    mount::mount(&host, config::Config::from_element(&source));
}

/// Takes the loader's catalog function, `(name) => Promise<catalog>` (see [`i18n::set_loader`]).
#[wasm_bindgen]
pub fn catalogs(loader: js_sys::Function) {
    i18n::set_loader(loader);
}

/// Mounts a widget into `host` configured by a JS object (`Kept.mount(element, config)`), with
/// the loader's early requests as in [`boot`].
#[wasm_bindgen]
pub fn mount_with(host: web_sys::Element, config: wasm_bindgen::JsValue, prefetched: wasm_bindgen::JsValue) {
    api::keep_prefetched(&prefetched);
    mount::mount(&host, config::Config::from_js(&config));
}

/// Submits the widget mounted on `host`, as its own button would; see [`host::submit`].
#[wasm_bindgen]
pub fn submit(host: web_sys::Element) -> js_sys::Promise {
    host::submit(&host)
}

/// Unmounts the widget mounted on `host`.
#[wasm_bindgen]
pub fn destroy(host: web_sys::Element) {
    mount::destroy(&host);
}
