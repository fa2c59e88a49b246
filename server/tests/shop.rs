//! The shop profile through the router: availability, presence and the measured reply time.

mod common;

use axum::http::StatusCode;
use common::*;
use kept_protocol::chat::AuthorKind;
use kept_server::routes::shop::live;
use kept_server::store::messages::{self, NewMessage};
use serde_json::json;

#[tokio::test]
async fn the_profile_says_whether_the_shop_is_open_and_when_that_changes() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    let (status, shop) = call(&s, get("/v1/shop", None)).await;
    assert_eq!(status, StatusCode::OK);
    let a = &shop["availability"];
    if a["open_now"] == true {
        assert!(a["closes_at"].is_string());
    } else {
        assert!(a["next_opening"].is_string());
    }
    assert_eq!(a["operators_online"], 0);
    assert_eq!(shop["manager"]["name"], "Anna Nowak");
    assert!(shop["faq"].as_array().unwrap().iter().any(|f| f["locale"] == "pl"));
}

#[tokio::test]
async fn an_operator_heartbeat_makes_the_shop_show_someone_online() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    let (status, _) = call(&s, op_post("/v1/operator/presence", None, json!({}))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, shop) = call(&s, get("/v1/shop", None)).await;
    assert_eq!(shop["availability"]["operators_online"], 1);
}

#[tokio::test]
async fn the_reply_time_is_the_median_of_real_exchanges_in_working_hours() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    // Monday 23 Nov 2026 in Warsaw (UTC+1): replies after 4, 10 and 6 working minutes; the
    // second question waits over the lunch break (13:00-14:00), which does not count.
    let exchanges = [
        ("2026-11-23T09:00:00Z", "2026-11-23T09:04:00Z"),
        ("2026-11-23T11:55:00Z", "2026-11-23T13:05:00Z"),
        ("2026-11-23T14:00:00Z", "2026-11-23T14:06:00Z"),
    ];
    for (asked, answered) in exchanges {
        for (author, at) in [(AuthorKind::Customer, asked), (AuthorKind::Operator, answered)] {
            let at: jiff::Timestamp = at.parse().unwrap();
            s.writer
                .write(move |tx| {
                    Box::pin(async move {
                        let m =
                            NewMessage { order: "KC-1001", author, author_name: None, client_id: None, text: "x", at };
                        messages::add(tx, m).await
                    })
                })
                .await
                .unwrap();
        }
    }
    // The history itself is not read again: the samples were kept as the replies were written.
    kept_server::sql!(&s.pool, |c| sqlx::query("DELETE FROM events").execute(c).await.map(|r| r.rows_affected()))
        .unwrap();
    kept_server::sql!(&s.pool, |c| sqlx::query("DELETE FROM messages").execute(c).await.map(|r| r.rows_affected()))
        .unwrap();
    let now: jiff::Timestamp = "2026-11-24T12:00:00Z".parse().unwrap();
    let rt = live(&s.pool, now).await.unwrap().reply_time.unwrap();
    assert_eq!((rt.median_seconds, rt.sample_size, rt.window_days), (6 * 60, 3, 7));
    let much_later: jiff::Timestamp = "2026-12-10T12:00:00Z".parse().unwrap();
    assert_eq!(live(&s.pool, much_later).await.unwrap().reply_time, None, "outside the 7-day window");
}
