//! Reaching her where she is: which of the shop's words follow her when she has not seen them,
//! over which of her channels, and the notification itself in her language.

use jiff::tz::TimeZone;
use jiff::Timestamp;
use kept_protocol::chat::{AuthorKind, ChangeKind, ChangeRequest, ChangeStatus, EventData, Message};
use kept_protocol::i18n::Words;
use kept_protocol::order::{OrderStatus, Receipt};
use kept_protocol::preferences::ContactPlan;
use kept_protocol::{Channel, ShopProfile};

/// Whether an event is the shop telling her something she should not miss: a person's message,
/// a question or change request waiting for her answer, the order moving on.
pub fn tells_her(data: &EventData) -> bool {
    match data {
        EventData::Message { message } => message.author == AuthorKind::Operator,
        EventData::ChangeRequest { change_request } => change_request.status == ChangeStatus::Pending,
        EventData::Status { .. } => true,
        _ => false,
    }
}

/// Where a notification goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// Kept's own email, to this address.
    Email(String),
    /// The shop's provider (`notification.requested`): the channel and her detail for it.
    Provider { channel: Channel, to: String },
    /// Nowhere: she chose no channel beyond this site's chat that can carry it.
    Nowhere,
}

/// The first channel of her plan, in her order, that can carry a notification and has its
/// contact detail: never a phone call (whatever "do not call" says, a notification is not a
/// reason to ring), never this site's chat (it is what she did not see). Email goes out by Kept
/// itself when it has a mail server (`email_built_in`), else through the shop's provider.
pub fn route(plan: &ContactPlan, email_built_in: bool) -> Route {
    for &channel in &plan.channels {
        let to = match channel {
            Channel::Email => plan.email.as_ref(),
            Channel::Sms | Channel::Whatsapp => plan.phone.as_ref(),
            Channel::Telegram => plan.telegram.as_ref(),
            Channel::Chat | Channel::Phone | Channel::Unknown => None,
        };
        let Some(to) = to.filter(|t| !t.trim().is_empty()) else { continue };
        return match channel {
            Channel::Email if email_built_in => Route::Email(to.clone()),
            _ => Route::Provider { channel, to: to.clone() },
        };
    }
    Route::Nowhere
}

/// What the shop said that she has not seen, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Unseen {
    pub messages: Vec<Message>,
    pub requests: Vec<ChangeRequest>,
    /// The order's status, when it moved since she last saw it.
    pub status: Option<OrderStatus>,
}

impl Unseen {
    /// How many things it carries.
    pub fn count(&self) -> u32 {
        (self.messages.len() + self.requests.len() + usize::from(self.status.is_some())) as u32
    }

    pub fn is_empty(&self) -> bool {
        self.count() == 0
    }
}

/// A notification in her language: its subject, plain text (what a messenger provider sends)
/// and HTML (every text escaped, no remote images).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
    pub locale: kept_protocol::Locale,
}

/// What the shop needs to write her: its profile, the order, her agreement.
pub struct Context<'a> {
    pub shop: &'a ShopProfile,
    pub order: &'a str,
    pub receipt: Option<&'a Receipt>,
    pub now: Timestamp,
    /// One-tap answers to the requests it carries, by request id (none without a public URL).
    pub links: &'a [(i64, [super::links::Link; 2])],
    /// Whether she can answer by replying (an email with its reply address).
    pub replies: bool,
}

/// One change request as she reads it ("Substitute with Kenya AB, 250 g (56,00 zł)").
pub fn change_text(c: &ChangeRequest, w: &dyn Words, tz: &TimeZone, now: Timestamp) -> String {
    let what = match &c.change {
        ChangeKind::Payment { method } => w.text("chat.pay_by", &[("method", &method.label(w))]),
        ChangeKind::Substitution { name, unit_price, .. } => {
            w.text("chat.substitute_with", &[("name", name), ("price", &w.money(unit_price))])
        }
        ChangeKind::DeliverySlot { slot } => {
            let at = slot.start.parse().map(|t| super::promise::when(w, tz, t, now)).unwrap_or_default();
            w.text("chat.deliver_at", &[("time", &at)])
        }
        ChangeKind::Removal { refund, .. } => w.text("chat.remove_and_refund", &[("amount", &w.money(refund))]),
        ChangeKind::Unknown => w.text("chat.change_asked", &[]),
    };
    let deadline = c.question.as_ref().and_then(|q| q.deadline.parse::<Timestamp>().ok());
    match deadline {
        Some(d) => {
            let by = super::promise::when(w, tz, d, now);
            [what, ". ".into(), w.text("mail.answer_by", &[("time", &by)])].concat()
        }
        None => what,
    }
}

/// The notification of `unseen`, in `w`'s language.
pub fn render(unseen: &Unseen, cx: &Context, w: &dyn Words) -> Rendered {
    let tz = jiff::tz::TimeZone::get(&cx.shop.time_zone).unwrap_or(TimeZone::UTC);
    let subject = w.text("mail.subject", &[("shop", &cx.shop.name), ("order", cx.order)]);
    let intro = w.text("mail.intro", &[("shop", &cx.shop.name), ("order", cx.order)]);
    // What was said, a paragraph each: who and when, then the words.
    let mut said: Vec<(String, String, &[super::links::Link])> = Vec::new();
    for m in &unseen.messages {
        let who = m.author_name.clone().unwrap_or_else(|| w.text("chat.shop", &[]));
        let at = m.sent_at.parse().map(|t| super::promise::when(w, &tz, t, cx.now)).unwrap_or_default();
        said.push(([who, ", ".into(), at].concat(), m.text.clone(), &[]));
    }
    for r in &unseen.requests {
        let head = w.text("mail.asks", &[("shop", &cx.shop.name)]);
        let body = [change_text(r, w, &tz, cx.now), "\n".into(), r.reason.clone()].concat();
        let links = cx.links.iter().find(|(id, _)| *id == r.id).map_or(&[][..], |(_, l)| &l[..]);
        said.push((head, body, links));
    }
    if let Some(s) = unseen.status {
        said.push((w.text("mail.status", &[]), s.label(w), &[]));
    }
    let agreement =
        cx.receipt.map(|r| (w.text("mail.agreement", &[("version", &r.version.to_string())]), r.summary.clone()));
    let minutes = kept_protocol::ReplyTime::promised_minutes(cx.shop.reply_time.as_ref());
    let promise = w.count("mail.reply_promise", f64::from(minutes), &[]);
    let why = w.text("mail.why", &[]);
    let reply = cx.replies.then(|| w.text("mail.reply_hint", &[("shop", &cx.shop.name)]));

    let mut text = [intro.clone(), "\n\n".into()].concat();
    for (head, body, links) in &said {
        text.push_str(&[head.as_str(), ":\n", body.as_str(), "\n"].concat());
        for l in *links {
            text.push_str(&[l.label.as_str(), ": ", l.url.as_str(), "\n"].concat());
        }
        text.push('\n');
    }
    if let Some((head, lines)) = &agreement {
        text.push_str(head);
        text.push('\n');
        for l in lines {
            text.push_str(&["- ", l.as_str(), "\n"].concat());
        }
        text.push('\n');
    }
    if let Some(reply) = &reply {
        text.push_str(&[reply.as_str(), "\n"].concat());
    }
    text.push_str(&[promise.as_str(), "\n\n-- \n", why.as_str(), "\n"].concat());

    let e = escape;
    let mut html = [
        "<!DOCTYPE html><html lang=\"",
        w.locale().tag(),
        "\"><head><meta charset=\"utf-8\"><title>",
        &e(&subject),
        "</title></head><body>",
        "<p>",
        &e(&intro),
        "</p>",
    ]
    .concat();
    for (head, body, links) in &said {
        let body = e(body).replace('\n', "<br>");
        html.push_str(&["<p><strong>", &e(head), "</strong><br>", &body, "</p>"].concat());
        if !links.is_empty() {
            html.push_str("<p>");
            for l in *links {
                html.push_str(&[r#"<a href=""#, &e(&l.url), r#"" style="display:inline-block;padding:8px 16px;margin:0 8px 8px 0;border:1px solid #555;border-radius:6px;text-decoration:none">"#, &e(&l.label), "</a>"].concat());
            }
            html.push_str("</p>");
        }
    }
    if let Some((head, lines)) = &agreement {
        html.push_str(&["<p><strong>", &e(head), "</strong></p><ul>"].concat());
        for l in lines {
            html.push_str(&["<li>", &e(l), "</li>"].concat());
        }
        html.push_str("</ul>");
    }
    if let Some(reply) = &reply {
        html.push_str(&["<p>", &e(reply), "</p>"].concat());
    }
    html.push_str(&["<p>", &e(&promise), "</p><p><small>", &e(&why), "</small></p></body></html>"].concat());
    Rendered { subject, text, html, locale: w.locale() }
}

/// Text made safe for HTML: markup in a message is shown, never run.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use kept_protocol::catalog::words;
    use kept_protocol::Locale;

    fn plan(channels: &[Channel]) -> ContactPlan {
        ContactPlan {
            channels: channels.to_vec(),
            do_not_call: false,
            phone: Some("+48600100200".into()),
            email: Some("ola@example.pl".into()),
            telegram: Some("@ola".into()),
            callback_window: None,
        }
    }

    #[test]
    fn the_first_channel_of_her_plan_that_can_carry_it_and_never_a_call() {
        use Channel::*;
        assert_eq!(route(&plan(&[Email, Whatsapp]), true), Route::Email("ola@example.pl".into()));
        assert_eq!(
            route(&plan(&[Phone, Whatsapp, Email]), true),
            Route::Provider { channel: Whatsapp, to: "+48600100200".into() }
        );
        assert_eq!(route(&plan(&[Chat, Telegram]), true), Route::Provider { channel: Telegram, to: "@ola".into() });
        // Without a mail server of its own, Kept hands email to the shop's provider too.
        assert_eq!(route(&plan(&[Email]), false), Route::Provider { channel: Email, to: "ola@example.pl".into() });
        assert_eq!(route(&plan(&[Chat]), true), Route::Nowhere);
        assert_eq!(route(&plan(&[Chat, Phone]), true), Route::Nowhere, "a call is never a notification");
        let mut no_email = plan(&[Email, Sms]);
        no_email.email = None;
        assert_eq!(route(&no_email, true), Route::Provider { channel: Sms, to: "+48600100200".into() });
    }

    #[test]
    fn only_what_the_shop_says_to_her_follows_her() {
        let message = |author| Message {
            id: 1,
            client_id: None,
            author,
            author_name: None,
            text: "Hi".into(),
            sent_at: "2026-12-07T10:00:00.000Z".into(),
        };
        assert!(tells_her(&EventData::Message { message: message(AuthorKind::Operator) }));
        assert!(!tells_her(&EventData::Message { message: message(AuthorKind::Customer) }));
        assert!(!tells_her(&EventData::Message { message: message(AuthorKind::Bot) }));
        assert!(tells_her(&EventData::Status { status: OrderStatus::OrderInTransit }));
    }

    #[test]
    fn a_question_carries_its_one_tap_answers_and_an_email_says_she_can_reply() {
        use kept_protocol::chat::{ChangeKind, ChangeRequest};
        let shop = ShopProfile::new("Kawa & Co", "Europe/Warsaw", vec![Channel::Chat], vec![]);
        let request = ChangeRequest {
            id: 7,
            change: ChangeKind::Removal {
                item: "coffee-3".into(),
                refund: kept_protocol::Money { amount_minor: 5600, currency: "PLN".into() },
            },
            reason: "Sold out".into(),
            status: kept_protocol::chat::ChangeStatus::Pending,
            created_at: "2026-12-07T09:40:00.000Z".into(),
            question: None,
        };
        let unseen = Unseen { messages: vec![], requests: vec![request.clone()], status: None };
        let now: Timestamp = "2026-12-07T09:45:00Z".parse().unwrap();
        let w = words(Locale::En);
        let links = [(7, super::super::links::links(b"key", "https://kept.example", "KC-1", &request, w))];
        let cx = Context { shop: &shop, order: "KC-1", receipt: None, now, links: &links, replies: true };
        let r = render(&unseen, &cx, w);
        assert!(r.text.contains("Accept: https://kept.example/v1/orders/KC-1/answers/7-a-"), "{}", r.text);
        assert!(r.text.contains("Decline: https://kept.example/v1/orders/KC-1/answers/7-d-"), "{}", r.text);
        assert!(r.html.contains("href=\"https://kept.example/v1/orders/KC-1/answers/7-a-"), "{}", r.html);
        assert!(r.text.contains("by replying to this email"), "{}", r.text);
        let cx = Context { links: &[], replies: false, ..cx };
        let r = render(&unseen, &cx, w);
        assert!(!r.text.contains("https://") && !r.text.contains("replying"), "{}", r.text);
    }

    #[test]
    fn html_escapes_what_the_shop_wrote() {
        assert_eq!(
            escape("<img src=x onerror=alert(1)> & \"q\""),
            "&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot;"
        );
    }

    #[test]
    fn a_batch_in_polish_carries_every_message_the_agreement_and_the_reply_promise() {
        let shop = ShopProfile::new("Kawa & Co", "Europe/Warsaw", vec![Channel::Chat], vec![]);
        let message = |id, text: &str| Message {
            id,
            client_id: None,
            author: AuthorKind::Operator,
            author_name: Some("Anna".into()),
            text: text.into(),
            sent_at: "2026-12-07T09:40:00.000Z".into(),
        };
        let unseen = Unseen {
            messages: vec![message(1, "Dzień dobry"), message(2, "<b>Gotowe</b>")],
            requests: vec![],
            status: Some(OrderStatus::OrderInTransit),
        };
        let now: Timestamp = "2026-12-07T09:45:00Z".parse().unwrap();
        let cx = Context { shop: &shop, order: "KC-1001", receipt: None, now, links: &[], replies: true };
        let r = render(&unseen, &cx, words(Locale::Pl));
        assert!(r.subject.contains("KC-1001"), "{}", r.subject);
        assert!(r.text.contains("Anna, dziś, 10:40:\nDzień dobry"), "{}", r.text);
        assert!(r.text.contains("<b>Gotowe</b>"), "plain text keeps the words: {}", r.text);
        assert!(r.html.contains("&lt;b&gt;Gotowe&lt;/b&gt;") && !r.html.contains("<b>Gotowe"), "{}", r.html);
        assert!(r.html.contains("lang=\"pl\"") && !r.html.contains("<img"), "{}", r.html);
        assert!(r.text.contains("15 minut"), "the reply promise: {}", r.text);
        assert_eq!(unseen.count(), 3);
    }
}
