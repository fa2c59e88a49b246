//! The widget's views: a folder per feature, a file per component.

pub mod app;
pub mod chat;
pub mod preferences;
pub mod receipt;

use leptos::prelude::*;

/// Each line a list item: one function for every plain list of texts (the agreement's summary,
/// her promises), so its code exists once.
pub fn list(lines: Vec<String>) -> AnyView {
    lines.into_iter().map(|line| view! { <li>{line}</li> }).collect_view().into_any()
}

/// `content` while `condition` holds: built anew each time it turns true, dropped when it turns
/// false. What Leptos's `<Show>` does, without its component and boxed children, which cost the
/// first screen more bytes per use than this memo and closure. The content is type-erased and
/// shown by one closure type, so the code that builds and swaps it exists once, not per use.
pub fn shown_when<V: IntoView + 'static>(
    condition: impl Fn() -> bool + Send + Sync + 'static,
    content: impl Fn() -> V + Send + Sync + 'static,
) -> impl IntoView {
    shown(memo(condition), Box::new(move || content().into_any()))
}

fn shown(condition: Memo<bool>, content: Box<dyn Fn() -> AnyView + Send + Sync>) -> impl IntoView {
    move || condition.get().then(&content)
}

/// A memo of `f`. `Memo::new` is generated anew for every closure it is given (its constructor and
/// the closures it wraps around yours); boxed, every closure of one value type shares one.
pub fn memo<T: PartialEq + Send + Sync + 'static>(f: impl Fn() -> T + Send + Sync + 'static) -> Memo<T> {
    boxed_memo(Box::new(f))
}

fn boxed_memo<T: PartialEq + Send + Sync + 'static>(f: Box<dyn Fn() -> T + Send + Sync>) -> Memo<T> {
    Memo::new(move |_| f())
}
