//! The record of kept promises: every promise Kept made on the shop's behalf (the reply time it
//! showed, a callback window, an ask-first question, a delivery slot), what became of it, the
//! deviations it stopped and the claims the customer made, and the aggregates over them.

use serde::{Deserialize, Serialize};

/// What was promised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PromiseKind {
    /// An answer to her message within the reply time she was shown, in working hours.
    Reply,
    /// A call inside the window she asked for.
    Callback,
    /// Her question asked before the item is touched, and her answer (or fallback) applied in time.
    AskFirst,
    /// Delivery inside the order's slot.
    Delivery,
    /// Something that would have gone against the agreement, which Kept refused or sent to consent.
    Deviation,
    /// "The shop broke this": open until the shop answers in the chat.
    Claim,
    /// A kind this version does not know.
    #[serde(other)]
    Unknown,
}

impl PromiseKind {
    /// Every kind, in the order the record shows them.
    pub const ALL: [PromiseKind; 6] = [
        PromiseKind::Reply,
        PromiseKind::Callback,
        PromiseKind::AskFirst,
        PromiseKind::Delivery,
        PromiseKind::Deviation,
        PromiseKind::Claim,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            PromiseKind::Reply => "reply",
            PromiseKind::Callback => "callback",
            PromiseKind::AskFirst => "ask_first",
            PromiseKind::Delivery => "delivery",
            PromiseKind::Deviation => "deviation",
            PromiseKind::Claim => "claim",
            PromiseKind::Unknown => "unknown",
        }
    }

    /// The kind named `s`, if it is one.
    pub fn parse(s: &str) -> Option<PromiseKind> {
        PromiseKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether promises of this kind are kept or broken (deviations are counted, claims answered).
    pub fn measured(self) -> bool {
        matches!(self, PromiseKind::Reply | PromiseKind::Callback | PromiseKind::AskFirst | PromiseKind::Delivery)
    }
}

/// What became of a promise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PromiseState {
    /// Not due yet and not yet kept (a claim: not yet answered).
    Open,
    Kept,
    /// Overdue, or kept too late.
    Broken,
    /// A deviation Kept stopped.
    Prevented,
    /// A claim the shop answered.
    Answered,
    /// No longer owed, neither kept nor broken: a question replaced by a newer one, a slot
    /// replaced by an agreed new one, a callback for an order that was cancelled.
    Withdrawn,
    /// A state this version does not know.
    #[serde(other)]
    Unknown,
}

impl PromiseState {
    /// Every state.
    pub const ALL: [PromiseState; 6] = [
        PromiseState::Open,
        PromiseState::Kept,
        PromiseState::Broken,
        PromiseState::Prevented,
        PromiseState::Answered,
        PromiseState::Withdrawn,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            PromiseState::Open => "open",
            PromiseState::Kept => "kept",
            PromiseState::Broken => "broken",
            PromiseState::Prevented => "prevented",
            PromiseState::Answered => "answered",
            PromiseState::Withdrawn => "withdrawn",
            PromiseState::Unknown => "unknown",
        }
    }

    /// The state named `s`, if it is one.
    pub fn parse(s: &str) -> Option<PromiseState> {
        PromiseState::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// What a prevented deviation was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Deviation {
    /// A call logged to a customer who said "do not call": refused.
    CallRefused,
    /// A replacement dearer than her cap: refused.
    SubstituteAboveCap,
    /// A request to pay another way (prepayment after "card on delivery"): sent to her consent.
    PaymentToConsent,
    #[serde(other)]
    Unknown,
}

impl Deviation {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Deviation::CallRefused => "call_refused",
            Deviation::SubstituteAboveCap => "substitute_above_cap",
            Deviation::PaymentToConsent => "payment_to_consent",
            Deviation::Unknown => "unknown",
        }
    }
}

/// One promise and its evidence. Instants are RFC 3339.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PromiseEntry {
    pub id: i64,
    pub order: String,
    pub kind: PromiseKind,
    pub state: PromiseState,
    /// When Kept made it (her message, her callback request, the question, the slot agreed).
    pub opened_at: String,
    /// When it falls due: none for a deviation or a claim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_at: Option<String>,
    /// A callback's or a delivery slot's window opens here (`due_at` is its end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_start: Option<String>,
    /// Replies: the reply time she was shown when she wrote, in minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promised_minutes: Option<u32>,
    /// When it was done: answered, called, applied, delivered (after `due_at` when kept late).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<String>,
    /// When it counted as kept or broken (for a broken one, the minute it fell overdue or the
    /// late close, whichever came first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<String>,
    /// The operator who kept or broke it (their display name), when one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    /// Deviations: what was stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deviation: Option<Deviation>,
    /// What it is about: the callback, change request or report id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<i64>,
    /// The order's event that decided it (the answer, the call, the fallback, the delivery).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<i64>,
}

/// `GET /v1/backend/promises`: newest first; `next` is the `before` of the next page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PromisePage {
    pub promises: Vec<PromiseEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<i64>,
}

/// The figures of one row of the record (or of its total).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RecordFigures {
    pub kept: u64,
    pub broken: u64,
    /// Deviations stopped.
    pub prevented: u64,
    /// Claims made, and how many of them the shop answered.
    pub claims: u64,
    pub claims_answered: u64,
    /// Post-delivery surveys answered, and the sum of their ratings (1-5).
    pub surveys: u64,
    pub rating_sum: u64,
    /// kept / (kept + broken), in whole percent rounded down; none before anything was decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept_percent: Option<u8>,
}

impl RecordFigures {
    /// Adds `other` in (the percentage is computed again by [`RecordFigures::finish`]).
    pub fn add(&mut self, other: &RecordFigures) {
        self.kept += other.kept;
        self.broken += other.broken;
        self.prevented += other.prevented;
        self.claims += other.claims;
        self.claims_answered += other.claims_answered;
        self.surveys += other.surveys;
        self.rating_sum += other.rating_sum;
    }

    /// Sets the kept share from the counts.
    pub fn finish(mut self) -> RecordFigures {
        self.kept_percent = RecordFigures::share(self.kept, self.broken);
        self
    }

    /// The kept share of the decided promises, in whole percent rounded down (99.6 % is not
    /// 100 %); none when nothing was decided.
    pub fn share(kept: u64, broken: u64) -> Option<u8> {
        let decided = kept + broken;
        (decided > 0).then(|| (kept * 100 / decided) as u8)
    }
}

/// One row of the record: the figures for a kind, an operator or a day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RecordRow {
    /// The kind, the operator's name (empty: no operator, e.g. a reply nobody gave) or the
    /// shop's local date (YYYY-MM-DD).
    pub key: String,
    #[serde(flatten)]
    pub figures: RecordFigures,
}

/// `GET /v1/backend/record`: the figures over the shop's local days `from` to `to` (inclusive).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Record {
    pub from: String,
    pub to: String,
    /// `kind`, `operator` or `day`.
    pub by: String,
    pub rows: Vec<RecordRow>,
    pub total: RecordFigures,
}

/// The trust line a shop may opt in to: "This shop kept 97 % of 1,204 promises in the last 30
/// days". Present only from [`TrustLine::FLOOR`] decided promises on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TrustLine {
    pub kept_percent: u8,
    /// Promises kept or broken in the window.
    pub promises: u64,
    pub days: u32,
    /// The kinds behind it: (kind, kept, broken).
    pub kinds: Vec<KindShare>,
}

impl TrustLine {
    /// Below this many decided promises no line is shown.
    pub const FLOOR: u64 = 30;
    /// The window, in days.
    pub const DAYS: u32 = 30;
}

/// `GET /v1/orders/{order}/promises`: what Kept promised her on this order and what became of it,
/// also in her words (as the receipt's summary is), and the shop's trust line when it shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OwnPromises {
    /// Oldest first.
    pub promises: Vec<PromiseEntry>,
    /// One line per promise still owed or decided ("An answer within 5 minutes: answered in 3
    /// minutes"), in the locale asked for, times in the shop's time zone.
    pub lines: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust: Option<TrustWords>,
}

/// The trust line, its figures and its words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TrustWords {
    pub figures: TrustLine,
    /// "This shop kept 97 % of 1,204 promises in the last 30 days".
    pub line: String,
    /// The kinds behind it, a line each ("Replies: 1,100 of 1,134 kept").
    pub kinds: Vec<String>,
}

/// One kind's part of the trust line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct KindShare {
    pub kind: PromiseKind,
    pub kept: u64,
    pub broken: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_ones_are_not_kinds() {
        for k in PromiseKind::ALL {
            assert_eq!(PromiseKind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        for s in PromiseState::ALL {
            assert_eq!(PromiseState::parse(s.as_str()), Some(s));
        }
        assert_eq!(PromiseKind::parse("unknown"), None);
        assert_eq!(serde_json::from_str::<PromiseKind>("\"teleport\"").unwrap(), PromiseKind::Unknown);
    }

    #[test]
    fn the_share_rounds_down_and_is_absent_before_anything_was_decided() {
        let f = RecordFigures { kept: 199, broken: 1, ..Default::default() }.finish();
        assert_eq!(f.kept_percent, Some(99));
        assert_eq!(RecordFigures { prevented: 3, ..Default::default() }.finish().kept_percent, None);
    }
}
