//! The contact plan: preferred channel, "do not call me", and the one detail that channel needs.

use kept_protocol::{Channel, ContactDetail, Locale, Problem};
use leptos::prelude::*;

use super::field::{error_id, FieldError, TextField};
use super::{problem_at, Draft};
use crate::i18n::Text;

/// Channel choice, do-not-call and contact details.
#[component]
pub fn ContactPlanFields(
    channels: Vec<Channel>,
    draft: Draft,
    locale: Locale,
    problems: Signal<Vec<Problem>>,
) -> impl IntoView {
    let channel_problem = Signal::derive(move || problems.with(|p| problem_at(p, "contact.channels")));
    let detail_problem = move |d: ContactDetail| Signal::derive(move || problems.with(|p| problem_at(p, d.path())));
    let needs = move |d: ContactDetail| draft.channel.get().and_then(Channel::needs) == Some(d);
    let described = move || channel_problem.get().map(|_| error_id("kept-channel"));
    let options = channels
        .into_iter()
        .map(|c| {
            let blocked = move || c.is_call() && draft.do_not_call.get();
            view! {
                <label class="kept-choice">
                    <input
                        type="radio"
                        name="kept-channel"
                        class="kept-choice__input"
                        value=c.as_str()
                        data-testid=["channel-", c.as_str()].concat()
                        checked=draft.channel.get_untracked() == Some(c)
                        prop:disabled=blocked
                        on:change=move |_| draft.channel.set(Some(c))
                    />
                    <span class="kept-choice__label">{c.label(locale)}</span>
                    <Show when=blocked>
                        <span class="kept-choice__reason">{Text::CallsDisabled.in_locale(locale)}</span>
                    </Show>
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset
            class="kept-field kept-fieldset"
            class:kept-field--invalid=move || channel_problem.get().is_some()
            aria-describedby=described
        >
            <legend class="kept-field__label">{Text::ContactLegend.in_locale(locale)}</legend>
            <div class="kept-choices">{options}</div>
            <FieldError id=error_id("kept-channel") code=channel_problem locale/>
            <label class="kept-choice kept-choice--check">
                <input
                    type="checkbox"
                    class="kept-choice__input"
                    data-testid="do-not-call"
                    checked=draft.do_not_call.get_untracked()
                    on:change=move |ev| draft.do_not_call.set(event_target_checked(&ev))
                />
                <span class="kept-choice__label">{Text::DoNotCall.in_locale(locale)}</span>
            </label>
        </fieldset>
        <Show when=move || needs(ContactDetail::Phone)>
            <TextField id="kept-phone" label=Text::PhoneLabel.in_locale(locale) kind="tel" autocomplete="tel"
                value=draft.phone code=detail_problem(ContactDetail::Phone) locale/>
        </Show>
        <Show when=move || needs(ContactDetail::Email)>
            <TextField id="kept-email" label=Text::EmailLabel.in_locale(locale) kind="email" autocomplete="email"
                value=draft.email code=detail_problem(ContactDetail::Email) locale/>
        </Show>
        <Show when=move || needs(ContactDetail::Telegram)>
            <TextField id="kept-telegram" label=Text::TelegramLabel.in_locale(locale) kind="text" autocomplete="off"
                value=draft.telegram code=detail_problem(ContactDetail::Telegram) locale/>
        </Show>
    }
}
