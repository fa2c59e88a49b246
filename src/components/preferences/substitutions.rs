//! Substitutions: one rule for the order and, per item, an optional override.

use kept_protocol::{Channel, Fallback, Item, ItemRule, Locale, PriceCap, Problem, SubstitutionRule};
use leptos::prelude::*;

use super::field::{build_when_opened, choice, error_id, fieldset, fixed, select, Choice};
use super::{problem_at, Draft};
use crate::components::{memo, shown_when};
use crate::format::{plain_major, to_minor};
use crate::i18n::{Text, Words};

/// Which rule the customer picked, before its details; in the order of [`KINDS`].
#[derive(Clone, Copy, PartialEq)]
enum RuleKind {
    Similar = 0,
    AskFirst = 1,
    Remove = 2,
    CancelOrder = 3,
}

impl RuleKind {
    /// The kind of `rule`; a specific replacement (an item's override only) has none.
    fn of(rule: &SubstitutionRule) -> Option<RuleKind> {
        match rule {
            SubstitutionRule::Similar { .. } => Some(RuleKind::Similar),
            SubstitutionRule::AskFirst { .. } => Some(RuleKind::AskFirst),
            SubstitutionRule::Remove => Some(RuleKind::Remove),
            SubstitutionRule::CancelOrder => Some(RuleKind::CancelOrder),
            SubstitutionRule::Specific { .. } => None,
        }
    }
}

/// Each kind with its name in the form (the value of its radio and option) and its label.
const KINDS: [(RuleKind, &str, Text); 4] = [
    (RuleKind::Similar, "similar", Text::RuleSimilar),
    (RuleKind::AskFirst, "ask_first", Text::RuleAskFirst),
    (RuleKind::Remove, "remove", Text::RuleRemove),
    (RuleKind::CancelOrder, "cancel_order", Text::RuleCancel),
];

/// The order rule as its editor's fields; the rule is read from them (tracked), so it never
/// lags behind what the customer sees. Few signal types: each one costs its own code.
#[derive(Clone, Copy)]
pub struct RuleFields {
    /// The digits of the order currency's minor unit, for an amount cap.
    digits: u32,
    /// A [`RuleKind`], kept as its number: a signal of a type of its own would cost the widget
    /// 435 bytes gzip (measured), one of `u32` nothing. Read and written only as a `RuleKind`.
    kind: RwSignal<u32>,
    /// An amount cap rather than a percentage.
    cap_amount: RwSignal<bool>,
    cap_value: RwSignal<String>,
    /// A channel's wire name, or empty for the first of the contact plan.
    channel: RwSignal<String>,
    wait: RwSignal<String>,
    fallback_similar: RwSignal<bool>,
}

impl RuleFields {
    pub fn from_rule(rule: &SubstitutionRule, digits: u32) -> RuleFields {
        let cap = match rule {
            SubstitutionRule::Similar { max_increase } => Some(*max_increase),
            SubstitutionRule::AskFirst { fallback: Fallback::Similar { max_increase }, .. } => Some(*max_increase),
            _ => None,
        };
        let (cap_amount, cap_value) = match cap {
            Some(PriceCap::Amount { amount_minor }) => (true, plain_major(amount_minor, digits)),
            Some(PriceCap::Percent { percent }) => (false, percent.to_string()),
            None => (false, "10".to_owned()),
        };
        let (channel, wait, fallback_similar) = match rule {
            SubstitutionRule::AskFirst { channel, wait_minutes, fallback } => {
                (channel.as_str(), wait_minutes.to_string(), matches!(fallback, Fallback::Similar { .. }))
            }
            _ => ("", "15".to_owned(), false),
        };
        RuleFields {
            digits,
            kind: RwSignal::new(RuleKind::of(rule).unwrap_or(RuleKind::Remove) as u32),
            cap_amount: RwSignal::new(cap_amount),
            cap_value: RwSignal::new(cap_value),
            channel: RwSignal::new(channel.to_owned()),
            wait: RwSignal::new(wait),
            fallback_similar: RwSignal::new(fallback_similar),
        }
    }

    /// The kind picked (tracked).
    fn kind(&self) -> RuleKind {
        KINDS[self.kind.get() as usize].0
    }

    fn set_kind(&self, kind: RuleKind) {
        self.kind.set(kind as u32)
    }

    fn kind_is(&self, kind: RuleKind) -> bool {
        self.kind() == kind
    }

    /// The price cap as typed; something unreadable becomes an out-of-range cap the rules refuse.
    fn cap(&self) -> PriceCap {
        let value = self.cap_value.get();
        if self.cap_amount.get() {
            PriceCap::Amount { amount_minor: to_minor(&value, self.digits).unwrap_or(-1) }
        } else {
            PriceCap::Percent { percent: value.trim().parse().unwrap_or(-1) }
        }
    }

    fn ask_first(&self, plan: &[Channel]) -> SubstitutionRule {
        let fallback =
            if self.fallback_similar.get() { Fallback::Similar { max_increase: self.cap() } } else { Fallback::Remove };
        SubstitutionRule::AskFirst {
            channel: self
                .channel
                .with(|c| Channel::from_wire(c))
                .or_else(|| plan.first().copied())
                .unwrap_or(Channel::Chat),
            wait_minutes: self.wait.with(|w| w.trim().parse().unwrap_or(0)),
            fallback,
        }
    }

    /// The rule the fields say, with `plan` the customer's channels (the first is asked by default).
    pub fn rule(&self, plan: &[Channel]) -> SubstitutionRule {
        self.rule_of(self.kind(), plan)
    }

    /// A rule of `kind` with the details these fields hold (an item's override takes them too).
    fn rule_of(&self, kind: RuleKind, plan: &[Channel]) -> SubstitutionRule {
        match kind {
            RuleKind::Similar => SubstitutionRule::Similar { max_increase: self.cap() },
            RuleKind::AskFirst => self.ask_first(plan),
            RuleKind::CancelOrder => SubstitutionRule::CancelOrder,
            RuleKind::Remove => SubstitutionRule::Remove,
        }
    }
}

/// The order rule, its details, and per-item overrides.
#[component]
pub fn SubstitutionFields(
    items: Vec<Item>,
    draft: Draft,
    locale: Locale,
    problems: Memo<Vec<Problem>>,
) -> impl IntoView {
    let f = draft.rule;
    let problem = memo(move || problems.with(|p| problem_at(p, "substitutions.default")));
    let kinds = KINDS
        .into_iter()
        .map(|(kind, name, text)| {
            let kind_choice = Choice::radio(
                "kept-rule",
                name,
                ["rule-", name].concat(),
                text.in_locale(locale),
                memo(move || f.kind_is(kind)),
            );
            choice(kind_choice, move |_| f.set_kind(kind))
        })
        .collect_view();
    let cap_editor = move || {
        view! {
            <div class="kept-row">
                <label class="kept-field">
                    <span class="kept-field__label">{Text::CapLabel.in_locale(locale)}</span>
                    <input class="kept-input" type="text" inputmode="decimal" data-testid="cap-value"
                        value=f.cap_value.get_untracked()
                        on:input=move |ev| f.cap_value.set(event_target_value(&ev))/>
                </label>
                <label class="kept-field">
                    <span class="kept-field__label">{Text::CapUnit.in_locale(locale)}</span>
                    {select(
                        None,
                        "cap-kind".to_owned(),
                        vec![("percent".to_owned(), "%".to_owned()), ("amount".to_owned(), Text::CapAmount.in_locale(locale))],
                        if f.cap_amount.get_untracked() { "amount" } else { "percent" },
                        move |v| f.cap_amount.set(v == "amount"),
                    )}
                </label>
            </div>
        }
    };
    let ask_editor = move || {
        // Built again when the plan changes: it offers the plan's channels.
        let channels = move || {
            let options = draft.channels.get().into_iter().map(|c| (c.as_str().to_owned(), c.label(&Words(locale))));
            select(None, "ask-channel".to_owned(), options.collect(), &f.channel.get_untracked(), move |v| {
                f.channel.set(v)
            })
        };
        view! {
            <div class="kept-row">
                <label class="kept-field">
                    <span class="kept-field__label">{Text::AskVia.in_locale(locale)}</span>
                    {channels}
                </label>
                <label class="kept-field">
                    <span class="kept-field__label">{Text::AskWait.in_locale(locale)}</span>
                    <input class="kept-input" type="number" min="1" max="1440" data-testid="ask-wait"
                        value=f.wait.get_untracked()
                        on:input=move |ev| f.wait.set(event_target_value(&ev))/>
                </label>
            </div>
            {choice(
                Choice {
                    class: "kept-choice kept-choice--check",
                    ..Choice::checkbox(
                        "fallback-similar",
                        fixed(Text::FallbackSimilar.in_locale(locale)),
                        memo(move || f.fallback_similar.get()),
                    )
                },
                move |on| f.fallback_similar.set(on),
            )}
            {shown_when(move || f.fallback_similar.get(), cap_editor)}
        }
    };
    // Built when the customer first opens the per-item rules; open from the start when there
    // are some, and opened when one of them has a problem.
    let items = StoredValue::new(items);
    let opened = RwSignal::new(draft.overrides.with_untracked(|o| !o.is_empty()));
    // A memo, so that the disclosure is told only when this changes (never closed by an unrelated edit).
    let override_problem = memo(move || problems.with(|p| problem_at(p, "substitutions.overrides").is_some()));
    let overrides = move || {
        opened.get().then(|| {
            items.with_value(|items| {
                items
                    .iter()
                    .filter(|i| i.active)
                    .map(|item| view! { <ItemOverride item=item.clone() draft locale problems/> })
                    .collect_view()
            })
        })
    };
    let rule = view! {
        <div class="kept-choices kept-choices--segments">{kinds}</div>
        {shown_when(move || f.kind_is(RuleKind::Similar), cap_editor)}
        {shown_when(move || f.kind_is(RuleKind::AskFirst), ask_editor)}
    };
    let per_item = view! {
        <details class="kept-details" prop:open=move || opened.get() || override_problem.get()
            on:toggle=build_when_opened(opened)>
            <summary class="kept-details__summary">{Text::PerItem.in_locale(locale)}</summary>
            <ul class="kept-items">{overrides}</ul>
        </details>
    };
    let legend = Text::SubstitutionLegend.in_locale(locale);
    fieldset(legend, error_id("kept-substitution"), problem, locale, rule.into_any(), per_item.into_any())
}

/// One item's override: the order rule, or another rule for this item only.
#[component]
fn ItemOverride(item: Item, draft: Draft, locale: Locale, problems: Memo<Vec<Problem>>) -> impl IntoView {
    let id = item.id.clone();
    let current = draft.overrides.with_untracked(|o| o.iter().find(|r| r.item == id).map(|r| r.rule.clone()));
    let selected = match &current {
        None => String::new(),
        Some(SubstitutionRule::Specific { replacement }) => ["specific:", replacement].concat(),
        Some(rule) => KINDS.iter().find(|k| Some(k.0) == RuleKind::of(rule)).map_or("", |k| k.1).to_owned(),
    };
    let item_id = StoredValue::new(item.id.clone());
    let index = move || item_id.with_value(|id| draft.overrides.with(|o| o.iter().position(|r| &r.item == id)));
    let problem = memo(move || {
        let at = index()?;
        problems.with(|p| problem_at(p, &["substitutions.overrides[", &at.to_string(), "]"].concat()))
    });
    let on_change = move |value: String| {
        let plan = draft.channels.get_untracked();
        let fields = draft.rule;
        let rule = match KINDS.iter().find(|k| k.1 == value) {
            Some(&(kind, ..)) => Some(untrack(|| fields.rule_of(kind, &plan))),
            None => value.strip_prefix("specific:").map(|r| SubstitutionRule::Specific { replacement: r.to_owned() }),
        };
        item_id.with_value(|id| {
            draft.overrides.update(|o| {
                o.retain(|r| &r.item != id);
                if let Some(rule) = rule {
                    o.push(ItemRule { item: id.clone(), rule });
                }
            })
        });
    };
    let select_id = ["kept-override-", &item.id].concat();
    let mut options = vec![(String::new(), Text::AsOrder.in_locale(locale))];
    for r in &item.replacements {
        options.push((["specific:", &r.id].concat(), Text::ReplaceWith.with(locale, &[("name", &r.name)])));
    }
    for (_, name, text) in KINDS {
        options.push((name.to_owned(), text.in_locale(locale)));
    }
    let test_id = ["override-", &item.id].concat();
    view! {
        <li class="kept-field" class:kept-field--invalid=move || problem.get().is_some()>
            <label class="kept-field__label" for=select_id.clone()>{item.name.clone()}</label>
            {select(Some(select_id), test_id, options, &selected, on_change)}
            {move || problem.get().map(|c| view! { <p class="kept-field__error">{crate::i18n::problem_text(c, locale)}</p> })}
        </li>
    }
}
