//! The backend client: one function per endpoint, typed errors.

use std::cell::RefCell;

use gloo_net::http::{Request, Response};
use kept_protocol::json::to_json;
use kept_protocol::{
    ErrorBody, ErrorCode, Message, MessagePage, NewMessage, OrderView, Preferences, Problem, Receipt, IDEMPOTENCY_KEY,
};
use wasm_bindgen::{JsCast, JsValue};

use crate::config::Config;
use crate::wire::{self, FromJs};

thread_local! {
    /// What the loader (`kept.js`) asked for before the wasm ran, by `"<token> <url>"`.
    static PREFETCHED: RefCell<Vec<(String, js_sys::Promise)>> = const { RefCell::new(Vec::new()) };
}

/// Keeps the loader's early requests for a widget about to start: `[key, promise, key, …]`.
pub fn keep_prefetched(list: &JsValue) {
    let Some(list) = list.dyn_ref::<js_sys::Array>() else {
        return;
    };
    let items = list.to_vec();
    PREFETCHED.with_borrow_mut(|kept| {
        for pair in items.chunks_exact(2) {
            if let (Some(key), Ok(promise)) = (pair[0].as_string(), pair[1].clone().dyn_into::<js_sys::Promise>()) {
                kept.push((key, promise));
            }
        }
    });
}

/// Why a call to the backend did not give what was asked.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    /// No answer: offline, refused, CORS, or the connection dropped.
    Network,
    /// The order does not exist or the token does not open it.
    NotFound,
    /// The backend refused fields; each problem names its path.
    Invalid(Vec<Problem>),
    /// The order can no longer change.
    NotEditable,
    /// Overloaded or failing for now (429, 5xx); worth another try, after `retry_after` if given.
    Busy { retry_after_secs: Option<u32> },
    /// Any other answer, by status code.
    Status(u16),
    /// An answer that is not the protocol's JSON.
    Decode,
}

/// A client for one order.
#[derive(Clone, Debug)]
pub struct Api {
    config: Config,
}

impl Api {
    /// A client for the order in `config`.
    pub fn new(config: Config) -> Api {
        Api { config }
    }

    fn url(&self, path: &str) -> String {
        let mut url = self.config.endpoint.clone();
        url.push_str(path);
        url
    }

    fn order_url(&self, tail: &str) -> String {
        let mut url = self.url("/v1/orders/");
        url.push_str(&encode_segment(&self.config.order));
        url.push_str(tail);
        url
    }

    fn bearer(&self) -> String {
        let mut value = String::from("Bearer ");
        value.push_str(&self.config.token);
        value
    }

    /// `GET /v1/shop`, as the step reads it (see [`wire::StepShop`]).
    pub async fn step_shop(&self) -> Result<wire::StepShop, ApiError> {
        let url = self.url("/v1/shop");
        if let Some(res) = self.prefetched(&url).await {
            return read(Ok(res)).await;
        }
        read(Request::get(&url).send().await).await
    }

    /// `GET /v1/orders/{order}`
    pub async fn order(&self) -> Result<OrderView, ApiError> {
        self.order_as().await
    }

    /// `GET /v1/orders/{order}` as the step reads it (see [`wire::StepOrder`]).
    pub async fn step_order(&self) -> Result<wire::StepOrder, ApiError> {
        self.order_as().await
    }

    async fn order_as<T: FromJs>(&self) -> Result<T, ApiError> {
        let url = self.order_url("");
        if let Some(res) = self.prefetched(&url).await {
            return read(Ok(res)).await;
        }
        read(Request::get(&url).header("Authorization", &self.bearer()).send().await).await
    }

    /// The answer the loader asked for at `url` with this widget's token while the wasm was on its
    /// way, taken once; None when there is none or it did not arrive (then the caller asks itself).
    async fn prefetched(&self, url: &str) -> Option<Response> {
        let key = [self.config.token.as_str(), " ", url].concat();
        let promise = PREFETCHED.with_borrow_mut(|kept| {
            let at = kept.iter().position(|(k, _)| *k == key)?;
            Some(kept.swap_remove(at).1)
        })?;
        let answer = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
        answer.dyn_into::<web_sys::Response>().ok().map(Response::from)
    }

    /// Submits with retries on network errors, 429 and 5xx, all with the same `key`, so the
    /// backend stores one version however many attempts reach it.
    pub async fn submit_reliably(&self, preferences: &Preferences, key: &str) -> Result<Receipt, ApiError> {
        let mut attempt = 0;
        loop {
            match self.submit(preferences, key).await {
                Err(e) if e.is_transient() && attempt + 1 < SUBMIT_ATTEMPTS => {
                    let after = match e {
                        ApiError::Busy { retry_after_secs } => retry_after_secs,
                        _ => None,
                    };
                    sleep(backoff_ms(attempt, after, js_sys::Math::random())).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// The shop profile given in the config, if any.
    pub fn inline_shop(&self) -> Option<wire::StepShop> {
        self.config.shop.clone()
    }

    /// Whether this is the order-status page (the chat alone, without the step beside it).
    pub fn status_only(&self) -> bool {
        self.config.status_only
    }

    /// The order's items given in the config, if any.
    pub fn inline_items(&self) -> Option<Vec<kept_protocol::Item>> {
        self.config.items.clone()
    }

    /// The order this client speaks for.
    pub fn order_id(&self) -> &str {
        &self.config.order
    }

    /// `GET /v1/orders/{order}/messages`: a page, oldest first. `query` is `limit=N` with
    /// `&before=ID` (older messages), `&after=ID` (newer ones) or nothing (the newest page).
    pub async fn messages(&self, query: &str) -> Result<MessagePage, ApiError> {
        let req =
            Request::get(&self.order_url(&["/messages?", query].concat())).header("Authorization", &self.bearer());
        read(req.send().await).await
    }

    /// `GET /v1/orders/{order}/promises`: what Kept promised her and what became of it, in her words.
    pub async fn promises(&self) -> Result<wire::PromiseWords, ApiError> {
        let url = self.order_url(&["/promises?locale=", self.config.locale.tag()].concat());
        read(Request::get(&url).header("Authorization", &self.bearer()).send().await).await
    }

    /// `POST /v1/orders/{order}/messages`; the client id is also the idempotency key.
    pub async fn send_message(&self, message: &NewMessage) -> Result<Message, ApiError> {
        read(self.post("/messages", &message.client_id, to_json(message))?.send().await).await
    }

    /// `POST /v1/orders/{order}/reports`: "the shop broke this".
    pub async fn report(
        &self,
        report: &kept_protocol::BrokenPromiseReport,
        key: &str,
    ) -> Result<kept_protocol::Report, ApiError> {
        read(self.post("/reports", key, to_json(report))?.send().await).await
    }

    /// `POST /v1/orders/{order}/change-requests/{id}/answer`.
    pub async fn answer(&self, id: i64, accept: bool, key: &str) -> Result<kept_protocol::ChangeRequest, ApiError> {
        let mut tail = String::from("/change-requests/");
        tail.push_str(&id.to_string());
        tail.push_str("/answer");
        read(self.post(&tail, key, to_json(&kept_protocol::ConsentAnswer { accept }))?.send().await).await
    }

    /// `POST /v1/orders/{order}/callbacks`: call me back in this window.
    pub async fn request_callback(
        &self,
        request: &kept_protocol::CallbackRequest,
        key: &str,
    ) -> Result<kept_protocol::Callback, ApiError> {
        read(self.post("/callbacks", key, to_json(request))?.send().await).await
    }

    /// `POST /v1/orders/{order}/survey`.
    pub async fn survey(
        &self,
        answer: &kept_protocol::SurveyAnswer,
        key: &str,
    ) -> Result<kept_protocol::SurveyAnswer, ApiError> {
        read(self.post("/survey", key, to_json(answer))?.send().await).await
    }

    /// `POST /v1/orders/{order}/seen` without a body: she has on screen what the order has now.
    /// A beacon: nothing to wait for, and it goes out even as the page closes.
    pub fn seen(&self) {
        let _ = leptos::prelude::window().navigator().send_beacon(&self.token_url("/seen?access_token="));
    }

    /// A URL of this order's with the token in it (`tail` is `/events?access_token=` or
    /// `/seen?access_token=`): neither EventSource nor a beacon can send headers.
    pub fn token_url(&self, tail: &str) -> String {
        let mut url = self.order_url(tail);
        url.push_str(&encode_segment(&self.config.token));
        url
    }

    /// A `POST` of `json` to this order's `tail` with the token and the idempotency key; Err when
    /// the value had no wire form (see [`kept_protocol::json`]: the widget writes JSON without serde).
    /// Not generic over the answer, so one copy serves every caller.
    fn post(&self, tail: &str, key: &str, json: Option<String>) -> Result<Request, ApiError> {
        Request::post(&self.order_url(tail))
            .header("Authorization", &self.bearer())
            .header(IDEMPOTENCY_KEY, key)
            .header("Content-Type", "application/json")
            .body(json.ok_or(ApiError::Decode)?)
            .map_err(|_| ApiError::Decode)
    }

    /// `POST /v1/orders/{order}/preferences`; the same `key` for retries of one submission.
    pub async fn submit(&self, preferences: &Preferences, key: &str) -> Result<Receipt, ApiError> {
        read(self.post("/preferences", key, to_json(preferences))?.send().await).await
    }
}

async fn read<T: FromJs>(sent: Result<Response, gloo_net::Error>) -> Result<T, ApiError> {
    let res = sent.map_err(|_| ApiError::Network)?;
    // A body cut off mid-way is a network failure, not the backend's answer.
    let text = res.text().await.map_err(|_| ApiError::Network)?;
    if res.ok() {
        return wire::parse(&text).map_err(|_| ApiError::Decode);
    }
    let status = res.status();
    let retry_after_secs = res.headers().get("Retry-After").and_then(|v| v.trim().parse().ok());
    let body: Option<ErrorBody> = wire::parse(&text).ok();
    Err(match body.map(|b| b.error) {
        Some(e) if e.code == ErrorCode::ValidationFailed => ApiError::Invalid(e.fields),
        Some(e) if e.code == ErrorCode::NotEditable => ApiError::NotEditable,
        _ if status == 404 => ApiError::NotFound,
        _ if status == 429 || status >= 500 => ApiError::Busy { retry_after_secs },
        _ => ApiError::Status(status),
    })
}

impl ApiError {
    /// Whether the same request may succeed if sent again.
    pub fn is_transient(&self) -> bool {
        matches!(self, ApiError::Network | ApiError::Busy { .. })
    }
}

/// Attempts for one submission before the customer is told it is not sent yet.
pub const SUBMIT_ATTEMPTS: u32 = 5;

/// Milliseconds to wait before retry number `attempt` (0-based): the server's Retry-After if it
/// gave one (at most 30 s), otherwise exponential backoff with full jitter (0.5 s doubling, at
/// most 8 s), so many widgets retrying at once do not hit a recovering backend together.
pub fn backoff_ms(attempt: u32, retry_after_secs: Option<u32>, random: f64) -> u32 {
    if let Some(secs) = retry_after_secs {
        return secs.min(30) * 1000;
    }
    let ceiling = (500u32 << attempt.min(4)).min(8000);
    (ceiling as f64 * random.clamp(0.0, 1.0)) as u32
}

/// Resolves after `ms` milliseconds.
pub async fn sleep(ms: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let scheduled = web_sys::window()
            .map(|w| w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32).is_ok())
            .unwrap_or(false);
        if !scheduled {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Percent-encodes an order id for use as one path segment.
fn encode_segment(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        }
    }
    out
}

/// A fresh idempotency key for one logical submission (Web Crypto's random UUID).
pub fn new_idempotency_key() -> Option<String> {
    Some(web_sys::window()?.crypto().ok()?.random_uuid())
}

#[cfg(test)]
mod tests {
    use super::encode_segment;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn backoff_grows_with_full_jitter_and_obeys_retry_after() {
        use super::backoff_ms;
        assert_eq!(backoff_ms(0, None, 1.0), 500);
        assert_eq!(backoff_ms(3, None, 1.0), 4000);
        assert_eq!(backoff_ms(9, None, 1.0), 8000);
        assert_eq!(backoff_ms(3, None, 0.0), 0);
        assert_eq!(backoff_ms(0, Some(2), 0.5), 2000);
        assert_eq!(backoff_ms(0, Some(600), 0.5), 30_000);
    }

    #[wasm_bindgen_test]
    fn order_ids_are_encoded_as_one_path_segment() {
        assert_eq!(encode_segment("KC-1001"), "KC-1001");
        assert_eq!(encode_segment("a/b c"), "a%2Fb%20c");
    }
}
