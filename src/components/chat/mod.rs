//! The order-status chat: messages with optimistic send, live over Server-Sent Events.

pub mod composer;
pub mod help;
pub mod message_list;
pub mod status;

use std::collections::BTreeMap;

use kept_protocol::{EventData, Locale, Message, NewMessage, OrderView, ShopProfile};
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::api::{new_idempotency_key, Api};
use crate::i18n::Text;
use crate::{storage, wire};
use composer::Composer;
use help::{FaqSearch, Greeting, Survey};
use message_list::MessageList;
use status::{AgreementCard, ChangeCards, Presence, Timeline};

/// Where a message of the customer's stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Delivery {
    Sent,
    Sending,
    Failed,
}

/// One line of the chat as the customer sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub message: Message,
    pub delivery: Delivery,
}

/// The chat's state: confirmed messages by id, and the customer's unconfirmed ones by client id.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Chat {
    confirmed: BTreeMap<i64, Message>,
    pending: Vec<(NewMessage, Delivery)>,
}

impl Chat {
    /// Adds a message from the server once, replacing the pending copy it confirms.
    pub fn confirm(&mut self, m: Message) {
        if let Some(client) = &m.client_id {
            self.pending.retain(|(p, _)| &p.client_id != client);
        }
        self.confirmed.insert(m.id, m);
    }

    /// Shows a message being sent.
    pub fn start(&mut self, m: NewMessage) {
        self.pending.retain(|(p, _)| p.client_id != m.client_id);
        self.pending.push((m, Delivery::Sending));
    }

    /// Marks a pending message as failed.
    pub fn fail(&mut self, client_id: &str) {
        for (p, d) in &mut self.pending {
            if p.client_id == client_id {
                *d = Delivery::Failed;
            }
        }
    }

    /// The customer's messages not yet confirmed.
    pub fn unsent(&self) -> Vec<NewMessage> {
        self.pending.iter().map(|(p, _)| p.clone()).collect()
    }

    /// Everything in order: confirmed by id, then pending ones as typed.
    pub fn entries(&self) -> Vec<Entry> {
        let sent = self.confirmed.values().map(|m| Entry { message: m.clone(), delivery: Delivery::Sent });
        let pending = self.pending.iter().map(|(p, d)| Entry {
            message: Message {
                id: 0,
                client_id: Some(p.client_id.clone()),
                author: kept_protocol::chat::AuthorKind::Customer,
                author_name: None,
                text: p.text.clone(),
                sent_at: String::new(),
            },
            delivery: *d,
        });
        sent.chain(pending).collect()
    }
}

/// Sends `m`, marking it sent or failed; it stays in the outbox until the server confirms it.
pub fn send(api: Api, chat: RwSignal<Chat>, m: NewMessage) {
    chat.update(|c| c.start(m.clone()));
    chat.with_untracked(|c| storage::save_unsent(api.order_id(), &c.unsent()));
    leptos::task::spawn_local(async move {
        match api.send_message(&m).await {
            Ok(stored) => chat.update(|c| c.confirm(stored)),
            Err(_) => chat.update(|c| c.fail(&m.client_id)),
        }
        chat.with_untracked(|c| storage::save_unsent(api.order_id(), &c.unsent()));
    });
}

/// The chat pane for one order.
#[component]
pub fn ChatPane(api: Api, shop: ShopProfile, order: OrderView, locale: Locale) -> impl IntoView {
    let chat = RwSignal::new(Chat::default());
    let timeline = RwSignal::new(order.timeline);
    let receipt = RwSignal::new(order.receipt);
    let requests = RwSignal::new(order.change_requests);
    let survey_due = RwSignal::new(order.survey_due);
    let load_failed = RwSignal::new(false);
    {
        let api = api.clone();
        leptos::task::spawn_local(async move {
            match api.messages().await {
                Ok(page) => chat.update(|c| page.messages.into_iter().for_each(|m| c.confirm(m))),
                Err(_) => load_failed.set(true),
            }
            // Messages written before a reload that never reached the shop go out now, once.
            for m in storage::unsent(api.order_id()) {
                send(api.clone(), chat, m);
            }
        });
    }
    // Live updates; EventSource reconnects by itself and resumes with Last-Event-ID.
    if let Ok(source) = web_sys::EventSource::new(&api.events_url()) {
        let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            let Some(text) = e.data().as_string() else { return };
            match wire::parse::<EventData>(&text) {
                Ok(EventData::Message { message }) => chat.update(|c| c.confirm(message)),
                Ok(EventData::Timeline { entry }) => timeline.update(|t| {
                    if !t.contains(&entry) {
                        t.push(entry)
                    }
                }),
                Ok(EventData::Receipt { receipt: r }) => receipt.set(Some(r)),
                Ok(EventData::Status { status: kept_protocol::OrderStatus::OrderDelivered }) => survey_due.set(true),
                Ok(EventData::ChangeRequest { change_request }) => requests.update(|rs| {
                    rs.retain(|r| r.id != change_request.id);
                    rs.push(change_request);
                }),
                _ => {}
            }
        });
        for name in ["message", "timeline", "receipt", "change_request", "status"] {
            let _ = source.add_event_listener_with_callback(name, on_message.as_ref().unchecked_ref());
        }
        on_message.forget();
        let source = send_wrapper_source(source);
        on_cleanup(move || source.close());
    }
    let on_send = Callback::new({
        let api = api.clone();
        move |text: String| {
            let Some(client_id) = new_idempotency_key() else { return };
            send(api.clone(), chat, NewMessage { client_id, text });
        }
    });
    // After the customer writes, say what happens next instead of leaving them in silence.
    let waiting = Signal::derive(move || {
        chat.with(|c| {
            c.entries().last().is_some_and(|e| {
                e.message.author == kept_protocol::chat::AuthorKind::Customer && e.delivery == Delivery::Sent
            })
        })
    });
    let wait_text = match (&shop.reply_time, shop.availability.open_now) {
        (Some(r), true) => [
            Text::QuestionReceived.in_locale(locale),
            " ",
            Text::UsuallyReplies.in_locale(locale),
            " ",
            &r.median_seconds.div_ceil(60).max(1).to_string(),
            " ",
            Text::Minutes.in_locale(locale),
            ".",
        ]
        .concat(),
        (None, true) => [Text::QuestionReceived.in_locale(locale), " ", Text::AnswerSoon.in_locale(locale)].concat(),
        (_, false) => [Text::QuestionReceived.in_locale(locale), " ", Text::AnswerWhenOpen.in_locale(locale)].concat(),
    };
    let retry_api = api.clone();
    let survey_api = api.clone();
    let on_retry = Callback::new(move |client_id: String| {
        let api = retry_api.clone();
        let unsent = chat.with_untracked(|c| c.unsent().into_iter().find(|m| m.client_id == client_id));
        if let Some(m) = unsent {
            send(api.clone(), chat, m);
        }
    });
    view! {
        <section class="kept-chat" aria-labelledby="kept-chat-heading" data-testid="chat">
            <h3 id="kept-chat-heading" class="kept-receipt__heading">{Text::ChatHeading.in_locale(locale)}</h3>
            {shop.manager.map(|manager| view! { <Greeting manager locale/> })}
            <Presence availability=shop.availability reply_time=shop.reply_time locale/>
            <AgreementCard api=api.clone() receipt=receipt.into() locale/>
            <ChangeCards api=api.clone() requests locale/>
            <Timeline entries=timeline.into() locale/>
            <Show when=move || survey_due.get()><Survey api=survey_api.clone() locale/></Show>
            <FaqSearch faq=shop.faq.clone() locale/>
            <Show when=move || load_failed.get()>
                <p class="kept-alert" role="alert">{Text::LoadFailed.in_locale(locale)}</p>
            </Show>
            <MessageList entries=Signal::derive(move || chat.with(Chat::entries)) locale on_retry/>
            {move || waiting.get().then(|| view! { <p class="kept-hint" role="status" data-testid="waiting">{wait_text.clone()}</p> })}
            <Composer locale on_send/>
        </section>
    }
}

/// EventSource is not Send; the cleanup closure only runs on this thread.
fn send_wrapper_source(source: web_sys::EventSource) -> SendWrapper<web_sys::EventSource> {
    SendWrapper::new(source)
}

use send_wrapper::SendWrapper;

#[cfg(test)]
mod tests {
    use super::*;
    use kept_protocol::chat::AuthorKind;
    use wasm_bindgen_test::*;

    fn m(id: i64, client: Option<&str>, text: &str) -> Message {
        Message {
            id,
            client_id: client.map(str::to_owned),
            author: AuthorKind::Customer,
            author_name: None,
            text: text.into(),
            sent_at: "2026-11-23T10:00:00Z".into(),
        }
    }

    #[wasm_bindgen_test]
    fn a_confirmed_message_replaces_its_pending_copy_and_appears_once() {
        let mut c = Chat::default();
        c.start(NewMessage { client_id: "c1".into(), text: "Hi".into() });
        assert_eq!(c.entries()[0].delivery, Delivery::Sending);
        c.confirm(m(5, Some("c1"), "Hi"));
        c.confirm(m(5, Some("c1"), "Hi"));
        let e = c.entries();
        assert_eq!(e.len(), 1);
        assert_eq!((e[0].message.id, e[0].delivery), (5, Delivery::Sent));
    }

    #[wasm_bindgen_test]
    fn messages_are_ordered_by_id_whatever_order_they_arrive_in() {
        let mut c = Chat::default();
        c.confirm(m(9, None, "b"));
        c.confirm(m(3, None, "a"));
        assert_eq!(c.entries().iter().map(|e| e.message.id).collect::<Vec<_>>(), vec![3, 9]);
    }
}
