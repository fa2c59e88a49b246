//! The floor of our stack for `cargo xtask bench`: a bare Leptos counter, compiled and optimised
//! with the widget's flags, so the widget's bytes and boot time can be read against it.

use leptos::prelude::*;
use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen(start)]
pub fn start() {
    mount_to_body(|| {
        let count = RwSignal::new(0);
        view! {
            <button type="button" on:click=move |_| *count.write() += 1>"Count: " {count}</button>
        }
    });
}
