//! Kept wire protocol v1: the types the widget, the server and any other backend exchange,
//! the validation both sides run, and the plain-words summary of an agreement.
//!
//! No web dependencies: this crate compiles into the widget's wasm and into the server.

pub mod contact;
pub mod error;
pub mod i18n;
pub mod order;
pub mod preferences;
pub mod problem;
pub mod shop;
pub mod summary;

pub use contact::{Channel, ContactDetail, Email, TelegramHandle, E164};
pub use error::{ErrorBody, ErrorCode, ErrorDetail};
pub use i18n::Locale;
pub use order::{Item, Money, OrderStatus, OrderView, Receipt};
pub use preferences::{ContactPlan, PaymentMethod, Preferences};
pub use problem::{Problem, ProblemCode};
pub use shop::{PaymentOffer, ShopProfile};

/// The header that makes a POST safe to repeat.
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";
