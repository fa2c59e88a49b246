//! The messages, as plain text: nothing a message contains is ever rendered as HTML.

use kept_protocol::chat::AuthorKind;
use kept_protocol::Locale;
use leptos::prelude::*;

use super::{Delivery, Entry};
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
        AuthorKind::Customer => Text::You.in_locale(locale).to_owned(),
        AuthorKind::Operator => {
            e.message.author_name.clone().unwrap_or_else(|| Text::Shop.in_locale(locale).to_owned())
        }
        AuthorKind::System => Text::Shop.in_locale(locale).to_owned(),
        AuthorKind::Bot => Text::Bot.in_locale(locale).to_owned(),
    }
}

/// The message list; new messages are announced through a polite live region.
#[component]
pub fn MessageList(entries: Signal<Vec<Entry>>, locale: Locale, on_retry: Callback<String>) -> impl IntoView {
    view! {
        // The live region wraps the list, so the list keeps its list semantics.
        <div role="log" aria-live="polite">
        <ol class="kept-messages" data-testid="messages">
            <For
                each=move || entries.get()
                key=|e| (e.message.id, e.message.client_id.clone(), e.delivery)
                children=move |e: Entry| {
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
                        Delivery::Sending => Some(view! { <span class="kept-hint">{Text::Sending.in_locale(locale)}</span> }.into_any()),
                        Delivery::Failed => Some(view! {
                            <span class="kept-field__error">{Text::MessageNotSent.in_locale(locale)}</span>
                            <button type="button" class="kept-button kept-button--secondary" data-testid="retry-message"
                                on:click=move |_| on_retry.run(client.clone())>{Text::Retry.in_locale(locale)}</button>
                        }.into_any()),
                    };
                    view! {
                        <li class="kept-message" class:kept-message--mine=mine data-testid="message">
                            <span class="kept-message__author">{who}</span>
                            <p class="kept-message__text">{parts}</p>
                            {state}
                        </li>
                    }
                }
            />
        </ol>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::linkify;
    use wasm_bindgen_test::*;

    #[wasm_bindgen_test]
    fn only_http_and_https_words_become_links() {
        assert_eq!(
            linkify("see https://kept.example/x now"),
            vec![(false, "see ".into()), (true, "https://kept.example/x".into()), (false, " now".into())]
        );
        assert_eq!(linkify("javascript:alert(1) <b>x</b>"), vec![(false, "javascript:alert(1) <b>x</b>".into())]);
    }
}
