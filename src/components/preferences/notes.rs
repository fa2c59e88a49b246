//! Product notes: the shop's structured options for an item and a short free-text note.

use kept_protocol::preferences::NOTE_TEXT_MAX_CHARS;
use kept_protocol::{Item, ItemNote, Locale, OptionSet, Problem};
use leptos::prelude::*;

use super::field::{build_when_opened, select};
use super::{problem_at, Draft};
use crate::components::memo;
use crate::i18n::{problem_text, Text};

/// Updates the note of `item` in the draft with `f`.
fn edit(draft: Draft, item: &str, f: impl FnOnce(&mut ItemNote)) {
    draft.notes.update(|notes| {
        let i = match notes.iter().position(|n| n.item == item) {
            Some(i) => i,
            None => {
                notes.push(ItemNote { item: item.to_owned(), option: None, text: None });
                notes.len() - 1
            }
        };
        f(&mut notes[i]);
    });
}

/// One item's option and note.
#[component]
fn ItemNoteFields(
    item: Item,
    set: Option<OptionSet>,
    draft: Draft,
    locale: Locale,
    problems: Memo<Vec<Problem>>,
) -> impl IntoView {
    let item_id = StoredValue::new(item.id.clone());
    let existing = draft.notes.with_untracked(|n| n.iter().find(|n| n.item == item.id).cloned());
    let chosen = existing.as_ref().and_then(|n| n.option.clone()).unwrap_or_default();
    let text = RwSignal::new(existing.and_then(|n| n.text).unwrap_or_default());
    let problem = memo(move || {
        let at = item_id.with_value(|id| draft.notes.with(|n| n.iter().position(|x| &x.item == id)))?;
        problems.with(|p| problem_at(p, &["notes[", &at.to_string(), "]"].concat()))
    });
    let select = set.map(|set| {
        let select_id = ["kept-option-", &item.id].concat();
        let mut options = vec![(String::new(), Text::NoPreference.in_locale(locale))];
        options.extend(set.options.iter().map(|o| (o.id.clone(), o.label.get(locale).to_owned())));
        let on_change = move |v: String| {
            item_id.with_value(|id| edit(draft, id, |n| n.option = Some(v).filter(|v| !v.is_empty())));
        };
        view! {
            <label class="kept-field__label" for=select_id.clone()>{[item.name.as_str(), ": ", set.label.get(locale)].concat()}</label>
            {select(Some(select_id), ["option-", &item.id].concat(), options, &chosen, on_change)}
        }
    });
    let note_id = ["kept-note-", &item.id].concat();
    let counter_id = ["kept-note-count-", &item.id].concat();
    view! {
        <li class="kept-field" class:kept-field--invalid=move || problem.get().is_some()>
            {select}
            <label class="kept-field__label" for=note_id.clone()>{Text::NoteFor.with(locale, &[("item", &item.name)])}</label>
            <input id=note_id class="kept-input" type="text" maxlength=NOTE_TEXT_MAX_CHARS.to_string()
                data-testid=["note-", &item.id].concat() aria-describedby=counter_id.clone()
                value=text.get_untracked()
                on:input=move |ev| {
                    let v = event_target_value(&ev);
                    text.set(v.clone());
                    item_id.with_value(|id| edit(draft, id, |n| n.text = Some(v).filter(|v| !v.trim().is_empty())));
                }/>
            <p id=counter_id class="kept-hint">
                {move || text.with(|t| t.chars().count()).to_string()} " / " {NOTE_TEXT_MAX_CHARS.to_string()}
            </p>
            {move || problem.get().map(|c| view! { <p class="kept-field__error">{problem_text(c, locale)}</p> })}
        </li>
    }
}

/// Items with options first; notes for the other items behind a disclosure.
#[component]
pub fn NoteFields(
    items: Vec<Item>,
    sets: Vec<OptionSet>,
    draft: Draft,
    locale: Locale,
    problems: Memo<Vec<Problem>>,
) -> impl IntoView {
    let set_of = |i: &Item| i.option_set.as_deref().and_then(|id| sets.iter().find(|s| s.id == id)).cloned();
    let (with_options, others): (Vec<Item>, Vec<Item>) =
        items.into_iter().filter(|i| i.active).partition(|i| set_of(i).is_some());
    // Collapsed behind the count of items with options, open when the customer has notes.
    let count = with_options.len().to_string();
    let open = draft.notes.with_untracked(|n| !n.is_empty());
    let first = with_options
        .into_iter()
        .map(|item| {
            let set = set_of(&item);
            view! { <ItemNoteFields item set draft locale problems/> }
        })
        .collect_view();
    // The other items' notes are built when the customer first opens them (open from the start
    // when one of them has a note).
    let noted = draft.notes.with_untracked(|n| n.iter().any(|n| others.iter().any(|i| i.id == n.item)));
    let others = StoredValue::new(others);
    let more_opened = RwSignal::new(noted);
    let rest = move || {
        more_opened.get().then(|| {
            others.with_value(|others| {
                others
                    .iter()
                    .map(|item| view! { <ItemNoteFields item=item.clone() set=None draft locale problems/> })
                    .collect_view()
            })
        })
    };
    view! {
        <details class="kept-details kept-details--section" open=open>
            <summary class="kept-details__summary" data-testid="notes-toggle">
                {Text::NotesLegend.in_locale(locale)} <span class="kept-badge">{count}</span>
            </summary>
            <ul class="kept-items">{first}</ul>
            <details class="kept-details" open=noted on:toggle=build_when_opened(more_opened)>
                <summary class="kept-details__summary">{Text::MoreNotes.in_locale(locale)}</summary>
                <ul class="kept-items">{rest}</ul>
            </details>
        </details>
    }
}
