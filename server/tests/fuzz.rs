//! A bounded property test of the preference parser and validator: no input makes them panic,
//! and whatever they accept is valid when checked again.

use kept_protocol::{OrderView, Preferences, ShopProfile};
use kept_server::extract::parse_json;
use kept_server::seed::{demo_items, demo_shop};
use proptest::prelude::*;
use serde_json::{json, Value};

fn order() -> OrderView {
    OrderView::new("KC-1001", kept_protocol::OrderStatus::OrderProcessing, demo_items())
}

/// JSON built from the protocol's own words, so the fuzzer reaches deep into the types.
fn word() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!("chat")),
        Just(json!("phone")),
        Just(json!("whatsapp")),
        Just(json!("email")),
        Just(json!("similar")),
        Just(json!("ask_first")),
        Just(json!("specific")),
        Just(json!("remove")),
        Just(json!("percent")),
        Just(json!("amount")),
        Just(json!("coffee-3")),
        Just(json!("whole")),
        Just(json!("card_on_delivery")),
        Just(json!("en")),
        Just(json!("10:00")),
        Just(json!("+48600100200")),
        any::<i64>().prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
        Just(Value::Null),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("contact"),
        Just("channels"),
        Just("do_not_call"),
        Just("phone"),
        Just("email"),
        Just("telegram"),
        Just("callback_window"),
        Just("start"),
        Just("end"),
        Just("substitutions"),
        Just("default"),
        Just("overrides"),
        Just("item"),
        Just("rule"),
        Just("max_increase"),
        Just("kind"),
        Just("percent"),
        Just("amount_minor"),
        Just("channel"),
        Just("wait_minutes"),
        Just("fallback"),
        Just("then"),
        Just("replacement"),
        Just("payment"),
        Just("notes"),
        Just("option"),
        Just("text"),
        Just("locale"),
    ]
    .prop_map(str::to_owned)
}

fn json_value() -> impl Strategy<Value = Value> {
    word().prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn check(bytes: &[u8], shop: &ShopProfile) {
    if let Ok(p) = parse_json::<Preferences>(bytes) {
        if let Ok(valid) = p.validated(shop, &order()) {
            assert!(valid.problems(shop, &order()).is_empty());
            let _ = valid.summary(shop, &order(), kept_protocol::catalog::words(valid.locale));
        }
    }
}

proptest! {
    // A fixed seed and a count, never a time budget: every machine runs the same 3,000 cases, so a
    // failure found in CI replays anywhere.
    #![proptest_config(ProptestConfig {
        cases: 3000,
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x6b65_7074),
        ..ProptestConfig::default()
    })]

    #[test]
    fn structured_json_never_panics_the_parser_or_validator(v in json_value()) {
        check(v.to_string().as_bytes(), &demo_shop());
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_parser(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        check(&bytes, &demo_shop());
    }
}
