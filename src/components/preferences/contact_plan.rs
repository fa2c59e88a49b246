//! The contact plan: channels in the customer's order, "do not call me", the details the chosen
//! channels need (each asked once), and a callback window when calls are allowed.

use kept_protocol::{Channel, ContactDetail, Locale, Problem};
use leptos::prelude::*;

use super::field::{choice, error_id, fieldset, fixed, Choice, TextField};
use super::{problem_at, Draft};
use crate::components::{memo, shown_when};
use crate::i18n::{Text, Words};

/// Moves `c` one place up (`-1`) or down (`+1`) in `list`.
fn shift(list: &mut [Channel], c: Channel, by: isize) {
    if let Some(i) = list.iter().position(|x| *x == c) {
        let j = i as isize + by;
        if j >= 0 && (j as usize) < list.len() {
            list.swap(i, j as usize);
        }
    }
}

/// One offered channel: use it or not, and where it stands in the plan.
#[component]
fn ChannelRow(c: Channel, draft: Draft, locale: Locale) -> impl IntoView {
    let rank = move || draft.channels.with(|l| l.iter().position(|x| *x == c));
    let blocked = move || c.is_call() && draft.do_not_call.get();
    let label = c.label(&Words(locale));
    let aria = {
        let label = label.clone();
        move |t: Text| t.with(locale, &[("channel", &label)])
    };
    let on_change = move |on: bool| {
        draft.channels.update(|l| {
            l.retain(|x| *x != c);
            if on {
                l.push(c);
            }
        })
    };
    let name = label.clone();
    let channel = Choice {
        value: c.as_str(),
        disabled: memo(move || blocked() && rank().is_none()),
        ..Choice::checkbox(
            &["channel-", c.as_str()].concat(),
            Box::new(move || rank().map_or(String::new(), |r| (r + 1).to_string() + ". ") + &name),
            memo(move || rank().is_some()),
        )
    };
    view! {
        <li class="kept-rank">
            {choice(channel, on_change)}
            {shown_when(move || rank().is_some(), move || view! {
                <span class="kept-rank__moves">
                    <button type="button" class="kept-icon-button" aria-label=aria(Text::MoveUp)
                        data-testid=["up-", c.as_str()].concat()
                        prop:disabled=move || rank() == Some(0)
                        on:click=move |_| draft.channels.update(|l| shift(l, c, -1))>"↑"</button>
                    <button type="button" class="kept-icon-button" aria-label=aria(Text::MoveDown)
                        data-testid=["down-", c.as_str()].concat()
                        prop:disabled=move || rank().map(|r| r + 1) == Some(draft.channels.with(Vec::len))
                        on:click=move |_| draft.channels.update(|l| shift(l, c, 1))>"↓"</button>
                </span>
            })}
            {shown_when(blocked, move || view! {
                <span class="kept-choice__reason">{Text::CallsDisabled.in_locale(locale)}</span>
            })}
        </li>
    }
}

/// Channels, do-not-call, contact details and the callback window.
#[component]
pub fn ContactPlanFields(
    channels: Vec<Channel>,
    draft: Draft,
    locale: Locale,
    problems: Memo<Vec<Problem>>,
) -> impl IntoView {
    let channel_problem = memo(move || problems.with(|p| problem_at(p, "contact.channels")));
    let window_problem = memo(move || problems.with(|p| problem_at(p, "contact.callback_window")));
    let detail_problem = move |d: ContactDetail| memo(move || problems.with(|p| problem_at(p, d.path())));
    let needs = move |d: ContactDetail| draft.channels.with(|l| l.iter().any(|c| c.needs() == Some(d)));
    let calls_allowed = move || !draft.do_not_call.get() && draft.channels.with(|l| l.contains(&Channel::Phone));
    let rows = channels.into_iter().map(|c| view! { <ChannelRow c draft locale/> }).collect_view();
    view! {
        {fieldset(Text::ContactLegend.in_locale(locale), error_id("kept-channel"), channel_problem, locale, view! {
            <p class="kept-hint">{Text::ContactHint.in_locale(locale)}</p>
            // "Do not call me" is a chip in the same row: it rules the channels beside it.
            <ul class="kept-ranks">
                {rows}
                <li class="kept-rank">
                    {choice(
                        Choice::checkbox(
                            "do-not-call",
                            fixed(Text::DoNotCall.in_locale(locale)),
                            memo(move || draft.do_not_call.get()),
                        ),
                        move |on| draft.do_not_call.set(on),
                    )}
                </li>
            </ul>
        }.into_any(), ().into_any())}
        {shown_when(move || needs(ContactDetail::Phone), move || view! {
            <TextField id="kept-phone" label=Text::PhoneLabel.in_locale(locale) kind="tel" autocomplete="tel"
                value=draft.phone code=detail_problem(ContactDetail::Phone) locale/>
        })}
        {shown_when(move || needs(ContactDetail::Email), move || view! {
            <TextField id="kept-email" label=Text::EmailLabel.in_locale(locale) kind="email" autocomplete="email"
                value=draft.email code=detail_problem(ContactDetail::Email) locale/>
        })}
        {shown_when(move || needs(ContactDetail::Telegram), move || view! {
            <TextField id="kept-telegram" label=Text::TelegramLabel.in_locale(locale) kind="text" autocomplete="off"
                value=draft.telegram code=detail_problem(ContactDetail::Telegram) locale/>
        })}
        {shown_when(calls_allowed, move || view! {
            {fieldset(Text::CallbackLegend.in_locale(locale), error_id("kept-callback"), window_problem, locale, view! {
                <div class="kept-row">
                    <TextField id="kept-callback-start" label=Text::From.in_locale(locale) kind="time" autocomplete="off"
                        value=draft.callback_start code=memo(|| None) locale/>
                    <TextField id="kept-callback-end" label=Text::To.in_locale(locale) kind="time" autocomplete="off"
                        value=draft.callback_end code=memo(|| None) locale/>
                </div>
            }.into_any(), ().into_any())}
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::shift;
    use kept_protocol::Channel::*;
    use wasm_bindgen_test::*;

    #[wasm_bindgen_test]
    fn moving_a_channel_swaps_it_with_its_neighbour_and_stops_at_the_ends() {
        let mut l = vec![Chat, Whatsapp, Email];
        shift(&mut l, Email, -1);
        assert_eq!(l, vec![Chat, Email, Whatsapp]);
        shift(&mut l, Chat, -1);
        assert_eq!(l, vec![Chat, Email, Whatsapp]);
        shift(&mut l, Whatsapp, 1);
        assert_eq!(l, vec![Chat, Email, Whatsapp]);
    }
}
