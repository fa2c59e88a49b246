//! One-tap answers from a notification: `GET /v1/orders/{order}/answers/{token}` shows the
//! question and a button, and answers nothing (mail scanners and link previews fetch every
//! link); the button's `POST` to the same address answers through the widget's write path. The
//! pages are small, in her language, and work without script.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use kept_protocol::chat::{ChangeRequest, ChangeStatus};
use kept_protocol::i18n::Words;
use kept_protocol::ShopProfile;

use crate::domain::links::{self, Answer};
use crate::domain::notify::{change_text, escape};
use crate::extract::ApiPath;
use crate::store::{changes, orders};
use crate::{clock, ApiError, AppState};

/// This module's routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/orders/{order}/answers/{token}", get(show).post(confirm))
}

/// What a link found: the request it answers and what she needs to read it.
struct Found {
    shop: std::sync::Arc<ShopProfile>,
    order: String,
    request: ChangeRequest,
    answer: Answer,
    locale: kept_protocol::Locale,
}

impl Found {
    fn words(&self) -> &'static dyn Words {
        kept_protocol::catalog::words(self.locale)
    }
}

/// The link's request, or the page that says why there is none.
async fn find(state: &AppState, order: &str, token: &str) -> Result<Result<Found, Response>, ApiError> {
    let key = state.link_key().await?;
    let conn = &mut state.pool.acquire().await?;
    let shop = orders::shop(conn).await?;
    // Headed by the shop's name: the page says whose link it is, and nothing of any order.
    let invalid = |words: &dyn Words| {
        page(words, StatusCode::NOT_FOUND, &shop.name, &[words.text("mail.page_invalid", &[])], None)
    };
    let en = kept_protocol::catalog::words(kept_protocol::Locale::En);
    if !kept_protocol::backend::valid_order_id(order) {
        return Ok(Err(invalid(en)));
    }
    let receipt = orders::current_receipt(conn, order).await?;
    let locale = receipt.map_or(kept_protocol::Locale::En, |r| r.preferences.locale);
    let words = kept_protocol::catalog::words(locale);
    let Some(answer) = links::verify(&key, order, token) else { return Ok(Err(invalid(words))) };
    let request = match orders::change_request(conn, order, answer.change_request).await {
        Ok(r) => r,
        Err(ApiError::NotFound(_)) => return Ok(Err(invalid(words))),
        Err(e) => return Err(e),
    };
    Ok(Ok(Found { shop, order: order.to_owned(), request, answer, locale }))
}

/// Why a found link answers nothing now: the request was answered, ran out, was withdrawn, or
/// the link is past its time.
fn refusal(f: &Found) -> Option<(StatusCode, Vec<String>)> {
    let w = f.words();
    let line = |key: &str| w.text(key, &[]);
    match f.request.status {
        ChangeStatus::Pending if clock::instant().as_second() > f.answer.expires => {
            Some((StatusCode::GONE, vec![line("mail.page_link_expired")]))
        }
        ChangeStatus::Pending => None,
        ChangeStatus::Accepted => {
            Some((StatusCode::CONFLICT, vec![line("mail.page_already"), line("mail.page_accepted")]))
        }
        ChangeStatus::Declined => {
            Some((StatusCode::CONFLICT, vec![line("mail.page_already"), line("mail.page_declined")]))
        }
        ChangeStatus::Expired => Some((StatusCode::GONE, vec![line("mail.page_expired")])),
        ChangeStatus::Withdrawn | ChangeStatus::Unknown => Some((StatusCode::GONE, vec![line("mail.page_withdrawn")])),
    }
}

/// The page of a found link that answers nothing now, if it does not.
fn refused(f: &Found) -> Option<Response> {
    let (status, lines) = refusal(f)?;
    Some(page(f.words(), status, &title(f), &[question(f), lines.concat()], None))
}

async fn show(
    State(state): State<AppState>,
    ApiPath((order, token)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let f = match find(&state, &order, &token).await? {
        Ok(f) => f,
        Err(page) => return Ok(page),
    };
    if let Some(page) = refused(&f) {
        return Ok(page);
    }
    let question = question(&f);
    let (yes, no) = links::labels(&f.request, f.words());
    let button = if f.answer.accept { yes } else { no };
    let note = f.words().text("mail.page_nothing_yet", &[]);
    Ok(page(f.words(), StatusCode::OK, &title(&f), &[question, note], Some(&button)))
}

async fn confirm(
    State(state): State<AppState>,
    ApiPath((order, token)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let f = match find(&state, &order, &token).await? {
        Ok(f) => f,
        Err(page) => return Ok(page),
    };
    if let Some(page) = refused(&f) {
        return Ok(page);
    }
    let (id, accept, expires) = (f.request.id, f.answer.accept, f.answer.expires);
    let answered = state
        .writer
        .write(move |tx| {
            Box::pin(async move {
                // Checked again under the order's lock: the deadline may have passed meanwhile.
                if clock::instant().as_second() > expires {
                    return Ok(None);
                }
                match changes::answer(tx, &order, id, accept).await {
                    Ok(cr) => Ok(Some(cr)),
                    Err(ApiError::Conflict(_)) => Ok(None),
                    Err(e) => Err(e),
                }
            })
        })
        .await?;
    match answered {
        Some(request) => {
            let done = Found { request, ..f };
            let key = if accept { "mail.page_accepted" } else { "mail.page_declined" };
            let lines =
                [done.words().text("mail.page_done", &[("shop", &done.shop.name)]), done.words().text(key, &[])];
            Ok(page(done.words(), StatusCode::OK, &title(&done), &[question(&done), lines.join(" ")], None))
        }
        // Answered, run out or withdrawn in the meantime: the page says which.
        None => {
            let f = match find(&state, &f.order, &token).await? {
                Ok(f) => f,
                Err(page) => return Ok(page),
            };
            Ok(refused(&f).unwrap_or_else(|| page(f.words(), StatusCode::CONFLICT, &title(&f), &[question(&f)], None)))
        }
    }
}

/// The question as she read it in the notification.
fn question(f: &Found) -> String {
    let tz = jiff::tz::TimeZone::get(&f.shop.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let what = change_text(&f.request, f.words(), &tz, clock::instant());
    [what, "\n".into(), f.request.reason.clone()].concat()
}

/// The heading of a link's page: the shop and the order, as the email's subject.
fn title(f: &Found) -> String {
    f.words().text("mail.subject", &[("shop", &f.shop.name), ("order", &f.order)])
}

/// A page: its heading, paragraphs, and a confirming button.
fn page(w: &dyn Words, status: StatusCode, title: &str, paragraphs: &[String], button: Option<&str>) -> Response {
    let e = escape;
    let mut html = [
        "<!DOCTYPE html><html lang=\"",
        w.locale().tag(),
        "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        "<meta name=\"robots\" content=\"noindex\"><title>",
        &e(title),
        "</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}",
        "button{font:inherit;padding:.6rem 1.2rem;border-radius:.4rem;border:1px solid #1a1a1a;background:#1a1a1a;color:#fff;cursor:pointer}",
        "button:focus-visible{outline:3px solid #0a58ca;outline-offset:2px}</style></head><body><main><h1>",
        &e(title),
        "</h1>",
    ]
    .concat();
    for p in paragraphs.iter().filter(|p| !p.is_empty()) {
        html.push_str(&["<p data-testid=\"answer-page\">", &e(p).replace('\n', "<br>"), "</p>"].concat());
    }
    if let Some(label) = button {
        html.push_str(&["<form method=\"post\"><button type=\"submit\">", &e(label), "</button></form>"].concat());
    }
    html.push_str("</main></body></html>");
    let mut res = (status, html).into_response();
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"),
    );
    headers.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    res
}
