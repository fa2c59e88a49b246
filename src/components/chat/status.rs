//! What the chat shows above the messages: who is there, the agreement, the timeline, and the
//! changes the shop asks for.

use crate::components::preferences::field::select;
use crate::components::shown_when;
use kept_protocol::{
    Availability, ChangeKind, ChangeRequest, ChangeStatus, Fallback, Locale, Promise, Question, Receipt, ReplyTime,
    TimelineEntry, TimelineEvent,
};
use leptos::prelude::*;

use crate::api::{new_idempotency_key, Api, ApiError};
use crate::components::chat::text::ChatText;
use crate::format;
use crate::i18n::{self, Text, Words};
use kept_protocol::Words as _;

/// "Usually replies in about N min", from the measured reply time.
pub fn usually_replies(r: &ReplyTime, locale: Locale) -> String {
    i18n::count(locale, ChatText::UsuallyReplies.key(), f64::from(r.minutes()), &[])
}

/// Open or closed, someone at the console or not, and how fast the shop usually answers.
#[component]
pub fn Presence(availability: Availability, reply_time: Option<ReplyTime>, locale: Locale) -> impl IntoView {
    let status = if let (true, Some(name)) = (availability.open_now, availability.online.first()) {
        // A named person, honestly: the operator whose console is open ("Anna is online").
        ChatText::IsOnline.with(locale, &[("name", name)])
    } else if availability.open_now && availability.operators_online > 0 {
        ChatText::OnlineNow.in_locale(locale)
    } else if availability.open_now {
        ChatText::OpenNobody.in_locale(locale)
    } else {
        match availability.next_opening.as_deref() {
            Some(t) => ChatText::ClosedBackAt.with(locale, &[("time", &format::when(t, locale))]),
            None => ChatText::ClosedNow.in_locale(locale),
        }
    };
    let reply = reply_time.map(|r| usually_replies(&r, locale));
    view! {
        <p class="kept-presence" data-testid="presence">{status}</p>
        {reply.map(|r| view! { <p class="kept-hint" data-testid="reply-time">{r}</p> })}
    }
}

fn timeline_text(e: &TimelineEvent, items: &[(String, String)], l: Locale) -> String {
    match e {
        TimelineEvent::Status { status } => status.label(&Words(l)),
        TimelineEvent::PreferencesAgreed { version } => {
            ChatText::AgreementSaved.with(l, &[("version", &version.to_string())])
        }
        TimelineEvent::PromiseBroken { receipt_version, .. } => {
            ChatText::Reported.with(l, &[("version", &receipt_version.to_string())])
        }
        TimelineEvent::ItemResolved { item, resolution } => {
            let name = items.iter().find(|(id, _)| id == item).map_or(item.as_str(), |(_, n)| n.as_str());
            [name, ": ", &resolution.label(&Words(l))].concat()
        }
        TimelineEvent::ChangeRequested { .. } => ChatText::ChangeAsked.in_locale(l),
        TimelineEvent::ChangeAnswered { accepted, .. } => {
            if *accepted { ChatText::ChangeAccepted } else { ChatText::ChangeDeclined }.in_locale(l)
        }
        TimelineEvent::CallbackRequested { .. } => ChatText::CallbackAsked.in_locale(l),
        TimelineEvent::SurveyAnswered { rating } => ChatText::Rated.with(l, &[("rating", &rating.to_string())]),
        TimelineEvent::CallLogged { .. } => ChatText::ShopCalled.in_locale(l),
        TimelineEvent::OrderUpdated { dropped } if dropped.is_empty() => ChatText::OrderUpdated.in_locale(l),
        TimelineEvent::OrderUpdated { .. } => ChatText::OrderUpdatedDropped.in_locale(l),
        TimelineEvent::Unknown => ChatText::Updated.in_locale(l),
    }
}

/// The order's history, newest last.
#[component]
pub fn Timeline(
    entries: RwSignal<Vec<TimelineEntry>>,
    /// Item ids and names, to name what a resolution was about.
    items: Vec<(String, String)>,
    locale: Locale,
) -> impl IntoView {
    view! {
        <ol class="kept-timeline" data-testid="timeline">
            {move || entries.get().into_iter().map(|e| view! {
                <li><time datetime=e.at.clone()>{format::date_time(&e.at, locale)}</time> " · " {timeline_text(&e.event, &items, locale)}</li>
            }).collect_view()}
        </ol>
    }
}

const PROMISES: [(Promise, &str); 4] = [
    (Promise::CalledMe, "called_me"),
    (Promise::AskedToPrepay, "asked_to_prepay"),
    (Promise::SubstitutedAgainstRule, "substituted_against_rule"),
    (Promise::Other, "other"),
];

fn promise_text(p: Promise, l: Locale) -> String {
    let key = PROMISES.iter().find(|(x, _)| *x == p).map_or("other", |(_, k)| k);
    i18n::text(l, &["promise.", key].concat())
}

/// Her promises and what became of them, the shop's record (when it shows it) and "the shop broke
/// this"; on the order-status page, with the agreement in plain words above them: the card. Beside
/// the step, whose receipt already shows the agreement, not the agreement again (one card per page).
#[component]
pub fn AgreementCard(
    api: Api,
    receipt: RwSignal<Option<Receipt>>,
    /// The chat, for her promises in her words.
    chat: RwSignal<super::Chat>,
    locale: Locale,
) -> impl IntoView {
    let scope = crate::task::Scope::here();
    // On the order-status page this is the agreement card; beside the step, whose receipt shows
    // the agreement, it is her promises alone (one agreement card per page).
    let alone = api.status_only();
    let open = RwSignal::new(false);
    let promise = RwSignal::new(Promise::CalledMe);
    let note = RwSignal::new(String::new());
    let sent = RwSignal::new(None::<bool>);
    let send = Callback::new(move |()| {
        let Some(version) = receipt.with_untracked(|r| r.as_ref().map(|r| r.version)) else { return };
        let Some(key) = new_idempotency_key() else { return };
        let text = note.get_untracked();
        let report = kept_protocol::BrokenPromiseReport {
            receipt_version: version,
            promise: promise.get_untracked(),
            note: Some(text).filter(|t| !t.trim().is_empty()),
        };
        let api = api.clone();
        scope.spawn(async move {
            let ok = api.report(&report, &key).await.is_ok();
            sent.set(Some(ok));
            if ok {
                open.set(false);
            }
        });
    });
    let reasons = move || {
        let options = PROMISES.into_iter().map(|(p, wire)| (wire.to_owned(), promise_text(p, locale))).collect();
        let on_change = move |v: String| {
            if let Some((p, _)) = PROMISES.into_iter().find(|(_, w)| *w == v) {
                promise.set(p)
            }
        };
        select(Some("kept-promise".to_owned()), "promise".to_owned(), options, "", on_change)
    };
    // Her promises change rarely: a memo, so that neither a new message nor a promise rebuilds
    // the report form she may be typing in, or closes the trust line she opened.
    let words = crate::components::memo(move || chat.with(|c| c.promises.clone()));
    let extras = move || {
        view! {
            {move || {
                let crate::wire::PromiseWords { lines, trust } = words.get();
                view! {
                    <ul class="kept-items" data-testid="promises">{crate::components::list(lines)}</ul>
                    {trust.map(|(line, kinds)| view! {
                        <details class="kept-details" data-testid="trust-line">
                            <summary class="kept-details__summary">{line}</summary>
                            <ul class="kept-items">{crate::components::list(kinds)}</ul>
                        </details>
                    })}
                }
            }}
            <button type="button" class="kept-button kept-button--secondary" data-testid="broke-this"
                aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)>{ChatText::ShopBrokeThis.in_locale(locale)}</button>
            {shown_when(move || open.get(), move || view! {
                <label class="kept-field__label" for="kept-promise">{ChatText::WhichPromise.in_locale(locale)}</label>
                {reasons()}
                <label class="kept-field__label" for="kept-report-note">{ChatText::WhatHappened.in_locale(locale)}</label>
                <textarea id="kept-report-note" class="kept-input" rows="2" data-testid="report-note"
                    on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                <button type="button" class="kept-button" data-testid="send-report" on:click=move |_| send.run(())>
                    {ChatText::SendReport.in_locale(locale)}
                </button>
            })}
            {move || sent.get().map(|ok| {
                let t = if ok { ChatText::ReportSent.in_locale(locale) } else { Text::SendFailed.in_locale(locale) };
                view! { <p role="status" class="kept-hint" data-testid="report-status">{t}</p> }
            })}
        }
    };
    move || {
        receipt.get().map(|r| {
            let lines = alone.then(|| crate::components::list(r.summary));
            let (heading, id) = match alone {
                true => (Text::ReceiptHeading.in_locale(locale), "agreement-card"),
                false => (ChatText::YourPromises.in_locale(locale), "promises-card"),
            };
            view! {
                <section class="kept-receipt" aria-labelledby="kept-card-heading" data-testid=id>
                    <h4 id="kept-card-heading" class="kept-receipt__heading">{heading}</h4>
                    {lines.map(|lines| view! { <ul class="kept-receipt__summary">{lines}</ul> })}
                    {extras()}
                </section>
            }
        })
    }
}

fn change_text(c: &ChangeKind, l: Locale) -> String {
    let w = Words(l);
    match c {
        ChangeKind::Payment { method } => ChatText::PayBy.with(l, &[("method", &method.label(&w))]),
        ChangeKind::Substitution { name, unit_price, .. } => {
            ChatText::SubstituteWith.with(l, &[("name", name), ("price", &w.money(unit_price))])
        }
        ChangeKind::DeliverySlot { slot } => ChatText::DeliverAt.with(l, &[("time", &format::when(&slot.start, l))]),
        ChangeKind::Unknown => ChatText::ChangeAsked.in_locale(l),
        ChangeKind::Removal { refund, .. } => ChatText::RemoveAndRefund.with(l, &[("amount", &w.money(refund))]),
    }
}

/// "Answer by 14:35; otherwise we remove it and refund you." for an ask-first question.
fn question_text(q: &Question, locale: Locale) -> String {
    let text = match q.fallback {
        Fallback::Remove => ChatText::AnswerByElseRemove,
        Fallback::Similar { .. } => ChatText::AnswerByElseSimilar,
    };
    text.with(locale, &[("time", &format::when(&q.deadline, locale))])
}

/// A change the shop asks for: nothing changes until the customer accepts it.
#[component]
pub fn ChangeCards(api: Api, requests: RwSignal<Vec<ChangeRequest>>, locale: Locale) -> impl IntoView {
    let scope = crate::task::Scope::here();
    let refused = RwSignal::new(None::<i64>);
    let answer = move |id: i64, accept: bool| {
        let Some(key) = new_idempotency_key() else { return };
        let api = api.clone();
        scope.spawn(async move {
            match api.answer(id, accept, &key).await {
                Ok(answered) => {
                    requests.update(|rs| rs.iter_mut().filter(|r| r.id == id).for_each(|r| *r = answered.clone()))
                }
                Err(ApiError::Status(409)) => refused.set(Some(id)),
                Err(_) => {}
            }
        });
    };
    move || {
        requests
            .get()
            .into_iter()
            .filter(|r| r.status == ChangeStatus::Pending)
            .map(|r| {
                let id = r.id;
                let answer = answer.clone();
                let answer2 = answer.clone();
                // A kind this widget does not know cannot be consented to from here.
                let known = !matches!(r.change, ChangeKind::Unknown);
                view! {
                    <section class="kept-receipt" data-testid="change-request" aria-label=ChatText::ChangeAsked.in_locale(locale)>
                        <p><strong>{change_text(&r.change, locale)}</strong></p>
                        <p class="kept-hint">{r.reason.clone()}</p>
                        {r.question.as_ref().map(|q| view! {
                            <p class="kept-hint" data-testid="question-deadline">{question_text(q, locale)}</p>
                        })}
                        {move || (refused.get() == Some(id)).then(|| view! {
                            <p role="alert" class="kept-hint" data-testid="answer-refused">{ChatText::TooLate.in_locale(locale)}</p>
                        })}
                        {known.then(|| view! {
                            <div class="kept-row">
                                <button type="button" class="kept-button" data-testid="accept-change"
                                    on:click=move |_| answer(id, true)>{ChatText::Accept.in_locale(locale)}</button>
                                <button type="button" class="kept-button kept-button--secondary" data-testid="decline-change"
                                    on:click=move |_| answer2(id, false)>{ChatText::Decline.in_locale(locale)}</button>
                            </div>
                        })}
                    </section>
                }
            })
            .collect_view()
    }
}
