//! The order's live events for the panel.

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::api::Api;

/// The events that change what the panel shows.
const EVENTS: [&str; 9] = [
    "message",
    "timeline",
    "receipt",
    "change_request",
    "status",
    "item_resolved",
    "promise",
    "promise_due_soon",
    "notification",
];

/// Calls `on_event` on each of the order's live events while the calling component lives; the
/// stream is closed and its listener dropped when the component goes (a closure kept alive with
/// `forget()` leaked one listener per order opened).
pub fn use_order_events(api: &Api, order: &str, on_event: impl Fn() + 'static) {
    let Ok(source) = web_sys::EventSource::new(&api.events_url(order)) else { return };
    let listener = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |_: web_sys::MessageEvent| on_event());
    for name in EVENTS {
        let _ = source.add_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
    }
    let open = SendWrapper::new((source, listener));
    on_cleanup(move || {
        let (source, listener) = open.take();
        for name in EVENTS {
            let _ = source.remove_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
        }
        source.close();
    });
}
