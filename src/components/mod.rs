//! The widget's views: a folder per feature, a file per component.

pub mod app;
pub mod chat;
pub mod preferences;
pub mod receipt;

use leptos::prelude::*;

/// `content` while `condition` holds: built anew each time it turns true, dropped when it turns
/// false. What Leptos's `<Show>` does, without its component and boxed children, which cost the
/// first screen more bytes per use than this memo and closure. The content is type-erased and
/// shown by one closure type, so the code that builds and swaps it exists once, not per use.
pub fn shown_when<V: IntoView + 'static>(
    condition: impl Fn() -> bool + Send + Sync + 'static,
    content: impl Fn() -> V + Send + Sync + 'static,
) -> impl IntoView {
    shown(memo_bool(condition), Box::new(move || content().into_any()))
}

fn shown(condition: Memo<bool>, content: Box<dyn Fn() -> AnyView + Send + Sync>) -> impl IntoView {
    move || condition.get().then(&content)
}

/// A memo of `condition`. `Memo::new` is generated anew for every closure it is given (its
/// constructor and the closures it wraps around yours); boxed, every condition shares one.
pub fn memo_bool(condition: impl Fn() -> bool + Send + Sync + 'static) -> Memo<bool> {
    boxed_memo(Box::new(condition))
}

fn boxed_memo(condition: Box<dyn Fn() -> bool + Send + Sync>) -> Memo<bool> {
    Memo::new(move |_| condition())
}
