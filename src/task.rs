//! Tasks that belong to a component: cancelled when the component is gone (an unmounted widget
//! keeps nothing running on the host page).

use std::future::Future;
use std::pin::Pin;

use futures::future::{AbortHandle, Abortable};
use leptos::prelude::{on_cleanup, Owner};
use leptos::reactive::owner::WeakOwner;

/// The component a task belongs to; capture it while the component is set up. Held weakly:
/// callbacks that keep a scope must not keep their own component alive.
#[derive(Clone)]
pub struct Scope(Option<WeakOwner>);

impl Scope {
    /// The component being set up now.
    pub fn here() -> Scope {
        Scope(Owner::current().map(|o| o.downgrade()))
    }

    /// Runs `task` until it ends or the component is cleaned up, whichever comes first. The task
    /// holds no reference to the component, so it cannot keep it alive.
    pub fn spawn(&self, task: impl Future<Output = ()> + 'static) {
        // One copy of the machinery below, whatever the future: each caller only boxes.
        self.spawn_boxed(Box::pin(task))
    }

    fn spawn_boxed(&self, task: Pin<Box<dyn Future<Output = ()>>>) {
        let (abort, registration) = AbortHandle::new_pair();
        match self.0.as_ref().map(WeakOwner::upgrade) {
            Some(Some(owner)) => owner.with(|| on_cleanup(move || abort.abort())),
            // The component is already gone: nothing to run for it.
            Some(None) => return,
            None => {}
        }
        leptos::task::spawn_local(async move {
            let _ = Abortable::new(task, registration).await;
        });
    }
}
