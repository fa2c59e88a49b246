//! Preferences v1: how the shop may deal with the customer, and the rules that keep it coherent.

use serde::{Deserialize, Serialize};

use crate::contact::{Channel, ContactDetail};
use crate::i18n::Locale;
use crate::problem::{Problem, ProblemCode};
use crate::shop::ShopProfile;

/// How the customer pays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    CardOnline,
    CardOnDelivery,
    CashOnDelivery,
    BankTransfer,
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
        }
    }

    /// The method with this wire name.
    pub fn from_wire(name: &str) -> Option<PaymentMethod> {
        PaymentMethod::ALL.into_iter().find(|m| m.as_str() == name)
    }
}

/// Who may contact the customer, how, and on which details.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
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
}

/// `POST /v1/orders/{order}/preferences`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preferences {
    pub contact: ContactPlan,
    pub payment: Option<PaymentMethod>,
    /// The language the customer reads; summaries and messages use it.
    pub locale: Locale,
}

const DETAILS: [ContactDetail; 3] = [ContactDetail::Phone, ContactDetail::Email, ContactDetail::Telegram];

impl Preferences {
    /// Every problem with these preferences for this shop, each with its field path.
    pub fn problems(&self, shop: &ShopProfile) -> Vec<Problem> {
        let mut problems = Vec::new();
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
        match self.payment {
            None => problems.push(Problem::new("payment", ProblemCode::Required)),
            Some(method) if !shop.offers_payment(method) => {
                problems.push(Problem::new("payment", ProblemCode::PaymentNotOffered))
            }
            Some(_) => {}
        }
        problems
    }

    /// These preferences in canonical form, or every problem they have.
    ///
    /// Contact details become canonical (`+48600100200`, `@handle`) and details no chosen
    /// channel needs are dropped, so the stored agreement holds only what the shop may use.
    pub fn validated(mut self, shop: &ShopProfile) -> Result<Preferences, Vec<Problem>> {
        let problems = self.problems(shop);
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
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shop::PaymentOffer;

    fn shop() -> ShopProfile {
        ShopProfile {
            name: "Kept Coffee".into(),
            time_zone: "Europe/Warsaw".into(),
            channels: vec![Channel::Chat, Channel::Whatsapp, Channel::Email, Channel::Phone],
            payment_methods: vec![
                PaymentOffer { method: PaymentMethod::CardOnDelivery },
                PaymentOffer { method: PaymentMethod::CardOnline },
            ],
        }
    }

    fn prefs(channels: &[Channel]) -> Preferences {
        Preferences {
            contact: ContactPlan { channels: channels.to_vec(), ..ContactPlan::default() },
            payment: Some(PaymentMethod::CardOnDelivery),
            locale: Locale::En,
        }
    }

    fn codes(p: &Preferences) -> Vec<(String, ProblemCode)> {
        p.problems(&shop()).into_iter().map(|p| (p.path, p.code)).collect()
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
        assert_eq!(codes(&p), vec![("contact.channels[0]".into(), ProblemCode::CallsForbidden)]);
    }

    #[test]
    fn do_not_call_with_phone_anywhere_in_the_plan_is_refused() {
        let mut p = prefs(&[Channel::Chat, Channel::Phone]);
        p.contact.do_not_call = true;
        p.contact.phone = Some("+48600100200".into());
        assert_eq!(codes(&p), vec![("contact.channels[1]".into(), ProblemCode::CallsForbidden)]);
    }

    #[test]
    fn an_empty_plan_is_refused() {
        assert_eq!(codes(&prefs(&[])), vec![("contact.channels".into(), ProblemCode::Required)]);
    }

    #[test]
    fn whatsapp_without_a_phone_number_names_the_phone_field() {
        assert_eq!(codes(&prefs(&[Channel::Whatsapp])), vec![("contact.phone".into(), ProblemCode::ContactMissing)]);
    }

    #[test]
    fn a_malformed_detail_is_named_with_its_own_code() {
        let mut p = prefs(&[Channel::Email]);
        p.contact.email = Some("anna.example.pl".into());
        assert_eq!(codes(&p), vec![("contact.email".into(), ProblemCode::InvalidEmail)]);
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
    fn a_channel_listed_twice_is_refused_once() {
        assert_eq!(
            codes(&prefs(&[Channel::Chat, Channel::Chat])),
            vec![("contact.channels[1]".into(), ProblemCode::DuplicateChannel)]
        );
    }

    #[test]
    fn a_missing_payment_method_is_required() {
        let mut p = prefs(&[Channel::Chat]);
        p.payment = None;
        assert_eq!(codes(&p), vec![("payment".into(), ProblemCode::Required)]);
    }

    #[test]
    fn validated_preferences_keep_only_canonical_details_that_are_needed() {
        let mut p = prefs(&[Channel::Whatsapp]);
        p.contact.phone = Some("+48 600 100 200".into());
        p.contact.email = Some("not needed".into());
        let v = p.validated(&shop()).unwrap();
        assert_eq!(v.contact.phone.as_deref(), Some("+48600100200"));
        assert_eq!(v.contact.email, None);
    }

    #[test]
    fn the_wire_format_uses_snake_case_names() {
        let json = serde_json::to_value(prefs(&[Channel::Whatsapp])).unwrap();
        assert_eq!(json["contact"]["channels"][0], "whatsapp");
        assert_eq!(json["payment"], "card_on_delivery");
        assert_eq!(json["locale"], "en");
        for m in PaymentMethod::ALL {
            assert_eq!(serde_json::to_value(m).unwrap(), m.as_str());
        }
        for c in Channel::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
    }
}
