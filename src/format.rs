//! Numbers, money and dates in the customer's locale through the browser's Intl: no tables in wasm.

use std::cell::RefCell;

use kept_protocol::Locale;
use wasm_bindgen::JsValue;

thread_local! {
    /// Intl formatters made so far, by what they format: making one costs the browser far more
    /// than using it (measured: 20 ms of a chat's first render went to `toLocaleString`).
    static FORMATTERS: RefCell<Vec<(String, js_sys::Function)>> = const { RefCell::new(Vec::new()) };
    /// The minor unit's digits of each currency asked about so far.
    static DIGITS: RefCell<Vec<(String, u32)>> = const { RefCell::new(Vec::new()) };
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
    let Some((f, digits)) = money_formatter(currency, locale) else {
        // Intl would throw; a number is better than nothing.
        let major = amount_minor as f64 / 10f64.powi(UNKNOWN_DIGITS as i32);
        return [number(major, locale).as_str(), " ", currency].concat().trim_end().to_owned();
    };
    let major = amount_minor as f64 / 10f64.powi(digits as i32);
    format_with(&f, &JsValue::from_f64(major)).unwrap_or_default()
}

/// How many digits `currency`'s minor unit has (PLN 2, JPY 0, KWD 3), as Intl knows them; read
/// from the formatter [`money`] uses in `locale`, so knowing them costs no formatter of its own.
pub fn minor_digits(currency: &str, locale: Locale) -> u32 {
    money_formatter(currency, locale).map_or(UNKNOWN_DIGITS, |(_, digits)| digits)
}

/// The minor unit's digits assumed for a currency code Intl refuses.
const UNKNOWN_DIGITS: u32 = 2;

/// The format function for `currency` in `locale` and the currency's minor unit's digits, made
/// once; None for a code Intl would throw on.
fn money_formatter(currency: &str, locale: Locale) -> Option<(js_sys::Function, u32)> {
    if !well_formed(currency) {
        return None;
    }
    let f = formatter([locale.tag(), " ", currency].concat(), || {
        let locales = js_sys::Array::of1(&JsValue::from_str(locale.tag()));
        let nf = js_sys::Intl::NumberFormat::new(&locales, &options(&[("style", "currency"), ("currency", currency)]));
        let digits = js_sys::Reflect::get(&nf.resolved_options(), &JsValue::from_str("maximumFractionDigits"))
            .ok()
            .and_then(|d| d.as_f64())
            .map_or(UNKNOWN_DIGITS, |d| d as u32);
        DIGITS.with_borrow_mut(|all| {
            if !all.iter().any(|(c, _)| c == currency) {
                all.push((currency.to_owned(), digits));
            }
        });
        nf.format()
    });
    let digits = DIGITS.with_borrow(|all| all.iter().find(|(c, _)| c == currency).map(|(_, d)| *d));
    Some((f, digits.unwrap_or(UNKNOWN_DIGITS)))
}

/// An ISO 4217 code's form (three letters): anything else makes Intl throw.
fn well_formed(currency: &str) -> bool {
    currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_alphabetic())
}

/// A plain decimal as typed (`12`, `12.5`, `12,50`) in minor units of `digits` digits, e.g.
/// `"1.25"` with 3 digits is 1250; None when it is not one or is finer than the minor unit.
pub fn to_minor(typed: &str, digits: u32) -> Option<i64> {
    let typed = typed.trim();
    let (whole, fraction) = typed.split_once(['.', ',']).unwrap_or((typed, ""));
    let extra = fraction.get(digits as usize..).unwrap_or("");
    if whole.is_empty() && fraction.is_empty() || extra.bytes().any(|b| b != b'0') {
        return None;
    }
    let kept = &fraction[..fraction.len() - extra.len()];
    let padding = std::iter::repeat_n(b'0', digits as usize - kept.len());
    whole.bytes().chain(kept.bytes()).chain(padding).try_fold(0i64, |n, b| {
        let digit = (b as char).to_digit(10)?;
        n.checked_mul(10)?.checked_add(i64::from(digit))
    })
}

/// Minor units as a plain decimal for an input, e.g. `500` with 2 digits is `5`, `250` is `2.5`,
/// `1250` with 3 digits is `1.25`, `-1` is `-0.01`.
pub fn plain_major(minor: i64, digits: u32) -> String {
    let unit = 10u64.pow(digits);
    let mut s = String::from(if minor < 0 { "-" } else { "" });
    s.push_str(&(minor.unsigned_abs() / unit).to_string());
    let fraction = minor.unsigned_abs() % unit;
    if fraction != 0 {
        let padded = fraction.to_string();
        s.push('.');
        s.extend(std::iter::repeat_n('0', digits as usize - padded.len()));
        s.push_str(padded.trim_end_matches('0'));
    }
    s
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
    fn amounts_are_typed_and_shown_in_each_currency_s_own_minor_unit() {
        use super::{minor_digits, plain_major, to_minor};
        let digits: Vec<u32> =
            ["PLN", "RUB", "EUR", "JPY", "KWD"].iter().map(|c| minor_digits(c, Locale::Pl)).collect();
        assert_eq!(digits, [2, 2, 2, 0, 3]);
        assert_eq!(to_minor("5", 2), Some(500));
        assert_eq!(to_minor(" 12,5 ", 2), Some(1250));
        assert_eq!(to_minor("0.05", 2), Some(5));
        assert_eq!(to_minor(".5", 2), Some(50));
        assert_eq!(to_minor("500", 0), Some(500));
        assert_eq!(to_minor("500.00", 0), Some(500), "zeros beyond the unit are harmless");
        assert_eq!(to_minor("1.25", 3), Some(1250));
        assert_eq!(to_minor("1.005", 2), None, "finer than the minor unit");
        for bad in ["", ".", "-5", "1e3", "5 zł", "1.2.3", "99999999999999999999"] {
            assert_eq!(to_minor(bad, 2), None, "{bad:?}");
        }
        assert_eq!(plain_major(500, 2), "5");
        assert_eq!(plain_major(250, 2), "2.5");
        assert_eq!(plain_major(1205, 2), "12.05");
        assert_eq!(plain_major(500, 0), "500");
        assert_eq!(plain_major(1250, 3), "1.25");
        assert_eq!(plain_major(5, 3), "0.005");
        assert_eq!(plain_major(-1, 2), "-0.01", "an unreadable cap kept in a draft stays refused");
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
