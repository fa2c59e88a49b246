//! The order-status chat: messages with optimistic send, live over Server-Sent Events.

pub mod composer;
pub mod help;
pub mod message_list;
pub mod status;
pub mod stream;
pub mod text;
pub mod way_out;

use std::collections::BTreeMap;

use crate::components::{memo, shown_when};
use crate::wire::{order_chat_parts, shop_chat_parts, StepOrder, StepShop};
use kept_protocol::{EventData, Locale, Message, MessagePage, NewMessage, OrderView, ShopProfile};
use leptos::prelude::*;

use crate::api::{new_idempotency_key, Api};
use crate::components::chat::text::ChatText;
use crate::storage;
use crate::task::Scope;
use composer::Composer;
use help::{FaqSearch, Greeting, Survey};
use message_list::MessageList;
use send_wrapper::SendWrapper;
use status::{AgreementCard, ChangeCards, Presence, Timeline};
use stream::use_order_stream;
use way_out::WayOut;

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
    /// Her promises in her words (kept here rather than in a signal of their own: a signal type
    /// costs its code in bytes, and these change rarely).
    pub promises: crate::wire::PromiseWords,
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

    /// How many lines the chat has.
    pub fn len(&self) -> usize {
        self.confirmed.len() + self.pending.len()
    }

    /// Whether the chat has no lines yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Where the confirmed message `id` stands among all lines.
    pub fn position(&self, id: i64) -> Option<usize> {
        self.confirmed.contains_key(&id).then(|| self.confirmed.range(..id).count())
    }

    /// The id of the confirmed message at `index`, if that line is a confirmed one.
    pub fn id_at(&self, index: usize) -> Option<i64> {
        self.confirmed.keys().nth(index).copied()
    }

    /// The oldest confirmed message's id: the cursor for the page before it.
    pub fn first_id(&self) -> Option<i64> {
        self.confirmed.keys().next().copied()
    }

    /// The lines in `range`, in order: confirmed by id, then pending ones as typed.
    pub fn slice(&self, range: std::ops::Range<usize>) -> Vec<Entry> {
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
        sent.chain(pending).skip(range.start).take(range.len()).collect()
    }

    /// The newest confirmed message's id: the cursor for catching up.
    pub fn newest_id(&self) -> Option<i64> {
        self.confirmed.keys().next_back().copied()
    }

    /// When the customer's run of messages that nobody answered yet began.
    pub fn waiting_since(&self) -> Option<String> {
        let customer = |m: &&Message| m.author == kept_protocol::chat::AuthorKind::Customer;
        self.confirmed.values().rev().take_while(customer).last().map(|m| m.sent_at.clone())
    }

    /// How many messages from the shop (people or bot) came after the one with id `seen`.
    pub fn unread_after(&self, seen: i64) -> usize {
        let theirs = |m: &&Message| m.author != kept_protocol::chat::AuthorKind::Customer;
        self.confirmed.range(seen + 1..).map(|(_, m)| m).filter(theirs).count()
    }

    /// The newest line.
    pub fn last(&self) -> Option<Entry> {
        self.slice(self.len().saturating_sub(1)..self.len()).pop()
    }
}

/// Sends `m`, marking it sent or failed; it stays in the outbox until the server confirms it.
pub fn send(scope: &Scope, api: Api, chat: RwSignal<Chat>, m: NewMessage) {
    chat.update(|c| c.start(m.clone()));
    chat.with_untracked(|c| storage::save_unsent(api.order_id(), &c.unsent()));
    scope.spawn(async move {
        match api.send_message(&m).await {
            Ok(stored) => chat.update(|c| c.confirm(stored)),
            Err(_) => chat.update(|c| c.fail(&m.client_id)),
        }
        chat.with_untracked(|c| storage::save_unsent(api.order_id(), &c.unsent()));
    });
}

/// Builds the chat pane; a plain function so its code can live in a chunk of its own.
/// The shop and the order come as the step read them, with their JSON, from which the chat reads
/// the parts only it shows.
pub type ChatCode = fn(Api, StepShop, StepOrder, Locale) -> AnyView;

/// The chunk with the chat could not be fetched (the network, mostly); asking again retries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChunkMissing;

impl From<leptos::wasm_split::SplitLoaderError> for ChunkMissing {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        ChunkMissing
    }
}

/// The chat's code. In the shipped build (`--cfg kept_split`, see `cargo xtask size`) everything
/// only this reaches is split into its own wasm chunk, fetched the first time this is awaited;
/// elsewhere (tests) it is an ordinary call.
#[cfg_attr(
    kept_split,
    leptos::wasm_split::wasm_split(chat, wasm_split_path = ::leptos::wasm_split, fallible)
)]
#[allow(improper_ctypes_definitions)]
fn chat_chunk() -> Result<ChatCode, ChunkMissing> {
    Ok(|api, StepShop(mut shop, shop_json), StepOrder(mut order, order_json), locale| {
        if shop_chat_parts(&mut shop, &shop_json).is_err() || order_chat_parts(&mut order, &order_json).is_err() {
            return view! {
                <div class="kept-alert" role="alert" data-testid="chat-load-error">
                    <p>{crate::i18n::Text::ChatLoadFailed.in_locale(locale)}</p>
                </div>
            }
            .into_any();
        }
        view! { <ChatPane api shop order locale/> }.into_any()
    })
}

/// The chat's code, fetched if it is not here yet.
pub async fn chat_code() -> Result<ChatCode, ChunkMissing> {
    #[cfg(kept_split)]
    return chat_chunk().await;
    #[cfg(not(kept_split))]
    return chat_chunk();
}

/// The chat pane for one order.
#[component]
pub fn ChatPane(api: Api, shop: ShopProfile, order: OrderView, locale: Locale) -> impl IntoView {
    let scope = Scope::here();
    let chat = RwSignal::new(Chat::default());
    let older = RwSignal::new(None::<i64>);
    let timeline = RwSignal::new(order.timeline);
    let item_names: Vec<(String, String)> = order.items.iter().map(|i| (i.id.clone(), i.name.clone())).collect();
    let receipt = RwSignal::new(order.receipt);
    let requests = RwSignal::new(order.change_requests);
    let survey_due = RwSignal::new(order.survey_due);
    let load_failed = RwSignal::new(false);
    // In one column the chat is a panel the customer opens; `seen` is the newest message they saw.
    let open = RwSignal::new(false);
    let seen = RwSignal::new(None::<i64>);
    let unread = move || {
        let n = if open.get() { 0 } else { seen.get().map_or(0, |s| chat.with(|c| c.unread_after(s))) };
        match n {
            0 => (String::new(), String::new()),
            n => (n.to_string(), crate::i18n::count(locale, ChatText::Unread.key(), n as f64, &[])),
        }
    };
    // Whether the first page is in: catching up before it would fetch the oldest messages.
    let loaded = StoredValue::new(false);
    let confirm_page = move |page: MessagePage| {
        chat.update(|c| page.messages.into_iter().for_each(|m| c.confirm(m)));
    };
    {
        let api = api.clone();
        let task = scope.clone();
        scope.spawn(async move {
            // One window's worth first: the list shows no more, and older pages come on demand.
            match api.messages("limit=60").await {
                Ok(page) => {
                    older.set(page.older);
                    confirm_page(page);
                }
                Err(_) => load_failed.set(true),
            }
            loaded.set_value(true);
            // What is there on opening counts as read; what comes later, until the panel is
            // opened, as unread.
            seen.set(Some(chat.with_untracked(Chat::newest_id).unwrap_or(0)));
            // Messages written before a reload that never reached the shop go out now, once.
            for m in storage::unsent(api.order_id()) {
                send(&task, api.clone(), chat, m);
            }
        });
    }
    let load_older = Callback::new({
        let api = api.clone();
        let scope = scope.clone();
        move |()| {
            let Some(cursor) = older.get_untracked() else { return };
            // One request at a time: the cursor comes back with the page.
            older.set(None);
            let api = api.clone();
            scope.spawn(async move {
                match api.messages(&["limit=100&before=", &cursor.to_string()].concat()).await {
                    Ok(page) => {
                        older.set(page.older);
                        confirm_page(page);
                    }
                    Err(_) => older.set(Some(cursor)),
                }
            });
        }
    });
    // What the chat shows, fetched again over REST: the messages it missed, the order, her
    // promises in her words. On every (re)open of the stream, and on an event this version does
    // not know (a promise changed, or something a newer server sends).
    let catch_up = {
        let api = api.clone();
        let scope = scope.clone();
        move || {
            let api = api.clone();
            scope.spawn(async move {
                for _ in 0..50 {
                    if !loaded.get_value() {
                        break;
                    }
                    let after = chat.with_untracked(Chat::newest_id).unwrap_or(0);
                    let Ok(page) = api.messages(&["limit=200&after=", &after.to_string()].concat()).await else {
                        break;
                    };
                    let full = page.messages.len() >= 200;
                    confirm_page(page);
                    if !full {
                        break;
                    }
                }
                if let Ok(o) = api.order().await {
                    timeline.set(o.timeline);
                    // Only when it changed: the card (and the report she may be writing on it)
                    // is rebuilt when it is set.
                    if receipt.with_untracked(|r| *r != o.receipt) {
                        receipt.set(o.receipt);
                    }
                    requests.set(o.change_requests);
                    survey_due.set(o.survey_due);
                }
                if let Ok(p) = api.promises().await {
                    chat.update(|c| c.promises = p);
                }
            });
        }
    };
    // What she has on screen, told to the server (in a visible tab, the chat's body shown), so
    // that nothing she saw here follows her to her email or messenger.
    // Something she may now be looking at: the list (which knows whether it is on screen) says
    // so once it is drawn.
    let look = move || chat.notify();
    // Opening or closing the panel: what is there now has been seen.
    let toggle = move |_| {
        open.update(|o| *o = !*o);
        seen.set(Some(chat.with_untracked(Chat::newest_id).unwrap_or(0)));
        // Opened: once it is drawn, what it shows is seen.
        look();
    };
    let on_unknown = catch_up.clone();
    // Live updates; EventSource reconnects by itself and resumes with Last-Event-ID.
    let stream = use_order_stream(api.token_url("/events?access_token="), move |event| match event {
        EventData::Message { message } => chat.update(|c| c.confirm(message)),
        // A question, a change, the order moving on: each comes with its timeline entry, and
        // then the list says whether she has it on screen.
        EventData::Timeline { entry } => {
            timeline.update(|t| {
                if !t.contains(&entry) {
                    t.push(entry)
                }
            });
            look();
        }
        EventData::Receipt { receipt: r } => receipt.set(Some(r)),
        EventData::Status { status: kept_protocol::OrderStatus::OrderDelivered } => survey_due.set(true),
        EventData::ChangeRequest { change_request } => requests.update(|rs| {
            rs.retain(|r| r.id != change_request.id);
            rs.push(change_request);
        }),
        EventData::Unknown => on_unknown(),
        _ => {}
    });
    // Back from a sleeping tab or a lost network: fetch what was missed and reopen the stream.
    let resync = {
        let stream = stream.clone();
        move || {
            stream.connect();
            catch_up();
        }
    };
    let on_visible = {
        let resync = resync.clone();
        window_event_listener_untyped("visibilitychange", move |_| {
            if !document().hidden() {
                // Catching up redraws the list, which then says what is on screen.
                resync();
            }
        })
    };
    let on_online = window_event_listener_untyped("online", {
        let resync = resync.clone();
        move |_| resync()
    });
    // The stream is live only (it starts where it opens), so each time it (re)opens the chat
    // catches up over REST: nothing said while it was away is lost.
    stream.on_open(resync);
    // Opened once everything it calls on is in place.
    stream.connect();
    // The clock the reply-time promise is measured against.
    let now = RwSignal::new(js_sys::Date::now());
    let ticker = set_interval_with_handle(move || now.set(js_sys::Date::now()), std::time::Duration::from_secs(5)).ok();
    let cleanup = SendWrapper::new((on_visible, on_online, ticker));
    on_cleanup(move || {
        let (a, b, t) = cleanup.take();
        a.remove();
        b.remove();
        if let Some(t) = t {
            t.clear();
        }
    });
    let on_send = Callback::new({
        let api = api.clone();
        let scope = scope.clone();
        move |text: String| {
            let Some(client_id) = new_idempotency_key() else { return };
            send(&scope, api.clone(), chat, NewMessage { client_id, text });
        }
    });
    // After the customer writes, say what happens next instead of leaving them in silence.
    let waiting = memo(move || {
        chat.with(|c| {
            c.last().is_some_and(|e| {
                e.message.author == kept_protocol::chat::AuthorKind::Customer && e.delivery == Delivery::Sent
            })
        })
    });
    let wait_text = match (&shop.reply_time, shop.availability.open_now) {
        (Some(r), true) => {
            [ChatText::QuestionReceived.in_locale(locale), " ".into(), status::usually_replies(r, locale), ".".into()]
                .concat()
        }
        (None, true) => {
            [ChatText::QuestionReceived.in_locale(locale), ChatText::AnswerSoon.in_locale(locale)].join(" ")
        }
        (_, false) => {
            [ChatText::QuestionReceived.in_locale(locale), ChatText::AnswerWhenOpen.in_locale(locale)].join(" ")
        }
    };
    // The promise is the reply time shown (or a quarter of an hour when none is measured yet),
    // counted while the shop is open; once it passes unanswered, the customer gets a way out.
    let promise_ms = shop
        .availability
        .open_now
        .then(|| f64::from(kept_protocol::ReplyTime::promised_minutes(shop.reply_time.as_ref()) * 60_000));
    let missed = memo(move || {
        let since = chat.with(Chat::waiting_since).map(|t| js_sys::Date::parse(&t));
        waiting.get() && promise_ms.zip(since).is_some_and(|(p, since)| since + p <= now.get())
    });
    let plan = memo(move || receipt.with(|r| r.as_ref().map(|r| r.preferences.contact.clone())));
    let time_zone = shop.time_zone.clone();
    let way_out_api = api.clone();
    let retry_api = api.clone();
    let survey_api = api.clone();
    let on_retry = Callback::new(move |client_id: String| {
        let api = retry_api.clone();
        let unsent = chat.with_untracked(|c| c.unsent().into_iter().find(|m| m.client_id == client_id));
        if let Some(m) = unsent {
            send(&scope, api.clone(), chat, m);
        }
    });
    let promise = shop.reply_time.as_ref().map(|r| status::usually_replies(r, locale));
    view! {
        <section class="kept-chat" aria-labelledby="kept-chat-heading" data-testid="chat">
            <button type="button" class="kept-chat__toggle" data-testid="chat-toggle" aria-controls="kept-chat-body"
                aria-expanded=move || open.get().to_string() on:click=toggle>
                <span class="kept-chat__title">{ChatText::ChatHeading.in_locale(locale)}</span>
                <span class="kept-hint">{promise}</span>
                // The count, and in words for screen readers; empty (and not shown) when none.
                <span class="kept-badge" aria-hidden="true" data-testid="chat-unread">{move || unread().0}</span>
                <span class="kept-hidden">{move || unread().1}</span>
            </button>
            <h3 id="kept-chat-heading" class="kept-receipt__heading kept-chat__heading">{ChatText::ChatHeading.in_locale(locale)}</h3>
            <div id="kept-chat-body" class="kept-chat__body">
            {shop.manager.map(|manager| view! { <Greeting manager locale/> })}
            <Presence availability=shop.availability reply_time=shop.reply_time locale/>
            <AgreementCard api=api.clone() receipt chat locale/>
            <ChangeCards api=api.clone() requests locale/>
            <Timeline entries=timeline items=item_names locale/>
            {shown_when(move || survey_due.get(), move || view! { <Survey api=survey_api.clone() locale/> })}
            <FaqSearch faq=shop.faq.clone() locale/>
            {shown_when(move || load_failed.get(), move || view! {
                <p class="kept-alert" role="alert">{crate::i18n::BootText::LoadFailed.in_locale(locale)}</p>
            })}
            <MessageList chat more_on_server=memo(move || older.get().is_some()) load_older locale on_retry api=api.clone()/>
            {move || waiting.get().then(|| view! { <p class="kept-hint" role="status" data-testid="waiting">{wait_text.clone()}</p> })}
            {shown_when(move || missed.get(), move || view! {
                <WayOut api=way_out_api.clone() plan time_zone=time_zone.clone() locale on_message=on_send/>
            })}
            <Composer locale on_send/>
            </div>
        </section>
    }
}

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
        assert_eq!(c.slice(0..c.len())[0].delivery, Delivery::Sending);
        c.confirm(m(5, Some("c1"), "Hi"));
        c.confirm(m(5, Some("c1"), "Hi"));
        let e = c.slice(0..c.len());
        assert_eq!(e.len(), 1);
        assert_eq!((e[0].message.id, e[0].delivery), (5, Delivery::Sent));
    }

    #[wasm_bindgen_test]
    fn messages_are_ordered_by_id_whatever_order_they_arrive_in() {
        let mut c = Chat::default();
        c.confirm(m(9, None, "b"));
        c.confirm(m(3, None, "a"));
        assert_eq!(c.slice(0..c.len()).iter().map(|e| e.message.id).collect::<Vec<_>>(), vec![3, 9]);
    }
}
