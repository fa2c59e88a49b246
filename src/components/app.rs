//! The root: loads the shop and the order, then shows the preference step or the receipt.

use kept_protocol::json::to_json;
use kept_protocol::{Locale, OrderStatus, OrderView, Preferences, Problem, ShopProfile};
use leptos::prelude::*;

use crate::api::{new_idempotency_key, Api, ApiError};
use crate::components::chat::{chat_code, ChatCode, ChunkMissing};
use crate::components::preferences::PreferenceForm;
use crate::components::receipt::ReceiptCard;
use crate::config::Config;
use crate::host::{self, InstanceId};
use crate::i18n::{self, BootText, Part, Text};
use crate::storage::{self, Outgoing};
use crate::wire::{StepOrder, StepShop};

/// `{"problems":[...]}`, as the host page receives them.
pub fn problems_json(problems: &[Problem]) -> String {
    let mut json = String::from("{\"problems\":");
    json.push_str(to_json(problems).as_deref().unwrap_or("[]"));
    json.push('}');
    json
}

/// The whole widget for one order.
#[component]
pub fn App(config: Config) -> impl IntoView {
    let locale = config.locale;
    let status_only = config.status_only;
    let api = Api::new(config);
    let instance = use_context::<crate::host::InstanceId>();
    // A task and a signal rather than an Action or a LocalResource: their machinery, generic
    // over the result, cost more bytes than these few lines. Detached rather than scoped: the
    // first screen carries no `task::Scope` (it would add 340 bytes gzip, measured); the task only
    // writes signals, which are no-ops once the widget is gone.
    let loaded = RwSignal::new(None::<Result<(StepShop, StepOrder), ApiError>>);
    let load = Callback::new({
        let api = api.clone();
        move |()| {
            loaded.set(None);
            let api = api.clone();
            crate::task::detached(async move {
                // A backend that implements only the preferences endpoint passes the shop and the
                // items in the config; the receipt then lives in this browser's storage.
                // Both at once: one round trip before the step shows, not two.
                let shop = async {
                    match api.inline_shop() {
                        Some(shop) => Ok(shop),
                        None => api.step_shop().await,
                    }
                };
                let order = async {
                    match api.inline_items() {
                        Some(items) => {
                            let mut view = OrderView::new(api.order_id(), OrderStatus::OrderProcessing, items);
                            view.receipt = storage::receipt(api.order_id());
                            Ok(StepOrder(view, wasm_bindgen::JsValue::UNDEFINED))
                        }
                        None => api.step_order().await,
                    }
                };
                // The customer's texts travel beside them (the loader asked for all three at once).
                let words = i18n::request(locale, Part::Step);
                let (shop, order) = futures::future::join(shop, order).await;
                let words = words.done().await.map_err(|_| ApiError::Network);
                // The step is built in a task of its own, apart from reading the answers: the
                // boot's longest task is the build, and this keeps it no longer than it must be.
                crate::api::sleep(0).await;
                loaded.set(Some(words.and(shop).and_then(|shop| Ok((shop, order?)))));
            });
        }
    });
    load.run(());
    view! {
        <section class="kept-widget" lang=locale.tag() aria-labelledby="kept-heading">
            {move || match loaded.get() {
                // A skeleton of the step while the order and the texts travel.
                None => view! {
                    <div class="kept-skeleton" aria-busy="true">
                        <p id="kept-heading" class="kept-status" role="status">{i18n::loading_text(locale)}</p>
                        <span></span><span></span><span></span><span></span><span></span>
                    </div>
                }.into_any(),
                Some(Err(e)) => {
                    let text = if e == ApiError::NotFound { Text::OrderNotFound.in_locale(locale) } else { BootText::LoadFailed.in_locale(locale) };
                    view! {
                        <div class="kept-alert" role="alert" data-testid="load-error">
                            <p id="kept-heading">{text}</p>
                            <button type="button" class="kept-button" on:click=move |_| load.run(())>
                                {BootText::Retry.in_locale(locale)}
                            </button>
                        </div>
                    }.into_any()
                }
                Some(Ok((step_shop, step_order))) => {
                    let (shop, order) = (step_shop.0.clone(), step_order.0.clone());
                    // A backend with only the preferences endpoint has no chat to show.
                    let chat = api.inline_items().is_none().then(|| {
                        view! { <LazyChat api=api.clone() shop=step_shop order=step_order locale/> }
                    });
                    // The order-status page shows the chat (with the agreement card) alone.
                    let step = (!status_only || chat.is_none()).then(|| {
                        view! { <div class="kept-layout__step"><Checkout api=api.clone() shop order locale/></div> }
                    });
                    // The host page (and the benchmark) hear when the widget can be used.
                    if let Some(id) = instance {
                        // After this build, whatever becomes of it: the host page is owed the event.
                        crate::task::detached(async move { host::emit(id, "kept:ready", "{}") });
                    }
                    view! {
                        <h2 id="kept-heading" class="kept-widget__heading">{Text::Heading.in_locale(locale)}</h2>
                        <div class="kept-layout">{step} {chat}</div>
                    }.into_any()
                }
            }}
        </section>
    }
}

/// The chat, once its code has arrived (it loads after the step is usable), with a retry
/// when it could not be fetched. The shop and the order come as the step read them, with their
/// JSON, from which the chat's code reads the parts only it shows.
#[component]
fn LazyChat(api: Api, shop: StepShop, order: StepOrder, locale: Locale) -> impl IntoView {
    let code = RwSignal::new(None::<Result<ChatCode, ChunkMissing>>);
    // The chat's texts come beside its code. Detached, as the step's load above.
    let fetch = move || {
        crate::task::detached(async move {
            // Asked for in the next task, not at the end of the step's build, which is long enough.
            crate::api::sleep(0).await;
            let words = i18n::request(locale, Part::Chat);
            let chunk = chat_code().await;
            let words = words.done().await;
            code.set(Some(chunk.and_then(|c| words.map(|()| c).map_err(|_| ChunkMissing))))
        })
    };
    fetch();
    move || match code.get() {
        None => view! {
            <div class="kept-chat kept-chat--loading" role="status">{Text::ChatLoading.in_locale(locale)}</div>
        }
        .into_any(),
        Some(Ok(chat)) => chat(api.clone(), shop.clone(), order.clone(), locale),
        Some(Err(ChunkMissing)) => view! {
            <div class="kept-alert" role="alert" data-testid="chat-load-error">
                <p>{Text::ChatLoadFailed.in_locale(locale)}</p>
                <button type="button" class="kept-button" on:click=move |_| { code.set(None); fetch(); }>
                    {Text::Retry.in_locale(locale)}
                </button>
            </div>
        }
        .into_any(),
    }
}

/// The preference step and its receipt, wired to the backend.
#[component]
fn Checkout(api: Api, shop: ShopProfile, order: OrderView, locale: Locale) -> impl IntoView {
    let editable = order.editable;
    let receipt = RwSignal::new(order.receipt.clone());
    let order_view = order;
    let editing = RwSignal::new(receipt.with_untracked(Option::is_none) && editable);
    let server_problems = RwSignal::new(Vec::<Problem>::new());
    let failure = RwSignal::new(None::<Text>);
    let order_id = StoredValue::new(api.order_id().to_owned());
    let instance = use_context::<InstanceId>();
    let tell_host = move |result: Result<String, String>| {
        if let Some(id) = instance {
            match &result {
                Ok(receipt) => {
                    host::set_receipt(id, Some(receipt.clone()));
                    host::emit(id, "kept:submitted", receipt);
                    host::settle(id, Ok(receipt));
                }
                Err(detail) => host::settle(id, Err(detail)),
            }
        }
    };
    if let (Some(id), Some(r)) = (instance, receipt.get_untracked()) {
        host::set_receipt(id, to_json(&r));
    }
    // One idempotency key per logical submission, kept in the outbox (and here, should storage
    // be unavailable) until the backend answers for good: retries and reloads reuse it.
    let pending_out = StoredValue::new(order_id.with_value(|o| storage::outbox(o)));

    // Submissions in flight (a task each, as with the load above).
    let sending = RwSignal::new(0u32);
    let send = Callback::new(move |out: Outgoing| {
        let api = api.clone();
        pending_out.set_value(Some(out.clone()));
        // The task reads nothing of the component's after it starts: the widget may be gone by
        // the time the backend answers (only signal writes follow, and those are then no-ops).
        let order = order_id.get_value();
        storage::put_outbox(&order, &out);
        sending.update(|n| *n += 1);
        crate::task::detached(async move {
            let result = api.submit_reliably(&out.preferences, &out.key).await;
            let done = || {
                storage::clear_outbox(&order);
                pending_out.set_value(None);
            };
            match result {
                Ok(r) => {
                    done();
                    storage::clear_draft(&order);
                    storage::save_receipt(&order, &r);
                    tell_host(Ok(to_json(&r).unwrap_or_default()));
                    receipt.set(Some(r));
                    editing.set(false);
                }
                Err(ApiError::Invalid(problems)) => {
                    done();
                    tell_host(Err(problems_json(&problems)));
                    server_problems.set(problems);
                }
                Err(ApiError::NotEditable) => {
                    done();
                    tell_host(Err(r#"{"error":"not_editable"}"#.to_owned()));
                    failure.set(Some(Text::NotEditable));
                }
                // Still in the outbox: the retry button or the next visit finishes it.
                Err(_) => {
                    tell_host(Err(r#"{"error":"not_sent"}"#.to_owned()));
                    failure.set(Some(Text::SendFailed));
                }
            }
            sending.update(|n| *n -= 1);
        });
    });
    let on_submit = Callback::new(move |prefs: Preferences| {
        let key = match pending_out.get_value() {
            Some(out) if out.preferences == prefs => Some(out.key),
            _ => new_idempotency_key(),
        };
        failure.set(None);
        server_problems.set(Vec::new());
        // Without Web Crypto there is no safe key; saying so beats risking a duplicate.
        match key {
            Some(key) => {
                send.run(Outgoing { key, preferences: prefs });
            }
            None => failure.set(Some(Text::SendFailed)),
        }
    });
    // A submission cut short by a reload or a closed tab finishes now, with its first key.
    let resumed = pending_out.get_value();
    if let Some(out) = resumed.clone() {
        editing.set(true);
        send.run(out);
    }
    let on_change = Callback::new(move |()| editing.set(true));
    let shop = StoredValue::new(shop);
    let order_view = StoredValue::new(order_view);

    move || {
        if editing.get() {
            // What the customer last chose: an unfinished submission, else the draft, else the receipt.
            let initial = resumed
                .as_ref()
                .map(|o| o.preferences.clone())
                .or_else(|| order_id.with_value(|o| storage::draft(o)))
                .or_else(|| receipt.with_untracked(|r| r.as_ref().map(|r| r.preferences.clone())));
            view! {
                <PreferenceForm
                    shop=shop.get_value()
                    order=order_view.get_value()
                    locale
                    initial
                    on_submit
                    sending
                    server_problems=server_problems
                    failure=failure
                />
            }
            .into_any()
        } else {
            match receipt.get() {
                Some(r) => view! { <ReceiptCard receipt=r locale editable on_change/> }.into_any(),
                None => view! { <p class="kept-notice">{Text::NotEditable.in_locale(locale)}</p> }.into_any(),
            }
        }
    }
}
