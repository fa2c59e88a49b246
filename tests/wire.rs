//! The widget's serde-free readers against serde's own JSON: every protocol shape round-trips,
//! so the readers cannot drift from the wire format.
#![cfg(target_arch = "wasm32")]

use kept_protocol::chat::AuthorKind;
use kept_protocol::*;
use kept_widget::wire::{parse, FromJs, Malformed};
use serde::Serialize;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn round_trip<T: Serialize + FromJs + PartialEq + std::fmt::Debug>(value: T) {
    let json = serde_json::to_string(&value).unwrap();
    assert_eq!(parse::<T>(&json), Ok(value), "{json}");
}

fn pln(amount_minor: i64) -> Money {
    Money { amount_minor, currency: "PLN".into() }
}

fn t(h: u16, m: u16) -> LocalTime {
    LocalTime::hm(h, m)
}

fn preferences() -> Preferences {
    Preferences {
        contact: ContactPlan {
            channels: vec![Channel::Chat, Channel::Whatsapp, Channel::Phone],
            do_not_call: false,
            phone: Some("+48600100200".into()),
            email: Some("anna@example.pl".into()),
            telegram: Some("@anna_k".into()),
            callback_window: Some(TimeWindow { start: t(10, 0), end: t(12, 30) }),
        },
        substitutions: SubstitutionPolicy {
            default: SubstitutionRule::Similar { max_increase: PriceCap::Percent { percent: 10 } },
            overrides: vec![
                ItemRule { item: "a".into(), rule: SubstitutionRule::Specific { replacement: "b".into() } },
                ItemRule {
                    item: "c".into(),
                    rule: SubstitutionRule::AskFirst {
                        channel: Channel::Whatsapp,
                        wait_minutes: 15,
                        fallback: Fallback::Similar { max_increase: PriceCap::Amount { amount_minor: 500 } },
                    },
                },
                ItemRule {
                    item: "d".into(),
                    rule: SubstitutionRule::AskFirst {
                        channel: Channel::Chat,
                        wait_minutes: 5,
                        fallback: Fallback::Remove,
                    },
                },
                ItemRule { item: "e".into(), rule: SubstitutionRule::Remove },
                ItemRule { item: "f".into(), rule: SubstitutionRule::CancelOrder },
            ],
        },
        payment: Some(PaymentMethod::CardOnDelivery),
        notes: vec![ItemNote {
            item: "a".into(),
            option: Some("whole".into()),
            text: Some("beans, not ground".into()),
        }],
        locale: Locale::Pl,
    }
}

fn receipt() -> Receipt {
    Receipt {
        version: 3,
        accepted_at: "2026-11-23T10:00:00.000Z".into(),
        digest: "sha256:00".into(),
        summary: vec!["We will not call you.".into()],
        preferences: preferences(),
    }
}

fn change_requests() -> Vec<ChangeRequest> {
    let kinds = [
        ChangeKind::Payment { method: PaymentMethod::CardOnline },
        ChangeKind::Substitution { item: "a".into(), replacement: "b".into(), name: "B".into(), unit_price: pln(100) },
        ChangeKind::DeliverySlot {
            slot: DeliverySlot { start: "2026-11-24T13:00:00Z".into(), end: "2026-11-24T15:00:00Z".into() },
        },
        ChangeKind::Removal { item: "a".into(), refund: pln(5900) },
        ChangeKind::Substitution { item: "c".into(), replacement: "d".into(), name: "D".into(), unit_price: pln(90) },
    ];
    let statuses = [
        ChangeStatus::Pending,
        ChangeStatus::Accepted,
        ChangeStatus::Declined,
        ChangeStatus::Expired,
        ChangeStatus::Withdrawn,
    ];
    kinds
        .into_iter()
        .zip(statuses)
        .enumerate()
        .map(|(i, (change, status))| ChangeRequest {
            id: i as i64,
            change,
            reason: "why".into(),
            status,
            created_at: "2026-11-23T10:00:00Z".into(),
            // Every other one is an ask-first question, with each fallback.
            question: (i % 2 == 1).then(|| kept_protocol::Question {
                deadline: "2026-11-23T10:15:00.000Z".into(),
                fallback: if i == 1 {
                    kept_protocol::Fallback::Remove
                } else {
                    kept_protocol::Fallback::Similar { max_increase: kept_protocol::PriceCap::Percent { percent: 10 } }
                },
                channel: kept_protocol::Channel::Whatsapp,
            }),
        })
        .collect()
}

fn order() -> OrderView {
    let resolutions = vec![
        ItemResolution::Substituted { replacement: "b".into(), name: "B".into(), unit_price: pln(5600) },
        ItemResolution::Removed { refund: pln(5900) },
        ItemResolution::AskedCustomer { channel: Channel::Chat, deadline: "2026-11-23T10:15:00Z".into() },
        ItemResolution::OrderCancelled,
    ];
    let mut timeline: Vec<TimelineEvent> = vec![
        TimelineEvent::Status { status: OrderStatus::OrderInTransit },
        TimelineEvent::PreferencesAgreed { version: 2 },
        TimelineEvent::PromiseBroken { report: 1, receipt_version: 2, promise: Promise::SubstitutedAgainstRule },
        TimelineEvent::ChangeRequested { change_request: 4 },
        TimelineEvent::ChangeAnswered { change_request: 4, accepted: true },
        TimelineEvent::CallbackRequested { callback: 9 },
        TimelineEvent::SurveyAnswered { rating: 5 },
        TimelineEvent::OrderUpdated { dropped: vec![] },
        TimelineEvent::CallLogged { call: 3 },
        TimelineEvent::OrderUpdated { dropped: vec!["coffee-9".into()] },
    ];
    timeline
        .extend(resolutions.into_iter().map(|resolution| TimelineEvent::ItemResolved { item: "a".into(), resolution }));
    OrderView {
        id: "KC-1001".into(),
        status: OrderStatus::OrderProcessing,
        currency: "PLN".into(),
        items: vec![
            Item {
                id: "a".into(),
                name: "Kenya AA".into(),
                quantity: 2,
                unit_price: pln(5900),
                option_set: Some("grind".into()),
                replacements: vec![Replacement { id: "b".into(), name: "Kenya AB".into(), unit_price: pln(5600) }],
                active: true,
            },
            Item {
                id: "z".into(),
                name: "Gone".into(),
                quantity: 1,
                unit_price: pln(100),
                option_set: None,
                replacements: vec![],
                active: false,
            },
        ],
        delivery_slot: Some(DeliverySlot { start: "2026-11-24T09:00:00Z".into(), end: "2026-11-24T11:00:00Z".into() }),
        payment_options: vec![
            PaymentOption {
                method: PaymentMethod::CardOnDelivery,
                available: false,
                unavailable_because: Some(PaymentCondition::SlotStartsFrom { time: t(12, 0) }),
            },
            PaymentOption {
                method: PaymentMethod::BankTransfer,
                available: false,
                unavailable_because: Some(PaymentCondition::MaxTotal { amount_minor: 100 }),
            },
            PaymentOption { method: PaymentMethod::CashOnDelivery, available: true, unavailable_because: None },
        ],
        timeline: timeline
            .into_iter()
            .enumerate()
            .map(|(i, event)| TimelineEntry {
                at: "2026-11-23T10:00:00Z".into(),
                event,
                by: (i % 2 == 1).then(|| "Anna".to_owned()),
            })
            .collect(),
        receipt: Some(receipt()),
        editable: true,
        change_requests: change_requests(),
        survey_due: true,
        known_contact: Some(kept_protocol::backend::KnownContact {
            phone: Some("+48600100200".into()),
            email: None,
            telegram: Some("@anna".into()),
        }),
    }
}

#[wasm_bindgen_test]
fn a_full_order_view_reads_back_exactly() {
    round_trip(order());
}

/// The step reads the order without the chat's parts (their readers load with the chat's chunk);
/// the chat reads those from the same JSON, and together they are the whole order.
#[wasm_bindgen_test]
fn the_step_reads_the_order_without_the_chats_parts_and_the_chat_adds_them() {
    let full = order();
    let json = serde_json::to_string(&full).unwrap();
    let kept_widget::wire::StepOrder(mut step, raw) = parse(&json).unwrap();
    assert!(step.timeline.is_empty() && step.change_requests.is_empty() && !step.survey_due);
    assert_eq!(
        OrderView { timeline: vec![], change_requests: vec![], survey_due: false, ..full.clone() },
        step,
        "everything else as sent"
    );
    kept_widget::wire::order_chat_parts(&mut step, &raw).unwrap();
    assert_eq!(step, full);
    // A malformed chat part is the chat's problem, not the step's.
    let broken = json.replacen("\"timeline\":[", "\"timeline\":[7,", 1);
    let kept_widget::wire::StepOrder(mut step, raw) = parse(&broken).expect("the step still reads it");
    assert_eq!(kept_widget::wire::order_chat_parts(&mut step, &raw), Err(Malformed));
    assert_eq!(parse::<OrderView>(&broken), Err(Malformed));
}

#[wasm_bindgen_test]
fn a_full_shop_profile_reads_back_exactly() {
    round_trip(shop());
}

/// The same split for the shop: the step reads it without what only the chat shows (hours,
/// holidays, availability, reply time, manager, FAQ), the chat adds those from the same JSON.
#[wasm_bindgen_test]
fn the_step_reads_the_shop_without_the_chats_parts_and_the_chat_adds_them() {
    let full = shop();
    let json = serde_json::to_string(&full).unwrap();
    let kept_widget::wire::StepShop(mut step, raw) = parse(&json).unwrap();
    let without = ShopProfile {
        hours: vec![],
        holidays: vec![],
        availability: Availability::default(),
        reply_time: None,
        manager: None,
        faq: vec![],
        ..full.clone()
    };
    assert_eq!(step, without, "everything else as sent");
    kept_widget::wire::shop_chat_parts(&mut step, &raw).unwrap();
    assert_eq!(step, full);
    let broken = json.replacen("\"faq\":[", "\"faq\":[7,", 1);
    let kept_widget::wire::StepShop(mut step, raw) = parse(&broken).expect("the step still reads it");
    assert_eq!(kept_widget::wire::shop_chat_parts(&mut step, &raw), Err(Malformed));
}

fn shop() -> ShopProfile {
    ShopProfile {
        name: "Kept Coffee".into(),
        time_zone: "Europe/Warsaw".into(),
        hours: vec![DayHours { day: Weekday::Sunday, intervals: vec![TimeWindow { start: t(22, 0), end: t(2, 0) }] }],
        holidays: vec![Holiday { date: "2026-12-25".into(), name: Some("Christmas".into()) }],
        availability: Availability {
            open_now: false,
            operators_online: 0,
            closes_at: None,
            next_opening: Some("2026-11-24T08:00:00Z".into()),
            online: vec!["Anna".into()],
        },
        channels: Channel::ALL.to_vec(),
        payment_methods: PaymentMethod::ALL.iter().map(|&method| PaymentOffer { method, conditions: vec![] }).collect(),
        reply_time: Some(ReplyTime { median_seconds: 240, sample_size: 31, window_days: 7 }),
        manager: Some(Manager { name: "Anna Nowak".into(), photo_url: None }),
        faq: vec![FaqEntry {
            id: "d".into(), locale: Locale::Ru, question: "Когда?".into(), answer: "Скоро.".into()
        }],
        show_record: false,
        option_sets: vec![OptionSet {
            id: "grind".into(),
            label: Localized { en: "Grind".into(), ru: Some("Помол".into()), ..Localized::default() },
            options: vec![ItemOption { id: "whole".into(), label: Localized::default() }],
        }],
    }
}

fn promise() -> PromiseEntry {
    PromiseEntry {
        id: 3,
        order: "KC-1001".into(),
        kind: PromiseKind::Reply,
        state: PromiseState::Broken,
        opened_at: "2026-12-01T10:00:00.000Z".into(),
        due_at: Some("2026-12-01T10:05:00.000Z".into()),
        window_start: None,
        promised_minutes: Some(5),
        closed_at: Some("2026-12-01T10:07:00.000Z".into()),
        decided_at: Some("2026-12-01T10:05:00.000Z".into()),
        operator: Some("Anna".into()),
        deviation: None,
        subject: None,
        event: Some(44),
    }
}

#[wasm_bindgen_test]
fn every_event_and_chat_shape_reads_back_exactly() {
    let message = Message {
        id: 7,
        client_id: Some("c1".into()),
        author: AuthorKind::Bot,
        author_name: None,
        text: "<b>plain</b>".into(),
        sent_at: "2026-11-23T10:00:00Z".into(),
    };
    round_trip(MessagePage { messages: vec![message.clone()], older: Some(3) });
    let data = vec![
        EventData::Message { message },
        EventData::Timeline { entry: order().timeline[0].clone() },
        EventData::Status { status: OrderStatus::OrderDelivered },
        EventData::Receipt { receipt: receipt() },
        EventData::ChangeRequest { change_request: change_requests()[0].clone() },
        EventData::ItemResolved { item: "a".into(), resolution: ItemResolution::OrderCancelled },
        EventData::Availability { availability: Availability::default() },
    ];
    for (id, data) in data.into_iter().enumerate() {
        round_trip(Event { id: id as i64, data });
    }
    // A promise event is one the chat does not read: it catches up instead (her promises' words
    // among what it fetches again).
    let event = serde_json::to_string(&Event { id: 9, data: EventData::Promise { promise: promise() } }).unwrap();
    assert_eq!(parse::<Event>(&event), Ok(Event { id: 9, data: EventData::Unknown }));
    let own = OwnPromises {
        promises: vec![promise()],
        lines: vec!["An answer within 5 minutes: answered in 7 minutes (promised 5)".into()],
        trust: Some(kept_protocol::record::TrustWords {
            figures: TrustLine { kept_percent: 97, promises: 1204, days: 30, kinds: vec![] },
            line: "This shop kept 97 % of 1,204 promises in the last 30 days".into(),
            kinds: vec!["Replies: 1,100 of 1,134 kept".into()],
        }),
    };
    let words = parse::<kept_widget::wire::PromiseWords>(&serde_json::to_string(&own).unwrap()).unwrap();
    assert_eq!(words.lines, own.lines);
    let trust = own.trust.unwrap();
    assert_eq!(words.trust, Some((trust.line, trust.kinds)));
    let none = OwnPromises { promises: vec![], lines: vec![], trust: None };
    assert_eq!(
        parse::<kept_widget::wire::PromiseWords>(&serde_json::to_string(&none).unwrap()),
        Ok(Default::default())
    );
    round_trip(Callback { id: 1, window_start: "a".into(), window_end: "b".into(), status: CallbackStatus::Overdue });
    round_trip(Report {
        id: 1,
        receipt_version: 2,
        promise: Promise::Other,
        note: Some("n".into()),
        reported_at: "x".into(),
    });
}

#[wasm_bindgen_test]
fn error_bodies_read_back_and_unknown_codes_stay_readable() {
    round_trip(ErrorBody {
        error: ErrorDetail {
            code: ErrorCode::ValidationFailed,
            message: "m".into(),
            fields: vec![Problem::new("contact.channels[0]", ProblemCode::CallsForbidden)],
        },
    });
    let newer = r#"{"error":{"code":"brand_new","message":"m","fields":[{"path":"x","code":"brand_new"}]}}"#;
    let body: ErrorBody = parse(newer).unwrap();
    assert_eq!(body.error.code, ErrorCode::Unknown);
    assert_eq!(body.error.fields[0].code, ProblemCode::Unknown);
}

#[wasm_bindgen_test]
fn wrong_shapes_are_malformed_not_a_panic() {
    assert_eq!(parse::<Receipt>("{"), Err(Malformed));
    assert_eq!(parse::<Receipt>(r#"{"version":"one"}"#), Err(Malformed));
    assert_eq!(parse::<Money>(r#"{"amount_minor":1.5,"currency":"PLN"}"#), Err(Malformed));
    assert_eq!(parse::<Vec<Channel>>(r#"["chat",7]"#), Err(Malformed));
    assert_eq!(parse::<SubstitutionRule>(r#"{"rule":"teleport"}"#), Err(Malformed));
}

/// The JSON string of an enum value as serde writes it.
fn wire<T: Serialize>(v: T) -> String {
    serde_json::to_string(&v).unwrap()
}

#[wasm_bindgen_test]
fn every_variant_of_every_enum_reads_back() {
    for c in Channel::ALL {
        assert_eq!(parse::<Channel>(&wire(c)), Ok(c));
    }
    for m in PaymentMethod::ALL {
        assert_eq!(parse::<PaymentMethod>(&wire(m)), Ok(m));
    }
    for s in OrderStatus::ALL {
        assert_eq!(parse::<OrderStatus>(&wire(s)), Ok(s));
    }
    for s in ChangeStatus::ALL {
        assert_eq!(parse::<ChangeStatus>(&wire(s)), Ok(s));
    }
    for a in AuthorKind::ALL {
        assert_eq!(parse::<AuthorKind>(&wire(a)), Ok(a));
    }
}

/// An order as a newer server might send it: every enum holds a value this widget never saw.
pub const NEWER_ORDER: &str = r#"{
    "id": "KC-1001", "status": "OrderOnTheMoon", "editable": false,
    "items": [{ "id": "coffee-1", "name": "Ethiopia", "quantity": 1, "unit_price": { "amount_minor": 5900, "currency": "PLN" } }],
    "payment_options": [{ "method": "crypto_on_delivery", "available": true }],
    "timeline": [
        { "at": "2026-11-23T10:00:00.000Z", "event": { "type": "drone_dispatched", "drone": 7 } },
        { "at": "2026-11-23T10:01:00.000Z", "event": { "type": "item_resolved", "item": "coffee-1", "resolution": { "outcome": "teleported" } } }
    ],
    "change_requests": [
        { "id": 1, "change": { "kind": "gift_wrap", "paper": "gold" }, "reason": "Free", "status": "pending", "created_at": "2026-11-23T10:00:00.000Z" },
        { "id": 2, "change": { "kind": "payment", "method": "card_online" }, "reason": "x", "status": "snoozed", "created_at": "2026-11-23T10:00:00.000Z" }
    ]
}"#;

#[wasm_bindgen_test]
fn an_order_view_full_of_values_from_a_newer_server_still_reads() {
    let o: OrderView = parse(NEWER_ORDER).expect("an older widget still reads a newer order");
    assert_eq!(o.status, OrderStatus::Unknown);
    assert_eq!(o.payment_options[0].method, PaymentMethod::Unknown);
    assert_eq!(o.timeline[0].event, TimelineEvent::Unknown);
    assert!(matches!(&o.timeline[1].event, TimelineEvent::ItemResolved { resolution: ItemResolution::Unknown, .. }));
    assert_eq!(o.change_requests[0].change, ChangeKind::Unknown);
    assert_eq!(o.change_requests[1].status, ChangeStatus::Unknown);
    let event: Event = parse(r#"{"id": 9, "data": {"type": "hologram", "x": 1}}"#).unwrap();
    assert_eq!(event.data, EventData::Unknown);
    let m: Message =
        parse(r#"{"id":1,"author":"robot_dog","text":"woof","sent_at":"2026-11-23T10:00:00.000Z"}"#).unwrap();
    assert_eq!(m.author, AuthorKind::Unknown);
    let c: Vec<Channel> = parse(r#"["chat","pigeon"]"#).unwrap();
    assert_eq!(c, vec![Channel::Chat, Channel::Unknown]);
}
