//! A small shop on loopback, as a real shop runs beside kept-server: its checkout page embeds the
//! widget with the token kept-server gave it, and its webhook receiver checks Standard Webhooks
//! signatures the way a shop's own code would (HMAC-SHA256, nothing from kept-server's code).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// One webhook the shop received, with whether its signature was valid.
#[derive(Clone, Debug)]
pub struct Received {
    pub id: String,
    pub valid: bool,
    pub body: serde_json::Value,
}

#[derive(Default)]
struct State {
    page: String,
    /// Answer 500 to this many more webhook requests.
    failing: usize,
    received: Vec<Received>,
    attempts: usize,
}

/// The running shop.
pub struct Shop {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    secret: String,
    state: Arc<Mutex<State>>,
}

impl Shop {
    /// Starts the shop; its webhook receiver verifies with `secret` (`whsec_...`).
    pub fn start(secret: &str) -> Shop {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        let state: Arc<Mutex<State>> = Arc::default();
        let (st, key) = (state.clone(), secret.to_owned());
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let (st, key) = (st.clone(), key.clone());
                std::thread::spawn(move || serve(conn, &st, &key));
            }
        });
        Shop { url, secret: secret.to_owned(), state }
    }

    /// The checkout page embeds the widget for this order, from kept-server at `kept`.
    pub fn set_checkout(&self, kept: &str, order: &str, token: &str, locale: &str) {
        self.state.lock().unwrap().page = format!(
            "<!doctype html><html lang=\"{locale}\"><head><meta charset=\"utf-8\"><title>Shop checkout</title></head>\
             <body><h1>Checkout</h1><main><script type=\"module\" src=\"{kept}/kept.js\" data-endpoint=\"{kept}\" \
             data-order=\"{order}\" data-token=\"{token}\" data-locale=\"{locale}\"></script></main></body></html>"
        );
    }

    /// The next `n` webhook requests answer 500.
    pub fn fail_next(&self, n: usize) {
        self.state.lock().unwrap().failing = n;
    }

    /// Every webhook received so far (answered 200).
    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }

    /// Webhook requests so far, failed ones included.
    pub fn attempts(&self) -> usize {
        self.state.lock().unwrap().attempts
    }

    /// The secret the receiver verifies with.
    pub fn secret(&self) -> &str {
        &self.secret
    }
}

/// Verifies a Standard Webhooks signature header (`v1,<base64>`, possibly several, space-separated).
pub fn verify(secret: &str, id: &str, timestamp: &str, body: &[u8], header: &str) -> bool {
    let Some(key) = secret.strip_prefix("whsec_").and_then(|k| B64.decode(k).ok()) else { return false };
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(&key) else { return false };
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    let expected = B64.encode(mac.finalize().into_bytes());
    header.split(' ').filter_map(|s| s.strip_prefix("v1,")).any(|sig| sig == expected)
}

fn serve(mut conn: TcpStream, state: &Mutex<State>, secret: &str) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(conn.try_clone().expect("a second handle"));
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or("").to_owned(), parts.next().unwrap_or("").to_owned());
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    let header = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone()).unwrap_or_default();
    let len: usize = header("content-length").parse().unwrap_or(0);
    let mut body = vec![0u8; len.min(1 << 20)];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let (status, content_type, answer) = match (method.as_str(), path.as_str()) {
        ("GET", "/checkout") => ("200 OK", "text/html; charset=utf-8", state.lock().unwrap().page.clone()),
        ("POST", "/hooks") => {
            let mut s = state.lock().unwrap();
            s.attempts += 1;
            if s.failing > 0 {
                s.failing -= 1;
                ("500 Internal Server Error", "text/plain", "busy".to_owned())
            } else {
                let (id, ts) = (header("webhook-id"), header("webhook-timestamp"));
                let valid = verify(secret, &id, &ts, &body, &header("webhook-signature"));
                let body = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
                s.received.push(Received { id, valid, body });
                ("200 OK", "text/plain", "ok".to_owned())
            }
        }
        _ => ("404 Not Found", "text/plain", "no".to_owned()),
    };
    let _ = write!(
        conn,
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
        answer.len()
    );
}
