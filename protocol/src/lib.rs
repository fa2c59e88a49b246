//! Kept wire protocol v1: the types the widget, the server and any other backend exchange,
//! the validation both sides run, and the plain-words summary of an agreement.
//!
//! No web dependencies: this crate compiles into the widget's wasm and into the server.

pub mod backend;
#[cfg(feature = "catalogs")]
pub mod catalog;
pub mod chat;
pub mod contact;
pub mod error;
pub mod faq;
pub mod i18n;
pub mod json;
pub mod notify;
pub mod operator;
pub mod order;
pub mod preferences;
pub mod problem;
pub mod record;
#[cfg(feature = "schema")]
pub mod schema;
pub mod shop;
pub mod substitution;
pub mod summary;
pub mod time;

pub use chat::{
    BrokenPromiseReport, Callback, CallbackRequest, CallbackStatus, ChangeKind, ChangeRequest, ChangeStatus,
    ConsentAnswer, Event, EventData, Message, MessagePage, NewMessage, Promise, Question, Report, SurveyAnswer,
};
pub use contact::{Channel, ContactDetail, Email, TelegramHandle, E164};
pub use error::{ErrorBody, ErrorCode, ErrorDetail};
pub use i18n::{Locale, Words};
pub use order::{
    DeliverySlot, Item, ItemResolution, Money, OrderStatus, OrderView, PaymentOption, Receipt, Replacement,
    TimelineEntry, TimelineEvent,
};
pub use preferences::{ContactPlan, ItemNote, PaymentMethod, Preferences};
pub use problem::{Problem, ProblemCode};
pub use record::{Deviation, OwnPromises, PromiseEntry, PromiseKind, PromiseState, TrustLine};
pub use shop::{
    Availability, DayHours, FaqEntry, Holiday, ItemOption, Localized, Manager, OptionSet, PaymentCondition,
    PaymentOffer, ReplyTime, ShopProfile, Weekday,
};
pub use substitution::{Fallback, ItemRule, PriceCap, SubstitutionPolicy, SubstitutionRule};
pub use time::{LocalTime, TimeWindow};

/// The header that makes a POST safe to repeat.
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";
