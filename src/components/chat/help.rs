//! Answers before a wait: the FAQ searched as the customer types, with a person one tap away;
//! the named manager's greeting; and the one-question survey after delivery.

use kept_protocol::{FaqEntry, Locale, Manager, SurveyAnswer};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::api::{new_idempotency_key, Api};
use crate::components::chat::text::ChatText;
use crate::components::memo;
use crate::components::preferences::field::{choice, Choice};
use crate::i18n::Text;

/// What lies between searchable words: everything neither alphabetic nor a number (the same
/// classes as Rust's `char::is_alphanumeric`). Made once per search, not once per text.
pub fn word_gaps() -> js_sys::RegExp {
    js_sys::RegExp::new("[^\\p{Alphabetic}\\p{N}]+", "u")
}

/// The searchable words of `text` as `kept_protocol::faq::words` makes them, with the browser's
/// Unicode tables instead of std's (those cost the chat's chunk about 15 KB of data that gzip
/// hardly shrinks): lower case, split at `gaps` (see [`word_gaps`]), each letter without its
/// diacritics.
pub fn browser_words(text: &str, gaps: &js_sys::RegExp) -> Vec<String> {
    js_sys::JsString::from(text)
        .to_lower_case()
        .split_by_pattern(gaps)
        .iter()
        .filter_map(|w| w.as_string())
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().map(kept_protocol::faq::unaccent).collect())
        .collect()
}

/// The FAQ search; "talk to a person" moves focus to the message box.
#[component]
pub fn FaqSearch(faq: Vec<FaqEntry>, locale: Locale) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let faq = StoredValue::new(faq);
    let talk = move |ev: leptos::ev::MouseEvent| {
        // The message box lives in the same shadow root as the button.
        let composer = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Node>().ok())
            .and_then(|node| node.get_root_node().dyn_into::<web_sys::ShadowRoot>().ok())
            .and_then(|root| root.get_element_by_id("kept-composer"));
        if let Some(el) = composer.and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = el.focus();
        }
    };
    view! {
        <div class="kept-faq">
            <label class="kept-field__label" for="kept-faq">{ChatText::SearchAnswers.in_locale(locale)}</label>
            <input id="kept-faq" class="kept-input" type="search" data-testid="faq-search"
                on:input=move |ev| query.set(event_target_value(&ev))/>
            <ul class="kept-items" data-testid="faq-results" aria-live="polite">
                {move || faq.with_value(|f| {
                    let gaps = word_gaps();
                    kept_protocol::faq::search_with(f, locale, &query.get(), &|t| browser_words(t, &gaps))
                        .into_iter()
                        .take(5)
                        .map(|e| view! {
                            <li class="kept-receipt">
                                <strong>{e.question.clone()}</strong>
                                <p class="kept-message__text">{e.answer.clone()}</p>
                            </li>
                        })
                        .collect_view()
                })}
            </ul>
            <button type="button" class="kept-button kept-button--secondary" data-testid="talk-to-person" on:click=talk>
                {ChatText::TalkToPerson.in_locale(locale)}
            </button>
        </div>
    }
}

/// The named manager says hello.
#[component]
pub fn Greeting(manager: Manager, locale: Locale) -> impl IntoView {
    let text = ChatText::Greeting.with(locale, &[("name", &manager.name)]);
    view! { <p class="kept-greeting" data-testid="greeting">{text}</p> }
}

/// One question after delivery: 1 to 5, and an optional comment.
#[component]
pub fn Survey(api: Api, locale: Locale) -> impl IntoView {
    let scope = crate::task::Scope::here();
    let rating = RwSignal::new(0u8);
    let comment = RwSignal::new(String::new());
    let done = RwSignal::new(None::<bool>);
    let send = Callback::new(move |()| {
        let (r, c) = (rating.get_untracked(), comment.get_untracked());
        let Some(key) = new_idempotency_key() else { return };
        let answer = SurveyAnswer { rating: r, comment: Some(c).filter(|c| !c.trim().is_empty()) };
        let api = api.clone();
        scope.spawn(async move { done.set(Some(api.survey(&answer, &key).await.is_ok())) });
    });
    let stars = move || {
        (1..=5u8)
            .zip(["1", "2", "3", "4", "5"])
            .map(|(n, value)| {
                let star = Choice::radio(
                    "kept-rating",
                    value,
                    ["rating-", value].concat(),
                    value.to_owned(),
                    memo(move || rating.get() == n),
                );
                choice(star, move |_| rating.set(n))
            })
            .collect_view()
    };
    move || {
        match done.get() {
        Some(true) => view! { <p role="status" data-testid="survey-thanks">{ChatText::SurveyThanks.in_locale(locale)}</p> }.into_any(),
        _ => view! {
            <fieldset class="kept-fieldset kept-field" data-testid="survey">
                <legend class="kept-field__label">{ChatText::SurveyQuestion.in_locale(locale)}</legend>
                <div class="kept-row">{stars()}</div>
                <label class="kept-field__label" for="kept-survey-comment">{ChatText::SurveyComment.in_locale(locale)}</label>
                <textarea id="kept-survey-comment" class="kept-input" rows="2" on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                <button type="button" class="kept-button" data-testid="send-survey"
                    prop:disabled=move || rating.get() == 0 on:click=move |_| send.run(())>{ChatText::Send.in_locale(locale)}</button>
                {move || (done.get() == Some(false)).then(|| view! { <p class="kept-alert" role="alert">{Text::SendFailed.in_locale(locale)}</p> })}
            </fieldset>
        }.into_any(),
    }
    }
}

#[cfg(test)]
mod tests {
    use super::{browser_words, word_gaps};
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn the_browser_splits_and_folds_words_as_the_protocol_does() {
        let texts = [
            "Czy mogę ZWRÓCIĆ kawę? Łódź, 14 dni.",
            "Когда приедет заказ? ЁМКАЯ упаковка, 1–2 дня; Йогурт.",
            "Коли прийде замовлення? Ґанок, їжак, Європа.",
            "Wann kommt die Bestellung? Größe: ÄÖÜ, Straße 5.",
            "When will my order arrive?  Delivery takes 1-2 working days...",
            "e\u{301}te\u{301} ½ ٣ x²",
            "",
            " ,.;!? ",
        ];
        for text in texts {
            assert_eq!(browser_words(text, &word_gaps()), kept_protocol::faq::words(text), "{text}");
        }
    }
}
