//! Numbers, money and dates in the customer's locale through the browser's Intl: no tables in wasm.

use std::cell::RefCell;

use kept_protocol::Locale;
use wasm_bindgen::JsValue;

thread_local! {
    /// Intl formatters made so far, by what they format: making one costs the browser far more
    /// than using it (measured: 20 ms of a chat's first render went to `toLocaleString`).
    static FORMATTERS: RefCell<Vec<(String, js_sys::Function)>> = const { RefCell::new(Vec::new()) };
}

/// The format function of the formatter for `key`, made by `make` the first time.
fn formatter(key: String, make: impl FnOnce() -> js_sys::Function) -> js_sys::Function {
    if let Some(f) = FORMATTERS.with_borrow(|all| all.iter().find(|(k, _)| *k == key).map(|(_, f)| f.clone())) {
        return f;
    }
    let f = make();
    FORMATTERS.with_borrow_mut(|all| all.push((key, f.clone())));
    f
}

fn format_with(f: &js_sys::Function, value: &JsValue) -> Option<String> {
    f.call1(&JsValue::UNDEFINED, value).ok()?.as_string()
}

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
    let f = formatter([locale.tag(), " ", currency].concat(), || {
        let locales = js_sys::Array::of1(&JsValue::from_str(locale.tag()));
        js_sys::Intl::NumberFormat::new(&locales, &options(&[("style", "currency"), ("currency", currency)])).format()
    });
    format_with(&f, &JsValue::from_f64(amount_minor as f64 / 100.0)).unwrap_or_default()
}

/// An RFC 3339 instant as the locale writes a date and time.
pub fn date_time(rfc3339: &str, locale: Locale) -> String {
    let date = js_sys::Date::new(&JsValue::from_str(rfc3339));
    if date.get_time().is_nan() {
        return rfc3339.to_owned();
    }
    let f = formatter(locale.tag().to_owned(), || {
        let locales = js_sys::Array::of1(&JsValue::from_str(locale.tag()));
        js_sys::Intl::DateTimeFormat::new(&locales, &options(&[("dateStyle", "medium"), ("timeStyle", "short")]))
            .format()
    });
    format_with(&f, &date).unwrap_or_else(|| rfc3339.to_owned())
}

#[cfg(test)]
mod tests {
    use kept_protocol::Locale;
    use wasm_bindgen_test::*;

    #[wasm_bindgen_test]
    fn money_and_dates_read_the_same_from_a_kept_formatter_as_from_a_new_one() {
        let first = super::money(4900, "PLN", Locale::Pl);
        assert!(first.starts_with("49,00") && first.ends_with("zł"), "{first}");
        assert_eq!(super::money(4900, "PLN", Locale::Pl), first);
        assert_ne!(super::money(4900, "EUR", Locale::Pl), first, "another currency gets its own formatter");
        let en = super::date_time("2026-11-24T09:05:00Z", Locale::En);
        let ru = super::date_time("2026-11-24T09:05:00Z", Locale::Ru);
        assert!(en.contains("2026") && ru.contains("2026") && en != ru, "{en} / {ru}");
        assert_eq!(super::date_time("not a date", Locale::En), "not a date");
    }
}
