//! Background work: each worker claims its work through the store.

pub mod ask_first;
pub mod notify;
pub mod promises;
pub mod retention;
pub mod webhooks;
