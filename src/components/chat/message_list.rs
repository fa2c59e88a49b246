//! The messages, as plain text: nothing a message contains is ever rendered as HTML.

use crate::components::{memo, shown_when};
use kept_protocol::chat::AuthorKind;
use kept_protocol::Locale;
use leptos::prelude::*;

use wasm_bindgen::JsCast;

use super::{Chat, Delivery, Entry};
use crate::components::chat::text::ChatText;
use crate::i18n::Text;

/// Splits text into plain runs and http(s) links.
pub fn linkify(text: &str) -> Vec<(bool, String)> {
    fn plain(out: &mut Vec<(bool, String)>, s: &str) {
        match out.last_mut() {
            Some((false, run)) => run.push_str(s),
            _ if s.is_empty() => {}
            _ => out.push((false, s.to_owned())),
        }
    }
    let mut out: Vec<(bool, String)> = Vec::new();
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            plain(&mut out, " ");
        }
        if (word.starts_with("https://") || word.starts_with("http://")) && word.len() > 8 {
            out.push((true, word.to_owned()));
        } else {
            plain(&mut out, word);
        }
    }
    out
}

fn author(e: &Entry, locale: Locale) -> String {
    match e.message.author {
        AuthorKind::Customer => ChatText::You.in_locale(locale).to_owned(),
        AuthorKind::Operator => {
            e.message.author_name.clone().unwrap_or_else(|| ChatText::Shop.in_locale(locale).to_owned())
        }
        AuthorKind::System | AuthorKind::Unknown => ChatText::Shop.in_locale(locale).to_owned(),
        AuthorKind::Bot => ChatText::Bot.in_locale(locale).to_owned(),
    }
}

/// How many lines are in the page at most, whatever the length of the chat.
pub const WINDOW: usize = 60;
/// How far one step back or forward moves the window.
pub const STEP: usize = 30;

/// The lines shown out of `len`: the `WINDOW` ending with the line at `last`, or the newest.
pub fn window(len: usize, last: Option<usize>) -> std::ops::Range<usize> {
    let end = last.map_or(len, |l| (l + 1).min(len));
    end.saturating_sub(WINDOW)..end
}

fn line(e: Entry, locale: Locale, on_retry: Callback<String>) -> impl IntoView {
    let mine = e.message.author == AuthorKind::Customer;
    let who = author(&e, locale);
    let parts = linkify(&e.message.text)
        .into_iter()
        .map(|(link, text)| {
            if link {
                let href = text.clone();
                view! { <a href=href rel="noopener noreferrer" target="_blank">{text}</a> }.into_any()
            } else {
                view! { <span>{text}</span> }.into_any()
            }
        })
        .collect_view();
    let client = e.message.client_id.clone().unwrap_or_default();
    let state = match e.delivery {
        Delivery::Sent => None,
        Delivery::Sending => {
            Some(view! { <span class="kept-hint">{Text::Sending.in_locale(locale)}</span> }.into_any())
        }
        Delivery::Failed => Some(
            view! {
                <span class="kept-field__error">{ChatText::MessageNotSent.in_locale(locale)}</span>
                <button type="button" class="kept-button kept-button--secondary" data-testid="retry-message"
                    on:click=move |_| on_retry.run(client.clone())>{Text::Retry.in_locale(locale)}</button>
            }
            .into_any(),
        ),
    };
    view! {
        <li class="kept-message" class:kept-message--mine=mine data-testid="message" data-id=e.message.id>
            <span class="kept-message__author">{who}</span>
            <p class="kept-message__text">{parts}</p>
            {state}
        </li>
    }
}

/// The message list, windowed: however long the chat, at most `WINDOW` lines are in the page.
/// Scrolling to the top shows earlier lines (asking the server for older pages by cursor);
/// a new message scrolls into view only if the customer was at the bottom, else a pill says so.
#[component]
pub fn MessageList(
    chat: RwSignal<Chat>,
    more_on_server: Memo<bool>,
    load_older: Callback<()>,
    locale: Locale,
    on_retry: Callback<String>,
    // Tells the server she has the chat on screen (a visible tab, the list drawn) whenever what it
    // shows changed.
    api: crate::api::Api,
) -> impl IntoView {
    // The newest line shown, by message id; None follows the newest line.
    let anchor = RwSignal::new(None::<i64>);
    let at_bottom = RwSignal::new(true);
    let list = NodeRef::<leptos::html::Ol>::new();
    let range = memo(move || chat.with(|c| window(c.len(), anchor.get().and_then(|id| c.position(id)))));
    let to_bottom = move || {
        request_animation_frame(move || {
            if let Some(el) = list.get_untracked() {
                el.set_scroll_top(el.scroll_height());
            }
        })
    };
    // Keeps the first line shown where it was while lines are added above it.
    let keep_place = move || {
        let Some(el) = list.get_untracked() else { return };
        let Some(first) = el.first_element_child() else { return };
        let id = first.get_attribute("data-id").unwrap_or_default();
        let offset = first.unchecked_ref::<web_sys::HtmlElement>().offset_top() - el.scroll_top();
        request_animation_frame(move || {
            let Ok(Some(same)) = el.query_selector(&["[data-id=\"", &id, "\"]"].concat()) else { return };
            el.set_scroll_top(same.unchecked_ref::<web_sys::HtmlElement>().offset_top() - offset);
        });
    };
    let earlier = move || {
        let r = range.get_untracked();
        if r.start == 0 {
            if !more_on_server.get_untracked() {
                return;
            }
            load_older.run(());
        }
        keep_place();
        let back = (r.end - 1).saturating_sub(STEP.min(r.start.max(1)));
        anchor.set(chat.with_untracked(|c| c.id_at(back)));
    };
    let later = move || {
        let r = range.get_untracked();
        let len = chat.with_untracked(Chat::len);
        anchor.set(if r.end + STEP >= len { None } else { chat.with_untracked(|c| c.id_at(r.end - 1 + STEP)) });
    };
    // A new line: follow it if the customer was at the bottom, otherwise say it is there.
    let newest = memo(move || chat.with(Chat::newest_id));
    let seen = RwSignal::new(None::<i64>);
    Effect::new(move |_| {
        chat.with(Chat::len);
        if at_bottom.get_untracked() && anchor.get_untracked().is_none() {
            seen.set(newest.get_untracked());
            to_bottom();
        }
        if !document().hidden() && list.get_untracked().is_some_and(|el| el.scroll_height() > 0) {
            api.seen();
        }
    });
    let unseen = move || newest.get() > seen.get() && !(at_bottom.get() && anchor.get().is_none());
    let on_scroll = move |_| {
        let Some(el) = list.get_untracked() else { return };
        let bottom = el.scroll_top() + el.client_height() >= el.scroll_height() - 24;
        at_bottom.set(bottom && anchor.get_untracked().is_none());
        if bottom && anchor.get_untracked().is_none() {
            seen.set(newest.get_untracked());
        }
        if el.scroll_top() < 24 && el.scroll_height() > el.client_height() {
            earlier();
        } else if bottom && anchor.get_untracked().is_some() {
            later();
        }
    };
    let jump = move |_| {
        anchor.set(None);
        seen.set(newest.get_untracked());
        at_bottom.set(true);
        to_bottom();
    };
    view! {
        {shown_when(move || { range.get().start != 0 || more_on_server.get() }, move || view! {
            <button type="button" class="kept-button kept-button--secondary" data-testid="earlier"
                on:click=move |_| earlier()>{ChatText::Older.in_locale(locale)}</button>
        })}
        // The live region wraps the list, so the list keeps its list semantics.
        <div role="log" aria-live="polite">
        <ol class="kept-messages" data-testid="messages" node_ref=list on:scroll=on_scroll tabindex="0"
            aria-label=ChatText::ChatHeading.in_locale(locale)>
            <For
                each=move || chat.with(|c| c.slice(range.get()))
                key=|e| (e.message.id, e.message.client_id.clone(), e.delivery)
                children=move |e: Entry| line(e, locale, on_retry)
            />
        </ol>
        </div>
        {shown_when(unseen, move || view! {
            <button type="button" class="kept-button kept-pill" data-testid="new-messages" on:click=jump>
                {ChatText::NewMessages.in_locale(locale)}
            </button>
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::{linkify, window, WINDOW};
    use wasm_bindgen_test::*;

    #[wasm_bindgen_test]
    fn the_window_never_holds_more_than_its_size_and_follows_the_anchor() {
        assert_eq!(window(10_000, None), 10_000 - WINDOW..10_000);
        assert_eq!(window(10_000, Some(99)), 100 - WINDOW..100);
        assert_eq!(window(10, None), 0..10);
        assert_eq!(window(10_000, Some(5)), 0..6);
        assert_eq!(window(10, Some(50)), 0..10);
    }

    #[wasm_bindgen_test]
    fn only_http_and_https_words_become_links() {
        assert_eq!(
            linkify("see https://kept.example/x now"),
            vec![(false, "see ".into()), (true, "https://kept.example/x".into()), (false, " now".into())]
        );
        assert_eq!(linkify("javascript:alert(1) <b>x</b>"), vec![(false, "javascript:alert(1) <b>x</b>".into())]);
    }
}
