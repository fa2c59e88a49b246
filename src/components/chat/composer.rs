//! Writing to the shop.

use kept_protocol::chat::MESSAGE_MAX_CHARS;
use kept_protocol::Locale;
use leptos::prelude::*;

use crate::components::chat::text::ChatText;

/// A labelled text area and a send button; Ctrl+Enter sends too.
#[component]
pub fn Composer(locale: Locale, on_send: Callback<String>) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let send = move || {
        let t = text.get_untracked();
        if !t.trim().is_empty() && t.chars().count() <= MESSAGE_MAX_CHARS {
            on_send.run(t.trim().to_owned());
            text.set(String::new());
        }
    };
    view! {
        <form class="kept-composer" on:submit=move |ev| { ev.prevent_default(); send(); }>
            <label class="kept-field__label" for="kept-composer">{ChatText::WriteToShop.in_locale(locale)}</label>
            <textarea id="kept-composer" class="kept-input" rows="3" maxlength=MESSAGE_MAX_CHARS.to_string()
                data-testid="composer"
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))
                on:keydown=move |ev| if ev.key() == "Enter" && ev.ctrl_key() { ev.prevent_default(); send(); }
            ></textarea>
            <button type="submit" class="kept-button" data-testid="send">{ChatText::Send.in_locale(locale)}</button>
        </form>
    }
}
