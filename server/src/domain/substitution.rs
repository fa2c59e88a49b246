//! The substitution engine: what the customer's rule says to do with an item that ran out,
//! decided without the database (the store then does it, in the caller's transaction).

use jiff::{SignedDuration, Timestamp};
use kept_protocol::{ChangeKind, Fallback, Item, Locale, Money, ProblemCode, Question, Replacement, SubstitutionRule};

use crate::{clock, ApiError};

/// What to do with a missing item.
#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    /// Put this replacement in its place now.
    Substitute(Replacement),
    /// Ask the customer first: this change, this question (deadline, fallback, channel), in
    /// these words.
    Ask { change: ChangeKind, question: Question, text: String },
    /// Remove it and refund it.
    Remove,
    /// Cancel the whole order.
    CancelOrder,
}

/// What the refund of a removed item is: its price times its quantity.
pub fn refund_of(item: &Item) -> Money {
    Money {
        amount_minor: item.unit_price.amount_minor * item.quantity as i64,
        currency: item.unit_price.currency.clone(),
    }
}

/// The field a replacement dearer than her cap is refused on.
const ABOVE_CAP: &str = "replacement.unit_price";

/// Whether `e` is [`decide`]'s refusal of a replacement dearer than her cap (a deviation Kept
/// stopped, recorded as such).
pub fn is_above_cap(e: &ApiError) -> bool {
    matches!(e, ApiError::Validation(p) if p.iter().any(|p| p.path == ABOVE_CAP && p.code == ProblemCode::OutOfRange))
}

/// The customer's `rule` applied to `item`, with the replacement the operator `offered` (if
/// any), at `now`, the question worded in `locale`. A substitute above the customer's price cap is
/// refused (their consent would be needed), as is "similar" with nothing offered.
pub fn decide(
    rule: SubstitutionRule,
    item: &Item,
    offered: Option<Replacement>,
    locale: Locale,
    now: Timestamp,
) -> Result<Decision, ApiError> {
    match rule {
        SubstitutionRule::Similar { max_increase } => {
            let r = offered.ok_or_else(|| ApiError::field("replacement", ProblemCode::Required))?;
            // The customer's cap is binding: a dearer substitute needs their consent instead.
            if !max_increase.allows(&item.unit_price, &r.unit_price) {
                return Err(ApiError::field(ABOVE_CAP, ProblemCode::OutOfRange));
            }
            Ok(Decision::Substitute(r))
        }
        SubstitutionRule::Specific { replacement } => {
            let r = item.replacements.iter().find(|r| r.id == replacement).ok_or(ApiError::NotFound("replacement"))?;
            Ok(Decision::Substitute(r.clone()))
        }
        SubstitutionRule::AskFirst { channel, wait_minutes, fallback } => {
            let deadline = now.checked_add(SignedDuration::from_mins(i64::from(wait_minutes))).unwrap_or(now);
            let change = match offered {
                Some(r) => ChangeKind::Substitution {
                    item: item.id.clone(),
                    replacement: r.id,
                    name: r.name,
                    unit_price: r.unit_price,
                },
                None => ChangeKind::Removal { item: item.id.clone(), refund: refund_of(item) },
            };
            let words: &dyn kept_protocol::Words = kept_protocol::catalog::words(locale);
            let text = words.count("chat.ask_first_question", f64::from(wait_minutes), &[("item", &item.name)]);
            let question = Question { deadline: clock::rfc3339(deadline), fallback, channel };
            Ok(Decision::Ask { change, question, text })
        }
        SubstitutionRule::Remove => Ok(Decision::Remove),
        SubstitutionRule::CancelOrder => Ok(Decision::CancelOrder),
    }
}

/// What the customer's declared `fallback` does with `item` when an ask-first question goes
/// unanswered: "similar" takes the cheapest of the shop's suggested replacements within the
/// cap, and with none it is removed, as "remove" says.
pub fn fall_back(fallback: &Fallback, item: &Item) -> Decision {
    match fallback {
        Fallback::Remove => Decision::Remove,
        Fallback::Similar { max_increase } => item
            .replacements
            .iter()
            .filter(|r| max_increase.allows(&item.unit_price, &r.unit_price))
            .min_by_key(|r| r.unit_price.amount_minor)
            .cloned()
            .map_or(Decision::Remove, Decision::Substitute),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kept_protocol::{Channel, PriceCap};

    fn pln(a: i64) -> Money {
        Money { amount_minor: a, currency: "PLN".into() }
    }

    fn item() -> Item {
        Item {
            id: "c-1".into(),
            name: "Ethiopia".into(),
            quantity: 2,
            unit_price: pln(5000),
            option_set: None,
            replacements: vec![Replacement { id: "c-9".into(), name: "Kenya AA".into(), unit_price: pln(5200) }],
            active: true,
        }
    }

    fn offer(price: i64) -> Option<Replacement> {
        Some(Replacement { id: "c-2".into(), name: "Colombia".into(), unit_price: pln(price) })
    }

    fn now() -> Timestamp {
        "2026-12-01T10:00:00Z".parse().unwrap()
    }

    #[test]
    fn a_similar_substitute_within_the_cap_is_applied_and_one_above_it_refused() {
        let rule = || SubstitutionRule::Similar { max_increase: PriceCap::Percent { percent: 10 } };
        assert!(matches!(decide(rule(), &item(), offer(5500), Locale::En, now()), Ok(Decision::Substitute(_))));
        let above = decide(rule(), &item(), offer(5501), Locale::En, now());
        assert!(matches!(above, Err(ApiError::Validation(p)) if p[0].path == "replacement.unit_price"));
        assert!(matches!(decide(rule(), &item(), None, Locale::En, now()), Err(ApiError::Validation(_))));
    }

    #[test]
    fn a_specific_replacement_is_the_one_the_shop_suggested() {
        let rule = SubstitutionRule::Specific { replacement: "c-9".into() };
        assert_eq!(
            decide(rule, &item(), None, Locale::En, now()).unwrap(),
            Decision::Substitute(item().replacements[0].clone())
        );
    }

    #[test]
    fn ask_first_asks_with_a_deadline_and_without_an_offer_proposes_the_removal_with_its_refund() {
        let rule = SubstitutionRule::AskFirst { channel: Channel::Chat, wait_minutes: 15, fallback: Fallback::Remove };
        let Decision::Ask { change, question, text } = decide(rule, &item(), None, Locale::En, now()).unwrap() else {
            panic!("a question")
        };
        assert_eq!(change, ChangeKind::Removal { item: "c-1".into(), refund: pln(10_000) });
        assert_eq!(question.deadline, "2026-12-01T10:15:00.000Z");
        assert!(text.contains("Ethiopia"), "{text}");
    }

    #[test]
    fn an_unanswered_question_falls_back_to_the_cheapest_suggestion_within_the_cap_else_removal() {
        let mut i = item();
        i.replacements.push(Replacement { id: "c-8".into(), name: "Brazil".into(), unit_price: pln(5100) });
        let within = Fallback::Similar { max_increase: PriceCap::Percent { percent: 5 } };
        assert_eq!(fall_back(&within, &i), Decision::Substitute(i.replacements[1].clone()), "5100, not 5200");
        let tight = Fallback::Similar { max_increase: PriceCap::Amount { amount_minor: 50 } };
        assert_eq!(fall_back(&tight, &i), Decision::Remove, "none within 0.50 PLN");
        assert_eq!(fall_back(&Fallback::Remove, &i), Decision::Remove);
    }
}
