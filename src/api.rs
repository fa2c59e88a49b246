//! The backend client: one function per endpoint, typed errors.

use gloo_net::http::{Request, Response};
use kept_protocol::{ErrorBody, ErrorCode, OrderView, Preferences, Problem, Receipt, ShopProfile, IDEMPOTENCY_KEY};

use crate::config::Config;
use crate::wire::{self, FromJs};

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

    /// `GET /v1/shop`
    pub async fn shop(&self) -> Result<ShopProfile, ApiError> {
        read(Request::get(&self.url("/v1/shop")).send().await).await
    }

    /// `GET /v1/orders/{order}`
    pub async fn order(&self) -> Result<OrderView, ApiError> {
        let req = Request::get(&self.order_url("")).header("Authorization", &self.bearer());
        read(req.send().await).await
    }

    /// `POST /v1/orders/{order}/preferences`; the same `key` for retries of one submission.
    pub async fn submit(&self, preferences: &Preferences, key: &str) -> Result<Receipt, ApiError> {
        let req = Request::post(&self.order_url("/preferences"))
            .header("Authorization", &self.bearer())
            .header(IDEMPOTENCY_KEY, key)
            .json(preferences)
            .map_err(|_| ApiError::Decode)?;
        read(req.send().await).await
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
    let body: Option<ErrorBody> = wire::parse(&text).ok();
    Err(match body.map(|b| b.error) {
        Some(e) if e.code == ErrorCode::ValidationFailed => ApiError::Invalid(e.fields),
        Some(e) if e.code == ErrorCode::NotEditable => ApiError::NotEditable,
        _ if status == 404 => ApiError::NotFound,
        _ => ApiError::Status(status),
    })
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
    fn order_ids_are_encoded_as_one_path_segment() {
        assert_eq!(encode_segment("KC-1001"), "KC-1001");
        assert_eq!(encode_segment("a/b c"), "a%2Fb%20c");
    }
}
