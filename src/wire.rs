//! Reading protocol JSON into the protocol's own types, without serde.
//!
//! Why not serde here: deriving `Deserialize` monomorphises a visitor per type per
//! deserializer, and for the protocol's ~40 types that measured 75 KB gzip of wasm — as much as
//! the rest of the widget. Here the browser's `JSON.parse` builds the object and each type reads
//! its fields through a handful of shared, non-generic helpers. The types are still the ones
//! kept-protocol defines; a browser test round-trips serde's JSON through these readers so they
//! cannot drift from the wire format.

use js_sys::{Array, Reflect};
use kept_protocol::backend::KnownContact;
use kept_protocol::chat::AuthorKind;
use kept_protocol::*;
use wasm_bindgen::JsValue;

/// The value is not the protocol's shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Malformed;

type R<T> = Result<T, Malformed>;

/// A type read from a parsed JSON value.
pub trait FromJs: Sized {
    /// Reads `v`, or says it is malformed.
    fn from_js(v: &JsValue) -> R<Self>;
}

/// Parses JSON text and reads it as `T`.
pub fn parse<T: FromJs>(text: &str) -> R<T> {
    T::from_js(&js_sys::JSON::parse(text).map_err(|_| Malformed)?)
}

fn field(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn absent(v: &JsValue) -> bool {
    v.is_undefined() || v.is_null()
}

/// A required field.
fn req<T: FromJs>(v: &JsValue, key: &str) -> R<T> {
    T::from_js(&field(v, key))
}

/// An optional field: absent or null is None.
fn opt<T: FromJs>(v: &JsValue, key: &str) -> R<Option<T>> {
    let f = field(v, key);
    if absent(&f) {
        Ok(None)
    } else {
        T::from_js(&f).map(Some)
    }
}

/// A field with a default when absent.
fn def<T: FromJs + Default>(v: &JsValue, key: &str) -> R<T> {
    opt(v, key).map(Option::unwrap_or_default)
}

fn object(v: &JsValue) -> R<()> {
    if v.is_object() && !Array::is_array(v) {
        Ok(())
    } else {
        Err(Malformed)
    }
}

fn tag(v: &JsValue, key: &str) -> R<String> {
    object(v)?;
    req(v, key)
}

impl FromJs for String {
    fn from_js(v: &JsValue) -> R<Self> {
        v.as_string().ok_or(Malformed)
    }
}

impl FromJs for bool {
    fn from_js(v: &JsValue) -> R<Self> {
        v.as_bool().ok_or(Malformed)
    }
}

fn integer(v: &JsValue, min: f64, max: f64) -> R<f64> {
    let n = v.as_f64().ok_or(Malformed)?;
    if n.fract() == 0.0 && n >= min && n <= max {
        Ok(n)
    } else {
        Err(Malformed)
    }
}

macro_rules! integers {
    ($($t:ty),*) => {$(
        impl FromJs for $t {
            fn from_js(v: &JsValue) -> R<Self> {
                // JSON numbers beyond 2^53 are not exact in JavaScript; the protocol stays below.
                integer(v, (<$t>::MIN as f64).max(-9_007_199_254_740_991.0), (<$t>::MAX as f64).min(9_007_199_254_740_991.0))
                    .map(|n| n as $t)
            }
        }
    )*};
}
integers!(i64, i32, u32, u16, u8);

/// Calls `f` with each element of the array `v`. Not generic, so that each `Vec<T>` reader adds
/// only its push (measured: the iterator adapters per element type cost more).
fn each(v: &JsValue, f: &mut dyn FnMut(&JsValue) -> R<()>) -> R<()> {
    if !Array::is_array(v) {
        return Err(Malformed);
    }
    let array = Array::from(v);
    for i in 0..array.length() {
        f(&array.get(i))?;
    }
    Ok(())
}

impl<T: FromJs> FromJs for Vec<T> {
    fn from_js(v: &JsValue) -> R<Self> {
        let mut out = Vec::new();
        each(v, &mut |item| {
            out.push(T::from_js(item)?);
            Ok(())
        })?;
        Ok(out)
    }
}

impl<T: FromJs> FromJs for Option<T> {
    fn from_js(v: &JsValue) -> R<Self> {
        if absent(v) {
            Ok(None)
        } else {
            T::from_js(v).map(Some)
        }
    }
}

/// Enums written as one string.
macro_rules! strings {
    ($t:ty { $($name:literal => $variant:expr),* $(,)? } $(else $fallback:expr)?) => {
        impl FromJs for $t {
            fn from_js(v: &JsValue) -> R<Self> {
                match v.as_string().as_deref() {
                    $(Some($name) => Ok($variant),)*
                    $(Some(_) => Ok($fallback),)?
                    _ => Err(Malformed),
                }
            }
        }
    };
}

/// Structs whose fields are read by `req`, `opt` or `def`, under their Rust names.
macro_rules! structs {
    ($($t:ident { $($f:ident: $how:ident),* $(,)? })*) => {$(
        impl FromJs for $t {
            fn from_js(v: &JsValue) -> R<Self> {
                object(v)?;
                Ok($t { $($f: $how(v, stringify!($f))?),* })
            }
        }
    )*};
}

impl FromJs for Channel {
    fn from_js(v: &JsValue) -> R<Self> {
        // A channel a newer server offers is "another channel", not a broken order.
        v.as_string().map(|s| Channel::from_wire(&s).unwrap_or(Channel::Unknown)).ok_or(Malformed)
    }
}

impl FromJs for PaymentMethod {
    fn from_js(v: &JsValue) -> R<Self> {
        v.as_string().map(|s| PaymentMethod::from_wire(&s).unwrap_or(PaymentMethod::Unknown)).ok_or(Malformed)
    }
}

impl FromJs for Locale {
    fn from_js(v: &JsValue) -> R<Self> {
        v.as_string().as_deref().and_then(Locale::parse).ok_or(Malformed)
    }
}

impl FromJs for LocalTime {
    fn from_js(v: &JsValue) -> R<Self> {
        v.as_string().as_deref().and_then(LocalTime::parse).ok_or(Malformed)
    }
}

strings!(OrderStatus {
    "OrderPaymentDue" => OrderStatus::OrderPaymentDue,
    "OrderProcessing" => OrderStatus::OrderProcessing,
    "OrderPickupAvailable" => OrderStatus::OrderPickupAvailable,
    "OrderInTransit" => OrderStatus::OrderInTransit,
    "OrderDelivered" => OrderStatus::OrderDelivered,
    "OrderCancelled" => OrderStatus::OrderCancelled,
    "OrderReturned" => OrderStatus::OrderReturned,
    "OrderProblem" => OrderStatus::OrderProblem,
} else OrderStatus::Unknown);

strings!(Weekday {
    "monday" => Weekday::Monday, "tuesday" => Weekday::Tuesday, "wednesday" => Weekday::Wednesday,
    "thursday" => Weekday::Thursday, "friday" => Weekday::Friday, "saturday" => Weekday::Saturday,
    "sunday" => Weekday::Sunday,
});

strings!(AuthorKind {
    "customer" => AuthorKind::Customer, "operator" => AuthorKind::Operator,
    "system" => AuthorKind::System, "bot" => AuthorKind::Bot,
} else AuthorKind::Unknown);

strings!(Promise {
    "called_me" => Promise::CalledMe, "asked_to_prepay" => Promise::AskedToPrepay,
    "substituted_against_rule" => Promise::SubstitutedAgainstRule, "other" => Promise::Other,
});

/// `GET /v1/orders/{order}/promises` as the chat shows it: a line per promise in her words, and
/// the shop's trust line with the kinds behind it (the figures stay on the server's side).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PromiseWords {
    pub lines: Vec<String>,
    pub trust: Option<(String, Vec<String>)>,
}

impl FromJs for PromiseWords {
    fn from_js(v: &JsValue) -> R<Self> {
        object(v)?;
        let trust = field(v, "trust");
        let trust = if absent(&trust) { None } else { Some((req(&trust, "line")?, def(&trust, "kinds")?)) };
        Ok(PromiseWords { lines: def(v, "lines")?, trust })
    }
}

strings!(CallbackStatus {
    "pending" => CallbackStatus::Pending, "done" => CallbackStatus::Done, "overdue" => CallbackStatus::Overdue,
});

strings!(ChangeStatus {
    "pending" => ChangeStatus::Pending, "accepted" => ChangeStatus::Accepted, "declined" => ChangeStatus::Declined,
    "expired" => ChangeStatus::Expired, "withdrawn" => ChangeStatus::Withdrawn,
} else ChangeStatus::Unknown);

strings!(ProblemCode {
    "required" => ProblemCode::Required,
    "invalid" => ProblemCode::Invalid,
    "invalid_phone" => ProblemCode::InvalidPhone,
    "invalid_email" => ProblemCode::InvalidEmail,
    "invalid_telegram" => ProblemCode::InvalidTelegram,
    "contact_missing" => ProblemCode::ContactMissing,
    "calls_forbidden" => ProblemCode::CallsForbidden,
    "duplicate_channel" => ProblemCode::DuplicateChannel,
    "channel_not_offered" => ProblemCode::ChannelNotOffered,
    "payment_not_offered" => ProblemCode::PaymentNotOffered,
    "payment_unavailable" => ProblemCode::PaymentUnavailable,
    "too_long" => ProblemCode::TooLong,
    "out_of_range" => ProblemCode::OutOfRange,
    "unknown_item" => ProblemCode::UnknownItem,
    "unknown_option" => ProblemCode::UnknownOption,
    "unknown_replacement" => ProblemCode::UnknownReplacement,
    "duplicate" => ProblemCode::Duplicate,
    "channel_not_in_plan" => ProblemCode::ChannelNotInPlan,
    "outside_hours" => ProblemCode::OutsideHours,
} else ProblemCode::Unknown);

strings!(ErrorCode {
    "validation_failed" => ErrorCode::ValidationFailed,
    "malformed_request" => ErrorCode::MalformedRequest,
    "not_found" => ErrorCode::NotFound,
    "unauthorized" => ErrorCode::Unauthorized,
    "idempotency_conflict" => ErrorCode::IdempotencyConflict,
    "not_editable" => ErrorCode::NotEditable,
    "conflict" => ErrorCode::Conflict,
    "payload_too_large" => ErrorCode::PayloadTooLarge,
    "rate_limited" => ErrorCode::RateLimited,
    "unavailable" => ErrorCode::Unavailable,
    "internal" => ErrorCode::Internal,
} else ErrorCode::Unknown);

impl FromJs for PriceCap {
    fn from_js(v: &JsValue) -> R<Self> {
        match tag(v, "kind")?.as_str() {
            "percent" => Ok(PriceCap::Percent { percent: req(v, "percent")? }),
            "amount" => Ok(PriceCap::Amount { amount_minor: req(v, "amount_minor")? }),
            _ => Err(Malformed),
        }
    }
}

impl FromJs for Fallback {
    fn from_js(v: &JsValue) -> R<Self> {
        match tag(v, "then")?.as_str() {
            "similar" => Ok(Fallback::Similar { max_increase: req(v, "max_increase")? }),
            "remove" => Ok(Fallback::Remove),
            _ => Err(Malformed),
        }
    }
}

impl FromJs for SubstitutionRule {
    fn from_js(v: &JsValue) -> R<Self> {
        Ok(match tag(v, "rule")?.as_str() {
            "similar" => SubstitutionRule::Similar { max_increase: req(v, "max_increase")? },
            "specific" => SubstitutionRule::Specific { replacement: req(v, "replacement")? },
            "ask_first" => SubstitutionRule::AskFirst {
                channel: req(v, "channel")?,
                wait_minutes: req(v, "wait_minutes")?,
                fallback: req(v, "fallback")?,
            },
            "remove" => SubstitutionRule::Remove,
            "cancel_order" => SubstitutionRule::CancelOrder,
            _ => return Err(Malformed),
        })
    }
}

impl FromJs for PaymentCondition {
    fn from_js(v: &JsValue) -> R<Self> {
        match tag(v, "kind")?.as_str() {
            "slot_starts_from" => Ok(PaymentCondition::SlotStartsFrom { time: req(v, "time")? }),
            "max_total" => Ok(PaymentCondition::MaxTotal { amount_minor: req(v, "amount_minor")? }),
            _ => Err(Malformed),
        }
    }
}

impl FromJs for ItemResolution {
    fn from_js(v: &JsValue) -> R<Self> {
        Ok(match tag(v, "outcome")?.as_str() {
            "substituted" => ItemResolution::Substituted {
                replacement: req(v, "replacement")?,
                name: req(v, "name")?,
                unit_price: req(v, "unit_price")?,
            },
            "removed" => ItemResolution::Removed { refund: req(v, "refund")? },
            "asked_customer" => {
                ItemResolution::AskedCustomer { channel: req(v, "channel")?, deadline: req(v, "deadline")? }
            }
            "order_cancelled" => ItemResolution::OrderCancelled,
            _ => ItemResolution::Unknown,
        })
    }
}

impl FromJs for TimelineEvent {
    fn from_js(v: &JsValue) -> R<Self> {
        Ok(match tag(v, "type")?.as_str() {
            "status" => TimelineEvent::Status { status: req(v, "status")? },
            "preferences_agreed" => TimelineEvent::PreferencesAgreed { version: req(v, "version")? },
            "promise_broken" => TimelineEvent::PromiseBroken {
                report: req(v, "report")?,
                receipt_version: req(v, "receipt_version")?,
                promise: req(v, "promise")?,
            },
            "item_resolved" => TimelineEvent::ItemResolved { item: req(v, "item")?, resolution: req(v, "resolution")? },
            "change_requested" => TimelineEvent::ChangeRequested { change_request: req(v, "change_request")? },
            "change_answered" => TimelineEvent::ChangeAnswered {
                change_request: req(v, "change_request")?,
                accepted: req(v, "accepted")?,
            },
            "callback_requested" => TimelineEvent::CallbackRequested { callback: req(v, "callback")? },
            "survey_answered" => TimelineEvent::SurveyAnswered { rating: req(v, "rating")? },
            "call_logged" => TimelineEvent::CallLogged { call: req(v, "call")? },
            "order_updated" => TimelineEvent::OrderUpdated { dropped: def(v, "dropped")? },
            _ => TimelineEvent::Unknown,
        })
    }
}

impl FromJs for ChangeKind {
    fn from_js(v: &JsValue) -> R<Self> {
        Ok(match tag(v, "kind")?.as_str() {
            "payment" => ChangeKind::Payment { method: req(v, "method")? },
            "substitution" => ChangeKind::Substitution {
                item: req(v, "item")?,
                replacement: req(v, "replacement")?,
                name: req(v, "name")?,
                unit_price: req(v, "unit_price")?,
            },
            "delivery_slot" => ChangeKind::DeliverySlot { slot: req(v, "slot")? },
            "removal" => ChangeKind::Removal { item: req(v, "item")?, refund: req(v, "refund")? },
            _ => ChangeKind::Unknown,
        })
    }
}

impl FromJs for EventData {
    fn from_js(v: &JsValue) -> R<Self> {
        Ok(match tag(v, "type")?.as_str() {
            "message" => EventData::Message { message: req(v, "message")? },
            "timeline" => EventData::Timeline { entry: req(v, "entry")? },
            "status" => EventData::Status { status: req(v, "status")? },
            "receipt" => EventData::Receipt { receipt: req(v, "receipt")? },
            "change_request" => EventData::ChangeRequest { change_request: req(v, "change_request")? },
            "item_resolved" => EventData::ItemResolved { item: req(v, "item")?, resolution: req(v, "resolution")? },
            "availability" => EventData::Availability { availability: req(v, "availability")? },
            _ => EventData::Unknown,
        })
    }
}

/// An order as the step reads it, with its JSON for the chat: the chat's own parts (the timeline,
/// the change requests, the survey) are left empty here and read by [`order_chat_parts`] in the
/// chat's code, so their readers load with the chat's chunk rather than with the first screen.
#[derive(Clone, Debug)]
pub struct StepOrder(pub OrderView, pub JsValue);

impl FromJs for StepOrder {
    fn from_js(v: &JsValue) -> R<Self> {
        object(v)?;
        let order = OrderView {
            id: req(v, "id")?,
            status: req(v, "status")?,
            currency: def(v, "currency")?,
            items: req(v, "items")?,
            delivery_slot: opt(v, "delivery_slot")?,
            payment_options: def(v, "payment_options")?,
            timeline: Vec::new(),
            receipt: opt(v, "receipt")?,
            editable: req(v, "editable")?,
            change_requests: Vec::new(),
            survey_due: false,
            known_contact: opt(v, "known_contact")?,
        };
        Ok(StepOrder(order, v.clone()))
    }
}

/// Reads into `order` the parts of its JSON `v` that [`StepOrder`] leaves to the chat (none when
/// `v` is undefined: an order made in the browser).
pub fn order_chat_parts(order: &mut OrderView, v: &JsValue) -> R<()> {
    order.timeline = def(v, "timeline")?;
    order.change_requests = def(v, "change_requests")?;
    order.survey_due = def(v, "survey_due")?;
    Ok(())
}

impl FromJs for OrderView {
    fn from_js(v: &JsValue) -> R<Self> {
        let StepOrder(mut order, _) = StepOrder::from_js(v)?;
        order_chat_parts(&mut order, v)?;
        Ok(order)
    }
}

/// A shop profile as the step reads it, with its JSON for the chat: what only the chat shows (the
/// hours, holidays, availability, reply time, manager and FAQ) is left empty here and read by
/// [`shop_chat_parts`] in the chat's code. Equal when the profiles are.
#[derive(Clone, Debug)]
pub struct StepShop(pub ShopProfile, pub JsValue);

impl PartialEq for StepShop {
    fn eq(&self, other: &StepShop) -> bool {
        self.0 == other.0
    }
}

impl Eq for StepShop {}

impl FromJs for StepShop {
    fn from_js(v: &JsValue) -> R<Self> {
        object(v)?;
        let shop = ShopProfile {
            name: req(v, "name")?,
            time_zone: req(v, "time_zone")?,
            hours: Vec::new(),
            holidays: Vec::new(),
            availability: Availability::default(),
            channels: req(v, "channels")?,
            payment_methods: req(v, "payment_methods")?,
            reply_time: None,
            manager: None,
            faq: Vec::new(),
            option_sets: def(v, "option_sets")?,
            show_record: false,
        };
        Ok(StepShop(shop, v.clone()))
    }
}

/// Reads into `shop` the parts of its JSON `v` that [`StepShop`] leaves to the chat (none when `v`
/// is undefined).
pub fn shop_chat_parts(shop: &mut ShopProfile, v: &JsValue) -> R<()> {
    shop.hours = def(v, "hours")?;
    shop.holidays = def(v, "holidays")?;
    shop.availability = def(v, "availability")?;
    shop.reply_time = opt(v, "reply_time")?;
    shop.manager = opt(v, "manager")?;
    shop.faq = def(v, "faq")?;
    Ok(())
}

impl FromJs for ShopProfile {
    fn from_js(v: &JsValue) -> R<Self> {
        let StepShop(mut shop, _) = StepShop::from_js(v)?;
        shop_chat_parts(&mut shop, v)?;
        Ok(shop)
    }
}

impl FromJs for Item {
    fn from_js(v: &JsValue) -> R<Self> {
        object(v)?;
        Ok(Item {
            id: req(v, "id")?,
            name: req(v, "name")?,
            quantity: req(v, "quantity")?,
            unit_price: req(v, "unit_price")?,
            option_set: opt(v, "option_set")?,
            replacements: def(v, "replacements")?,
            active: opt(v, "active")?.unwrap_or(true),
        })
    }
}

structs! {
    Money { amount_minor: req, currency: req }
    Replacement { id: req, name: req, unit_price: req }
    DeliverySlot { start: req, end: req }
    PaymentOption { method: req, available: req, unavailable_because: opt }
    TimelineEntry { at: req, event: req, by: opt }
    Receipt { version: req, accepted_at: req, digest: req, summary: req, preferences: req }
    KnownContact { phone: opt, email: opt, telegram: opt }
    ContactPlan {
        channels: req, do_not_call: def, phone: opt, email: opt, telegram: opt, callback_window: opt,
    }
    ItemRule { item: req, rule: req }
    SubstitutionPolicy { default: def, overrides: def }
    ItemNote { item: req, option: opt, text: opt }
    Preferences { contact: req, substitutions: def, payment: opt, notes: def, locale: req }
    TimeWindow { start: req, end: req }
    DayHours { day: req, intervals: req }
    Holiday { date: req, name: opt }
    Availability { open_now: req, operators_online: req, closes_at: opt, next_opening: opt, online: def }
    PaymentOffer { method: req, conditions: def }
    ReplyTime { median_seconds: req, sample_size: req, window_days: req }
    Manager { name: req, photo_url: opt }
    FaqEntry { id: req, locale: req, question: req, answer: req }
    Localized { en: req, ru: opt, pl: opt, uk: opt, de: opt }
    OptionSet { id: req, label: req, options: req }
    ItemOption { id: req, label: req }
    Problem { path: req, code: req }
    ErrorDetail { code: req, message: req, fields: def }
    ErrorBody { error: req }
    Message { id: req, client_id: opt, author: req, author_name: opt, text: req, sent_at: req }
    MessagePage { messages: req, older: opt }
    Report { id: req, receipt_version: req, promise: req, note: opt, reported_at: req }
    Callback { id: req, window_start: req, window_end: req, status: req }
    ChangeRequest { id: req, change: req, reason: req, status: req, created_at: req, question: opt }
    Question { deadline: req, fallback: req, channel: req }
    Event { id: req, data: req }
    NewMessage { client_id: req, text: req }
    SurveyAnswer { rating: req, comment: opt }

}
