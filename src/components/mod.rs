//! The widget's views: a folder per feature, a file per component.

pub mod app;
pub mod chat;
pub mod preferences;
pub mod receipt;
