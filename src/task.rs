//! Tasks that belong to a component: cancelled when the component is gone (an unmounted widget
//! keeps nothing running on the host page).

use std::future::Future;

use leptos::prelude::Owner;

/// The component a task belongs to; capture it while the component is set up.
#[derive(Clone)]
pub struct Scope(Option<Owner>);

impl Scope {
    /// The component being set up now.
    pub fn here() -> Scope {
        Scope(Owner::current())
    }

    /// Runs `task` until it ends or the component is cleaned up, whichever comes first.
    pub fn spawn(&self, task: impl Future<Output = ()> + 'static) {
        match &self.0 {
            Some(owner) => owner.with(|| leptos::task::spawn_local_scoped_with_cancellation(task)),
            None => leptos::task::spawn_local(task),
        }
    }
}
