//! Numbers, money and dates in the customer's locale through the browser's Intl: no tables in wasm.

use std::cell::RefCell;

use kept_protocol::Locale;
use wasm_bindgen::JsValue;

thread_local! {
    /// Intl formatters made so far, by what they format: making one costs the browser far more
    /// than using it (measured: 20 ms of a chat's first render went to `toLocaleString`).
    static FORMATTERS: RefCell<Vec<(String, js_sys::Function)>> = const { RefCell::new(Vec::new()) };
    /// The minor unit's digits of each money formatter's currency.
    static DIGITS: RefCell<Vec<(String, i32)>> = const { RefCell::new(Vec::new()) };
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

/// `amount_minor` of `currency` as the locale writes it, e.g. `5,00 zł`, `¥1,500`, `KWD 1.250`:
/// the minor unit's digits are the currency's own (Intl knows them: JPY 0, KWD 3), never cents.
pub fn money(amount_minor: i64, currency: &str, locale: Locale) -> String {
    let key = [locale.tag(), " ", currency].concat();
    let f = formatter(key.clone(), || {
        let locales = js_sys::Array::of1(&JsValue::from_str(locale.tag()));
        let nf = js_sys::Intl::NumberFormat::new(&locales, &options(&[("style", "currency"), ("currency", currency)]));
        let digits = js_sys::Reflect::get(&nf.resolved_options(), &JsValue::from_str("maximumFractionDigits"))
            .ok()
            .and_then(|d| d.as_f64())
            .unwrap_or(2.0);
        DIGITS.with_borrow_mut(|all| all.push((key.clone(), digits as i32)));
        nf.format()
    });
    let digits = DIGITS.with_borrow(|all| all.iter().find(|(k, _)| *k == key).map_or(2, |(_, d)| *d));
    format_with(&f, &JsValue::from_f64(amount_minor as f64 / 10f64.powi(digits))).unwrap_or_default()
}

/// A number as the locale writes it (`0,5` in Polish).
pub fn number(n: f64, locale: Locale) -> String {
    let f = formatter(["n ", locale.tag()].concat(), || {
        let locales = js_sys::Array::of1(&JsValue::from_str(locale.tag()));
        js_sys::Intl::NumberFormat::new(&locales, &js_sys::Object::new()).format()
    });
    format_with(&f, &JsValue::from_f64(n)).unwrap_or_default()
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

/// An instant as people say it: "today, 18:00", "tomorrow, 8:00", else the date and the time.
pub fn when(rfc3339: &str, locale: Locale) -> String {
    let date = js_sys::Date::new(&JsValue::from_str(rfc3339));
    if date.get_time().is_nan() {
        return rfc3339.to_owned();
    }
    let day = |d: &js_sys::Date| (d.get_full_year(), d.get_month(), d.get_date());
    let today = js_sys::Date::new_0();
    let tomorrow = js_sys::Date::new(&JsValue::from_f64(today.get_time()));
    tomorrow.set_date(today.get_date() + 1);
    let relative = if day(&date) == day(&today) {
        Some("chat.today")
    } else if day(&date) == day(&tomorrow) {
        Some("chat.tomorrow")
    } else {
        None
    };
    let Some(relative) = relative else {
        return date_time(rfc3339, locale);
    };
    let f = formatter(["t ", locale.tag()].concat(), || {
        let locales = js_sys::Array::of1(&JsValue::from_str(locale.tag()));
        js_sys::Intl::DateTimeFormat::new(&locales, &options(&[("timeStyle", "short")])).format()
    });
    let time = format_with(&f, &date).unwrap_or_default();
    crate::i18n::fill(locale, relative, &[("time", &time)])
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

    #[wasm_bindgen_test]
    fn times_today_and_tomorrow_are_said_as_people_say_them() {
        crate::i18n::install_bundled(Locale::En);
        crate::i18n::install_bundled(Locale::Uk);
        let at = |days: f64, h: u32| {
            let d = js_sys::Date::new_0();
            d.set_hours(h);
            d.set_minutes(0);
            d.set_date(d.get_date() + days as u32);
            d.to_iso_string().as_string().unwrap()
        };
        assert_eq!(super::when(&at(0.0, 18), Locale::En).replace('\u{202f}', " "), "today, 6:00 PM");
        assert_eq!(super::when(&at(1.0, 8), Locale::Uk), "завтра, 08:00");
        let later = super::when(&at(5.0, 8), Locale::En);
        assert!(!later.starts_with("today") && !later.starts_with("tomorrow") && later.contains("8:00"), "{later}");
    }

    #[wasm_bindgen_test]
    fn money_takes_each_currencys_own_minor_unit() {
        let plain = |s: String| s.replace(['\u{a0}', '\u{202f}'], " ");
        assert_eq!(plain(super::money(4950, "PLN", Locale::Pl)), "49,50 zł");
        assert_eq!(plain(super::money(123456, "RUB", Locale::Ru)), "1 234,56 ₽");
        assert_eq!(plain(super::money(-250, "EUR", Locale::De)), "-2,50 €");
        assert_eq!(plain(super::money(1500, "JPY", Locale::En)), "¥1,500");
        assert_eq!(plain(super::money(1250, "KWD", Locale::En)), "KWD 1.250");
        assert_eq!(plain(super::money(1500, "JPY", Locale::Uk)), "1 500 ¥");
        assert_eq!(super::number(0.5, Locale::Uk), "0,5");
    }
}
