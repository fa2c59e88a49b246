//! Numbers, money and dates in the customer's locale through the browser's Intl: no tables in wasm.

use kept_protocol::Locale;
use wasm_bindgen::JsValue;

/// An options object for Intl from key/value pairs.
pub fn options(pairs: &[(&str, &str)]) -> js_sys::Object {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    o
}

/// `amount_minor` of `currency` as the locale writes it, e.g. `5,00 zł`.
pub fn money(amount_minor: i64, currency: &str, locale: Locale) -> String {
    let locales = js_sys::Array::of1(&JsValue::from_str(locale.tag()));
    let opts = options(&[("style", "currency"), ("currency", currency)]);
    let f = js_sys::Intl::NumberFormat::new(&locales, &opts);
    let amount = JsValue::from_f64(amount_minor as f64 / 100.0);
    f.format().call1(&JsValue::UNDEFINED, &amount).ok().and_then(|v| v.as_string()).unwrap_or_default()
}

/// An RFC 3339 instant as the locale writes a date and time.
pub fn date_time(rfc3339: &str, locale: Locale) -> String {
    let date = js_sys::Date::new(&JsValue::from_str(rfc3339));
    if date.get_time().is_nan() {
        return rfc3339.to_owned();
    }
    date.to_locale_string(locale.tag(), &options(&[("dateStyle", "medium"), ("timeStyle", "short")])).into()
}
