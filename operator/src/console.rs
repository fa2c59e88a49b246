//! Signing in, and the order list with what needs attention first.

use kept_protocol::backend::Delivery;
use kept_protocol::operator::OrderSummary;
use kept_protocol::{Locale, ShopProfile};
use leptos::prelude::*;

use crate::api::{Api, Failure};
use crate::i18n::{locale, T};
use crate::order::OrderPanel;

/// The whole console.
#[component]
pub fn App() -> impl IntoView {
    let l = locale();
    let api = RwSignal::new(Api::from_session());
    let sign_out = move |_| {
        if let Some(a) = api.get_untracked() {
            a.sign_out();
        }
        api.set(None);
    };
    view! {
        <header class="op-header">
            <h1>{T::Title.get(l)}</h1>
            <nav aria-label=T::Language.get(l) class="op-langs">
                {crate::i18n::LOCALES.into_iter().map(|x| view! {
                    <a href=format!("?locale={}", x.tag()) aria-current=(x == l).then_some("true")>{x.tag()}</a>
                }).collect_view()}
            </nav>
            <Show when=move || api.with(Option::is_some)>
                <button type="button" class="op-button op-button--quiet" on:click=sign_out>{T::SignOut.get(l)}</button>
            </Show>
        </header>
        {move || match api.get() {
            None => view! { <SignIn api l/> }.into_any(),
            Some(a) => view! { <Console api=a l on_unauthorized=Callback::new(move |()| { Api::forget(); api.set(None) })/> }.into_any(),
        }}
    }
}

#[component]
fn SignIn(api: RwSignal<Option<Api>>, l: Locale) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    // A signed-in console replaces this form; a refusal stays until the password changes.
    let named = Action::new_local(move |(n, p): &(String, String)| {
        let (n, p) = (n.clone(), p.clone());
        async move {
            let answer = Api::sign_in_named(&n, &p).await.map(|(a, _)| a);
            if let Ok(a) = &answer {
                api.set(Some(a.clone()));
            }
            answer
        }
    });
    // None: nothing tried yet; Some(0): wrong name or password; Some(n): slowed for n seconds.
    let named_refused = move || match named.value().get() {
        Some(Err(Failure::Slowed(secs))) => Some(secs.max(1)),
        Some(Err(_)) => Some(0),
        _ => None,
    };
    let sign_in_named = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        named.dispatch((name.get_untracked(), password.get_untracked()));
    };
    let token = RwSignal::new(String::new());
    let with_token = Action::new_local(move |t: &String| {
        let t = t.clone();
        async move {
            let answer = Api::sign_in(&t).await;
            if let Ok(a) = &answer {
                api.set(Some(a.clone()));
            }
            answer
        }
    });
    let refused = move || matches!(with_token.value().get(), Some(Err(_)));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        with_token.dispatch(token.get_untracked());
    };
    view! {
        <main class="op-signin">
            <form on:submit=sign_in_named>
                <label for="op-name">{T::NameLabel.get(l)}</label>
                <input id="op-name" type="text" autocomplete="username" data-testid="op-name"
                    on:input=move |ev| name.set(event_target_value(&ev))/>
                <label for="op-password">{T::PasswordLabel.get(l)}</label>
                <input id="op-password" type="password" autocomplete="current-password" data-testid="op-password"
                    aria-invalid=move || named_refused().is_some().then_some("true")
                    aria-describedby=move || named_refused().is_some().then_some("op-password-error")
                    on:input=move |ev| { named.value().set(None); password.set(event_target_value(&ev)) }/>
                {move || named_refused().map(|wait| {
                    let text = if wait == 0 {
                        T::WrongPassword.get(l).to_owned()
                    } else {
                        format!("{} {}", T::TooManyAttempts.get(l), wait.div_ceil(60))
                    };
                    view! { <p id="op-password-error" class="op-error" role="alert" data-testid="op-sign-in-error">{text}</p> }
                })}
                <button type="submit" class="op-button" data-testid="op-sign-in-named">{T::SignIn.get(l)}</button>
            </form>
            <p class="op-muted">{T::OrToken.get(l)}</p>
            <form on:submit=submit>
                <label for="op-token">{T::TokenLabel.get(l)}</label>
                <input id="op-token" type="password" autocomplete="current-password" data-testid="op-token"
                    aria-invalid=move || refused().then_some("true")
                    aria-describedby=move || refused().then_some("op-token-error")
                    on:input=move |ev| token.set(event_target_value(&ev))/>
                <Show when=refused>
                    <p id="op-token-error" class="op-error" role="alert">{T::TokenRefused.get(l)}</p>
                </Show>
                <button type="submit" class="op-button" data-testid="op-sign-in">{T::SignIn.get(l)}</button>
            </form>
        </main>
    }
}

/// The latest answer of `resource` that was good, kept while a newer one is on its way or
/// failed.
pub fn latest<T: Clone + PartialEq + Send + Sync + 'static>(
    resource: LocalResource<Result<T, Failure>>,
) -> Memo<Option<T>> {
    Memo::new(move |before: Option<&Option<T>>| {
        resource.get().and_then(Result::ok).or_else(|| before.cloned().flatten())
    })
}

/// Minutes since an RFC 3339 instant, by the browser's clock.
pub fn minutes_since(at: &str) -> i64 {
    let then = js_sys::Date::parse(at);
    if then.is_nan() {
        return 0;
    }
    ((js_sys::Date::now() - then) / 60_000.0).floor() as i64
}

fn badges(o: &OrderSummary, promise_minutes: i64, l: Locale) -> impl IntoView {
    let waiting = o.waiting_since.as_deref().map(|since| {
        let waited = minutes_since(since);
        let late = waited > promise_minutes;
        let text =
            format!("{} {waited} {} ({} {promise_minutes})", T::Waiting.get(l), T::Minutes.get(l), T::Promised.get(l));
        view! { <span class="op-badge" class:op-badge--late=late>{text}</span> }
    });
    let count = |n: u32, t: T| {
        (n > 0).then(|| view! { <span class="op-badge op-badge--late">{format!("{} {n}", t.get(l))}</span> })
    };
    view! {
        {waiting}
        {count(o.callbacks_due, T::CallbacksDue)}
        {count(o.pending_change_requests, T::ChangeRequests)}
        {count(o.reports, T::Reports)}
    }
}

#[component]
fn Console(api: Api, l: Locale, on_unauthorized: Callback<()>) -> impl IntoView {
    // The list and the undelivered webhooks, read again every 5 s and after every change; the shop
    // once. A failed refresh keeps the last list (`latest`), as a list that blinks away would.
    let orders = LocalResource::new({
        let api = api.clone();
        move || {
            let api = api.clone();
            async move {
                let list = api.get::<Vec<OrderSummary>>("/v1/operator/orders").await;
                if list == Err(Failure::Unauthorized) {
                    on_unauthorized.run(());
                }
                list
            }
        }
    });
    let undelivered = LocalResource::new({
        let api = api.clone();
        move || {
            let api = api.clone();
            async move { api.get::<Vec<Delivery>>("/v1/operator/webhook-deliveries").await }
        }
    });
    let shop = LocalResource::new({
        let api = api.clone();
        move || {
            let api = api.clone();
            async move { api.get::<ShopProfile>("/v1/shop").await }
        }
    });
    let refresh = move || {
        orders.refetch();
        undelivered.refetch();
    };
    let read = orders;
    let (orders, undelivered, shop) = (latest(orders), latest(undelivered), latest(shop));
    let selected = RwSignal::new(None::<String>);
    // The Record page instead of an order.
    let record = RwSignal::new(false);
    let open_order = Callback::new(move |id: String| {
        record.set(false);
        selected.set(Some(id));
    });
    // The operator is online while this console is open: a heartbeat, and a fresh list.
    let beat = Action::new_local({
        let api = api.clone();
        move |(): &()| {
            let api = api.clone();
            async move {
                let _ = api.post::<(), serde_json::Value>("/v1/operator/presence", &()).await;
            }
        }
    });
    beat.dispatch(());
    let timers = [
        set_interval_with_handle(refresh, std::time::Duration::from_secs(5)).ok(),
        set_interval_with_handle(
            move || {
                beat.dispatch(());
            },
            std::time::Duration::from_secs(20),
        )
        .ok(),
    ];
    on_cleanup(move || timers.into_iter().flatten().for_each(|t| t.clear()));
    let on_change = Callback::new(move |()| refresh());
    // The open order is rebuilt only when another is picked, never by the list's refresh.
    let shop_ready = Memo::new(move |_| shop.with(Option::is_some));
    let promise = move || {
        shop.with(|s| kept_protocol::ReplyTime::promised_minutes(s.as_ref().and_then(|s| s.reply_time.as_ref()))) as i64
    };
    let send_again = Action::new_local({
        let api = api.clone();
        move |id: &i64| {
            let (api, path) = (api.clone(), format!("/v1/operator/webhook-deliveries/{id}/retry"));
            async move {
                if api.post::<(), serde_json::Value>(&path, &()).await.is_ok() {
                    refresh();
                }
            }
        }
    });
    let deliveries =
        move || {
            let list = undelivered.get().unwrap_or_default();
            (!list.is_empty()).then(move || view! {
            <section class="op-deliveries" aria-labelledby="op-deliveries-heading" data-testid="op-deliveries">
                <h2 id="op-deliveries-heading">{T::Undelivered.get(l)}</h2>
                <ul>
                    {list.into_iter().map(|d| {
                        let label = format!("{} · {} · {} ({})", d.order, d.event_type, d.state, d.attempts);
                        view! {
                            <li>
                                {label} {d.last_error.map(|e| format!(" · {e}"))}
                                <button type="button" class="op-button op-button--quiet" data-testid="op-send-again"
                                    on:click=move |_| { send_again.dispatch(d.id); }>{T::SendAgain.get(l)}</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        })
        };
    // The list as last read well: a refresh that fails says so above it rather than blink it away.
    let order_list = move || match orders.get() {
        Some(list) if list.is_empty() => view! { <p>{T::NoOrders.get(l)}</p> }.into_any(),
        Some(list) => view! {
            <ul data-testid="op-orders">
                {list.into_iter().map(|o| {
                    let id = o.id.clone();
                    let current = {
                        let id = id.clone();
                        move || (selected.get().as_deref() == Some(id.as_str())).then_some("true")
                    };
                    let pick = id.clone();
                    view! {
                        <li>
                            <button type="button" class="op-order" aria-current=current data-testid="op-order"
                                on:click=move |_| open_order.run(pick.clone())>
                                <strong>{id}</strong> " · " {o.status.label(crate::i18n::words(l))}
                                <span class="op-badges">{badges(&o, promise(), l)}</span>
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
        .into_any(),
        None => ().into_any(),
    };
    view! {
        {deliveries}
        <div class="op-layout">
            <nav class="op-orders" aria-labelledby="op-orders-heading">
                <h2 id="op-orders-heading">{T::Orders.get(l)}</h2>
                <Transition fallback=move || view! { <p role="status">{T::Loading.get(l)}</p> }>
                    <ErrorBoundary fallback=move |_| view! {
                        <p class="op-error" role="alert" data-testid="op-orders-failed">{T::Failed.get(l)}</p>
                        {order_list}
                    }>
                        {move || Suspend::new(async move { read.await.map(|_| order_list) })}
                    </ErrorBoundary>
                </Transition>
            </nav>
            <main class="op-main">
                <button type="button" class="op-button op-button--quiet" data-testid="op-record-toggle"
                    aria-pressed=move || record.get().to_string() on:click=move |_| record.update(|r| *r = !*r)>
                    {T::Record.get(l)}
                </button>
                {move || match (record.get(), selected.get(), shop_ready.get()) {
                    (true, _, _) => view! { <crate::record::RecordPage api=api.clone() l on_open=open_order/> }.into_any(),
                    (false, Some(id), true) => {
                        let shop = shop.get_untracked().unwrap_or_else(|| ShopProfile::new("", "UTC", vec![], vec![]));
                        view! { <OrderPanel api=api.clone() id shop l on_change on_unauthorized/> }.into_any()
                    }
                    _ => view! { <p class="op-hint">{T::PickOrder.get(l)}</p> }.into_any(),
                }}
            </main>
        </div>
    }
}
