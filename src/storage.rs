//! The customer's draft and the submission outbox in localStorage, per order. Fail-soft: a
//! browser without storage (private mode, blocked cookies) still works, it only forgets on reload.

use kept_protocol::json::to_json;
use kept_protocol::Preferences;
use web_sys::Storage;

use crate::wire::{self, FromJs};

fn local() -> Option<Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn get(key: &str) -> Option<String> {
    local()?.get_item(key).ok().flatten()
}

fn set(key: &str, value: &str) {
    if let Some(s) = local() {
        let _ = s.set_item(key, value);
    }
}

fn remove(key: &str) {
    if let Some(s) = local() {
        let _ = s.remove_item(key);
    }
}

fn key(kind: &str, order: &str) -> String {
    let mut k = String::from("kept:");
    k.push_str(kind);
    k.push(':');
    k.push_str(order);
    k
}

/// The unsent choices for `order`, if any.
pub fn draft(order: &str) -> Option<Preferences> {
    wire::parse(&get(&key("draft", order))?).ok()
}

/// Keeps the unsent choices for `order`.
pub fn save_draft(order: &str, prefs: &Preferences) {
    if let Some(json) = to_json(prefs) {
        set(&key("draft", order), &json);
    }
}

/// Forgets the draft once the shop has the choices.
pub fn clear_draft(order: &str) {
    remove(&key("draft", order));
}

/// The last receipt for `order`, kept for backends without an order view.
pub fn receipt(order: &str) -> Option<kept_protocol::Receipt> {
    wire::parse(&get(&key("receipt", order))?).ok()
}

/// Keeps the newest receipt.
pub fn save_receipt(order: &str, receipt: &kept_protocol::Receipt) {
    if let Some(json) = to_json(receipt) {
        set(&key("receipt", order), &json);
    }
}

/// A submission that left (or was about to leave) and has no answer yet.
#[derive(Clone, Debug, PartialEq)]
pub struct Outgoing {
    pub key: String,
    pub preferences: Preferences,
}

impl FromJs for Outgoing {
    fn from_js(v: &wasm_bindgen::JsValue) -> Result<Self, wire::Malformed> {
        let field = |k: &str| js_sys::Reflect::get(v, &k.into()).unwrap_or(wasm_bindgen::JsValue::UNDEFINED);
        Ok(Outgoing { key: String::from_js(&field("key"))?, preferences: Preferences::from_js(&field("preferences"))? })
    }
}

/// The submission in flight for `order`, to finish after a reload.
pub fn outbox(order: &str) -> Option<Outgoing> {
    wire::parse(&get(&key("outbox", order))?).ok()
}

/// Records a submission before it is sent, so a reload can finish it with the same key.
pub fn put_outbox(order: &str, out: &Outgoing) {
    let (Some(k), Some(p)) = (to_json(&out.key), to_json(&out.preferences)) else { return };
    let mut json = String::from("{\"key\":");
    json.push_str(&k);
    json.push_str(",\"preferences\":");
    json.push_str(&p);
    json.push('}');
    set(&key("outbox", order), &json);
}

/// Clears the outbox once the backend answered for good.
pub fn clear_outbox(order: &str) {
    remove(&key("outbox", order));
}

/// Messages the customer wrote that the shop has not confirmed, to send after a reload.
pub fn unsent(order: &str) -> Vec<kept_protocol::NewMessage> {
    get(&key("unsent", order)).and_then(|j| wire::parse(&j).ok()).unwrap_or_default()
}

/// Keeps the unconfirmed messages (or forgets them when there are none).
pub fn save_unsent(order: &str, messages: &[kept_protocol::NewMessage]) {
    match to_json(messages) {
        Some(json) if !messages.is_empty() => set(&key("unsent", order), &json),
        _ => remove(&key("unsent", order)),
    }
}
