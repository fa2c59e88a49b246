//! Serving the router on a socket, with what axum::serve does not configure: a header-read
//! timeout (a client that never finishes its request headers is disconnected), a bounded
//! graceful shutdown (open event streams never end by themselves), and a lean path for event
//! streams.
//!
//! Event streams stay open for hours and there may be tens of thousands of them. hyper keeps an
//! 8 KB read buffer and an 8 KB write buffer for every HTTP/1 connection while it is open, which
//! would be most of what an idle stream costs. So a connection whose request line asks for an
//! event stream is read here (its head parsed, the buffer dropped), handed to the same router as
//! every other request, and its response written straight to the socket, chunked, the connection
//! closed when the stream ends. Everything else goes to hyper.

use std::future::Future;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Request};
use axum::Router;
use futures_util::StreamExt;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower::ServiceExt;

/// How long shutdown waits for open connections before it closes them.
const DRAIN: Duration = Duration::from_secs(5);
/// The request line of an event stream fits in this much (the token rides in the query).
const PEEK: usize = 512;
/// A request head larger than this is refused.
const HEAD_MAX: usize = 16 * 1024;
const HEADERS_MAX: usize = 64;

/// Serves `app` until `shutdown` resolves.
pub async fn serve(listener: TcpListener, app: Router, header_timeout: Duration, shutdown: impl Future<Output = ()>) {
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(header_timeout);
    builder.http2().timer(TokioTimer::new());
    let graceful = GracefulShutdown::new();
    let (stop, stopping) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, _) = match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        // Out of file descriptors and the like: wait a moment rather than spin.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let (app, builder, watcher, stopping) = (app.clone(), builder.clone(), graceful.watcher(), stopping.clone());
                // The task is as large as its largest state for as long as it runs: hyper's
                // connection and the peek are boxed, so a lean stream does not carry them.
                tokio::spawn(async move {
                    match tokio::time::timeout(header_timeout, Box::pin(is_event_stream(&stream))).await {
                        Ok(true) => stream_connection(stream, app, header_timeout, stopping).await,
                        Ok(false) => {
                            let service = TowerToHyperService::new(app);
                            let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
                            let _ = Box::pin(watcher.watch(conn.into_owned())).await;
                        }
                        // Not even a request line in time: disconnected, as hyper would.
                        Err(_) => {}
                    }
                });
            }
            _ = &mut shutdown => break,
        }
    }
    drop(listener);
    let _ = stop.send(true);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(DRAIN) => {}
    }
}

/// Whether the first request on `stream` is `GET …/events` over HTTP/1.1 (read without taking
/// anything off the socket, so hyper can have it otherwise).
async fn is_event_stream(stream: &TcpStream) -> bool {
    let mut buf = [0u8; PEEK];
    let mut seen = 0;
    // A request line may arrive in pieces; look again until it is whole or cannot be ours.
    for _ in 0..8 {
        let Ok(n) = stream.peek(&mut buf).await else { return false };
        if n == 0 || n == seen {
            return false;
        }
        seen = n;
        if let Some(end) = buf[..n].windows(2).position(|w| w == b"\r\n") {
            return is_event_stream_line(&buf[..end]);
        }
        if n == PEEK || !b"GET ".starts_with(&buf[..n.min(4)]) {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    false
}

/// `GET /v1/…/events[?…] HTTP/1.1`
fn is_event_stream_line(line: &[u8]) -> bool {
    let Ok(line) = std::str::from_utf8(line) else { return false };
    let mut parts = line.split(' ');
    let (Some("GET"), Some(target), Some("HTTP/1.1"), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let path = target.split('?').next().unwrap_or("");
    path.starts_with("/v1/") && path.ends_with("/events")
}

/// Reads the request head, runs it through the router and writes the response as it comes.
async fn stream_connection(
    mut stream: TcpStream,
    app: Router,
    header_timeout: Duration,
    mut stopping: watch::Receiver<bool>,
) {
    let request = match tokio::time::timeout(header_timeout, Box::pin(read_head(&mut stream))).await {
        Ok(Some(r)) => r,
        _ => return,
    };
    let Ok(response) = Box::pin(app.oneshot(request)).await;
    let (head, body) = response.into_parts();
    let chunked = !head.headers.contains_key(axum::http::header::CONTENT_LENGTH);
    if stream.write_all(&response_head(&head, chunked)).await.is_err() {
        return;
    }
    let mut data = body.into_data_stream();
    loop {
        let next = tokio::select! {
            next = data.next() => next,
            _ = stopping.changed() => None,
        };
        let Some(Ok(bytes)) = next else { break };
        if bytes.is_empty() {
            continue;
        }
        let frame = if chunked {
            let mut f = format!("{:x}\r\n", bytes.len()).into_bytes();
            f.extend_from_slice(&bytes);
            f.extend_from_slice(b"\r\n");
            f
        } else {
            bytes.to_vec()
        };
        if stream.write_all(&frame).await.is_err() {
            return;
        }
    }
    if chunked {
        let _ = stream.write_all(b"0\r\n\r\n").await;
    }
    let _ = stream.shutdown().await;
}

/// The request head, parsed; None when it is malformed or too large (the connection just ends).
async fn read_head(stream: &mut TcpStream) -> Option<Request<Body>> {
    let mut buf = Vec::with_capacity(1024);
    loop {
        let mut chunk = [0u8; 1024];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        let mut headers = [httparse::EMPTY_HEADER; HEADERS_MAX];
        let mut parsed = httparse::Request::new(&mut headers);
        match parsed.parse(&buf).ok()? {
            httparse::Status::Complete(_) => {
                let mut req = Request::builder().method(parsed.method?).uri(parsed.path?);
                for h in parsed.headers.iter() {
                    let name = HeaderName::from_bytes(h.name.as_bytes()).ok()?;
                    req = req.header(name, HeaderValue::from_bytes(h.value).ok()?);
                }
                return req.body(Body::empty()).ok();
            }
            httparse::Status::Partial if buf.len() < HEAD_MAX => continue,
            httparse::Status::Partial => return None,
        }
    }
}

/// The status line and headers; the connection closes after this response.
fn response_head(head: &axum::http::response::Parts, chunked: bool) -> Vec<u8> {
    let reason = head.status.canonical_reason().unwrap_or("");
    let mut out = format!("HTTP/1.1 {} {reason}\r\n", head.status.as_u16()).into_bytes();
    for (name, value) in &head.headers {
        if name == axum::http::header::CONNECTION || name == axum::http::header::TRANSFER_ENCODING {
            continue;
        }
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if chunked {
        out.extend_from_slice(b"transfer-encoding: chunked\r\n");
    }
    out.extend_from_slice(b"connection: close\r\n\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_event_stream_requests_take_the_lean_path() {
        assert!(is_event_stream_line(b"GET /v1/orders/KC-1001/events HTTP/1.1"));
        assert!(is_event_stream_line(b"GET /v1/orders/KC-1001/events?access_token=x HTTP/1.1"));
        assert!(is_event_stream_line(b"GET /v1/operator/orders/KC-1001/events HTTP/1.1"));
        assert!(!is_event_stream_line(b"GET /v1/orders/KC-1001/messages HTTP/1.1"));
        assert!(!is_event_stream_line(b"POST /v1/orders/KC-1001/events HTTP/1.1"));
        assert!(!is_event_stream_line(b"GET /v1/orders/KC-1001/events HTTP/1.0"));
        assert!(!is_event_stream_line(b"GET /events HTTP/1.1"));
    }
}
