//! The widget's one way to start a task. Most belong to a component ([`Scope`]): cancelled when
//! the component is gone, so an unmounted widget keeps nothing running on the host page. The few
//! that must finish whatever becomes of the view (a submission on its way to the backend) are
//! [`detached`], and say why where they start.

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

/// Runs `task` to its end, whatever becomes of the component that started it. Only for work the
/// customer is owed after the view is gone; it may write signals, which are then no-ops.
pub fn detached(task: impl Future<Output = ()> + 'static) {
    leptos::task::spawn_local(task)
}
