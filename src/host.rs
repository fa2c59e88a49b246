//! The host page's side of the widget: DOM events on the host element and `Kept.submit()`.
//!
//! Each mounted widget gets a small numeric id; the DOM element, the form's submit hook and the
//! page's waiting promises live here, on the main thread, so reactive code only carries the id.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Promise};
use wasm_bindgen::JsValue;
use web_sys::{CustomEvent, CustomEventInit, Element};

/// Which mounted widget this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InstanceId(pub u32);

#[derive(Default)]
struct Instance {
    element: Option<Element>,
    submitter: Option<Rc<dyn Fn()>>,
    receipt: Option<String>,
    waiters: Vec<(Function, Function)>,
    /// Dropping it unmounts the widget.
    unmount: Option<Box<dyn std::any::Any>>,
}

/// The mounted widgets by id; an unmounted one leaves no entry behind.
#[derive(Default)]
struct Registry {
    next: u32,
    live: Vec<(InstanceId, Instance)>,
}

thread_local! {
    static INSTANCES: RefCell<Registry> = RefCell::new(Registry::default());
}

/// Registers a host element and returns its id.
pub fn register(element: Element) -> InstanceId {
    INSTANCES.with(|all| {
        let mut all = all.borrow_mut();
        let id = InstanceId(all.next);
        all.next += 1;
        all.live.push((id, Instance { element: Some(element), ..Instance::default() }));
        id
    })
}

fn with<T>(id: InstanceId, f: impl FnOnce(&mut Instance) -> T) -> Option<T> {
    INSTANCES.with(|all| all.borrow_mut().live.iter_mut().find(|(i, _)| *i == id).map(|(_, inst)| f(inst)))
}

/// How many widgets are mounted on this page.
pub fn mounted() -> usize {
    INSTANCES.with(|all| all.borrow().live.len())
}

/// Keeps the mount handle; dropping it (see [`unregister`]) unmounts the widget.
pub fn set_unmount(id: InstanceId, handle: Box<dyn std::any::Any>) {
    with(id, |i| i.unmount = Some(handle));
}

/// Forgets the widget on `element`, unmounting it; its pending promises are rejected.
pub fn unregister(element: &Element) {
    let Some(id) = find(element) else { return };
    settle(id, Err(r#"{"error":"destroyed"}"#));
    let old = INSTANCES.with(|all| {
        let mut all = all.borrow_mut();
        let at = all.live.iter().position(|(i, _)| *i == id)?;
        Some(all.live.remove(at))
    });
    // Dropped outside the borrow: unmounting runs cleanups that may call back in here.
    drop(old);
}

/// The id of the widget mounted on `element`, if any.
pub fn find(element: &Element) -> Option<InstanceId> {
    INSTANCES.with(|all| all.borrow().live.iter().find(|(_, i)| i.element.as_ref() == Some(element)).map(|(id, _)| *id))
}

/// Fires `name` on the host element, with `detail_json` parsed as the event's `detail`.
pub fn emit(id: InstanceId, name: &str, detail_json: &str) {
    let Some(Some(element)) = with(id, |i| i.element.clone()) else { return };
    let init = CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(&js_sys::JSON::parse(detail_json).unwrap_or(JsValue::NULL));
    if let Ok(event) = CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = element.dispatch_event(&event);
    }
}

/// The form's submit, called by `Kept.submit()`; None when no form is showing.
pub fn set_submitter(id: InstanceId, submitter: Option<Rc<dyn Fn()>>) {
    with(id, |i| i.submitter = submitter);
}

/// The current receipt as JSON, which `Kept.submit()` answers with when nothing is left to send.
pub fn set_receipt(id: InstanceId, receipt_json: Option<String>) {
    with(id, |i| i.receipt = receipt_json);
}

/// Resolves (`Ok`, with JSON) or rejects (`Err`, with JSON) every promise the page is waiting on.
pub fn settle(id: InstanceId, result: Result<&str, &str>) {
    let waiters = with(id, |i| std::mem::take(&mut i.waiters)).unwrap_or_default();
    let (json, ok) = match result {
        Ok(j) => (j, true),
        Err(j) => (j, false),
    };
    let value = js_sys::JSON::parse(json).unwrap_or(JsValue::NULL);
    for (resolve, reject) in waiters {
        let _ = if ok { resolve.call1(&JsValue::NULL, &value) } else { reject.call1(&JsValue::NULL, &value) };
    }
}

/// Submits the widget on `element` as its own button would: a promise of the receipt, or a
/// rejection with `{ "problems": [...] }` or `{ "error": "not_sent" }`.
pub fn submit(element: &Element) -> Promise {
    let id = find(element);
    let mut waiter = None;
    let promise = Promise::new(&mut |resolve, reject| waiter = Some((resolve, reject)));
    let Some((resolve, reject)) = waiter else { return promise };
    let Some(id) = id else {
        let _ =
            reject.call1(&JsValue::NULL, &js_sys::JSON::parse(r#"{"error":"not_mounted"}"#).unwrap_or(JsValue::NULL));
        return promise;
    };
    let (submitter, receipt) = with(id, |i| (i.submitter.clone(), i.receipt.clone())).unwrap_or((None, None));
    match (submitter, receipt) {
        (Some(submit), _) => {
            with(id, |i| i.waiters.push((resolve, reject)));
            submit();
        }
        (None, Some(receipt)) => {
            let _ = resolve.call1(&JsValue::NULL, &js_sys::JSON::parse(&receipt).unwrap_or(JsValue::NULL));
        }
        (None, None) => {
            let _ =
                reject.call1(&JsValue::NULL, &js_sys::JSON::parse(r#"{"error":"not_ready"}"#).unwrap_or(JsValue::NULL));
        }
    }
    promise
}
