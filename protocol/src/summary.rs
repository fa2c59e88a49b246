//! The agreement in plain words, one sentence a line, in the customer's language.

use crate::preferences::Preferences;

impl Preferences {
    /// The plain-words summary a receipt carries.
    pub fn summary(&self) -> Vec<String> {
        let l = self.locale;
        let mut lines = Vec::new();
        if self.contact.do_not_call {
            lines.push(
                l.pick("We will not call you.", "Мы не будем вам звонить.", "Nie będziemy do Ciebie dzwonić.")
                    .to_owned(),
            );
        }
        if !self.contact.channels.is_empty() {
            let then = l.pick(", then ", ", затем ", ", potem ");
            let names: Vec<&str> = self.contact.channels.iter().map(|c| c.label(l)).collect();
            let mut line = l.pick("We contact you by: ", "Связь с вами: ", "Kontakt z Tobą: ").to_owned();
            line.push_str(&names.join(then));
            line.push('.');
            lines.push(line);
        }
        if let Some(method) = self.payment {
            let mut line = l.pick("You pay: ", "Оплата: ", "Płatność: ").to_owned();
            line.push_str(method.label(l));
            line.push('.');
            lines.push(line);
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use crate::{Channel, ContactPlan, Locale, PaymentMethod, Preferences};

    fn coffee_story(locale: Locale) -> Preferences {
        Preferences {
            contact: ContactPlan {
                channels: vec![Channel::Chat, Channel::Whatsapp],
                do_not_call: true,
                phone: Some("+48600100200".into()),
                ..ContactPlan::default()
            },
            payment: Some(PaymentMethod::CardOnDelivery),
            locale,
        }
    }

    #[test]
    fn the_summary_says_no_calls_channels_in_order_and_payment() {
        assert_eq!(
            coffee_story(Locale::En).summary(),
            vec![
                "We will not call you.",
                "We contact you by: Chat on this site, then WhatsApp.",
                "You pay: Card on delivery.",
            ]
        );
    }

    #[test]
    fn the_summary_speaks_the_customers_language() {
        let ru = coffee_story(Locale::Ru).summary();
        assert_eq!(ru[0], "Мы не будем вам звонить.");
        assert_eq!(coffee_story(Locale::Pl).summary()[2], "Płatność: Kartą przy odbiorze.");
    }
}
