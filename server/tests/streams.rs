//! Event streams over a real socket: they are served off hyper's connection type (serve.rs), so
//! these check the HTTP they speak: the same answers as the router gives, chunked, live.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const MESSAGES: &str = "/v1/orders/KC-1001/messages";

/// Reads from `c` until `until` is in what was read (or 10 s pass); everything read.
async fn read_until(c: &mut TcpStream, got: &mut String, until: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !got.contains(until) {
        let mut buf = [0u8; 4096];
        match tokio::time::timeout_at(deadline, c.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => got.push_str(&String::from_utf8_lossy(&buf[..n])),
            _ => panic!("no {until:?} in {got:?}"),
        }
    }
}

#[tokio::test]
async fn an_event_stream_over_a_socket_is_chunked_live_and_answers_errors_like_the_router() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    let served = serve(&s, Duration::from_secs(5)).await;
    let addr = served.addr;

    let mut c = TcpStream::connect(addr).await.unwrap();
    let head =
        format!("GET /v1/orders/KC-1001/events HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {TOKEN}\r\n\r\n");
    c.write_all(head.as_bytes()).await.unwrap();
    let mut got = String::new();
    read_until(&mut c, &mut got, "\r\n\r\n").await;
    assert!(got.starts_with("HTTP/1.1 200 OK\r\n"), "{got}");
    assert!(got.contains("content-type: text/event-stream"), "{got}");
    assert!(got.contains("transfer-encoding: chunked"), "{got}");
    // A message written now arrives on the open stream.
    let (status, _) =
        call(&s, post(MESSAGES, Some("k1"), json!({ "client_id": "c1", "text": "Over the wire" }).to_string())).await;
    assert_eq!(status.as_u16(), 201);
    read_until(&mut c, &mut got, "Over the wire").await;
    assert!(got.contains("event: message"), "{got}");

    // A wrong token: the router's 404 in its JSON shape, then the connection ends.
    let mut bad = TcpStream::connect(addr).await.unwrap();
    bad.write_all(
        format!("GET /v1/orders/KC-1001/events HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer nope\r\n\r\n")
            .as_bytes(),
    )
    .await
    .unwrap();
    let mut answer = String::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), bad.read_to_string(&mut answer)).await.expect("it closes");
    assert!(answer.starts_with("HTTP/1.1 404 Not Found\r\n"), "{answer}");
    assert!(answer.contains("\"code\":\"not_found\""), "{answer}");

    // Everything else is still served by hyper, keep-alive included.
    let mut other = TcpStream::connect(addr).await.unwrap();
    other.write_all(format!("GET /v1/shop HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes()).await.unwrap();
    let mut shop = String::new();
    read_until(&mut other, &mut shop, "Kept Coffee").await;
    assert!(shop.starts_with("HTTP/1.1 200 OK\r\n"), "{shop}");
    assert!(!shop.contains("connection: close"), "{shop}");

    served.stop().await;
}
