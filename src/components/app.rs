//! The root: loads the shop and the order, then shows the preference step or the receipt.

use kept_protocol::{Locale, OrderView, Preferences, Problem, ShopProfile};
use leptos::prelude::*;

use crate::api::{new_idempotency_key, Api, ApiError};
use crate::components::preferences::PreferenceForm;
use crate::components::receipt::ReceiptCard;
use crate::config::Config;
use crate::i18n::Text;

/// The whole widget for one order.
#[component]
pub fn App(config: Config) -> impl IntoView {
    let locale = config.locale;
    let api = Api::new(config);
    // An action rather than a LocalResource: it shares the async machinery `send` already
    // pulls in, which keeps the wasm smaller (measured: 12 KB gzip less).
    let load = Action::new_local({
        let api = api.clone();
        move |()| {
            let api = api.clone();
            async move {
                let shop = api.shop().await?;
                let order = api.order().await?;
                Ok::<_, ApiError>((shop, order))
            }
        }
    });
    load.dispatch(());
    let loaded = load.value();
    view! {
        <section class="kept-widget" lang=locale.tag() aria-labelledby="kept-heading">
            <h2 id="kept-heading" class="kept-widget__heading">{Text::Heading.in_locale(locale)}</h2>
            {move || match loaded.get().filter(|_| !load.pending().get()) {
                None => view! {
                    <p class="kept-status" role="status">{Text::Loading.in_locale(locale)}</p>
                }.into_any(),
                Some(Err(e)) => {
                    let text = if e == ApiError::NotFound { Text::OrderNotFound } else { Text::LoadFailed };
                    view! {
                        <div class="kept-alert" role="alert" data-testid="load-error">
                            <p>{text.in_locale(locale)}</p>
                            <button type="button" class="kept-button" on:click=move |_| { load.dispatch(()); }>
                                {Text::Retry.in_locale(locale)}
                            </button>
                        </div>
                    }.into_any()
                }
                Some(Ok((shop, order))) => {
                    view! { <Checkout api=api.clone() shop order locale/> }.into_any()
                }
            }}
        </section>
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
    // One idempotency key per logical submission: a retry of the same choices reuses it.
    let attempt = StoredValue::new(None::<(Preferences, String)>);

    let send = Action::new_local(move |prefs: &Preferences| {
        let (api, prefs) = (api.clone(), prefs.clone());
        let key = match attempt.get_value() {
            Some((last, key)) if last == prefs => Some(key),
            _ => new_idempotency_key(),
        };
        if let Some(key) = &key {
            attempt.set_value(Some((prefs.clone(), key.clone())));
        }
        async move {
            // Without Web Crypto there is no safe key; saying so beats risking a duplicate.
            let Some(key) = key else {
                failure.set(Some(Text::SendFailed));
                return;
            };
            match api.submit(&prefs, &key).await {
                Ok(r) => {
                    attempt.set_value(None);
                    receipt.set(Some(r));
                    editing.set(false);
                }
                Err(ApiError::Invalid(problems)) => server_problems.set(problems),
                Err(ApiError::NotEditable) => failure.set(Some(Text::NotEditable)),
                Err(_) => failure.set(Some(Text::SendFailed)),
            }
        }
    });
    let on_submit = Callback::new(move |prefs: Preferences| {
        failure.set(None);
        server_problems.set(Vec::new());
        send.dispatch(prefs);
    });
    let on_change = Callback::new(move |()| editing.set(true));
    let shop = StoredValue::new(shop);
    let order_view = StoredValue::new(order_view);

    move || {
        if editing.get() {
            let initial = receipt.with_untracked(|r| r.as_ref().map(|r| r.preferences.clone()));
            view! {
                <PreferenceForm
                    shop=shop.get_value()
                    order=order_view.get_value()
                    locale
                    initial
                    on_submit
                    pending=send.pending()
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
