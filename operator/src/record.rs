//! The record of kept promises: the kept share by kind, operator and day over 7, 30 or 90 days,
//! a daily chart (with the same figures as a table), the open promises that fall due next and
//! the broken ones, each opening its order; and an order's own promises.

use kept_protocol::record::{PromisePage, Record, RecordFigures};
use kept_protocol::{Locale, PromiseEntry, PromiseKind, PromiseState};
use leptos::prelude::*;

use crate::api::{Api, Failure};
use crate::i18n::T;
use crate::order::text::date_time;

fn kind(k: PromiseKind) -> T {
    match k {
        PromiseKind::Reply => T::KindReply,
        PromiseKind::Callback => T::KindCallback,
        PromiseKind::AskFirst => T::KindAskFirst,
        PromiseKind::Delivery => T::KindDelivery,
        PromiseKind::Deviation => T::KindDeviation,
        _ => T::KindClaim,
    }
}

fn state(s: PromiseState) -> T {
    match s {
        PromiseState::Open => T::StateOpen,
        PromiseState::Kept => T::StateKept,
        PromiseState::Broken => T::StateBroken,
        PromiseState::Prevented => T::StatePrevented,
        PromiseState::Answered => T::StateAnswered,
        _ => T::StateWithdrawn,
    }
}

/// Whether an open promise is past its due time by the browser's clock.
fn overdue(p: &PromiseEntry) -> bool {
    p.state == PromiseState::Open && p.due_at.as_deref().is_some_and(|d| js_sys::Date::parse(d) < js_sys::Date::now())
}

/// "Reply · broken · due 10:05 · done 10:12 · Anna", and for an open one the minutes left.
pub fn promise_text(p: &PromiseEntry, l: Locale) -> String {
    let mut parts = vec![kind(p.kind).get(l).to_owned(), state(p.state).get(l).to_owned()];
    if let Some(due) = &p.due_at {
        parts.push(format!("{} {}", T::Due.get(l), date_time(due, l)));
        if p.state == PromiseState::Open {
            let left = ((js_sys::Date::parse(due) - js_sys::Date::now()) / 60_000.0).ceil();
            parts.push(match left > 0.0 {
                true => format!("{left} {}", T::MinutesLeft.get(l)),
                false => T::Overdue.get(l).to_owned(),
            });
        }
    }
    if let Some(closed) = &p.closed_at {
        parts.push(format!("{} {}", T::ClosedAt.get(l), date_time(closed, l)));
    }
    parts.push(p.operator.clone().unwrap_or_else(|| T::Nobody.get(l).to_owned()));
    parts.join(" · ")
}

/// What followed her to her channel: "Sent by email · email · 10:42 · 3", "Seen in the widget".
pub fn notification_items(list: &[kept_protocol::notify::NotificationEntry], l: Locale) -> impl IntoView {
    use kept_protocol::notify::NotificationState as N;
    list.iter()
        .map(|n| {
            let (what, at) = match n.state {
                N::Pending => (T::NotifyPending, Some(&n.due_at)),
                N::Seen => (T::NotifySeen, None),
                N::NoChannel => (T::NotifyNoChannel, None),
                N::Sent => (T::NotifySent, n.decided_at.as_ref()),
                N::Requested => (T::NotifyRequested, n.decided_at.as_ref()),
                N::Delivered => (T::NotifyDelivered, n.decided_at.as_ref()),
                N::Failed => (T::NotifyFailed, n.decided_at.as_ref()),
            };
            let mut parts = vec![what.get(l).to_owned()];
            parts.extend(n.channel.filter(|_| n.state != N::Sent).map(|c| c.as_str().to_owned()));
            parts.extend(at.map(|t| date_time(t, l)));
            parts.extend(n.error.clone().filter(|_| n.state != N::Sent));
            let failed = n.state == N::Failed;
            view! { <li class:op-late=failed>{parts.join(" · ")}</li> }
        })
        .collect_view()
}

/// The order's own promises, as list items; broken and overdue ones marked.
pub fn promise_items(list: &[PromiseEntry], l: Locale) -> impl IntoView {
    list.iter()
        .map(|p| {
            let late = p.state == PromiseState::Broken || overdue(p);
            view! { <li class:op-late=late>{promise_text(p, l)}</li> }
        })
        .collect_view()
}

fn percent(f: &RecordFigures) -> String {
    f.kept_percent.map_or_else(|| "–".to_owned(), |p| format!("{p} %"))
}

fn cells(f: &RecordFigures) -> impl IntoView {
    let surveys = match f.surveys {
        0 => "–".to_owned(),
        n => format!("{n} ({:.1})", f.rating_sum as f64 / n as f64),
    };
    view! {
        <td>{percent(f)}</td>
        <td>{f.kept}</td>
        <td>{f.broken}</td>
        <td>{f.prevented}</td>
        <td>{format!("{} ({})", f.claims, f.claims_answered)}</td>
        <td>{surveys}</td>
    }
}

/// One table of the record, its rows named by `name`.
fn table(r: &Record, first: T, name: impl Fn(&str) -> String, id: &'static str, l: Locale) -> impl IntoView {
    let rows = r
        .rows
        .iter()
        .map(|row| view! { <tr><th scope="row">{name(&row.key)}</th>{cells(&row.figures)}</tr> })
        .collect_view();
    view! {
        <table class="op-items" data-testid=id>
            <thead><tr>
                <th scope="col">{first.get(l)}</th>
                <th scope="col">{T::KeptShare.get(l)} " %"</th>
                <th scope="col">{T::KeptShare.get(l)}</th>
                <th scope="col">{T::BrokenCount.get(l)}</th>
                <th scope="col">{T::PreventedCount.get(l)}</th>
                <th scope="col">{T::ClaimsCount.get(l)}</th>
                <th scope="col">{T::SurveysCount.get(l)}</th>
            </tr></thead>
            <tbody>
                {rows}
                <tr><th scope="row">{T::TotalRow.get(l)}</th>{cells(&r.total)}</tr>
            </tbody>
        </table>
    }
}

/// The daily kept share as bars (a picture of the table that follows it).
fn chart(r: &Record, l: Locale) -> impl IntoView {
    let width = (r.rows.len().max(1) * 12) as u32;
    let bars = r
        .rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let h = u32::from(row.figures.kept_percent.unwrap_or(0));
            let (x, y) = (i * 12, 100 - h);
            view! { <rect x=x y=y width="10" height=h class="op-bar"></rect> }
        })
        .collect_view();
    view! {
        <svg class="op-chart" role="img" aria-label=T::ChartLabel.get(l) viewBox=format!("0 0 {width} 100")
            preserveAspectRatio="none" data-testid="op-record-chart">{bars}</svg>
    }
}

type Figures = (Record, Record, Record, Vec<PromiseEntry>, Vec<PromiseEntry>);

/// The Record page; `on_open` opens an order.
#[component]
pub fn RecordPage(api: Api, l: Locale, on_open: Callback<String>) -> impl IntoView {
    let days = RwSignal::new(30u32);
    let tick = RwSignal::new(0u32);
    let read = LocalResource::new(move || {
        let (api, d) = (api.clone(), days.get());
        tick.track();
        async move {
            let record = |by: &str| format!("/v1/operator/record?days={d}&by={by}");
            let figures: Figures = (
                api.get::<Record>(&record("kind")).await?,
                api.get::<Record>(&record("operator")).await?,
                api.get::<Record>(&record("day")).await?,
                api.get::<PromisePage>("/v1/operator/promises?sort=due&limit=20").await?.promises,
                api.get::<PromisePage>("/v1/operator/promises?state=broken&limit=20").await?.promises,
            );
            Ok::<_, Failure>(figures)
        }
    });
    // Live enough: read again every 10 s (each promise's breach also reaches its order's stream).
    let timer = set_interval_with_handle(move || tick.update(|n| *n += 1), std::time::Duration::from_secs(10)).ok();
    on_cleanup(move || timer.into_iter().for_each(|t| t.clear()));
    let figures = crate::console::latest(read);
    let choose = move |n: u32| {
        view! {
            <button type="button" class="op-button op-button--quiet" aria-pressed=move || (days.get() == n).to_string()
                on:click=move |_| days.set(n)>{n}</button>
        }
    };
    let list = move |promises: Vec<PromiseEntry>, id: &'static str| {
        let items = promises
            .into_iter()
            .map(|p| {
                let late = p.state == PromiseState::Broken || overdue(&p);
                let (order, text) = (p.order.clone(), promise_text(&p, l));
                view! {
                    <li class:op-late=late>
                        <button type="button" class="op-order" on:click=move |_| on_open.run(order.clone())>
                            <strong>{p.order.clone()}</strong> " · " {text}
                        </button>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="op-list" data-testid=id>{items}</ul> }
    };
    let body = move || {
        figures.get().map(|(by_kind, by_operator, by_day, due, broken)| {
            let kind_name = move |k: &str| PromiseKind::parse(k).map_or(k.to_owned(), |k| kind(k).get(l).to_owned());
            let operator_name = move |o: &str| if o.is_empty() { T::Nobody.get(l).to_owned() } else { o.to_owned() };
            view! {
                <h3>{T::ByKind.get(l)}</h3>
                {table(&by_kind, T::KindColumn, kind_name, "op-record-kinds", l)}
                <h3>{T::ByOperator.get(l)}</h3>
                {table(&by_operator, T::OperatorColumn, operator_name, "op-record-operators", l)}
                <h3>{T::ByDay.get(l)}</h3>
                {chart(&by_day, l)}
                {table(&by_day, T::DayColumn, str::to_owned, "op-record-days", l)}
                <h3>{T::DueNext.get(l)}</h3>
                {list(due, "op-due-next")}
                <h3>{T::BrokenOnes.get(l)}</h3>
                {list(broken, "op-broken")}
            }
        })
    };
    view! {
        <section class="op-record" aria-labelledby="op-record-heading" data-testid="op-record">
            <h2 id="op-record-heading">{T::Record.get(l)}</h2>
            <div role="group" aria-label=T::LastDays.get(l)>
                {T::LastDays.get(l)} " " {choose(7)} {choose(30)} {choose(90)}
            </div>
            {body}
        </section>
    }
}
