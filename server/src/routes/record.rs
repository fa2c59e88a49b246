//! The record of kept promises, read: the customer's own promises, and for the shop (console and
//! its servers alike) the promises filtered and paged, and the record aggregated by kind,
//! operator or day; each also as CSV (`format=csv`, or `Accept: text/csv`).

use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use jiff::civil::Date;
use jiff::Timestamp;
use kept_protocol::record::{KindShare, PromisePage, Record, RecordFigures, TrustWords};
use kept_protocol::{Locale, OwnPromises, Problem, ProblemCode, PromiseEntry, PromiseKind, PromiseState, TrustLine};
use serde::Deserialize;

use crate::db::Pool;
use crate::domain::promise;
use crate::extract::{ApiQuery, BackendKey, CustomerOrder, Operator};
use crate::store::orders;
use crate::store::promises::{self, By, Filter};
use crate::{clock, ApiError, AppState};

/// The customer's route.
pub fn router() -> Router<AppState> {
    Router::new().route("/orders/{order}/promises", get(own))
}

/// The console's routes (under `/v1/operator`).
pub fn operator_router() -> Router<AppState> {
    Router::new().route("/promises", get(operator_promises)).route("/record", get(operator_record))
}

/// The shop's servers' routes (under `/v1/backend`).
pub fn backend_router() -> Router<AppState> {
    Router::new().route("/promises", get(backend_promises)).route("/record", get(backend_record))
}

/// The customer's: in which language.
#[derive(Deserialize, Default)]
pub struct OwnQuery {
    locale: Option<String>,
}

/// `GET /v1/orders/{order}/promises`: what Kept promised her on this order and what became of it,
/// in her words too (the locale asked for, else her agreement's, else the order's), and the
/// shop's trust line when it shows it.
async fn own(
    State(state): State<AppState>,
    CustomerOrder(order): CustomerOrder,
    ApiQuery(q): ApiQuery<OwnQuery>,
) -> Result<Json<OwnPromises>, ApiError> {
    let asked = parse("locale", q.locale.as_deref(), Locale::parse)?;
    let conn = &mut state.pool.acquire().await?;
    let list = promises::of_order(conn, &order.id).await?;
    let shop = orders::shop(conn).await?;
    let agreed = orders::current_receipt(conn, &order.id).await?.map(|r| r.preferences.locale);
    let words = kept_protocol::catalog::words(asked.or(agreed).or(order.locale).unwrap_or_default());
    let tz = jiff::tz::TimeZone::get(&shop.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let now = clock::instant();
    let schedule = crate::domain::schedule::Schedule::new(&shop);
    let lines = list.iter().filter_map(|p| promise::line(p, words, schedule.as_ref(), &tz, now)).collect();
    let trust = match shop.show_record {
        true => trust_line(&state.pool, &shop.time_zone, now).await?,
        false => None,
    };
    let trust = trust.map(|figures| {
        let (line, kinds) = promise::trust_words(&figures, words);
        TrustWords { figures, line, kinds }
    });
    Ok(Json(OwnPromises { promises: list, lines, trust }))
}

/// "This shop kept N % of M promises in the last 30 days", from the record's day rows, when at
/// least [`TrustLine::FLOOR`] promises were kept or broken.
async fn trust_line(pool: &Pool, time_zone: &str, now: Timestamp) -> Result<Option<TrustLine>, ApiError> {
    let days = TrustLine::DAYS;
    let (from, to) = (promise::window_from(time_zone, now, days), promise::day_of(time_zone, now));
    let record = promises::record(pool, from, to, By::Kind, None).await?;
    let Some(kept_percent) = promise::kept_share(record.total.kept, record.total.broken, TrustLine::FLOOR) else {
        return Ok(None);
    };
    let kinds = record
        .rows
        .iter()
        .filter(|r| r.figures.kept + r.figures.broken > 0)
        .filter_map(|r| {
            let kind = PromiseKind::parse(&r.key)?;
            Some(KindShare { kind, kept: r.figures.kept, broken: r.figures.broken })
        })
        .collect();
    Ok(Some(TrustLine { kept_percent, promises: record.total.kept + record.total.broken, days, kinds }))
}

/// What the promise list is filtered by.
#[derive(Deserialize, Default)]
pub struct PromiseQuery {
    kind: Option<String>,
    state: Option<String>,
    operator: Option<String>,
    order: Option<String>,
    /// Opened from (inclusive) / until (exclusive), RFC 3339.
    from: Option<String>,
    to: Option<String>,
    /// The `next` of the page before.
    before: Option<i64>,
    limit: Option<i64>,
    /// `due`: open promises by when they fall due, soonest first (the console's "due next").
    sort: Option<String>,
    format: Option<String>,
}

fn bad(field: &str) -> ApiError {
    ApiError::BadParameter(vec![Problem::new(field, ProblemCode::Invalid)])
}

fn parse<T>(field: &str, value: Option<&str>, f: impl Fn(&str) -> Option<T>) -> Result<Option<T>, ApiError> {
    value.filter(|v| !v.is_empty()).map(|v| f(v).ok_or_else(|| bad(field))).transpose()
}

async fn list(state: &AppState, q: PromiseQuery, headers: &HeaderMap) -> Result<Response, ApiError> {
    let filter = Filter {
        kind: parse("kind", q.kind.as_deref(), PromiseKind::parse)?,
        state: parse("state", q.state.as_deref(), PromiseState::parse)?,
        operator: q.operator.filter(|o| !o.is_empty()),
        order: q.order.filter(|o| !o.is_empty()),
        from: parse("from", q.from.as_deref(), |s| s.parse::<Timestamp>().ok())?,
        to: parse("to", q.to.as_deref(), |s| s.parse::<Timestamp>().ok())?,
        before: q.before,
    };
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::BadParameter(vec![Problem::new("limit", ProblemCode::OutOfRange)]));
    }
    let page = match q.sort.as_deref() {
        None | Some("") | Some("newest") => promises::page(&state.pool, &filter, limit).await?,
        Some("due") => PromisePage { promises: promises::next_due(&state.pool, limit).await?, next: None },
        Some(_) => return Err(bad("sort")),
    };
    Ok(if csv_wanted(q.format.as_deref(), headers)? {
        csv(promises_csv(&page.promises))
    } else {
        Json(page).into_response()
    })
}

/// What the record is asked for.
#[derive(Deserialize, Default)]
pub struct RecordQuery {
    /// The last this many of the shop's local days, today included (default 30).
    days: Option<u32>,
    /// Or local dates, YYYY-MM-DD, both inclusive.
    from: Option<String>,
    to: Option<String>,
    /// `kind` (default), `operator` or `day`.
    by: Option<String>,
    kind: Option<String>,
    format: Option<String>,
}

/// The days a record covers at most.
const MAX_DAYS: i64 = 366;

async fn record(state: &AppState, q: RecordQuery, headers: &HeaderMap) -> Result<Response, ApiError> {
    let by = parse("by", q.by.as_deref(), By::parse)?.unwrap_or(By::Kind);
    let kind = parse("kind", q.kind.as_deref(), PromiseKind::parse)?;
    let shop = orders::shop(&mut state.pool.acquire().await?).await?;
    let now = clock::instant();
    let date = |s: &str| s.parse::<Date>().ok();
    let (from, to) = match (parse("from", q.from.as_deref(), date)?, parse("to", q.to.as_deref(), date)?) {
        (Some(from), to) => (from, to.unwrap_or_else(|| promise::day_of(&shop.time_zone, now))),
        (None, Some(_)) => return Err(bad("from")),
        (None, None) => {
            let days = q.days.unwrap_or(30);
            if !(1..=MAX_DAYS as u32).contains(&days) {
                return Err(ApiError::BadParameter(vec![Problem::new("days", ProblemCode::OutOfRange)]));
            }
            (promise::window_from(&shop.time_zone, now, days), promise::day_of(&shop.time_zone, now))
        }
    };
    let span = (to - from).get_days();
    if !(0..MAX_DAYS).contains(&i64::from(span)) {
        return Err(ApiError::BadParameter(vec![Problem::new("to", ProblemCode::OutOfRange)]));
    }
    let record = promises::record(&state.pool, from, to, by, kind).await?;
    Ok(if csv_wanted(q.format.as_deref(), headers)? { csv(record_csv(&record)) } else { Json(record).into_response() })
}

fn csv_wanted(format: Option<&str>, headers: &HeaderMap) -> Result<bool, ApiError> {
    match format {
        Some("csv") => Ok(true),
        Some("json") => Ok(false),
        Some(_) => Err(bad("format")),
        None => Ok(headers
            .get(header::ACCEPT)
            .and_then(|a| a.to_str().ok())
            .is_some_and(|a| a.split(',').any(|t| t.trim().starts_with("text/csv")))),
    }
}

fn csv(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response()
}

/// One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break; a leading
/// `=`, `+`, `-` or `@` is quoted with a `'` so a spreadsheet does not run it as a formula.
fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_owned() };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn promises_csv(list: &[PromiseEntry]) -> String {
    let mut out = String::from(
        "id,order,kind,state,opened_at,due_at,window_start,promised_minutes,closed_at,decided_at,operator,deviation,subject,event\r\n",
    );
    for p in list {
        let o = |v: &Option<String>| v.as_deref().map(field).unwrap_or_default();
        let n = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        let row = [
            p.id.to_string(),
            field(&p.order),
            p.kind.as_str().to_owned(),
            p.state.as_str().to_owned(),
            p.opened_at.clone(),
            o(&p.due_at),
            o(&p.window_start),
            n(p.promised_minutes.map(i64::from)),
            o(&p.closed_at),
            o(&p.decided_at),
            o(&p.operator),
            p.deviation.map(|d| d.as_str().to_owned()).unwrap_or_default(),
            n(p.subject),
            n(p.event),
        ];
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

fn record_csv(r: &Record) -> String {
    let mut out = format!("{},kept,broken,kept_percent,prevented,claims,claims_answered,surveys,rating_sum\r\n", r.by);
    let line = |key: &str, f: &RecordFigures| {
        let pct = f.kept_percent.map(|p| p.to_string()).unwrap_or_default();
        format!(
            "{},{},{},{pct},{},{},{},{},{}\r\n",
            field(key),
            f.kept,
            f.broken,
            f.prevented,
            f.claims,
            f.claims_answered,
            f.surveys,
            f.rating_sum
        )
    };
    for row in &r.rows {
        out.push_str(&line(&row.key, &row.figures));
    }
    out.push_str(&line("total", &r.total));
    out
}

async fn operator_promises(
    _: Operator,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<PromiseQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    list(&state, q, &headers).await
}

async fn backend_promises(
    _: BackendKey,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<PromiseQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    list(&state, q, &headers).await
}

async fn operator_record(
    _: Operator,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<RecordQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    record(&state, q, &headers).await
}

async fn backend_record(
    _: BackendKey,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<RecordQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    record(&state, q, &headers).await
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn csv_fields_are_quoted_when_they_must_be_and_never_run_as_formulas() {
        assert_eq!(field("Anna"), "Anna");
        assert_eq!(field("Nowak, Anna"), "\"Nowak, Anna\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    }
}
