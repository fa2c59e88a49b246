//! The rules, as plain functions over the protocol's types, with the clock passed in where time
//! matters: no SQL, no HTTP. Routes and workers call them and the store.

pub mod change;
pub mod inbound;
pub mod links;
pub mod notify;
pub mod order;
pub mod payment;
pub mod promise;
pub mod receipt;
pub mod reply_time;
pub mod schedule;
pub mod shop;
pub mod substitution;
