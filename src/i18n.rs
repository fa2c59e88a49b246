//! Every text the widget shows comes from its customer's catalog (`protocol/locales/<tag>.json`,
//! shipped as `kept-<tag>-<hash>.json`), fetched by the loader beside the wasm: the first screen
//! carries one locale's texts, not five. The chat's texts are the catalog's second part
//! (`kept-chat-<tag>-<hash>.json`), fetched with the chat's code. A shop may override any text
//! (`data-strings`, see [`set_overrides`]). Plurals come from `Intl.PluralRules`, numbers and
//! money from `Intl.NumberFormat`: no rules or tables in wasm.

use std::cell::RefCell;

use js_sys::{Array, Object, Reflect};
use kept_protocol::{Locale, Money, ProblemCode};
use wasm_bindgen::{JsCast, JsValue};

/// Declares an enum of catalog keys: `Name { Variant = "key", ... }`.
macro_rules! texts {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $key:literal,)* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name { $($variant,)* }

        impl $name {
            /// Every text, for the tests that check each catalog has them all.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The catalog key.
            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key,)* }
            }

            /// This text in `l`.
            pub fn in_locale(self, l: kept_protocol::Locale) -> String {
                $crate::i18n::text(l, self.key())
            }

            /// This text in `l` with its `{placeholders}` filled.
            pub fn with(self, l: kept_protocol::Locale, args: &[(&str, &str)]) -> String {
                $crate::i18n::fill(l, self.key(), args)
            }
        }
    };
}
pub(crate) use texts;

texts! {
    /// A piece of the step's text (and of the notices around it).
    Text {
        Heading = "heading",
        Intro = "intro",
        ContactLegend = "contact_legend",
        DoNotCall = "do_not_call",
        CallsDisabled = "calls_disabled",
        PhoneLabel = "phone_label",
        EmailLabel = "email_label",
        TelegramLabel = "telegram_label",
        PaymentLegend = "payment_legend",
        Submit = "submit",
        Sending = "sending",
        ReceiptHeading = "receipt_heading",
        Version = "version",
        Change = "change",
        ChatLoadFailed = "chat_load_failed",
        ChatLoading = "chat_loading",
        Retry = "retry",
        OrderNotFound = "order_not_found",
        SendFailed = "send_failed",
        FixProblems = "fix_problems",
        NotEditable = "not_editable",
        ContactHint = "contact_hint",
        MoveUp = "move_up",
        MoveDown = "move_down",
        CallbackLegend = "callback_legend",
        From = "from",
        To = "to",
        SubstitutionLegend = "substitution_legend",
        RuleSimilar = "rule_similar",
        RuleAskFirst = "rule_ask_first",
        RuleRemove = "rule_remove",
        RuleCancel = "rule_cancel",
        CapLabel = "cap_label",
        CapUnit = "cap_unit",
        CapAmount = "cap_amount",
        AskVia = "ask_via",
        AskWait = "ask_wait",
        FallbackSimilar = "fallback_similar",
        PerItem = "per_item",
        AsOrder = "as_order",
        ReplaceWith = "replace_with",
        SlotFrom = "slot_from",
        MaxTotal = "max_total",
        NotForThisOrder = "not_for_this_order",
        NotesLegend = "notes_legend",
        MoreNotes = "more_notes",
        NoPreference = "no_preference",
        NoteFor = "note_for",
        SummaryHeading = "summary_heading",
    }
}

/// The texts that must say something even when the customer's catalog cannot be fetched: the
/// catalog's (or a shop's override) when it is in place, else English, the one language the wasm
/// carries (every other text is in the catalogs, fetched a locale at a time).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BootText {
    LoadFailed,
    Retry,
    ConfigError,
}

impl BootText {
    /// This text in `l`, if its catalog is in place, else in English.
    pub fn in_locale(self, l: Locale) -> String {
        let (key, english) = match self {
            BootText::LoadFailed => {
                ("load_failed", "We could not load your order. Check your connection and try again.")
            }
            BootText::Retry => ("retry", "Try again"),
            BootText::ConfigError => ("config_error", "The checkout widget is not set up correctly on this page."),
        };
        lookup(l, key, "other").unwrap_or_else(|| english.to_owned())
    }
}

/// "Loading your order…" once the catalog is in place; nothing before (the skeleton says it).
pub fn loading_text(l: Locale) -> String {
    lookup(l, "loading", "other").unwrap_or_default()
}

/// What to tell the customer about a problem with a field.
pub fn problem_text(code: ProblemCode, l: Locale) -> String {
    text(l, code.key())
}

/// The two parts of a catalog: the step's (first screen) and the chat's (with its code).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Step,
    Chat,
}

impl Part {
    /// Which part a key belongs to: what only the chat shows (its own words, the timeline's
    /// statuses and resolutions). The build splits the files by the same prefixes
    /// (`CHAT_KEYS` in xtask).
    pub fn of(key: &str) -> Part {
        if ["chat.", "promise.", "status.", "resolution."].iter().any(|p| key.starts_with(p)) {
            Part::Chat
        } else {
            Part::Step
        }
    }

    fn bit(self) -> u8 {
        match self {
            Part::Step => 1,
            Part::Chat => 2,
        }
    }
}

/// A catalog value is a text, or an object of its forms by plural category.
fn form(value: &JsValue, category: &str) -> Option<String> {
    value.as_string().or_else(|| {
        let forms = value.is_object().then_some(value)?;
        get(forms, category).as_string().or_else(|| get(forms, "other").as_string())
    })
}

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

thread_local! {
    /// Each locale's catalog as the browser parsed it (keys to texts or plural forms), and the
    /// parts of it in place (bits of [`Part::bit`]).
    static TABLES: RefCell<Vec<(Locale, u8, Object)>> = const { RefCell::new(Vec::new()) };
    /// The shop's overrides (`data-strings`), as parsed.
    static OVERRIDES: RefCell<Option<Object>> = const { RefCell::new(None) };
    /// The loader's `(name) => Promise<catalog>`; see [`set_loader`].
    static LOADER: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
    static PLURALS: RefCell<Vec<(Locale, js_sys::Intl::PluralRules)>> = const { RefCell::new(Vec::new()) };
}

/// The form of `key` in `l` for a plural `category` (`other` for a plain text): a shop's override
/// for `l`, else one for every locale, else the catalog's; None when nobody has it.
fn lookup(l: Locale, key: &str, category: &str) -> Option<String> {
    let overridden = OVERRIDES.with_borrow(|o| {
        let o = o.as_ref()?;
        form(&get(&get(o, l.tag()), key), category).or_else(|| form(&get(o, key), category))
    });
    overridden.or_else(|| {
        TABLES
            .with_borrow(|all| all.iter().find(|(x, _, _)| *x == l).and_then(|(_, _, t)| form(&get(t, key), category)))
    })
}

/// The text for `key` in `l` (the key itself if the catalog lacks it, which a test rules out).
pub fn text(l: Locale, key: &str) -> String {
    lookup(l, key, "other").unwrap_or_else(|| key.to_owned())
}

/// The text for `key` in `l` with its `{placeholders}` filled.
pub fn fill(l: Locale, key: &str, args: &[(&str, &str)]) -> String {
    kept_protocol::i18n::fill(&text(l, key), args)
}

/// The text for `key` in the plural form `n` takes in `l`, `{n}` written as `l` writes numbers.
pub fn count(l: Locale, key: &str, n: f64, args: &[(&str, &str)]) -> String {
    let category = plural(l, n);
    let number = crate::format::number(n, l);
    let mut all = vec![("n", number.as_str())];
    all.extend_from_slice(args);
    kept_protocol::i18n::fill(&lookup(l, key, &category).unwrap_or_else(|| key.to_owned()), &all)
}

/// `Intl.PluralRules` for `l`, made once.
pub fn plural(l: Locale, n: f64) -> String {
    let rules = PLURALS.with_borrow(|all| all.iter().find(|(x, _)| *x == l).map(|(_, r)| r.clone()));
    let rules = rules.unwrap_or_else(|| {
        let r = js_sys::Intl::PluralRules::new(&Array::of1(&JsValue::from_str(l.tag())), &Object::new());
        PLURALS.with_borrow_mut(|all| all.push((l, r.clone())));
        r
    });
    rules.select(n).as_string().unwrap_or_else(|| "other".to_owned())
}

fn plain_object(v: &JsValue) -> Option<&Object> {
    (v.is_object() && !Array::is_array(v)).then(|| v.unchecked_ref())
}

/// Puts a catalog (or one part of it) in place for `l`.
pub fn install(l: Locale, part: Part, catalog: &JsValue) -> Result<(), crate::wire::Malformed> {
    let catalog = plain_object(catalog).ok_or(crate::wire::Malformed)?;
    TABLES.with_borrow_mut(|all| match all.iter_mut().find(|(x, _, _)| *x == l) {
        Some((_, parts, table)) => {
            *parts |= part.bit();
            Object::assign(table, catalog);
        }
        None => all.push((l, part.bit(), Object::assign(&Object::new(), catalog))),
    });
    Ok(())
}

fn installed(l: Locale, part: Part) -> bool {
    TABLES.with_borrow(|all| all.iter().any(|(x, parts, _)| *x == l && parts & part.bit() != 0))
}

/// The loader's catalog function: `(name) => Promise<catalog object>`, names being a locale's
/// tag (the step's part) or `chat-<tag>`.
pub fn set_loader(f: js_sys::Function) {
    LOADER.with_borrow_mut(|l| *l = Some(f));
}

/// The catalog could not be fetched (or read).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CatalogMissing;

/// `part` of `l`'s catalog on its way: asked for at once (so that it travels while other things
/// are awaited), in place once [`Pending::done`] is awaited.
pub struct Pending {
    locale: Locale,
    part: Part,
    /// None when it was in place already.
    promise: Result<Option<js_sys::Promise>, CatalogMissing>,
}

/// Asks the loader for `part` of `l`'s catalog unless it is in place.
pub fn request(l: Locale, part: Part) -> Pending {
    let promise = if installed(l, part) {
        Ok(None)
    } else {
        let name = match part {
            Part::Step => l.tag().to_owned(),
            Part::Chat => ["chat-", l.tag()].concat(),
        };
        LOADER
            .with_borrow(|f| f.clone())
            .and_then(|loader| loader.call1(&JsValue::UNDEFINED, &JsValue::from_str(&name)).ok())
            .and_then(|p| p.dyn_into().ok())
            .map(Some)
            .ok_or(CatalogMissing)
    };
    Pending { locale: l, part, promise }
}

impl Pending {
    /// Waits until the texts are in place.
    pub async fn done(self) -> Result<(), CatalogMissing> {
        let Some(promise) = self.promise? else {
            return Ok(());
        };
        let catalog = wasm_bindgen_futures::JsFuture::from(promise).await.map_err(|_| CatalogMissing)?;
        install(self.locale, self.part, &catalog).map_err(|_| CatalogMissing)?;
        warn_unknown_overrides(self.locale, self.part);
        Ok(())
    }
}

/// Whether a value is a text, or plural forms (an object of texts by CLDR category).
fn is_text(v: &JsValue) -> bool {
    v.as_string().is_some()
        || plain_object(v).is_some_and(|o| {
            Object::entries(o).iter().all(|pair| {
                let pair: Array = pair.unchecked_into();
                pair.get(1).as_string().is_some()
                    && pair.get(0).as_string().is_some_and(|c| CATEGORIES.contains(&c.as_str()))
            })
        })
}

/// The plural categories CLDR names.
const CATEGORIES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

/// The keys of an object, with their values.
fn entries(o: &Object) -> impl Iterator<Item = (String, JsValue)> {
    Object::entries(o).into_iter().filter_map(|pair| {
        let pair: Array = pair.unchecked_into();
        Some((pair.get(0).as_string()?, pair.get(1)))
    })
}

/// A shop's own texts (`data-strings`): an object of catalog keys to texts (or to plural forms),
/// for every locale, and locale tags to such objects, for that locale only (they win). Later
/// ones win over earlier ones. Returns the entries that are neither, to be reported.
pub fn set_overrides(v: &JsValue) -> Vec<String> {
    let Some(given) = plain_object(v) else {
        return vec!["(not an object)".to_owned()];
    };
    let mut bad = Vec::new();
    for (key, value) in entries(given) {
        match (Locale::parse(&key).filter(|l| l.tag() == key), plain_object(&value)) {
            (Some(_), Some(inner)) if !is_text(&value) => {
                bad.extend(entries(inner).filter(|(_, v)| !is_text(v)).map(|(k, _)| [key.as_str(), ".", &k].concat()))
            }
            _ if !is_text(&value) => bad.push(key),
            _ => {}
        }
    }
    OVERRIDES.with_borrow_mut(|o| {
        let all = o.get_or_insert_with(Object::new);
        for (key, value) in entries(given) {
            let mine = get(all, &key);
            match (plain_object(&mine), plain_object(&value)) {
                (Some(mine), Some(inner)) if !is_text(&value) => {
                    Object::assign(mine, inner);
                }
                _ => {
                    let _ = Reflect::set(all, &JsValue::from_str(&key), &value);
                }
            }
        }
    });
    bad
}

/// The overridden keys of `part` that `l`'s catalog does not have (a shop's typo).
pub fn unknown_overrides(l: Locale, part: Part) -> Vec<String> {
    let keys: Vec<String> = OVERRIDES.with_borrow(|o| {
        let Some(o) = o else { return Vec::new() };
        let mut keys: Vec<String> =
            entries(o).filter(|(k, _)| Locale::parse(k).is_none_or(|x| x.tag() != k)).map(|(k, _)| k).collect();
        if let Some(mine) = plain_object(&get(o, l.tag())) {
            keys.extend(entries(mine).map(|(k, _)| k));
        }
        keys.retain(|k| Part::of(k) == part);
        keys
    });
    TABLES.with_borrow(|all| match all.iter().find(|(x, parts, _)| *x == l && parts & part.bit() != 0) {
        Some((_, _, t)) => {
            keys.into_iter().filter(|k| !Reflect::has(t, &JsValue::from_str(k)).unwrap_or(false)).collect()
        }
        None => Vec::new(),
    })
}

/// Says in the console which of a shop's overrides name no text (once `part` is in place).
pub fn warn_unknown_overrides(l: Locale, part: Part) {
    let unknown = unknown_overrides(l, part);
    if !unknown.is_empty() {
        let msg = ["Kept: data-strings names no text: ", &unknown.join(", ")].concat();
        web_sys::console::warn_1(&JsValue::from_str(&msg));
    }
}

/// The catalogs as the repository holds them, put in place without fetching: for the browser
/// tests, which mount components without the loader. (Never called by the shipped widget, so
/// the linker leaves these bytes out of it.)
pub fn install_bundled(l: Locale) {
    let json = match l {
        Locale::En => include_str!("../protocol/locales/en.json"),
        Locale::Ru => include_str!("../protocol/locales/ru.json"),
        Locale::Pl => include_str!("../protocol/locales/pl.json"),
        Locale::Uk => include_str!("../protocol/locales/uk.json"),
        Locale::De => include_str!("../protocol/locales/de.json"),
    };
    let catalog = js_sys::JSON::parse(json).expect("the repository's catalogs are JSON");
    install(l, Part::Step, &catalog).expect("a catalog is an object");
    install(l, Part::Chat, &catalog).expect("a catalog is an object");
}

/// The protocol's words (names of values, the summary) from the installed catalog.
#[derive(Clone, Copy, Debug)]
pub struct Words(pub Locale);

impl kept_protocol::Words for Words {
    fn locale(&self) -> Locale {
        self.0
    }

    fn text(&self, key: &str, args: &[(&str, &str)]) -> String {
        fill(self.0, key, args)
    }

    fn count(&self, key: &str, n: f64, args: &[(&str, &str)]) -> String {
        count(self.0, key, n, args)
    }

    fn money(&self, m: &Money) -> String {
        crate::format::money(m.amount_minor, &m.currency, self.0)
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::*;

    use super::*;

    #[wasm_bindgen_test]
    fn every_locale_has_every_text_the_widget_asks_for() {
        for l in Locale::ALL {
            install_bundled(l);
            for t in Text::ALL {
                assert_ne!(t.in_locale(l), t.key(), "{}: {}", l.tag(), t.key());
            }
            for key in ["loading", "load_failed", "retry", "config_error"] {
                assert_ne!(BootText::Retry.in_locale(l), "", "{}", l.tag());
                assert_ne!(text(l, key), key, "{}: {key}", l.tag());
            }
        }
    }

    #[wasm_bindgen_test]
    fn plurals_follow_the_browsers_rules_and_agree_with_the_servers() {
        for l in [Locale::Ru, Locale::Pl, Locale::Uk] {
            install_bundled(l);
        }
        let minutes = |l: Locale| -> Vec<String> {
            [1.0, 2.0, 5.0, 21.0, 22.0, 25.0, 0.5]
                .iter()
                .map(|n| {
                    count(l, "chat.usually_replies", *n, &[])
                        .rsplit(' ')
                        .take(2)
                        .collect::<Vec<_>>()
                        .into_iter()
                        .rev()
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect()
        };
        assert_eq!(
            minutes(Locale::Ru),
            ["1 минуту", "2 минуты", "5 минут", "21 минуту", "22 минуты", "25 минут", "0,5 минуты"]
        );
        assert_eq!(
            minutes(Locale::Pl),
            ["1 minutę", "2 minuty", "5 minut", "21 minut", "22 minuty", "25 minut", "0,5 minuty"]
        );
        assert_eq!(
            minutes(Locale::Uk),
            ["1 хвилину", "2 хвилини", "5 хвилин", "21 хвилину", "22 хвилини", "25 хвилин", "0,5 хвилини"]
        );
        // The server writes its messages with its own rules: they must agree with the browser's.
        for l in Locale::ALL {
            for n in (0..=130).map(f64::from).chain([0.5, 1.5, 2.25]) {
                assert_eq!(plural(l, n), l.plural(n), "{} {n}", l.tag());
            }
        }
    }

    #[wasm_bindgen_test]
    fn a_shops_overrides_win_for_every_locale_or_for_one() {
        install_bundled(Locale::De);
        install_bundled(Locale::Pl);
        let json = r#"{"submit":"Place my order","de":{"submit":"Jetzt bestellen"},"sumbit":{"x":1},"intro":{"one":"{n} thing","other":"{n} things"}}"#;
        let bad = set_overrides(&js_sys::JSON::parse(json).unwrap());
        assert_eq!(bad, ["sumbit"], "a list is neither a text nor plural forms");
        let bad = set_overrides(&js_sys::JSON::parse(r#"{"uk":{"submit":7}}"#).unwrap());
        assert_eq!(bad, ["uk.submit"]);
        assert_eq!(Text::Submit.in_locale(Locale::De), "Jetzt bestellen");
        assert_eq!(Text::Submit.in_locale(Locale::Pl), "Place my order");
        assert_eq!(count(Locale::Pl, "intro", 1.0, &[]), "1 thing");
        set_overrides(&js_sys::JSON::parse(r#"{"sbumit":"typo"}"#).unwrap());
        assert_eq!(unknown_overrides(Locale::Pl, Part::Step), ["sumbit", "sbumit"]);
        assert!(unknown_overrides(Locale::Pl, Part::Chat).is_empty());
        OVERRIDES.with_borrow_mut(|o| *o = None);
        assert_eq!(Text::Submit.in_locale(Locale::Pl), "Zapisz moje wybory");
    }
}
