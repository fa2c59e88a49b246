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
pub mod wire;

use wasm_bindgen::prelude::*;

/// Mounts a widget right after `script`, configured by its `data-*` attributes; returns the host.
#[wasm_bindgen]
pub fn boot(script: web_sys::Element) -> Option<web_sys::Element> {
    mount::after_script(&script)
}

/// Submits the widget mounted on `host`, as its own button would; see [`host::submit`].
#[wasm_bindgen]
pub fn submit(host: web_sys::Element) -> js_sys::Promise {
    host::submit(&host)
}
