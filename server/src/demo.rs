//! The demo storefront: the built widget files, with the demo order filled into `index.html`.

use std::path::PathBuf;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::services::ServeDir;

use kept_protocol::Locale;

use crate::seed::DEMO_ORDER;
use crate::AppState;

/// `/` serves the storefront page; everything else comes from `dir`, precompressed when the
/// build wrote `.br`/`.gz` beside a file and the browser accepts it (with `Vary: Accept-Encoding`).
pub fn router(dir: PathBuf) -> Router<AppState> {
    let files = ServeDir::new(dir).precompressed_br().precompressed_gzip();
    Router::new()
        .route("/", get(storefront))
        .route("/index.html", get(storefront))
        .fallback_service(files)
        .layer(axum::middleware::from_fn(cache_control))
}

/// The loader keeps its stable name and a short cache, so a new release reaches pages within
/// minutes; the files it loads carry a hash of their content in their names and are cached for
/// good; anything else for an hour.
async fn cache_control(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let path = req.uri().path().to_owned();
    let mut res = next.run(req).await;
    if res.status().is_success() && !res.headers().contains_key(header::CACHE_CONTROL) {
        let policy = if path.ends_with("/kept.js") {
            "public, max-age=300"
        } else if content_hashed(&path) {
            "public, max-age=31536000, immutable"
        } else {
            "public, max-age=3600"
        };
        res.headers_mut().insert(header::CACHE_CONTROL, axum::http::HeaderValue::from_static(policy));
    }
    res
}

/// Whether the file name carries a content hash: `name-0123456789abcdef.ext`.
fn content_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or("");
    let stem = name.split('.').next().unwrap_or("");
    stem.rsplit_once('-').is_some_and(|(_, h)| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `?locale=ru` shows the widget in that language; without it the browser's languages decide.
#[derive(serde::Deserialize)]
struct PageQuery {
    locale: Option<String>,
}

async fn storefront(State(state): State<AppState>, Query(q): Query<PageQuery>, headers: HeaderMap) -> Response {
    let Some(dir) = state.config.static_dir.as_ref() else {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    };
    let page = match tokio::fs::read_to_string(dir.join("index.html")).await {
        Ok(page) => page,
        Err(e) => {
            tracing::error!(error = %e, "the storefront page is missing; build the widget first");
            return axum::http::StatusCode::NOT_FOUND.into_response();
        }
    };
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        // The host lands in an HTML attribute: keep only characters a host name can have.
        .filter(|h| h.chars().all(|c| c.is_ascii_alphanumeric() || ".:-[]".contains(c)))
        .map(str::to_owned)
        .unwrap_or_else(|| state.config.bind.to_string());
    let page = page
        .replace("__KEPT_ENDPOINT__", &format!("http://{host}"))
        .replace("__KEPT_ORDER__", DEMO_ORDER)
        .replace("__KEPT_TOKEN__", &state.config.demo_token)
        .replace("__KEPT_LOCALE__", q.locale.as_deref().and_then(Locale::parse).map_or("", Locale::tag));
    ([(header::CACHE_CONTROL, "no-store")], Html(page)).into_response()
}

#[cfg(test)]
mod tests {
    use super::content_hashed;

    #[test]
    fn only_names_with_a_content_hash_are_cached_for_good() {
        assert!(content_hashed("/kept-widget-0123456789abcdef.js"));
        assert!(content_hashed("/cdn/kept-widget_bg-fedcba9876543210.wasm"));
        assert!(!content_hashed("/kept.js"));
        assert!(!content_hashed("/kept-widget.js"));
        assert!(!content_hashed("/kept-widget_bg-short.wasm"));
    }
}
