//! FAQ search as the customer types: case- and diacritics-insensitive, matching word prefixes.

use crate::i18n::Locale;
use crate::shop::FaqEntry;

/// A lower-case letter without its diacritics, so "Łódź" and "lodz", "ёлка" and "елка" meet.
pub fn unaccent(c: char) -> char {
    match c {
        'ą' | 'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
        'ć' | 'č' | 'ç' => 'c',
        'ę' | 'è' | 'é' | 'ê' | 'ë' | 'ě' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ł' => 'l',
        'ń' | 'ñ' | 'ň' => 'n',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
        'ś' | 'š' => 's',
        'ź' | 'ż' | 'ž' => 'z',
        'ù' | 'ú' | 'û' | 'ü' | 'ů' => 'u',
        'ё' => 'е',
        'й' => 'и',
        other => other,
    }
}

/// The searchable words of `text`: lower case without diacritics, split at everything that is
/// not a letter or a digit. This uses std's Unicode tables; the widget, where those tables would
/// cost kilobytes, does the same with the browser's (`search_with`).
pub fn words(text: &str) -> Vec<String> {
    let folded: String = text.chars().flat_map(char::to_lowercase).map(unaccent).collect();
    folded.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_owned).collect()
}

/// The entries in `locale` where every word of `query` starts a word of the question or answer;
/// matches in the question rank first. An empty query finds nothing.
pub fn search<'a>(entries: &'a [FaqEntry], locale: Locale, query: &str) -> Vec<&'a FaqEntry> {
    search_with(entries, locale, query, &words)
}

/// [`search`] with the text split into searchable words by `words`.
pub fn search_with<'a>(
    entries: &'a [FaqEntry],
    locale: Locale,
    query: &str,
    words: &dyn Fn(&str) -> Vec<String>,
) -> Vec<&'a FaqEntry> {
    let terms = words(query);
    if terms.is_empty() {
        return Vec::new();
    }
    let mut hits: Vec<(u32, usize, &FaqEntry)> = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.locale == locale)
        .filter_map(|(i, e)| {
            let (q, a) = (words(&e.question), words(&e.answer));
            let mut score = 0;
            for t in &terms {
                if q.iter().any(|w| w.starts_with(t.as_str())) {
                    score += 2;
                } else if a.iter().any(|w| w.starts_with(t.as_str())) {
                    score += 1;
                } else {
                    return None;
                }
            }
            Some((score, i, e))
        })
        .collect();
    hits.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
    hits.into_iter().map(|(_, _, e)| e).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, locale: Locale, q: &str, a: &str) -> FaqEntry {
        FaqEntry { id: id.into(), locale, question: q.into(), answer: a.into() }
    }

    fn faq() -> Vec<FaqEntry> {
        vec![
            entry("returns", Locale::Pl, "Czy mogę zwrócić kawę?", "Nieotwarte opakowania w ciągu 14 dni."),
            entry(
                "delivery",
                Locale::Pl,
                "Kiedy dotrze zamówienie?",
                "Dostawa trwa 1–2 dni; zwrot kosztów dostawy przy zwrocie.",
            ),
            entry("delivery", Locale::Ru, "Когда приедет заказ?", "Доставка 1–2 рабочих дня, ёмкая упаковка."),
            entry("delivery", Locale::En, "When will my order arrive?", "Delivery takes 1-2 working days."),
        ]
    }

    #[test]
    fn word_prefixes_match_without_case_or_diacritics() {
        let f = faq();
        let ids: Vec<&str> = search(&f, Locale::Pl, "ZWROC").iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, vec!["returns", "delivery"], "the question match ranks first");
        assert_eq!(search(&f, Locale::Ru, "емк").len(), 1, "ё folds to е");
        assert_eq!(search(&f, Locale::En, "deliv work").len(), 1);
    }

    #[test]
    fn only_the_customers_locale_and_only_whole_word_prefixes_count() {
        let f = faq();
        assert!(search(&f, Locale::En, "zwrot").is_empty());
        assert!(search(&f, Locale::En, "ivery").is_empty(), "a middle of a word is no match");
        assert!(search(&f, Locale::En, "  ").is_empty());
    }
}
