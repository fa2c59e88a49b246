//! The order's live stream for the chat (Server-Sent Events; the browser reconnects by itself
//! and the chat catches up over REST each time it opens).

use kept_protocol::EventData;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::wire;

/// The events the chat shows.
const EVENTS: [&str; 6] = ["message", "timeline", "receipt", "change_request", "status", "promise"];

/// The stream of one order, open while the component that asked for it lives.
#[derive(Clone)]
pub struct OrderStream {
    url: String,
    listener: StoredValue<SendWrapper<js_sys::Function>>,
    opener: StoredValue<Option<SendWrapper<js_sys::Function>>>,
    source: StoredValue<Option<SendWrapper<web_sys::EventSource>>>,
}

/// The order's stream at `url`, each event it understands given to `on_event`; closed when the
/// calling component is cleaned up. Nothing is opened before [`OrderStream::connect`].
pub fn use_order_stream(url: String, on_event: impl Fn(EventData) + 'static) -> OrderStream {
    let listener = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
        if let Some(Ok(data)) = e.data().as_string().map(|text| wire::parse::<EventData>(&text)) {
            on_event(data)
        }
    });
    let stream = OrderStream {
        url,
        listener: StoredValue::new(SendWrapper::new(listener.into_js_value().unchecked_into())),
        opener: StoredValue::new(None),
        source: StoredValue::new(None),
    };
    let source = stream.source;
    on_cleanup(move || {
        source.with_value(|s| s.as_ref().map(|s| s.close()));
    });
    stream
}

impl OrderStream {
    /// Calls `on_open` each time the stream (re)opens.
    pub fn on_open(&self, on_open: impl Fn() + 'static) {
        let f = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| on_open());
        self.opener.set_value(Some(SendWrapper::new(f.into_js_value().unchecked_into())));
    }

    /// Opens the stream unless it is open or reconnecting; a stream the browser gave up on is
    /// replaced.
    pub fn connect(&self) {
        if self.source.with_value(|s| s.as_ref().is_some_and(|s| s.ready_state() != web_sys::EventSource::CLOSED)) {
            return;
        }
        if let Ok(es) = web_sys::EventSource::new(&self.url) {
            self.listener.with_value(|f| {
                for name in EVENTS {
                    let _ = es.add_event_listener_with_callback(name, f);
                }
            });
            self.opener.with_value(|f| f.as_ref().map(|f| es.add_event_listener_with_callback("open", f)));
            self.source.set_value(Some(SendWrapper::new(es)));
        }
    }
}
