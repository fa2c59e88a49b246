//! Kept's operator console, served by kept-server at `/operator/`: the order list with what needs
//! attention first, and each order with the customer's agreement on top and the chat beside it.
//! Every action goes through the operator API, which enforces the agreement.

mod api;
mod console;
mod i18n;
mod order;
mod record;

fn main() {
    leptos::mount::mount_to_body(console::App);
}
