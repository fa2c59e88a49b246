//! Change requests and consent: nothing the customer agreed to changes until she says yes. A
//! request is answered once, while it is pending; a yes applies the change, a no to an
//! "ask me first" question removes the item (and refunds it), any other no changes nothing.

use kept_protocol::{ChangeKind, ChangeRequest, ChangeStatus, PaymentMethod, Preferences};

use crate::ApiError;

/// What answering a change request does, besides recording the answer.
#[derive(Clone, Debug, PartialEq)]
pub enum OnAnswer {
    /// Apply the change it asked for.
    Apply,
    /// Remove this item and refund it: "ask me first" answered no.
    Remove(String),
    /// Nothing: the agreement stands as it was.
    Keep,
}

/// Whether `cr` can still be answered, and if not why, in the words the customer reads.
pub fn answerable(cr: &ChangeRequest) -> Result<(), ApiError> {
    match cr.status {
        ChangeStatus::Pending => Ok(()),
        ChangeStatus::Expired => {
            Err(ApiError::Conflict("the time to answer ran out; your rule for this item was applied"))
        }
        ChangeStatus::Withdrawn => Err(ApiError::Conflict("the shop withdrew this request")),
        _ => Err(ApiError::Conflict("this change request is already answered")),
    }
}

/// The customer's answer to `cr`: the status it gets and what it does.
pub fn answer(cr: &ChangeRequest, accept: bool) -> (ChangeStatus, OnAnswer) {
    if accept {
        return (ChangeStatus::Accepted, OnAnswer::Apply);
    }
    let effect = match (&cr.question, &cr.change) {
        (Some(_), ChangeKind::Substitution { item, .. }) => OnAnswer::Remove(item.clone()),
        _ => OnAnswer::Keep,
    };
    (ChangeStatus::Declined, effect)
}

/// The preferences once the customer consented to paying by `method` instead.
pub fn with_payment(preferences: &Preferences, method: PaymentMethod) -> Preferences {
    Preferences { payment: Some(method), ..preferences.clone() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kept_protocol::{Fallback, Money, Question};

    fn request(change: ChangeKind, question: bool, status: ChangeStatus) -> ChangeRequest {
        ChangeRequest {
            id: 1,
            change,
            reason: "out of stock".into(),
            status,
            created_at: "2026-12-01T10:00:00Z".into(),
            question: question.then(|| Question {
                deadline: "2026-12-01T10:15:00Z".into(),
                fallback: Fallback::Remove,
                channel: kept_protocol::Channel::Chat,
            }),
        }
    }

    fn substitution() -> ChangeKind {
        ChangeKind::Substitution {
            item: "coffee-1".into(),
            replacement: "coffee-2".into(),
            name: "Kenya AA".into(),
            unit_price: Money { amount_minor: 5200, currency: "PLN".into() },
        }
    }

    #[test]
    fn only_a_pending_request_is_answered_and_each_refusal_says_why() {
        assert!(answerable(&request(substitution(), true, ChangeStatus::Pending)).is_ok());
        for (status, words) in [
            (ChangeStatus::Expired, "ran out"),
            (ChangeStatus::Withdrawn, "withdrew"),
            (ChangeStatus::Accepted, "already answered"),
            (ChangeStatus::Declined, "already answered"),
        ] {
            match answerable(&request(substitution(), true, status)) {
                Err(ApiError::Conflict(m)) => assert!(m.contains(words), "{status:?}: {m}"),
                other => panic!("{status:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_yes_applies_a_no_to_a_question_removes_the_item_and_any_other_no_keeps_the_agreement() {
        let asked = request(substitution(), true, ChangeStatus::Pending);
        assert_eq!(answer(&asked, true), (ChangeStatus::Accepted, OnAnswer::Apply));
        assert_eq!(answer(&asked, false), (ChangeStatus::Declined, OnAnswer::Remove("coffee-1".into())));
        // The shop proposing a substitute of its own, not an "ask me first" question: a no keeps
        // the item as agreed.
        let proposed = request(substitution(), false, ChangeStatus::Pending);
        assert_eq!(answer(&proposed, false), (ChangeStatus::Declined, OnAnswer::Keep));
        // Asked to pay online first, instead of by card on delivery: a no keeps what she chose.
        let prepay = request(ChangeKind::Payment { method: PaymentMethod::CardOnline }, false, ChangeStatus::Pending);
        assert_eq!(answer(&prepay, false), (ChangeStatus::Declined, OnAnswer::Keep));
    }
}
