//! Cross-cutting behaviour: the test-only fault switch, CORS allow-list, limits.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use kept_server::{app, Config};
use serde_json::json;
use tower::ServiceExt;

#[tokio::test]
async fn the_fault_switch_is_absent_unless_enabled() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    let arm = json!({ "path_prefix": "/v1/shop", "mode": "fail", "count": 1 });
    let (status, _) = call(&s, post("/v1/test/faults", None, arm.to_string())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_armed_fault_fails_the_next_n_requests_with_503_then_lets_them_through() {
    let dir = tempfile::tempdir().unwrap();
    let s = state_with(dir.path(), Config { faults: true, ..Config::default() }).await;
    let arm = json!({ "path_prefix": "/v1/orders/KC-1001/preferences", "mode": "fail", "count": 2 });
    let (status, _) = call(&s, post("/v1/test/faults", None, arm.to_string())).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let prefs = format!("{ORDER}/preferences");
    for _ in 0..2 {
        let (status, err) = call(&s, post(&prefs, Some("k"), coffee_story().to_string())).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(err["error"]["code"], "unavailable");
    }
    let (status, _) = call(&s, get("/v1/shop", None)).await;
    assert_eq!(status, StatusCode::OK, "other routes are untouched");
    let (status, receipt) = call(&s, post(&prefs, Some("k"), coffee_story().to_string())).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(receipt["version"], 1, "the failed attempts stored nothing");
}

#[tokio::test]
async fn a_hanging_fault_answers_late_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let s = state_with(dir.path(), Config { faults: true, ..Config::default() }).await;
    let arm = json!({ "path_prefix": "/v1/orders/KC-1001/preferences", "mode": "hang", "count": 1, "hang_ms": 300 });
    call(&s, post("/v1/test/faults", None, arm.to_string())).await;
    let started = std::time::Instant::now();
    let (status, _) = call(&s, post(&format!("{ORDER}/preferences"), Some("k"), coffee_story().to_string())).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(started.elapsed().as_millis() >= 300);
    let (_, order) = call(&s, get(ORDER, Some(TOKEN))).await;
    assert!(order["receipt"].is_null());
}

#[tokio::test]
async fn cors_allows_listed_origins_only() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config { cors_origins: vec!["https://shop.example".into()], ..Config::default() };
    let s = state_with(dir.path(), config).await;
    let preflight = |origin: &str| {
        Request::builder()
            .method("OPTIONS")
            .uri("/v1/orders/KC-1001/preferences")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "authorization,content-type,idempotency-key")
            .body(Body::empty())
            .unwrap()
    };
    let res = app(s.clone()).oneshot(preflight("https://shop.example")).await.unwrap();
    assert_eq!(res.headers()["access-control-allow-origin"], "https://shop.example");
    let res = app(s.clone()).oneshot(preflight("https://evil.example")).await.unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn unknown_fields_of_a_wrong_type_are_named_never_a_500() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    let mut body = coffee_story();
    body["substitutions"]["default"] =
        json!({ "rule": "similar", "max_increase": { "kind": "percent", "percent": "ten" } });
    let (status, err) = call(&s, post(&format!("{ORDER}/preferences"), Some("k"), body.to_string())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["error"]["code"], "validation_failed");
    assert!(field_codes(&err)[0].0.starts_with("substitutions.default"), "{err}");
}

#[tokio::test]
async fn built_files_are_sent_precompressed_when_accepted_hashed_names_cached_for_good_and_the_loader_briefly() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(&site).unwrap();
    let wasm = "kept-widget_bg-0ff762ec8ad7f056.wasm";
    std::fs::write(site.join(wasm), b"plain wasm bytes").unwrap();
    std::fs::write(site.join(format!("{wasm}.br")), b"brotli bytes").unwrap();
    std::fs::write(site.join(format!("{wasm}.gz")), b"gzip bytes").unwrap();
    std::fs::write(site.join("demo.css"), b"body {}").unwrap();
    std::fs::write(site.join("kept.js"), b"export {};").unwrap();
    let s = state_with(dir.path(), kept_server::Config { static_dir: Some(site), ..Default::default() }).await;
    let fetch = |path: &str, accept: Option<&str>| {
        let mut b = axum::http::Request::get(path);
        if let Some(a) = accept {
            b = b.header("accept-encoding", a);
        }
        b.body(axum::body::Body::empty()).unwrap()
    };
    for (accept, encoding, body) in [
        (Some("gzip, br"), Some("br"), "brotli bytes"),
        (Some("gzip"), Some("gzip"), "gzip bytes"),
        (None, None, "plain wasm bytes"),
    ] {
        let res = kept_server::app(s.clone()).oneshot(fetch(&format!("/{wasm}"), accept)).await.unwrap();
        assert_eq!(res.status(), axum::http::StatusCode::OK);
        assert_eq!(res.headers().get("content-encoding").and_then(|v| v.to_str().ok()), encoding, "{accept:?}");
        assert_eq!(res.headers()["cache-control"], "public, max-age=31536000, immutable", "named by its content");
        if encoding.is_some() {
            let vary: Vec<&str> = res.headers().get_all("vary").iter().filter_map(|v| v.to_str().ok()).collect();
            assert!(vary.iter().any(|v| v.contains("accept-encoding")), "{vary:?}");
        }
        let bytes = http_body_util::BodyExt::collect(res.into_body()).await.unwrap().to_bytes();
        assert_eq!(&bytes[..], body.as_bytes());
    }
    let res = kept_server::app(s.clone()).oneshot(fetch("/kept.js", None)).await.unwrap();
    assert_eq!(res.headers()["cache-control"], "public, max-age=300", "the loader's name is stable: a short cache");
    let res = kept_server::app(s.clone()).oneshot(fetch("/demo.css", None)).await.unwrap();
    assert_eq!(res.headers()["cache-control"], "public, max-age=3600", "no hash in the name: an hour");
}
