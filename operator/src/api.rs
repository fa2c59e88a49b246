//! The operator API on the same origin: a named operator's session cookie (HttpOnly, set by the
//! server at sign-in), or for scripts and tests the operator token kept in sessionStorage.

use gloo_net::http::{Request, RequestBuilder, Response};
use kept_protocol::operator::{OperatorMe, SignIn};
use kept_protocol::{ErrorBody, ProblemCode};
use serde::de::DeserializeOwned;
use serde::Serialize;

const TOKEN_KEY: &str = "kept-operator-token";
/// Marks this tab as signed in with a session cookie (the cookie itself is out of reach of scripts).
const SESSION_KEY: &str = "kept-operator-session";
/// Sent with every request of a cookie session: proof that the console, not another site, asks.
const CONSOLE_HEADER: &str = "x-kept-console";

/// Why a call did not work.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// The token is missing or wrong.
    Unauthorized,
    /// Too many wrong passwords: try again after this many seconds.
    Slowed(u32),
    /// The server refused the request and said why.
    Refused(ErrorBody),
    /// No answer, or an answer that is not the protocol's.
    Network,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Unauthorized => f.write_str("unauthorized"),
            Failure::Slowed(wait) => write!(f, "slowed for {wait} s"),
            Failure::Refused(b) => f.write_str(&b.error.message),
            Failure::Network => f.write_str("no answer"),
        }
    }
}

impl std::error::Error for Failure {}

impl Failure {
    /// Whether the server refused it with this problem code.
    pub fn has(&self, code: ProblemCode) -> bool {
        matches!(self, Failure::Refused(b) if b.error.fields.iter().any(|f| f.code == code))
    }
}

/// A client for `/v1/operator/...`.
#[derive(Clone, Debug, PartialEq)]
pub struct Api {
    /// The operator token; None for a named operator's cookie session.
    token: Option<String>,
}

fn session() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

impl Api {
    /// The client for the token kept in this tab, if signed in.
    pub fn from_session() -> Option<Api> {
        let s = session()?;
        if s.get_item(SESSION_KEY).ok()?.is_some() {
            return Some(Api { token: None });
        }
        s.get_item(TOKEN_KEY).ok()?.filter(|t| !t.is_empty()).map(|token| Api { token: Some(token) })
    }

    /// Checks `token` against the server and keeps it in this tab only.
    pub async fn sign_in(token: &str) -> Result<Api, Failure> {
        let api = Api { token: Some(token.trim().to_owned()) };
        api.get::<serde_json::Value>("/v1/operator/orders").await?;
        if let (Some(s), Some(t)) = (session(), api.token.as_deref()) {
            let _ = s.set_item(TOKEN_KEY, t);
        }
        Ok(api)
    }

    /// Signs a named operator in with name and password; the server sets the session cookie.
    pub async fn sign_in_named(name: &str, password: &str) -> Result<(Api, OperatorMe), Failure> {
        let body = SignIn { name: name.trim().to_owned(), password: password.to_owned() };
        let req = Request::post("/v1/operator/session").json(&body).map_err(|_| Failure::Network)?;
        let res = req.send().await.map_err(|_| Failure::Network)?;
        if res.status() == 429 {
            let wait = res.headers().get("retry-after").and_then(|v| v.parse().ok()).unwrap_or(60);
            return Err(Failure::Slowed(wait));
        }
        let me: OperatorMe = read(Ok(res)).await?;
        if let Some(s) = session() {
            let _ = s.set_item(SESSION_KEY, &me.display_name);
        }
        Ok((Api { token: None }, me))
    }

    /// Signs out: the session ends on the server, and this tab forgets it.
    pub fn sign_out(&self) {
        if self.token.is_none() {
            let req = self.auth(Request::delete("/v1/operator/session"));
            leptos::task::spawn_local(async move {
                let _ = req.send().await;
            });
        }
        Api::forget();
    }

    /// Forgets the token or session marker of this tab.
    pub fn forget() {
        if let Some(s) = session() {
            let _ = s.remove_item(TOKEN_KEY);
            let _ = s.remove_item(SESSION_KEY);
        }
    }

    fn auth(&self, req: RequestBuilder) -> RequestBuilder {
        match &self.token {
            Some(token) => req.header("Authorization", &format!("Bearer {token}")),
            None => req.header(CONSOLE_HEADER, "1"),
        }
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

    /// The order's live events; EventSource cannot send headers, so a token rides in the query
    /// (a cookie session needs nothing: the browser sends the cookie).
    pub fn events_url(&self, order: &str) -> String {
        let base = format!("/v1/operator/orders/{}/events", js_sys::encode_uri_component(order));
        match &self.token {
            Some(token) => {
                let token: String = js_sys::encode_uri_component(token).into();
                format!("{base}?access_token={token}")
            }
            None => base,
        }
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
