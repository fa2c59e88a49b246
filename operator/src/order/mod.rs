//! One order: the agreement on top in large type, the actions that keep it, the chat beside it.

mod change_form;
mod composer;
mod items;
mod status_form;
mod stream;
pub mod text;

use std::rc::Rc;

use kept_protocol::chat::AuthorKind;
use kept_protocol::operator::{CallLog, OrderDetail, OutOfStock};
use kept_protocol::{CallbackStatus, ItemResolution, Locale, ProblemCode, Replacement, ShopProfile};
use leptos::prelude::*;

use crate::api::{Api, Failure};
use crate::i18n::{words, T};
use change_form::ChangeForm;
use composer::Composer;
use items::item_row;
use status_form::StatusForm;
use text::date_time;
use text::{agreement_line, timeline_text};

/// Reads a refusal the caller knows into its own words.
type Refused = Rc<dyn Fn(&Failure) -> Option<String>>;

/// One write of the panel: where it goes, what it sends, and how its outcome reads.
#[derive(Clone)]
pub struct Write {
    url: String,
    body: serde_json::Value,
    done: Rc<dyn Fn(Option<serde_json::Value>) -> String>,
    refused: Refused,
}

/// What every action of a panel shares; `Copy`, so each button's handler takes it along.
#[derive(Clone, Copy)]
pub struct Ctx {
    /// `/v1/operator/orders/{order}`
    path: StoredValue<String>,
    detail: Memo<Option<OrderDetail>>,
    notice: RwSignal<Option<(bool, String)>>,
    /// Bumped to reload the order.
    reload: RwSignal<u32>,
    /// Every write of the panel goes through it; its `pending()` says one is on its way.
    write: Action<Write, ()>,
    l: Locale,
}

/// The panel's writes: each one POSTed, then what happened said (`done` on success, `refused`
/// for the refusals it knows, the server's words otherwise), and the order read again.
fn writes(
    api: Api,
    notice: RwSignal<Option<(bool, String)>>,
    reload: RwSignal<u32>,
    on_change: Callback<()>,
    on_unauthorized: Callback<()>,
    l: Locale,
) -> Action<Write, ()> {
    Action::new_local(move |w: &Write| {
        let (api, w) = (api.clone(), w.clone());
        async move {
            match api.post::<_, serde_json::Value>(&w.url, &w.body).await {
                Ok(r) => notice.set(Some((true, (w.done)(r)))),
                Err(Failure::Unauthorized) => on_unauthorized.run(()),
                Err(f) => {
                    let text = (w.refused)(&f).unwrap_or_else(|| match &f {
                        Failure::Refused(b) => format!("{} {}", T::Failed.get(l), b.error.message),
                        _ => T::Failed.get(l).to_owned(),
                    });
                    notice.set(Some((false, text)));
                }
            }
            reload.update(|n| *n += 1);
            on_change.run(());
        }
    })
}

impl Ctx {
    /// POSTs `body` to the order's `tail` through the panel's write action: `done` reads a
    /// success, `refused` the refusals it knows.
    pub fn post<B, R>(
        self,
        tail: String,
        body: B,
        done: impl Fn(Option<R>) -> String + 'static,
        refused: impl Fn(&Failure) -> Option<String> + 'static,
    ) where
        B: serde::Serialize,
        R: serde::de::DeserializeOwned + 'static,
    {
        let Ok(body) = serde_json::to_value(&body) else { return };
        let done = move |r: Option<serde_json::Value>| done(r.and_then(|v| serde_json::from_value(v).ok()));
        let url = [self.path.get_value(), tail].concat();
        self.write.dispatch_local(Write { url, body, done: Rc::new(done), refused: Rc::new(refused) });
    }

    pub fn out_of_stock(self, item: &str, replacement: Option<Replacement>) {
        let l = self.l;
        let tail = format!("/items/{}/out-of-stock", js_sys::encode_uri_component(item));
        self.post(
            tail,
            OutOfStock { replacement },
            move |r: Option<ItemResolution>| {
                r.map(|r| format!("{} {}", T::Done.get(l), r.label(words(l)))).unwrap_or_default()
            },
            move |f| f.has(ProblemCode::OutOfRange).then(|| T::AboveCap.get(l).to_owned()),
        );
    }

    pub fn log_call(self) {
        let l = self.l;
        let instead = self.detail.with_untracked(|d| {
            let receipt = d.as_ref().and_then(|d| d.order.receipt.as_ref());
            let channels = receipt.map(|r| r.preferences.contact.channels.clone()).unwrap_or_default();
            channels.iter().filter(|c| !c.is_call()).map(|c| c.label(words(l))).collect::<Vec<_>>().join(", ")
        });
        self.post(
            "/calls".to_owned(),
            CallLog::default(),
            move |_: Option<serde_json::Value>| T::CallLogged.get(l).to_owned(),
            move |f| f.has(ProblemCode::CallsForbidden).then(|| format!("{} {instead}", T::CallRefused.get(l))),
        );
    }
}

/// The order's panel.
#[component]
pub fn OrderPanel(
    api: Api,
    id: String,
    shop: ShopProfile,
    l: Locale,
    on_change: Callback<()>,
    on_unauthorized: Callback<()>,
) -> impl IntoView {
    let (stored_api, path) = (
        StoredValue::new(api.clone()),
        StoredValue::new(format!("/v1/operator/orders/{}", js_sys::encode_uri_component(&id))),
    );
    let (notice, reload) = (RwSignal::new(None), RwSignal::new(0));
    // Read again after every change and every live event; a failed read says so (the
    // ErrorBoundary below) and keeps what was shown (`latest`).
    let fetched = LocalResource::new(move || {
        reload.track();
        let (api, path) = (stored_api.get_value(), path.get_value());
        async move {
            let read = api.get::<OrderDetail>(&path).await;
            if read == Err(Failure::Unauthorized) {
                on_unauthorized.run(());
            }
            read
        }
    });
    let detail = crate::console::latest(fetched);
    let write = writes(api.clone(), notice, reload, on_change, on_unauthorized, l);
    let ctx = Ctx { path, detail, notice, reload, write, l };
    // Live: every event of this order reloads it, so the console and the widget agree.
    stream::use_order_events(&api, &id, move || {
        ctx.reload.update(|n| *n += 1);
        on_change.run(());
    });

    let shop = StoredValue::new(shop);
    let agreement = move || {
        detail.with(|d| {
            d.as_ref().map(|d| match shop.with_value(|shop| agreement_line(&d.order, shop, l)) {
                Some(line) => view! { <p class="op-agreement__text" data-testid="op-agreement">{line}</p> }.into_any(),
                None => view! {
                    <p class="op-agreement__text op-agreement__text--none" data-testid="op-agreement">{T::NoAgreement.get(l)}</p>
                }
                .into_any(),
            })
        })
    };
    // The first read shows that it is on its way; a read that fails says so above what was shown.
    let agreement_section = move || {
        let loading = move || view! { <p class="op-agreement__text" role="status">{T::Loading.get(l)}</p> };
        let failed = move |_| {
            view! {
                <p class="op-notice op-notice--error" role="alert" data-testid="op-read-failed">{T::Failed.get(l)}</p>
                {agreement()}
            }
        };
        view! {
            <Transition fallback=loading>
                <ErrorBoundary fallback=failed>
                    {move || Suspend::new(async move { fetched.await.map(|_| agreement()) })}
                </ErrorBoundary>
            </Transition>
        }
    };
    let items = move || {
        detail.with(|d| {
            let Some(d) = d else { return Vec::new() };
            let order = &d.order;
            order.items.iter().filter(|i| i.active).map(|item| item_row(ctx, order, item)).collect::<Vec<_>>()
        })
    };
    let callbacks = move || {
        detail.with(|d| {
            d.as_ref().map(|d| {
                d.callbacks
                    .iter()
                    .map(|c| {
                        let status = match c.status {
                            CallbackStatus::Pending => T::CallbackPending,
                            CallbackStatus::Overdue => T::CallbackOverdue,
                            CallbackStatus::Done => T::CallbackDone,
                        };
                        let cb = c.id;
                        let done = move |_| {
                            ctx.post(
                                format!("/callbacks/{cb}/done"),
                                (),
                                move |_: Option<serde_json::Value>| T::CallbackDone.get(l).to_owned(),
                                |_| None,
                            )
                        };
                        let window = format!("{} – {}", date_time(&c.window_start, l), date_time(&c.window_end, l));
                        view! {
                            <li class:op-late=c.status == CallbackStatus::Overdue>
                                {format!("{window} · {}", status.get(l))}
                                {(c.status != CallbackStatus::Done).then(|| view! {
                                    <button type="button" class="op-button op-button--quiet" on:click=done>{T::MarkDone.get(l)}</button>
                                })}
                            </li>
                        }
                    })
                    .collect_view()
            })
        })
    };
    let timeline = move || {
        detail.with(|d| {
            d.as_ref().map(|d| {
                d.order
                    .timeline
                    .iter()
                    .rev()
                    .map(|e| {
                        // Who did it, when a named operator did ("Anna · 10:42 · Phone call logged").
                        let text = match &e.by {
                            Some(by) => {
                                format!("{by} · {} · {}", date_time(&e.at, l), timeline_text(&e.event, &d.order, l))
                            }
                            None => format!("{} · {}", date_time(&e.at, l), timeline_text(&e.event, &d.order, l)),
                        };
                        view! { <li>{text}</li> }
                    })
                    .collect_view()
            })
        })
    };
    let messages = move || {
        detail.with(|d| {
            d.as_ref().map(|d| {
                d.messages
                    .iter()
                    .map(|m| {
                        let who = match m.author {
                            AuthorKind::Customer => T::Customer.get(l).to_owned(),
                            AuthorKind::Operator => m.author_name.clone().unwrap_or_else(|| T::You.get(l).to_owned()),
                            AuthorKind::System => T::System.get(l).to_owned(),
                            AuthorKind::Bot => T::Bot.get(l).to_owned(),
                            AuthorKind::Unknown => T::System.get(l).to_owned(),
                        };
                        let customer = m.author == AuthorKind::Customer;
                        view! {
                            <li class="op-message" class:op-message--customer=customer data-testid="op-message">
                                <span class="op-message__author">{who}</span>
                                <p>{m.text.clone()}</p>
                            </li>
                        }
                    })
                    .collect_view()
            })
        })
    };
    view! {
        <section class="op-agreement" aria-labelledby="op-agreement-heading">
            <h2 id="op-agreement-heading" class="op-agreement__heading">{T::Agreement.get(l)} " · " {id}</h2>
            {agreement_section()}
        </section>
        {move || ctx.notice.get().map(|(ok, text)| if ok {
            view! { <p class="op-notice" role="status" data-testid="op-notice">{text}</p> }.into_any()
        } else {
            view! { <p class="op-notice op-notice--error" role="alert" data-testid="op-notice">{text}</p> }.into_any()
        })}
        <div class="op-columns">
            <div class="op-column">
                <section aria-labelledby="op-items-heading">
                    <h3 id="op-items-heading">{T::Items.get(l)}</h3>
                    <table class="op-items">
                        <thead><tr>
                            <th scope="col">{T::Items.get(l)}</th>
                            <th scope="col">{T::Price.get(l)}</th>
                            <th scope="col">{T::Rule.get(l)}</th>
                            <th scope="col">{T::OutOfStock.get(l)}</th>
                        </tr></thead>
                        <tbody>{items}</tbody>
                    </table>
                </section>
                <section aria-labelledby="op-contact-heading">
                    <h3 id="op-contact-heading">{T::Contact.get(l)}</h3>
                    <button type="button" class="op-button" data-testid="op-log-call" on:click=move |_| ctx.log_call()>
                        {T::LogCall.get(l)}
                    </button>
                    <h4>{T::Callbacks.get(l)}</h4>
                    <ul class="op-list" data-testid="op-callbacks">{callbacks}</ul>
                </section>
                <section aria-labelledby="op-promises-heading">
                    <h3 id="op-promises-heading">{T::Promises.get(l)}</h3>
                    <ul class="op-list" data-testid="op-promises">
                        {move || detail.with(|d| d.as_ref().map(|d| crate::record::promise_items(&d.promises, l)))}
                    </ul>
                    <h4>{T::Notifications.get(l)}</h4>
                    <ul class="op-list" data-testid="op-notifications">
                        {move || detail.with(|d| d.as_ref().map(|d| crate::record::notification_items(&d.notifications, l)))}
                    </ul>
                </section>
                <ChangeForm ctx/>
                <StatusForm ctx/>
                <section aria-labelledby="op-timeline-heading">
                    <h3 id="op-timeline-heading">{T::Timeline.get(l)}</h3>
                    <ol class="op-list" data-testid="op-timeline">{timeline}</ol>
                </section>
            </div>
            <section class="op-column op-chat" aria-labelledby="op-chat-heading">
                <h3 id="op-chat-heading">{T::Chat.get(l)}</h3>
                <ol class="op-messages" role="log" aria-live="polite" data-testid="op-messages">{messages}</ol>
                <Composer ctx/>
            </section>
        </div>
    }
}
