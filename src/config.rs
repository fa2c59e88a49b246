//! The widget's configuration, read from the embedding element's `data-*` attributes.

use kept_protocol::{Item, Locale};
use wasm_bindgen::JsValue;

use crate::wire::{FromJs, StepShop};
use web_sys::Element;

/// Where the backend is and which order this widget speaks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Base URL of the backend, without a trailing slash.
    pub endpoint: String,
    pub order: String,
    /// The order-scoped customer token.
    pub token: String,
    pub locale: Locale,
    /// The shop profile, for a backend that does not serve `GET /v1/shop` (`data-shop`, JSON).
    pub shop: Option<StepShop>,
    /// The order's items, for a backend that does not serve the order view (`data-items`, JSON).
    pub items: Option<Vec<Item>>,
    /// `light`, `dark` or `auto` (the customer's OS); else the page's declared colour scheme.
    pub theme: Option<&'static str>,
    /// `status` for the order-status page (the chat and the agreement only); else the checkout.
    pub status_only: bool,
}

/// Why a configuration was refused; shown in the console, with a translated notice on the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigError {
    MissingEndpoint,
    MissingOrder,
    MissingToken,
    BadEndpoint,
    /// `data-shop` or `data-items` is not the protocol's JSON.
    BadInline,
    /// The token has characters no token has (spaces, quotes, control characters) or is too long.
    BadToken,
    /// `data-locale` names a language Kept does not speak.
    UnknownLocale,
    /// `data-mode` is neither `checkout` nor `status`.
    UnknownMode,
    /// `data-strings` is not an object of texts (see `i18n::set_overrides`).
    BadStrings,
}

impl ConfigError {
    /// The attribute to fix, for the console message.
    pub fn attribute(self) -> &'static str {
        match self {
            ConfigError::MissingEndpoint | ConfigError::BadEndpoint => "data-endpoint",
            ConfigError::MissingOrder => "data-order",
            ConfigError::MissingToken => "data-token",
            ConfigError::BadInline => "data-shop or data-items",
            ConfigError::BadToken => "data-token",
            ConfigError::UnknownLocale => "data-locale",
            ConfigError::UnknownMode => "data-mode",
            ConfigError::BadStrings => "data-strings",
        }
    }
}

impl Config {
    /// Reads `data-endpoint`, `data-order`, `data-token`, `data-locale`, `data-theme`, `data-shop`
    /// and `data-items` from `el` (a `<kept-checkout>` element may drop the `data-` prefix).
    pub fn from_element(el: &Element) -> Result<Config, ConfigError> {
        let attr = |name: &str| {
            let plain = name.strip_prefix("data-").unwrap_or(name);
            el.get_attribute(name)
                .or_else(|| el.get_attribute(plain))
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let locale = match attr("data-locale") {
            Some(tag) => Locale::parse(&tag).ok_or(ConfigError::UnknownLocale)?,
            None => browser_locale(),
        };
        let mut config = Config::new(attr("data-endpoint"), attr("data-order"), attr("data-token"), locale)?;
        config.status_only = mode(attr("data-mode").as_deref())?;
        config.shop = inline(attr("data-shop"))?;
        config.items = inline(attr("data-items"))?;
        config.theme = theme(attr("data-theme").as_deref());
        if let Some(json) = attr("data-strings") {
            strings(&js_sys::JSON::parse(&json).map_err(|_| ConfigError::BadStrings)?)?;
        }
        Ok(config)
    }

    /// Reads a JS object `{ endpoint, order, token, locale, theme, shop, items }`.
    pub fn from_js(v: &JsValue) -> Result<Config, ConfigError> {
        let field = |k: &str| js_sys::Reflect::get(v, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED);
        let text = |k: &str| field(k).as_string().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let locale = match text("locale") {
            Some(tag) => Locale::parse(&tag).ok_or(ConfigError::UnknownLocale)?,
            None => browser_locale(),
        };
        let mut config = Config::new(text("endpoint"), text("order"), text("token"), locale)?;
        config.status_only = mode(text("mode").as_deref())?;
        let object = |k: &str| {
            let f = field(k);
            if f.is_undefined() || f.is_null() {
                Ok(None)
            } else {
                Ok(Some(f))
            }
        };
        config.shop = object("shop")?.map(|f| StepShop::from_js(&f).map_err(|_| ConfigError::BadInline)).transpose()?;
        config.items =
            object("items")?.map(|f| Vec::<Item>::from_js(&f).map_err(|_| ConfigError::BadInline)).transpose()?;
        config.theme = theme(text("theme").as_deref());
        if let Some(v) = object("strings")? {
            strings(&v)?;
        }
        Ok(config)
    }

    /// Checks the raw values.
    pub fn new(
        endpoint: Option<String>,
        order: Option<String>,
        token: Option<String>,
        locale: Locale,
    ) -> Result<Config, ConfigError> {
        let endpoint = endpoint.ok_or(ConfigError::MissingEndpoint)?;
        if !(endpoint.starts_with("https://") || endpoint.starts_with("http://") || endpoint.starts_with('/')) {
            return Err(ConfigError::BadEndpoint);
        }
        let token = token.ok_or(ConfigError::MissingToken)?;
        if token.len() > 512 || !token.bytes().all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\') {
            return Err(ConfigError::BadToken);
        }
        Ok(Config {
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            order: order.ok_or(ConfigError::MissingOrder)?,
            token,
            locale,
            shop: None,
            items: None,
            theme: None,
            status_only: false,
        })
    }
}

fn mode(m: Option<&str>) -> Result<bool, ConfigError> {
    match m {
        None | Some("checkout") => Ok(false),
        Some("status") => Ok(true),
        Some(_) => Err(ConfigError::UnknownMode),
    }
}

fn theme(t: Option<&str>) -> Option<&'static str> {
    match t {
        Some("dark") => Some("dark"),
        Some("auto") => Some("auto"),
        Some("light") => Some("light"),
        _ => None,
    }
}

/// Takes a shop's own texts; says in the console which entries are neither a text nor plural forms.
fn strings(v: &JsValue) -> Result<(), ConfigError> {
    let bad = crate::i18n::set_overrides(v);
    if bad.is_empty() {
        return Ok(());
    }
    let msg = ["Kept: data-strings: not a text or plural forms: ", &bad.join(", ")].concat();
    web_sys::console::error_1(&JsValue::from_str(&msg));
    Err(ConfigError::BadStrings)
}

/// Reads an optional inline JSON attribute.
fn inline<T: crate::wire::FromJs>(json: Option<String>) -> Result<Option<T>, ConfigError> {
    json.map(|j| crate::wire::parse(&j).map_err(|_| ConfigError::BadInline)).transpose()
}

/// The first of the browser's languages Kept speaks, else English.
pub fn browser_locale() -> Locale {
    let Some(window) = web_sys::window() else {
        return Locale::default();
    };
    let tags: Vec<String> = window.navigator().languages().iter().filter_map(|v| v.as_string()).collect();
    Locale::negotiate(tags.iter().map(String::as_str))
}
