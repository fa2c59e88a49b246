//! The operator API on the same origin, with the token from sessionStorage.

use gloo_net::http::{Request, RequestBuilder, Response};
use kept_protocol::{ErrorBody, ProblemCode};
use serde::de::DeserializeOwned;
use serde::Serialize;

const TOKEN_KEY: &str = "kept-operator-token";

/// Why a call did not work.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// The token is missing or wrong.
    Unauthorized,
    /// The server refused the request and said why.
    Refused(ErrorBody),
    /// No answer, or an answer that is not the protocol's.
    Network,
}

impl Failure {
    /// Whether the server refused it with this problem code.
    pub fn has(&self, code: ProblemCode) -> bool {
        matches!(self, Failure::Refused(b) if b.error.fields.iter().any(|f| f.code == code))
    }
}

/// A client for `/v1/operator/...`.
#[derive(Clone, Debug, PartialEq)]
pub struct Api {
    token: String,
}

fn session() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

impl Api {
    /// The client for the token kept in this tab, if signed in.
    pub fn from_session() -> Option<Api> {
        session()?.get_item(TOKEN_KEY).ok()?.filter(|t| !t.is_empty()).map(|token| Api { token })
    }

    /// Checks `token` against the server and keeps it in this tab only.
    pub async fn sign_in(token: &str) -> Result<Api, Failure> {
        let api = Api { token: token.trim().to_owned() };
        api.get::<serde_json::Value>("/v1/operator/orders").await?;
        if let Some(s) = session() {
            let _ = s.set_item(TOKEN_KEY, &api.token);
        }
        Ok(api)
    }

    /// Forgets the token.
    pub fn sign_out() {
        if let Some(s) = session() {
            let _ = s.remove_item(TOKEN_KEY);
        }
    }

    fn auth(&self, req: RequestBuilder) -> RequestBuilder {
        req.header("Authorization", &format!("Bearer {}", self.token))
    }

    /// GET a JSON document.
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, Failure> {
        read(self.auth(Request::get(path)).send().await).await
    }

    /// POST JSON with a fresh idempotency key; `None` for an empty success (204).
    pub async fn post<B: Serialize, T: DeserializeOwned>(&self, path: &str, body: &B) -> Result<Option<T>, Failure> {
        let key = web_sys::window().and_then(|w| w.crypto().ok()).map(|c| c.random_uuid()).unwrap_or_default();
        let req =
            self.auth(Request::post(path)).header("Idempotency-Key", &key).json(body).map_err(|_| Failure::Network)?;
        let res = req.send().await.map_err(|_| Failure::Network)?;
        if res.status() == 204 {
            return Ok(None);
        }
        read(Ok(res)).await.map(Some)
    }

    /// The order's live events; EventSource cannot send headers, so the token rides in the query.
    pub fn events_url(&self, order: &str) -> String {
        let token: String = js_sys::encode_uri_component(&self.token).into();
        format!("/v1/operator/orders/{}/events?access_token={token}", js_sys::encode_uri_component(order))
    }
}

async fn read<T: DeserializeOwned>(res: Result<Response, gloo_net::Error>) -> Result<T, Failure> {
    let res = res.map_err(|_| Failure::Network)?;
    match res.status() {
        200..=299 => res.json().await.map_err(|_| Failure::Network),
        401 => Err(Failure::Unauthorized),
        _ => Err(res.json::<ErrorBody>().await.map(Failure::Refused).unwrap_or(Failure::Network)),
    }
}
