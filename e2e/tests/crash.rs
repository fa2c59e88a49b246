//! The server killed with SIGKILL in the middle of a burst of writes and restarted on the same
//! SQLite file or PostgreSQL database: every acknowledged write is stored exactly once with
//! exactly one event, clients that retry with their keys lose nothing and duplicate nothing, and
//! a live client that reconnects with Last-Event-ID receives every event exactly once.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kept_e2e::server::{TestServer, ORDER, TOKEN};
use serde_json::{json, Value};

/// One SSE frame: id, event name, data.
type Frame = (i64, String, Value);

/// Reads the order's event stream from `after` over a plain socket until `keep_going` says stop
/// (checked whenever a second passes with nothing to read); reconnects with Last-Event-ID when
/// the connection drops, for at most 60 s in all.
fn follow(addr: &str, after: i64, keep_going: impl Fn(&[Frame]) -> bool) -> Vec<Frame> {
    let mut frames: Vec<Frame> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut last = after;
    'connect: while Instant::now() < deadline {
        let Ok(mut sock) = TcpStream::connect(addr) else {
            std::thread::sleep(Duration::from_millis(100));
            continue;
        };
        let _ = sock.set_read_timeout(Some(Duration::from_secs(1)));
        let request = format!(
            "GET /v1/orders/{ORDER}/events HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {TOKEN}\r\n\
             Last-Event-ID: {last}\r\nAccept: text/event-stream\r\n\r\n"
        );
        if sock.write_all(request.as_bytes()).is_err() {
            continue;
        }
        let mut reader = BufReader::new(sock);
        let (mut id, mut name, mut data) = (None, None, None);
        let mut line = String::new();
        loop {
            if Instant::now() > deadline {
                break 'connect;
            }
            line.clear();
            match reader.read_line(&mut line) {
                // Closed: the server died; reconnect from the last id seen.
                Ok(0) => continue 'connect,
                Ok(_) => {}
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                    if !keep_going(&frames) {
                        break 'connect;
                    }
                    continue;
                }
                Err(_) => continue 'connect,
            }
            let l = line.trim_end_matches(['\r', '\n']);
            // Chunk-size lines of the chunked encoding never start with these fields.
            if let Some(v) = l.strip_prefix("id:") {
                id = v.trim().parse::<i64>().ok();
            } else if let Some(v) = l.strip_prefix("event:") {
                name = Some(v.trim().to_owned());
            } else if let Some(v) = l.strip_prefix("data:") {
                data = serde_json::from_str::<Value>(v.trim()).ok();
            } else if l.is_empty() {
                if let (Some(i), Some(n), Some(d)) = (id.take(), name.take(), data.take()) {
                    last = i;
                    frames.push((i, n, d));
                }
            }
        }
    }
    frames
}

fn agent() -> ureq::Agent {
    kept_e2e::agent(Duration::from_secs(5))
}

/// POSTs with the same key until the server answers 2xx (it may be dead for a while): bounded.
fn until_stored(url: &str, key: &str, body: &Value) -> Instant {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let res = agent()
            .post(url)
            .header("Authorization", &format!("Bearer {TOKEN}"))
            .header("Idempotency-Key", key)
            .send_json(body);
        if let Ok(r) = res {
            if r.status().is_success() {
                return Instant::now();
            }
            assert!(r.status().as_u16() >= 500 || r.status().as_u16() == 429, "{key}: {}", r.status());
        }
        assert!(Instant::now() < deadline, "{key} was never stored");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn agreement(i: usize) -> Value {
    let method = if i.is_multiple_of(2) { "card_online" } else { "card_on_delivery" };
    json!({ "contact": { "channels": ["chat"], "do_not_call": true }, "payment": method, "locale": "en" })
}

#[test]
fn a_server_killed_mid_burst_loses_and_duplicates_nothing() {
    killed_mid_burst(TestServer::start_with(&[], &FLAGS));
}

// The same on PostgreSQL: the instance dies with transactions open; the engine rolls them back.
#[test]
fn a_server_on_postgresql_killed_mid_burst_loses_and_duplicates_nothing() {
    killed_mid_burst(TestServer::instances(1, &FLAGS).pop().expect("one instance"));
}

const FLAGS: [&str; 2] = ["--rate-limit", "100000"];

fn killed_mid_burst(mut server: TestServer) {
    let base = server.url.clone();
    let addr = base.trim_start_matches("http://").to_owned();
    let start = follow(&addr, 0, |_| false).last().map_or(0, |f| f.0);

    let done = Arc::new(AtomicBool::new(false));
    let live = {
        let (addr, done) = (addr.clone(), done.clone());
        std::thread::spawn(move || follow(&addr, start, |_| !done.load(Ordering::SeqCst)))
    };

    // Four clients: 60 messages and 10 agreements each.
    let acked = Arc::new(AtomicUsize::new(0));
    let before_kill: Arc<Mutex<Vec<String>>> = Arc::default();
    let killed_at: Arc<Mutex<Option<Instant>>> = Arc::default();
    let clients: Vec<_> = (0..4)
        .map(|c| {
            let (base, acked, before_kill, killed_at) =
                (base.clone(), acked.clone(), before_kill.clone(), killed_at.clone());
            std::thread::spawn(move || {
                for i in 0..70 {
                    let (url, key, body) = if i % 7 == 6 {
                        let n = c * 10 + i / 7;
                        (format!("{base}/v1/orders/{ORDER}/preferences"), format!("agree-{n}"), agreement(n))
                    } else {
                        let id = format!("m-{c}-{i}");
                        (
                            format!("{base}/v1/orders/{ORDER}/messages"),
                            format!("k-{id}"),
                            json!({ "client_id": id, "text": format!("message {c}/{i}") }),
                        )
                    };
                    let at = until_stored(&url, &key, &body);
                    acked.fetch_add(1, Ordering::SeqCst);
                    if killed_at.lock().unwrap().is_none_or(|k| at < k) {
                        before_kill.lock().unwrap().push(key);
                    }
                }
            })
        })
        .collect();

    kept_e2e::wait_for("a third of the burst", Duration::from_secs(60), || {
        (acked.load(Ordering::SeqCst) >= 90).then_some(())
    });
    *killed_at.lock().unwrap() = Some(Instant::now());
    server.restart(); // SIGKILL, then the same port and the same database
    for c in clients {
        c.join().expect("a client finished");
    }
    assert_eq!(acked.load(Ordering::SeqCst), 280);
    assert!(before_kill.lock().unwrap().len() >= 90);

    // What is stored, read back from the backlog.
    let stored = follow(&addr, start, |_| false);
    done.store(true, Ordering::SeqCst);
    let live = live.join().expect("the live client finished");

    let mut per_message: BTreeMap<String, usize> = BTreeMap::new();
    let mut receipts = 0;
    for (_, name, data) in &stored {
        match name.as_str() {
            "message" => {
                *per_message.entry(data["message"]["client_id"].as_str().unwrap_or("").to_owned()).or_default() += 1
            }
            "receipt" => receipts += 1,
            _ => {}
        }
    }
    for c in 0..4 {
        for i in (0..70).filter(|i| i % 7 != 6) {
            assert_eq!(per_message.get(&format!("m-{c}-{i}")), Some(&1), "message m-{c}-{i}: one event");
        }
    }
    assert_eq!(per_message.len(), 240);
    assert_eq!(receipts, 40, "each agreement once");
    let order: Value = agent()
        .get(&format!("{base}/v1/orders/{ORDER}"))
        .header("Authorization", &format!("Bearer {TOKEN}"))
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    let agreed =
        order["timeline"].as_array().unwrap().iter().filter(|e| e["event"]["type"] == "preferences_agreed").count();
    assert_eq!(agreed, 40);

    let live_ids: Vec<i64> = live.iter().map(|f| f.0).collect();
    let stored_ids: Vec<i64> = stored.iter().map(|f| f.0).collect();
    assert_eq!(live_ids.iter().collect::<HashSet<_>>().len(), live_ids.len(), "no event twice");
    assert_eq!(live_ids, stored_ids, "the live client got every event, once, in order");
}
