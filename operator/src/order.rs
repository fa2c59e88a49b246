//! One order: the agreement on top in large type, the actions that keep it, the chat beside it.

use kept_protocol::chat::AuthorKind;
use kept_protocol::operator::{CallLog, NewChangeRequest, OperatorMessage, OrderDetail, OutOfStock, StatusChange};
use kept_protocol::summary::rule_text;
use kept_protocol::{
    CallbackStatus, ChangeKind, DeliverySlot, Item, ItemResolution, Locale, OrderStatus, OrderView, PaymentMethod,
    ProblemCode, Replacement, ShopProfile, TimelineEvent,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use send_wrapper::SendWrapper;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::api::{Api, Failure};
use crate::i18n::{words, Pick, T};

/// The agreement on one line, in the operator's language, "DO NOT CALL" first when it applies.
pub fn agreement_line(order: &OrderView, shop: &ShopProfile, l: Locale) -> Option<String> {
    let receipt = order.receipt.as_ref()?;
    let mut prefs = receipt.preferences.clone();
    prefs.locale = l;
    let mut lines = prefs.summary(shop, order, words(l));
    if prefs.contact.do_not_call && !lines.is_empty() {
        lines[0] = T::DoNotCall.get(l).to_owned();
    }
    Some(lines.iter().map(|s| s.trim_end_matches('.')).collect::<Vec<_>>().join(" · "))
}

/// What may stand in for `item`: the shop's suggestions, then the order's other items.
pub fn candidates(order: &OrderView, item: &Item) -> Vec<Replacement> {
    let others = order.items.iter().filter(|i| i.id != item.id && i.active).map(|i| Replacement {
        id: i.id.clone(),
        name: i.name.clone(),
        unit_price: i.unit_price.clone(),
    });
    item.replacements.iter().cloned().chain(others).collect()
}

/// A timeline entry, in words.
pub fn timeline_text(e: &TimelineEvent, order: &OrderView, l: Locale) -> String {
    match e {
        TimelineEvent::Status { status } => status.label(words(l)).to_owned(),
        TimelineEvent::PreferencesAgreed { version } => {
            format!("{} {version}", l.pick("Agreement, version", "Договорённость, версия", "Umowa, wersja"))
        }
        TimelineEvent::PromiseBroken { receipt_version, .. } => format!("{} ({receipt_version})", T::Reported.get(l)),
        TimelineEvent::ItemResolved { item, resolution } => {
            let name = order.item(item).map_or(item.as_str(), |i| i.name.as_str());
            format!("{name}: {}", resolution.label(words(l)))
        }
        TimelineEvent::ChangeRequested { .. } => {
            l.pick("Change asked", "Запрошено изменение", "Poproszono o zmianę").to_owned()
        }
        TimelineEvent::ChangeAnswered { accepted, .. } => if *accepted {
            l.pick("The customer accepted the change", "Клиент согласился", "Klient zaakceptował zmianę")
        } else {
            l.pick("The customer declined the change", "Клиент отказался", "Klient odrzucił zmianę")
        }
        .to_owned(),
        TimelineEvent::CallbackRequested { .. } => {
            l.pick("Callback requested", "Клиент просит перезвонить", "Klient prosi o telefon").to_owned()
        }
        TimelineEvent::CallLogged { .. } => {
            l.pick("Phone call logged", "Звонок записан", "Rozmowa zapisana").to_owned()
        }
        TimelineEvent::OrderUpdated { dropped } => {
            let base = l.pick(
                "Order updated by the shop's system",
                "Заказ обновлён системой магазина",
                "Zamówienie zaktualizowane przez system sklepu",
            );
            if dropped.is_empty() {
                base.to_owned()
            } else {
                format!("{base} (−{})", dropped.join(", "))
            }
        }
        TimelineEvent::Unknown => l.pick("Updated", "Обновлено", "Zaktualizowano").to_owned(),
        TimelineEvent::SurveyAnswered { rating } => format!("{} {rating}/5", l.pick("Rated", "Оценка", "Ocena")),
    }
}

fn date_time(at: &str, l: Locale) -> String {
    let d = js_sys::Date::new(&JsValue::from_str(at));
    if d.get_time().is_nan() {
        return at.to_owned();
    }
    d.to_locale_string(l.tag(), &JsValue::UNDEFINED).into()
}

/// What every action of a panel shares; `Copy`, so each button's handler takes it along.
#[derive(Clone, Copy)]
struct Ctx {
    api: StoredValue<Api>,
    /// `/v1/operator/orders/{order}`
    path: StoredValue<String>,
    detail: RwSignal<Option<OrderDetail>>,
    notice: RwSignal<Option<(bool, String)>>,
    /// Bumped to reload the order.
    reload: RwSignal<u32>,
    on_change: Callback<()>,
    on_unauthorized: Callback<()>,
    l: Locale,
}

impl Ctx {
    /// POSTs `body` to the order's `tail`, then says what happened: `done` on success, `refused`
    /// for the refusals it knows, the server's words otherwise; and reloads the order.
    fn post<B, R>(
        self,
        tail: String,
        body: B,
        done: impl FnOnce(Option<R>) -> String + 'static,
        refused: impl Fn(&Failure) -> Option<String> + 'static,
    ) where
        B: serde::Serialize + 'static,
        R: serde::de::DeserializeOwned + 'static,
    {
        let (api, url) = (self.api.get_value(), [self.path.get_value(), tail].concat());
        let l = self.l;
        spawn_local(async move {
            match api.post::<B, R>(&url, &body).await {
                Ok(r) => self.notice.set(Some((true, done(r)))),
                Err(Failure::Unauthorized) => self.on_unauthorized.run(()),
                Err(f) => {
                    let text = refused(&f).unwrap_or_else(|| match &f {
                        Failure::Refused(b) => format!("{} {}", T::Failed.get(l), b.error.message),
                        _ => T::Failed.get(l).to_owned(),
                    });
                    self.notice.set(Some((false, text)));
                }
            }
            self.reload.update(|n| *n += 1);
            self.on_change.run(());
        });
    }

    fn out_of_stock(self, item: &str, replacement: Option<Replacement>) {
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

    fn log_call(self) {
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
    let ctx = Ctx {
        api: StoredValue::new(api.clone()),
        path: StoredValue::new(format!("/v1/operator/orders/{}", js_sys::encode_uri_component(&id))),
        detail: RwSignal::new(None),
        notice: RwSignal::new(None),
        reload: RwSignal::new(0),
        on_change,
        on_unauthorized,
        l,
    };
    let detail = ctx.detail;
    Effect::new(move |_| {
        ctx.reload.track();
        let (api, path) = (ctx.api.get_value(), ctx.path.get_value());
        spawn_local(async move {
            match api.get::<OrderDetail>(&path).await {
                Ok(d) => detail.set(Some(d)),
                Err(Failure::Unauthorized) => on_unauthorized.run(()),
                Err(_) => ctx.notice.set(Some((false, T::Failed.get(l).to_owned()))),
            }
        });
    });
    // Live: every event of this order reloads it, so the console and the widget agree.
    let on_event = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |_: web_sys::MessageEvent| {
        ctx.reload.update(|n| *n += 1);
        on_change.run(());
    });
    if let Ok(source) = web_sys::EventSource::new(&api.events_url(&id)) {
        for name in ["message", "timeline", "receipt", "change_request", "status", "item_resolved"] {
            let _ = source.add_event_listener_with_callback(name, on_event.as_ref().unchecked_ref());
        }
        let source = SendWrapper::new(source);
        on_cleanup(move || source.close());
    }
    on_event.forget();

    let agreement = move || {
        detail.with(|d| {
            d.as_ref().map(|d| match agreement_line(&d.order, &shop, l) {
                Some(line) => view! { <p class="op-agreement__text" data-testid="op-agreement">{line}</p> }.into_any(),
                None => view! {
                    <p class="op-agreement__text op-agreement__text--none" data-testid="op-agreement">{T::NoAgreement.get(l)}</p>
                }
                .into_any(),
            })
        })
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
            {agreement}
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

/// One item: its price, the customer's rule for it, and "out of stock" done by that rule.
fn item_row(ctx: Ctx, order: &OrderView, item: &Item) -> impl IntoView {
    let l = ctx.l;
    let rule = order.receipt.as_ref().map(|r| r.preferences.substitutions.rule_for(&item.id).clone());
    let rule_words = rule.as_ref().map(|r| rule_text(r, words(l), order, Some(&item.id))).unwrap_or_default();
    let item_id = item.id.clone();
    let control = if matches!(rule, Some(kept_protocol::SubstitutionRule::Similar { .. })) {
        // The operator picks; the server refuses anything above the customer's cap.
        let options = candidates(order, item);
        let choice = RwSignal::new(0usize);
        let select_id = format!("op-replacement-{}", item.id);
        let picked = options.clone();
        view! {
            <label class="op-visually-hidden" for=select_id.clone()>{format!("{} {}", T::ReplacementFor.get(l), item.name)}</label>
            <select id=select_id.clone() data-testid=select_id
                on:change=move |ev| choice.set(event_target_value(&ev).parse().unwrap_or(0))>
                {options.iter().enumerate().map(|(n, r)| view! {
                    <option value=n.to_string()>{format!("{} · {}", r.name, words(l).money(&r.unit_price))}</option>
                }).collect_view()}
            </select>
            <button type="button" class="op-button" data-testid=format!("op-substitute-{}", item.id)
                on:click=move |_| ctx.out_of_stock(&item_id, picked.get(choice.get_untracked()).cloned())>
                {T::Substitute.get(l)}
            </button>
        }
        .into_any()
    } else {
        view! {
            <button type="button" class="op-button" data-testid=format!("op-out-of-stock-{}", item.id)
                on:click=move |_| ctx.out_of_stock(&item_id, None)>{T::OutOfStock.get(l)}</button>
        }
        .into_any()
    };
    view! {
        <tr>
            <th scope="row">{item.name.clone()}</th>
            <td>{words(l).money(&item.unit_price)}</td>
            <td>{rule_words}</td>
            <td class="op-actions">{control}</td>
        </tr>
    }
}

/// A change the customer must accept: another payment method, a substitution outside their rule,
/// another delivery slot.
#[component]
fn ChangeForm(ctx: Ctx) -> impl IntoView {
    let l = ctx.l;
    let kind = RwSignal::new(String::from("payment"));
    let method = RwSignal::new(PaymentMethod::CardOnline);
    let item = RwSignal::new(0usize);
    let candidate = RwSignal::new(0usize);
    let start = RwSignal::new(String::new());
    let end = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let order = move || ctx.detail.with(|d| d.as_ref().map(|d| d.order.clone()));
    let active =
        move || order().map(|o| o.items.into_iter().filter(|i| i.active).collect::<Vec<_>>()).unwrap_or_default();
    let iso = |local: String| -> Option<String> {
        let d = js_sys::Date::new(&JsValue::from_str(&local));
        (!d.get_time().is_nan()).then(|| d.to_iso_string().into())
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let change = match kind.get_untracked().as_str() {
            "payment" => Some(ChangeKind::Payment { method: method.get_untracked() }),
            "substitution" => order().and_then(|o| {
                let items: Vec<Item> = o.items.iter().filter(|i| i.active).cloned().collect();
                let it = items.get(item.get_untracked())?;
                let r = candidates(&o, it).get(candidate.get_untracked()).cloned()?;
                Some(ChangeKind::Substitution {
                    item: it.id.clone(),
                    replacement: r.id,
                    name: r.name,
                    unit_price: r.unit_price,
                })
            }),
            _ => iso(start.get_untracked())
                .zip(iso(end.get_untracked()))
                .map(|(start, end)| ChangeKind::DeliverySlot { slot: DeliverySlot { start, end } }),
        };
        let Some(change) = change else {
            ctx.notice.set(Some((false, T::Failed.get(l).to_owned())));
            return;
        };
        let body = NewChangeRequest { change, reason: reason.get_untracked() };
        ctx.post(
            "/change-requests".to_owned(),
            body,
            move |_: Option<serde_json::Value>| {
                reason.set(String::new());
                T::RequestSent.get(l).to_owned()
            },
            move |f| f.has(ProblemCode::Required).then(|| T::ReasonNeeded.get(l).to_owned()),
        );
    };
    let methods = [
        PaymentMethod::CardOnline,
        PaymentMethod::BankTransfer,
        PaymentMethod::CashOnDelivery,
        PaymentMethod::CardOnDelivery,
    ];
    view! {
        <form class="op-form" aria-labelledby="op-change-heading" on:submit=submit>
            <h3 id="op-change-heading">{T::AskChange.get(l)}</h3>
            <label for="op-change-kind">{T::ChangeKind.get(l)}</label>
            <select id="op-change-kind" data-testid="op-change-kind" on:change=move |ev| kind.set(event_target_value(&ev))>
                <option value="payment">{T::Prepayment.get(l)}</option>
                <option value="substitution">{T::OtherSubstitution.get(l)}</option>
                <option value="slot">{T::OtherSlot.get(l)}</option>
            </select>
            {move || match kind.get().as_str() {
                "payment" => view! {
                    <label for="op-change-method">{T::Method.get(l)}</label>
                    <select id="op-change-method" data-testid="op-change-method"
                        on:change=move |ev| method.set(methods[event_target_value(&ev).parse::<usize>().unwrap_or(0).min(3)])>
                        {methods.iter().enumerate().map(|(n, m)| view! { <option value=n.to_string()>{m.label(words(l))}</option> }).collect_view()}
                    </select>
                }.into_any(),
                "substitution" => view! {
                    <label for="op-change-item">{T::Items.get(l)}</label>
                    <select id="op-change-item" on:change=move |ev| { item.set(event_target_value(&ev).parse().unwrap_or(0)); candidate.set(0) }>
                        {active().iter().enumerate().map(|(n, i)| view! { <option value=n.to_string()>{i.name.clone()}</option> }).collect_view()}
                    </select>
                    <label for="op-change-replacement">{T::Replacement.get(l)}</label>
                    <select id="op-change-replacement" on:change=move |ev| candidate.set(event_target_value(&ev).parse().unwrap_or(0))>
                        {move || {
                            let (o, items) = (order(), active());
                            let list = o.zip(items.get(item.get()).cloned()).map(|(o, i)| candidates(&o, &i)).unwrap_or_default();
                            list.into_iter().enumerate().map(|(n, r)| view! {
                                <option value=n.to_string()>{format!("{} · {}", r.name, words(l).money(&r.unit_price))}</option>
                            }).collect_view()
                        }}
                    </select>
                }.into_any(),
                _ => view! {
                    <label for="op-change-start">{T::SlotStart.get(l)}</label>
                    <input id="op-change-start" type="datetime-local" on:input=move |ev| start.set(event_target_value(&ev))/>
                    <label for="op-change-end">{T::SlotEnd.get(l)}</label>
                    <input id="op-change-end" type="datetime-local" on:input=move |ev| end.set(event_target_value(&ev))/>
                }.into_any(),
            }}
            <label for="op-change-reason">{T::Reason.get(l)}</label>
            <textarea id="op-change-reason" rows="2" data-testid="op-change-reason" prop:value=move || reason.get()
                on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
            <button type="submit" class="op-button" data-testid="op-send-change">{T::SendRequest.get(l)}</button>
        </form>
    }
}

/// The order's status; delivered brings the customer the survey.
#[component]
fn StatusForm(ctx: Ctx) -> impl IntoView {
    let l = ctx.l;
    let status = RwSignal::new(OrderStatus::OrderProcessing);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let s = status.get_untracked();
        ctx.post(
            "/status".to_owned(),
            StatusChange { status: s },
            move |_: Option<serde_json::Value>| format!("{} {}", T::Done.get(l), s.label(words(l))),
            |_| None,
        );
    };
    view! {
        <form class="op-form" aria-labelledby="op-status-heading" on:submit=submit>
            <h3 id="op-status-heading">{T::Status.get(l)}</h3>
            <label for="op-status">{T::Status.get(l)}</label>
            <select id="op-status" data-testid="op-status"
                on:change=move |ev| status.set(OrderStatus::ALL[event_target_value(&ev).parse::<usize>().unwrap_or(1).min(7)])>
                {OrderStatus::ALL.iter().enumerate().map(|(n, s)| view! {
                    <option value=n.to_string() selected=*s == OrderStatus::OrderProcessing>{s.label(words(l))}</option>
                }).collect_view()}
            </select>
            <button type="submit" class="op-button" data-testid="op-set-status">{T::SetStatus.get(l)}</button>
        </form>
    }
}

/// Writing to the customer.
#[component]
fn Composer(ctx: Ctx) -> impl IntoView {
    let l = ctx.l;
    let text = RwSignal::new(String::new());
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let t = text.get_untracked();
        if t.trim().is_empty() {
            return;
        }
        ctx.post(
            "/messages".to_owned(),
            OperatorMessage { text: t },
            move |_: Option<serde_json::Value>| {
                text.set(String::new());
                String::new()
            },
            |_| None,
        );
    };
    view! {
        <form class="op-composer" on:submit=send>
            <label for="op-composer">{T::Message.get(l)}</label>
            <textarea id="op-composer" rows="3" data-testid="op-composer" prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            <button type="submit" class="op-button" data-testid="op-send">{T::Send.get(l)}</button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kept_protocol::{Channel, ContactPlan, Money, Preferences, Receipt, SubstitutionPolicy};

    fn item(id: &str, price: i64) -> Item {
        Item {
            id: id.into(),
            name: id.to_uppercase(),
            quantity: 1,
            unit_price: Money { amount_minor: price, currency: "PLN".into() },
            option_set: None,
            replacements: vec![],
            active: true,
        }
    }

    fn order(do_not_call: bool) -> OrderView {
        let mut o = OrderView::new("KC-1", OrderStatus::OrderProcessing, vec![item("a", 4900), item("b", 4500)]);
        let preferences = Preferences {
            contact: ContactPlan {
                channels: vec![Channel::Chat, Channel::Whatsapp],
                do_not_call,
                phone: Some("+48600100200".into()),
                email: None,
                telegram: None,
                callback_window: None,
            },
            substitutions: SubstitutionPolicy::default(),
            payment: Some(PaymentMethod::CardOnDelivery),
            notes: vec![],
            locale: Locale::Ru,
        };
        o.receipt = Some(Receipt {
            version: 1,
            accepted_at: "2026-11-23T10:00:00.000Z".into(),
            digest: "d".into(),
            summary: vec![],
            preferences,
        });
        o
    }

    #[test]
    fn the_agreement_line_starts_with_do_not_call_in_the_operators_language() {
        let shop = ShopProfile::new("Kept Coffee", "Europe/Warsaw", vec![], vec![]);
        let line = agreement_line(&order(true), &shop, Locale::En).unwrap();
        assert!(line.starts_with("DO NOT CALL · "), "{line}");
        assert!(line.contains("Chat on this site, then WhatsApp"), "{line}");
        assert!(line.contains("Card on delivery"), "{line}");
        let line = agreement_line(&order(false), &shop, Locale::Pl).unwrap();
        assert!(!line.contains("NIE DZWONIĆ"), "{line}");
        let mut none = order(true);
        none.receipt = None;
        assert_eq!(agreement_line(&none, &shop, Locale::En), None);
    }

    #[test]
    fn the_candidates_are_the_shops_suggestions_then_the_orders_other_items() {
        let o = order(true);
        let mut a = o.items[0].clone();
        a.replacements = vec![Replacement {
            id: "x".into(),
            name: "X".into(),
            unit_price: Money { amount_minor: 5000, currency: "PLN".into() },
        }];
        let ids: Vec<String> = candidates(&o, &a).into_iter().map(|r| r.id).collect();
        assert_eq!(ids, vec!["x", "b"]);
    }
}
