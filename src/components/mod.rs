//! The widget's views: a folder per feature, a file per component.

pub mod app;
pub mod chat;
pub mod preferences;
pub mod receipt;

use leptos::prelude::*;

/// `content` while `condition` holds: built anew each time it turns true, dropped when it turns
/// false. What Leptos's `<Show>` does, without its component and boxed children, which cost the
/// first screen more bytes per use than this memo and closure.
pub fn shown_when<V: IntoView + 'static>(
    condition: impl Fn() -> bool + Send + Sync + 'static,
    content: impl Fn() -> V + Send + Sync + 'static,
) -> impl IntoView {
    let shown = Memo::new(move |_| condition());
    move || shown.get().then(&content)
}
