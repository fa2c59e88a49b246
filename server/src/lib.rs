//! kept-server: the reference backend of the Kept protocol v1.

pub mod accounts;
pub mod auth;
pub mod canonical;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod extract;
pub mod faults;
pub mod inbound;
pub mod live;
pub mod mail;
pub mod password;
pub mod routes;
pub mod seed;
pub mod serve;
pub mod store;
pub mod webhooks;
pub mod workers;

use std::sync::Arc;

use crate::db::Pool;
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::Router;
use tower_http::cors::{AllowOrigin, CorsLayer};

pub use config::Config;
pub use error::ApiError;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub config: Arc<Config>,
    /// Wakes the live streams of an order after a commit.
    pub hub: live::Hub,
    pub faults: faults::Faults,
    /// The one write path: every change and its events in one transaction, group-committed.
    pub writer: store::Writer,
    /// Connections kept for the reads on every customer request's path.
    pub reads: db::Reads,
    /// Kept's own email, when `--smtp-url` names a mail server.
    pub mail: Option<Arc<mail::Mailer>>,
    /// The key one-tap answer links are signed with (shared through the database).
    link_key: Arc<tokio::sync::OnceCell<Arc<Vec<u8>>>>,
}

impl AppState {
    /// State for `pool` and `config`, with an empty hub and no faults armed.
    pub fn new(pool: Pool, config: Config) -> AppState {
        let hub = live::Hub::new();
        if pool.is_pg() {
            // Commits of every instance (this one included) reach this instance's streams.
            tokio::spawn(hub.clone().listen(pool.clone()));
        }
        store::notifications::set_after(config.notify_after_minutes);
        let mail = match (&config.smtp_url, &config.mail_from) {
            (Some(url), Some(from)) => match mail::Mailer::new(url, from) {
                Ok(m) => Some(Arc::new(m)),
                Err(e) => {
                    tracing::error!(error = %e, "email is off");
                    None
                }
            },
            _ => None,
        };
        AppState {
            mail,
            writer: store::Writer::start(pool.clone(), hub.clone()),
            // SQLite: none (a test there is a hand-over to the connection's thread, not a round trip).
            reads: db::Reads::new(&pool, if pool.is_pg() { 8 } else { 0 }),
            pool,
            config: Arc::new(config),
            hub,
            faults: faults::Faults::default(),
            link_key: Arc::default(),
        }
    }

    /// The key one-tap answer links are signed with: made by the first instance that needs it,
    /// read by the others.
    pub async fn link_key(&self) -> Result<Arc<Vec<u8>>, ApiError> {
        let key = self
            .link_key
            .get_or_try_init(|| async {
                let key = self
                    .writer
                    .write(|tx| Box::pin(async move { store::replies::server_key(tx, "links").await }))
                    .await?;
                Ok::<_, ApiError>(Arc::new(key))
            })
            .await?;
        Ok(key.clone())
    }
}

/// The whole HTTP surface; tests drive it without a socket.
pub fn app(state: AppState) -> Router {
    let cors = cors(&state.config.cors_origins);
    let api = routes::router(state.config.faults).fallback(routes::no_route);
    let mut router = Router::new().nest("/v1", api);
    if let Some(dir) = state.config.static_dir.clone() {
        router = router.merge(demo::router(dir));
    }
    router.layer(axum::middleware::from_fn_with_state(state.clone(), faults::inject)).layer(cors).with_state(state)
}

fn cors(origins: &[String]) -> CorsLayer {
    let allowed: Vec<HeaderValue> = origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("idempotency-key"),
            HeaderName::from_static("last-event-id"),
        ])
        .expose_headers([header::RETRY_AFTER])
        // The CORS layer owns `Vary`; precompressed files also vary by Accept-Encoding.
        .vary([
            header::ORIGIN,
            header::ACCESS_CONTROL_REQUEST_METHOD,
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            header::ACCEPT_ENCODING,
        ])
}
