//! Preferences v1: how the shop may deal with the customer, and the rules that keep it coherent.

use serde::{Deserialize, Serialize};

use crate::contact::{Channel, ContactDetail};
use crate::i18n::Locale;
use crate::order::OrderView;
use crate::problem::{Problem, ProblemCode};
use crate::shop::ShopProfile;
use crate::substitution::{Fallback, SubstitutionPolicy, SubstitutionRule};
use crate::time::TimeWindow;

/// Longest free-text product note, in characters.
pub const NOTE_TEXT_MAX_CHARS: usize = 200;
/// Longest wait an ask-first rule may ask for, in minutes.
pub const ASK_FIRST_MAX_MINUTES: u32 = 24 * 60;

/// How the customer pays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    CardOnline,
    CardOnDelivery,
    CashOnDelivery,
    BankTransfer,
    /// A value this version does not know (sent by a newer server); shown as "updated".
    #[serde(skip)]
    Unknown,
}

impl PaymentMethod {
    /// Every method, in the order a form lists them.
    pub const ALL: [PaymentMethod; 4] = [
        PaymentMethod::CardOnline,
        PaymentMethod::CardOnDelivery,
        PaymentMethod::CashOnDelivery,
        PaymentMethod::BankTransfer,
    ];

    /// The wire name, as serde writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::CardOnline => "card_online",
            PaymentMethod::CardOnDelivery => "card_on_delivery",
            PaymentMethod::CashOnDelivery => "cash_on_delivery",
            PaymentMethod::BankTransfer => "bank_transfer",
            PaymentMethod::Unknown => "unknown",
        }
    }

    /// The method with this wire name.
    pub fn from_wire(name: &str) -> Option<PaymentMethod> {
        PaymentMethod::ALL.into_iter().find(|m| m.as_str() == name)
    }
}

/// Who may contact the customer, how, and on which details.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ContactPlan {
    /// Channels in the customer's order of preference, first is preferred.
    pub channels: Vec<Channel>,
    /// "Do not call me": no phone call, for any reason.
    #[serde(default)]
    pub do_not_call: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telegram: Option<String>,
    /// When a callback suits, in the shop's time zone; only when calls are allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_window: Option<TimeWindow>,
}

impl ContactPlan {
    /// The raw value given for a contact detail, blank counting as absent.
    pub fn detail(&self, detail: ContactDetail) -> Option<&str> {
        let value = match detail {
            ContactDetail::Phone => &self.phone,
            ContactDetail::Email => &self.email,
            ContactDetail::Telegram => &self.telegram,
        };
        value.as_deref().map(str::trim).filter(|v| !v.is_empty())
    }

    fn detail_mut(&mut self, detail: ContactDetail) -> &mut Option<String> {
        match detail {
            ContactDetail::Phone => &mut self.phone,
            ContactDetail::Email => &mut self.email,
            ContactDetail::Telegram => &mut self.telegram,
        }
    }

    /// Whether any chosen channel needs `detail`.
    pub fn needs(&self, detail: ContactDetail) -> bool {
        self.channels.iter().any(|c| c.needs() == Some(detail))
    }

    /// Whether the shop may phone the customer at all.
    pub fn allows_calls(&self) -> bool {
        !self.do_not_call && self.channels.contains(&Channel::Phone)
    }
}

/// A product note: a structured option from the item's option set and a short free text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ItemNote {
    pub item: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub option: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// `POST /v1/orders/{order}/preferences`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Preferences {
    pub contact: ContactPlan,
    #[serde(default)]
    pub substitutions: SubstitutionPolicy,
    pub payment: Option<PaymentMethod>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<ItemNote>,
    /// The language the customer reads; summaries and messages use it.
    pub locale: Locale,
}

const DETAILS: [ContactDetail; 3] = [ContactDetail::Phone, ContactDetail::Email, ContactDetail::Telegram];

impl Preferences {
    /// Every problem with these preferences for this shop and order, each with its field path.
    pub fn problems(&self, shop: &ShopProfile, order: &OrderView) -> Vec<Problem> {
        let mut problems = Vec::new();
        self.contact_problems(shop, &mut problems);
        self.substitution_problems(order, &mut problems);
        match self.payment {
            None => problems.push(Problem::new("payment", ProblemCode::Required)),
            Some(method) if !shop.offers_payment(method) => {
                problems.push(Problem::new("payment", ProblemCode::PaymentNotOffered))
            }
            Some(method) if !order.payment_options.is_empty() && !order.payment_available(method) => {
                problems.push(Problem::new("payment", ProblemCode::PaymentUnavailable))
            }
            Some(_) => {}
        }
        self.note_problems(shop, order, &mut problems);
        problems
    }

    fn contact_problems(&self, shop: &ShopProfile, problems: &mut Vec<Problem>) {
        let plan = &self.contact;
        if plan.channels.is_empty() {
            problems.push(Problem::new("contact.channels", ProblemCode::Required));
        }
        for (i, &channel) in plan.channels.iter().enumerate() {
            let code = if plan.channels[..i].contains(&channel) {
                Some(ProblemCode::DuplicateChannel)
            } else if !shop.offers_channel(channel) {
                Some(ProblemCode::ChannelNotOffered)
            } else if plan.do_not_call && channel.is_call() {
                Some(ProblemCode::CallsForbidden)
            } else {
                None
            };
            if let Some(code) = code {
                problems.push(Problem::new(format!("contact.channels[{i}]"), code));
            }
        }
        for detail in DETAILS {
            if !plan.needs(detail) {
                continue;
            }
            match plan.detail(detail).map(|raw| detail.parse(raw)) {
                None => problems.push(Problem::new(detail.path(), ProblemCode::ContactMissing)),
                Some(Err(code)) => problems.push(Problem::new(detail.path(), code)),
                Some(Ok(_)) => {}
            }
        }
        if let Some(window) = plan.callback_window {
            let code = if !plan.allows_calls() {
                Some(ProblemCode::CallsForbidden)
            } else if window.length() == 0 {
                Some(ProblemCode::Invalid)
            } else if !shop.within_hours(window) {
                Some(ProblemCode::OutsideHours)
            } else {
                None
            };
            if let Some(code) = code {
                problems.push(Problem::new("contact.callback_window", code));
            }
        }
    }

    fn substitution_problems(&self, order: &OrderView, problems: &mut Vec<Problem>) {
        let policy = &self.substitutions;
        if let SubstitutionRule::Specific { .. } = policy.default {
            // A specific replacement names one item's substitute; it cannot be the rule for all.
            problems.push(Problem::new("substitutions.default", ProblemCode::Invalid));
        } else {
            self.rule_problems(&policy.default, None, "substitutions.default", problems);
        }
        for (i, o) in policy.overrides.iter().enumerate() {
            let path = format!("substitutions.overrides[{i}]");
            let item = order.item(&o.item);
            if item.is_none() {
                problems.push(Problem::new(format!("{path}.item"), ProblemCode::UnknownItem));
            } else if policy.overrides[..i].iter().any(|p| p.item == o.item) {
                problems.push(Problem::new(format!("{path}.item"), ProblemCode::Duplicate));
            }
            self.rule_problems(&o.rule, item, &format!("{path}.rule"), problems);
        }
    }

    fn rule_problems(
        &self,
        rule: &SubstitutionRule,
        item: Option<&crate::order::Item>,
        path: &str,
        problems: &mut Vec<Problem>,
    ) {
        let mut at = |field: &str, code| problems.push(Problem::new(format!("{path}.{field}"), code));
        match rule {
            SubstitutionRule::Similar { max_increase } if !max_increase.is_valid() => {
                at("max_increase", ProblemCode::OutOfRange)
            }
            SubstitutionRule::Specific { replacement }
                if item.is_some_and(|i| !i.replacements.iter().any(|r| &r.id == replacement)) =>
            {
                at("replacement", ProblemCode::UnknownReplacement)
            }
            SubstitutionRule::AskFirst { channel, wait_minutes, fallback } => {
                if self.contact.do_not_call && channel.is_call() {
                    at("channel", ProblemCode::CallsForbidden)
                } else if !self.contact.channels.contains(channel) {
                    at("channel", ProblemCode::ChannelNotInPlan)
                }
                if !(1..=ASK_FIRST_MAX_MINUTES).contains(wait_minutes) {
                    at("wait_minutes", ProblemCode::OutOfRange)
                }
                if let Fallback::Similar { max_increase } = fallback {
                    if !max_increase.is_valid() {
                        at("fallback.max_increase", ProblemCode::OutOfRange)
                    }
                }
            }
            _ => {}
        }
    }

    fn note_problems(&self, shop: &ShopProfile, order: &OrderView, problems: &mut Vec<Problem>) {
        for (i, note) in self.notes.iter().enumerate() {
            let path = format!("notes[{i}]");
            let Some(item) = order.item(&note.item) else {
                problems.push(Problem::new(format!("{path}.item"), ProblemCode::UnknownItem));
                continue;
            };
            if self.notes[..i].iter().any(|n| n.item == note.item) {
                problems.push(Problem::new(format!("{path}.item"), ProblemCode::Duplicate));
            }
            if let Some(option) = &note.option {
                let set = item.option_set.as_deref().and_then(|id| shop.option_set(id));
                if !set.is_some_and(|s| s.options.iter().any(|o| &o.id == option)) {
                    problems.push(Problem::new(format!("{path}.option"), ProblemCode::UnknownOption));
                }
            }
            let text = note.text.as_deref().unwrap_or("");
            crate::chat::text_problems(problems, &format!("{path}.text"), text, NOTE_TEXT_MAX_CHARS, false);
        }
    }

    /// These preferences in canonical form, or every problem they have.
    ///
    /// Contact details become canonical (`+48600100200`, `@handle`) and details no chosen
    /// channel needs are dropped, so the stored agreement holds only what the shop may use.
    pub fn validated(mut self, shop: &ShopProfile, order: &OrderView) -> Result<Preferences, Vec<Problem>> {
        let problems = self.problems(shop, order);
        if !problems.is_empty() {
            return Err(problems);
        }
        for detail in DETAILS {
            let canonical = match (self.contact.needs(detail), self.contact.detail(detail)) {
                (true, Some(raw)) => detail.parse(raw).ok(),
                _ => None,
            };
            *self.contact.detail_mut(detail) = canonical;
        }
        for note in &mut self.notes {
            note.text = note.text.take().map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
        }
        self.notes.retain(|n| n.option.is_some() || n.text.is_some());
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::{Item, Money, OrderStatus, PaymentOption, Replacement};
    use crate::shop::{DayHours, ItemOption, Localized, OptionSet, PaymentCondition, PaymentOffer, Weekday};
    use crate::substitution::{ItemRule, PriceCap};
    use crate::time::LocalTime;

    fn shop() -> ShopProfile {
        ShopProfile {
            name: "Kept Coffee".into(),
            time_zone: "Europe/Warsaw".into(),
            hours: vec![DayHours {
                day: Weekday::Monday,
                intervals: vec![TimeWindow { start: LocalTime::hm(9, 0), end: LocalTime::hm(18, 0) }],
            }],
            holidays: vec![],
            availability: Default::default(),
            channels: vec![Channel::Chat, Channel::Whatsapp, Channel::Email, Channel::Phone],
            payment_methods: vec![
                PaymentOffer {
                    method: PaymentMethod::CardOnDelivery,
                    conditions: vec![PaymentCondition::SlotStartsFrom { time: LocalTime::hm(12, 0) }],
                },
                PaymentOffer { method: PaymentMethod::CardOnline, conditions: vec![] },
            ],
            reply_time: None,
            manager: None,
            faq: vec![],
            show_record: false,
            option_sets: vec![OptionSet {
                id: "grind".into(),
                label: Localized { en: "Grind".into(), ..Localized::default() },
                options: vec![ItemOption { id: "whole".into(), label: Localized::default() }],
            }],
        }
    }

    fn order() -> OrderView {
        let pln = |a| Money { amount_minor: a, currency: "PLN".into() };
        OrderView {
            id: "KC-1".into(),
            status: OrderStatus::OrderProcessing,
            currency: "PLN".into(),
            items: vec![Item {
                id: "coffee-3".into(),
                name: "Kenya AA".into(),
                quantity: 1,
                unit_price: pln(5900),
                option_set: Some("grind".into()),
                replacements: vec![Replacement {
                    id: "coffee-11".into(),
                    name: "Kenya AB".into(),
                    unit_price: pln(5600),
                }],
                active: true,
            }],
            delivery_slot: None,
            payment_options: vec![
                PaymentOption { method: PaymentMethod::CardOnDelivery, available: true, unavailable_because: None },
                PaymentOption { method: PaymentMethod::CardOnline, available: true, unavailable_because: None },
            ],
            timeline: vec![],
            receipt: None,
            editable: true,
            change_requests: vec![],
            survey_due: false,
            known_contact: None,
        }
    }

    fn prefs(channels: &[Channel]) -> Preferences {
        Preferences {
            contact: ContactPlan { channels: channels.to_vec(), ..ContactPlan::default() },
            substitutions: SubstitutionPolicy::default(),
            payment: Some(PaymentMethod::CardOnDelivery),
            notes: vec![],
            locale: Locale::En,
        }
    }

    fn codes_for(p: &Preferences, order: &OrderView) -> Vec<(String, ProblemCode)> {
        p.problems(&shop(), order).into_iter().map(|p| (p.path, p.code)).collect()
    }

    fn codes(p: &Preferences) -> Vec<(String, ProblemCode)> {
        codes_for(p, &order())
    }

    fn one(path: &str, code: ProblemCode) -> Vec<(String, ProblemCode)> {
        vec![(path.to_owned(), code)]
    }

    #[test]
    fn chat_and_card_on_delivery_is_valid() {
        assert_eq!(codes(&prefs(&[Channel::Chat])), vec![]);
    }

    #[test]
    fn do_not_call_with_phone_as_the_only_channel_is_refused_at_that_channel() {
        let mut p = prefs(&[Channel::Phone]);
        p.contact.do_not_call = true;
        p.contact.phone = Some("+48600100200".into());
        assert_eq!(codes(&p), one("contact.channels[0]", ProblemCode::CallsForbidden));
    }

    #[test]
    fn do_not_call_with_phone_anywhere_in_the_plan_is_refused() {
        let mut p = prefs(&[Channel::Chat, Channel::Phone]);
        p.contact.do_not_call = true;
        p.contact.phone = Some("+48600100200".into());
        assert_eq!(codes(&p), one("contact.channels[1]", ProblemCode::CallsForbidden));
    }

    #[test]
    fn an_empty_plan_is_refused() {
        assert_eq!(codes(&prefs(&[])), one("contact.channels", ProblemCode::Required));
    }

    #[test]
    fn whatsapp_without_a_phone_number_names_the_phone_field() {
        assert_eq!(codes(&prefs(&[Channel::Whatsapp])), one("contact.phone", ProblemCode::ContactMissing));
    }

    #[test]
    fn a_malformed_detail_is_named_with_its_own_code() {
        let mut p = prefs(&[Channel::Email]);
        p.contact.email = Some("anna.example.pl".into());
        assert_eq!(codes(&p), one("contact.email", ProblemCode::InvalidEmail));
    }

    #[test]
    fn channels_and_payments_the_shop_does_not_offer_are_refused() {
        let mut p = prefs(&[Channel::Telegram]);
        p.contact.telegram = Some("@anna_k".into());
        p.payment = Some(PaymentMethod::BankTransfer);
        assert_eq!(
            codes(&p),
            vec![
                ("contact.channels[0]".into(), ProblemCode::ChannelNotOffered),
                ("payment".into(), ProblemCode::PaymentNotOffered),
            ]
        );
    }

    #[test]
    fn a_payment_method_ruled_out_for_this_order_is_unavailable() {
        let mut o = order();
        o.payment_options[0].available = false;
        assert_eq!(codes_for(&prefs(&[Channel::Chat]), &o), one("payment", ProblemCode::PaymentUnavailable));
    }

    #[test]
    fn a_channel_listed_twice_is_refused_once() {
        assert_eq!(
            codes(&prefs(&[Channel::Chat, Channel::Chat])),
            one("contact.channels[1]", ProblemCode::DuplicateChannel)
        );
    }

    #[test]
    fn a_missing_payment_method_is_required() {
        let mut p = prefs(&[Channel::Chat]);
        p.payment = None;
        assert_eq!(codes(&p), one("payment", ProblemCode::Required));
    }

    #[test]
    fn a_callback_window_needs_calls_to_be_allowed_and_to_fit_working_hours() {
        let window = |s, e| Some(TimeWindow { start: LocalTime::hm(s, 0), end: LocalTime::hm(e, 0) });
        let mut p = prefs(&[Channel::Phone]);
        p.contact.phone = Some("+48600100200".into());
        p.contact.callback_window = window(10, 12);
        assert_eq!(codes(&p), vec![]);
        p.contact.callback_window = window(17, 19);
        assert_eq!(codes(&p), one("contact.callback_window", ProblemCode::OutsideHours));
        p.contact.do_not_call = true;
        p.contact.channels = vec![Channel::Chat];
        p.contact.callback_window = window(10, 12);
        assert_eq!(codes(&p), one("contact.callback_window", ProblemCode::CallsForbidden));
    }

    #[test]
    fn ask_first_by_phone_with_do_not_call_is_refused() {
        let mut p = prefs(&[Channel::Chat]);
        p.contact.do_not_call = true;
        p.substitutions.default =
            SubstitutionRule::AskFirst { channel: Channel::Phone, wait_minutes: 15, fallback: Fallback::Remove };
        assert_eq!(codes(&p), one("substitutions.default.channel", ProblemCode::CallsForbidden));
    }

    #[test]
    fn ask_first_needs_a_channel_from_the_plan_and_a_sensible_wait() {
        let mut p = prefs(&[Channel::Chat]);
        p.substitutions.default =
            SubstitutionRule::AskFirst { channel: Channel::Email, wait_minutes: 0, fallback: Fallback::Remove };
        assert_eq!(
            codes(&p),
            vec![
                ("substitutions.default.channel".into(), ProblemCode::ChannelNotInPlan),
                ("substitutions.default.wait_minutes".into(), ProblemCode::OutOfRange),
            ]
        );
    }

    #[test]
    fn a_negative_price_cap_is_refused_wherever_it_appears() {
        let mut p = prefs(&[Channel::Chat]);
        p.substitutions.default = SubstitutionRule::Similar { max_increase: PriceCap::Percent { percent: -10 } };
        p.substitutions.overrides = vec![ItemRule {
            item: "coffee-3".into(),
            rule: SubstitutionRule::AskFirst {
                channel: Channel::Chat,
                wait_minutes: 30,
                fallback: Fallback::Similar { max_increase: PriceCap::Amount { amount_minor: -100 } },
            },
        }];
        assert_eq!(
            codes(&p),
            vec![
                ("substitutions.default.max_increase".into(), ProblemCode::OutOfRange),
                ("substitutions.overrides[0].rule.fallback.max_increase".into(), ProblemCode::OutOfRange),
            ]
        );
    }

    #[test]
    fn overrides_must_name_items_of_this_order_and_their_suggested_replacements() {
        let mut p = prefs(&[Channel::Chat]);
        p.substitutions.overrides = vec![
            ItemRule { item: "coffee-99".into(), rule: SubstitutionRule::Remove },
            ItemRule { item: "coffee-3".into(), rule: SubstitutionRule::Specific { replacement: "coffee-12".into() } },
            ItemRule { item: "coffee-3".into(), rule: SubstitutionRule::Specific { replacement: "coffee-11".into() } },
        ];
        assert_eq!(
            codes(&p),
            vec![
                ("substitutions.overrides[0].item".into(), ProblemCode::UnknownItem),
                ("substitutions.overrides[1].rule.replacement".into(), ProblemCode::UnknownReplacement),
                ("substitutions.overrides[2].item".into(), ProblemCode::Duplicate),
            ]
        );
    }

    #[test]
    fn a_specific_replacement_cannot_be_the_rule_for_the_whole_order() {
        let mut p = prefs(&[Channel::Chat]);
        p.substitutions.default = SubstitutionRule::Specific { replacement: "coffee-11".into() };
        assert_eq!(codes(&p), one("substitutions.default", ProblemCode::Invalid));
    }

    #[test]
    fn notes_need_a_known_item_a_known_option_and_a_short_text() {
        let mut p = prefs(&[Channel::Chat]);
        p.notes = vec![
            ItemNote { item: "coffee-3".into(), option: Some("whole".into()), text: Some("beans, not ground".into()) },
            ItemNote { item: "coffee-77".into(), option: None, text: None },
        ];
        assert_eq!(codes(&p), one("notes[1].item", ProblemCode::UnknownItem));
        p.notes =
            vec![ItemNote { item: "coffee-3".into(), option: Some("powder".into()), text: Some("x".repeat(201)) }];
        assert_eq!(
            codes(&p),
            vec![
                ("notes[0].option".into(), ProblemCode::UnknownOption),
                ("notes[0].text".into(), ProblemCode::TooLong)
            ]
        );
    }

    #[test]
    fn validated_preferences_keep_only_canonical_details_that_are_needed() {
        let mut p = prefs(&[Channel::Whatsapp]);
        p.contact.phone = Some("+48 600 100 200".into());
        p.contact.email = Some("not needed".into());
        p.notes = vec![ItemNote { item: "coffee-3".into(), option: None, text: Some("   ".into()) }];
        let v = p.validated(&shop(), &order()).unwrap();
        assert_eq!(v.contact.phone.as_deref(), Some("+48600100200"));
        assert_eq!(v.contact.email, None);
        assert!(v.notes.is_empty());
    }

    #[test]
    fn the_wire_format_uses_snake_case_names() {
        let json = serde_json::to_value(prefs(&[Channel::Whatsapp])).unwrap();
        assert_eq!(json["contact"]["channels"][0], "whatsapp");
        assert_eq!(json["payment"], "card_on_delivery");
        assert_eq!(json["locale"], "en");
        assert_eq!(json["substitutions"]["default"]["rule"], "remove");
        for m in PaymentMethod::ALL {
            assert_eq!(serde_json::to_value(m).unwrap(), m.as_str());
        }
        for c in Channel::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
    }
}
