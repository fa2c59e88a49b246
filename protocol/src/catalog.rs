//! The catalogs carried inside a binary (the server, the operator console): every locale's
//! texts, read once, behind [`Words`]. The widget fetches only its customer's catalog instead.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::i18n::{fill, Locale, Words};
use crate::order::Money;

/// Every catalog as shipped, by locale.
pub const SOURCES: [(Locale, &str); 5] = [
    (Locale::En, include_str!("../locales/en.json")),
    (Locale::Ru, include_str!("../locales/ru.json")),
    (Locale::Pl, include_str!("../locales/pl.json")),
    (Locale::Uk, include_str!("../locales/uk.json")),
    (Locale::De, include_str!("../locales/de.json")),
];

/// One text: plain, or its plural forms by CLDR category.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    Plain(String),
    Plural(BTreeMap<String, String>),
}

/// One locale's texts.
#[derive(Clone, Debug)]
pub struct Catalog {
    locale: Locale,
    entries: BTreeMap<String, Message>,
}

impl Catalog {
    /// Reads a catalog file: a flat object of keys to texts or to plural forms.
    pub fn parse(locale: Locale, json: &str) -> Result<Catalog, String> {
        let raw: BTreeMap<String, serde_json::Value> = serde_json::from_str(json).map_err(|e| e.to_string())?;
        let mut entries = BTreeMap::new();
        for (key, value) in raw {
            let message = match value {
                serde_json::Value::String(s) => Message::Plain(s),
                serde_json::Value::Object(forms) => Message::Plural(
                    forms
                        .into_iter()
                        .map(|(cat, v)| v.as_str().map(|s| (cat, s.to_owned())).ok_or_else(|| key.clone()))
                        .collect::<Result<_, _>>()
                        .map_err(|k| format!("{k}: a plural form is not a string"))?,
                ),
                _ => return Err(format!("{key}: neither a text nor plural forms")),
            };
            entries.insert(key, message);
        }
        Ok(Catalog { locale, entries })
    }

    /// Every key and its text.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &Message)> {
        self.entries.iter().map(|(k, m)| (k.as_str(), m))
    }

    fn form(&self, key: &str, category: &str) -> Option<&str> {
        match self.entries.get(key)? {
            Message::Plain(s) => Some(s),
            Message::Plural(forms) => forms.get(category).or_else(|| forms.get("other")).map(String::as_str),
        }
    }
}

/// The catalog of `locale`, read once.
pub fn words(locale: Locale) -> &'static Catalog {
    static ALL: OnceLock<Vec<Catalog>> = OnceLock::new();
    let all = ALL.get_or_init(|| {
        SOURCES
            .iter()
            .map(|(l, json)| Catalog::parse(*l, json).unwrap_or_else(|e| panic!("locales/{}.json: {e}", l.tag())))
            .collect()
    });
    all.iter().find(|c| c.locale == locale).unwrap_or(&all[0])
}

impl Words for Catalog {
    fn locale(&self) -> Locale {
        self.locale
    }

    fn text(&self, key: &str, args: &[(&str, &str)]) -> String {
        fill(self.form(key, "other").unwrap_or(key), args)
    }

    fn count(&self, key: &str, n: f64, args: &[(&str, &str)]) -> String {
        let number = number_text(n, self.locale);
        let mut all = vec![("n", number.as_str())];
        all.extend_from_slice(args);
        fill(self.form(key, self.locale.plural(n)).unwrap_or(key), &all)
    }

    fn money(&self, m: &Money) -> String {
        money_text(m, self.locale)
    }
}

/// How many digits a currency's minor unit has (ISO 4217): 0 for JPY, 3 for KWD, else 2.
pub fn minor_digits(currency: &str) -> u32 {
    const NONE: [&str; 17] = [
        "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF",
        "XPF",
    ];
    const THREE: [&str; 7] = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];
    if NONE.contains(&currency) {
        0
    } else if THREE.contains(&currency) {
        3
    } else if currency == "CLF" || currency == "UYW" {
        4
    } else {
        2
    }
}

fn decimal_comma(l: Locale) -> bool {
    l != Locale::En
}

fn number_text(n: f64, l: Locale) -> String {
    let s = if n.fract() == 0.0 { format!("{}", n as i64) } else { format!("{n}") };
    if decimal_comma(l) {
        s.replace('.', ",")
    } else {
        s
    }
}

/// A count with its thousands grouped as the locale writes them: 1,204 (en), 1.204 (de),
/// 1 204 (ru, uk, pl; a no-break space).
pub fn grouped(n: u64, l: Locale) -> String {
    let sep = match l {
        Locale::En => ",",
        Locale::De => ".",
        _ => "\u{a0}",
    };
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(c);
    }
    out
}

/// An amount in its currency's own minor units, e.g. `5.00 PLN`, `1500 JPY`, `1,250 KWD` (ru).
/// Plain text for messages and logs; the widget writes money through the browser's Intl.
pub fn money_text(m: &Money, l: Locale) -> String {
    let digits = minor_digits(&m.currency);
    let sign = if m.amount_minor < 0 { "-" } else { "" };
    let abs = m.amount_minor.unsigned_abs();
    let scale = 10u64.pow(digits);
    let mut s = format!("{sign}{}", abs / scale);
    if digits > 0 {
        s.push(if decimal_comma(l) { ',' } else { '.' });
        s.push_str(&format!("{:0width$}", abs % scale, width = digits as usize));
    }
    s.push(' ');
    s.push_str(&m.currency);
    s
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn placeholders(s: &str) -> BTreeSet<String> {
        s.split('{').skip(1).filter_map(|p| p.split_once('}')).map(|(name, _)| name.to_owned()).collect()
    }

    fn categories(l: Locale) -> &'static [&'static str] {
        match l {
            Locale::En | Locale::De => &["one", "other"],
            Locale::Ru | Locale::Uk | Locale::Pl => &["one", "few", "many", "other"],
        }
    }

    #[test]
    fn every_locale_has_every_key_with_the_same_placeholders_and_its_plural_forms() {
        let en = words(Locale::En);
        for l in Locale::ALL {
            let c = words(l);
            assert_eq!(c.locale, l, "locales/{}.json is read as itself", l.tag());
            let keys: Vec<&str> = c.entries().map(|(k, _)| k).collect();
            let en_keys: Vec<&str> = en.entries().map(|(k, _)| k).collect();
            assert_eq!(keys, en_keys, "locales/{}.json has the same keys as en.json", l.tag());
            for (key, message) in c.entries() {
                let ours = match message {
                    Message::Plain(s) => {
                        assert!(!s.trim().is_empty(), "{}: {key} is empty", l.tag());
                        placeholders(s)
                    }
                    Message::Plural(forms) => {
                        let cats: Vec<&str> = forms.keys().map(String::as_str).collect();
                        let mut want = categories(l).to_vec();
                        want.sort();
                        assert_eq!(cats, want, "{}: {key} has the plural forms the language needs", l.tag());
                        let mut all = BTreeSet::new();
                        for f in forms.values() {
                            assert!(f.contains("{n}"), "{}: {key}: every plural form shows the number", l.tag());
                            all.extend(placeholders(f));
                        }
                        all
                    }
                };
                let theirs = match en.entries.get(key) {
                    Some(Message::Plain(s)) => placeholders(s),
                    Some(Message::Plural(f)) => f.values().flat_map(|s| placeholders(s)).collect(),
                    None => unreachable!(),
                };
                assert_eq!(ours, theirs, "{}: {key} fills the same placeholders as English", l.tag());
            }
        }
    }

    #[test]
    fn plurals_take_the_form_the_number_needs() {
        let ru = words(Locale::Ru);
        let minutes: Vec<String> =
            [1.0, 2.0, 5.0, 21.0, 22.0, 25.0, 0.5].iter().map(|n| ru.count("chat.usually_replies", *n, &[])).collect();
        let tail: Vec<&str> = minutes.iter().map(|s| s.rsplit(' ').next().unwrap()).collect();
        assert_eq!(tail, ["минуту", "минуты", "минут", "минуту", "минуты", "минут", "минуты"]);
        assert!(minutes[6].contains("0,5 минуты"), "{}", minutes[6]);
        let pl = words(Locale::Pl);
        assert!(pl.count("chat.usually_replies", 21.0, &[]).ends_with("21 minut"));
        let uk = words(Locale::Uk);
        assert!(uk.count("chat.usually_replies", 22.0, &[]).ends_with("22 хвилини"));
    }

    #[test]
    fn money_uses_each_currencys_own_minor_units() {
        let m = |amount_minor: i64, c: &str| Money { amount_minor, currency: c.into() };
        assert_eq!(money_text(&m(500, "PLN"), Locale::En), "5.00 PLN");
        assert_eq!(money_text(&m(12345, "RUB"), Locale::Ru), "123,45 RUB");
        assert_eq!(money_text(&m(-250, "EUR"), Locale::De), "-2,50 EUR");
        assert_eq!(money_text(&m(1500, "JPY"), Locale::En), "1500 JPY");
        assert_eq!(money_text(&m(1250, "KWD"), Locale::En), "1.250 KWD");
        assert_eq!(minor_digits("CLF"), 4);
    }
}
