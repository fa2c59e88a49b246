//! The server at scale, part of `cargo xtask bench`: agreements per second on each engine with
//! one and two instances, and SSE fan-out to subscribers spread over many orders and instances.
//! Loopback only; every loop is bounded in count and time.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::bench::percentile;
use crate::server::{TestServer, OPERATOR};
use crate::wait_for;

/// The backend key the measured servers run with (orders are made through the backend API).
pub const BACKEND_KEY: &str = "bench-backend-key-0123456789";
/// The flags of every measured server.
pub const FLAGS: [&str; 4] = ["--rate-limit", "100000000", "--backend-key", BACKEND_KEY];
/// Agreements per run, the client threads sending them, the orders they spread over, and the
/// time limit.
const AGREEMENTS: usize = 6_000;
const THREADS: usize = 32;
const LOAD_ORDERS: usize = 64;
const LOAD_LIMIT: Duration = Duration::from_secs(90);

fn agent() -> ureq::Agent {
    crate::agent(Duration::from_secs(20))
}

/// Makes `n` orders through the backend API, spread over `servers`; (id, customer token) each.
pub fn orders(servers: &[&TestServer], prefix: &str, n: usize) -> Vec<(String, String)> {
    let made = Mutex::new(Vec::with_capacity(n));
    std::thread::scope(|s| {
        for t in 0..8 {
            let made = &made;
            s.spawn(move || {
                let agent = agent();
                for i in (t..n).step_by(8) {
                    let id = format!("{prefix}-{i}");
                    let order = json!({ "items": [{ "id": "coffee-1", "name": "Ethiopia Yirgacheffe, 250 g",
                        "quantity": 1, "unit_price": { "amount_minor": 4900, "currency": "PLN" } }], "locale": "en" });
                    let url = format!("{}/v1/backend/orders/{id}", servers[i % servers.len()].url);
                    let mut res = agent
                        .put(&url)
                        .header("Authorization", &format!("Bearer {BACKEND_KEY}"))
                        .send_json(&order)
                        .expect("kept-server answers");
                    let body: Value = res.body_mut().read_json().expect("a JSON answer");
                    let token = body["customer_token"].as_str().expect("a customer token").to_owned();
                    made.lock().unwrap().push((i, id, token));
                }
            });
        }
    });
    let mut made = made.into_inner().unwrap();
    made.sort();
    made.into_iter().map(|(_, id, token)| (id, token)).collect()
}

/// Agreements per second and their latency: `THREADS` keep-alive clients, spread over the
/// servers and over `orders`, each request a new agreement version with its own key.
pub fn agreements(servers: &[&TestServer], orders: &[(String, String)], n: usize) -> Value {
    let body = json!({
        "contact": { "channels": ["chat", "whatsapp"], "do_not_call": true, "phone": "+48 600 100 200" },
        "substitutions": { "default": { "rule": "similar", "max_increase": { "kind": "percent", "percent": 10 } } },
        "payment": "card_on_delivery", "locale": "en"
    })
    .to_string();
    let latencies = Mutex::new(Vec::with_capacity(n));
    let errors = AtomicUsize::new(0);
    let start = Instant::now();
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (body, latencies, errors) = (&body, &latencies, &errors);
            let base = servers[t % servers.len()].url.clone();
            s.spawn(move || {
                let agent = agent();
                for i in (t..n).step_by(THREADS) {
                    if start.elapsed() > LOAD_LIMIT {
                        break;
                    }
                    let (order, token) = &orders[i % orders.len()];
                    let t0 = Instant::now();
                    let res = agent
                        .post(&format!("{base}/v1/orders/{order}/preferences"))
                        .header("Authorization", &format!("Bearer {token}"))
                        .header("Idempotency-Key", &format!("load-{i}"))
                        .header("Content-Type", "application/json")
                        .send(body.as_str());
                    let ok = res.is_ok_and(|mut r| r.status().as_u16() == 201 && r.body_mut().read_to_vec().is_ok());
                    if ok {
                        latencies.lock().unwrap().push(t0.elapsed().as_secs_f64() * 1000.0);
                    } else {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    let wall = start.elapsed().as_secs_f64();
    let l = latencies.into_inner().unwrap();
    json!({
        "requests": l.len(), "errors": errors.into_inner(), "threads": THREADS, "orders": orders.len(),
        "instances": servers.len(), "per_second": l.len() as f64 / wall,
        "latency_ms": { "p50": percentile(&l, 50.0), "p99": percentile(&l, 99.0) },
    })
}

fn rss_bytes(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok());
    kb.unwrap_or(f64::NAN) * 1024.0
}

/// `per_order` subscribers on each of `orders`' streams, spread over the servers; then one
/// message posted to each order (through the servers in turn) and, for each subscriber, the
/// time from its order's post to its receipt. Each subscriber is a thread blocked in `read`.
pub fn fan_out(servers: &[&TestServer], orders: &[(String, String)], per_order: usize) -> Value {
    let n = orders.len() * per_order;
    let rss_before: f64 = servers.iter().map(|s| rss_bytes(s.pid())).sum();
    let connected = Arc::new(AtomicUsize::new(0));
    let posted: Arc<Vec<OnceLock<Instant>>> = Arc::new((0..orders.len()).map(|_| OnceLock::new()).collect());
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(n)));
    let threads: Vec<_> = (0..n)
        .filter_map(|j| {
            let o = j % orders.len();
            let addr = servers[j % servers.len()].addr().to_owned();
            let (order, token) = orders[o].clone();
            let (connected, posted, latencies) = (connected.clone(), posted.clone(), latencies.clone());
            std::thread::Builder::new()
                .stack_size(64 * 1024)
                .spawn(move || {
                    let Ok(mut s) = TcpStream::connect(&addr) else { return };
                    let req = format!(
                        "GET /v1/orders/{order}/events?access_token={token} HTTP/1.1\r\nHost: {addr}\r\n\
                         Accept: text/event-stream\r\n\r\n"
                    );
                    if s.write_all(req.as_bytes()).is_err()
                        || s.set_read_timeout(Some(Duration::from_secs(180))).is_err()
                    {
                        return;
                    }
                    let (mut got, mut buf, mut counted) = (Vec::new(), [0u8; 2048], false);
                    while let Ok(k) = s.read(&mut buf) {
                        if k == 0 {
                            return;
                        }
                        got.extend_from_slice(&buf[..k]);
                        let text = String::from_utf8_lossy(&got);
                        if !counted && text.contains("\r\n\r\n") {
                            counted = true;
                            connected.fetch_add(1, Ordering::SeqCst);
                        }
                        if text.contains("event: message") {
                            if let Some(at) = posted[o].get() {
                                latencies.lock().unwrap().push(at.elapsed().as_secs_f64() * 1000.0);
                            }
                            return;
                        }
                    }
                })
                .ok()
        })
        .collect();
    let ready = wait_for("the subscribers connected", Duration::from_secs(300), || {
        let c = connected.load(Ordering::SeqCst);
        (c >= n * 99 / 100).then_some(c)
    });
    std::thread::sleep(Duration::from_secs(2));
    let rss_connected: f64 = servers.iter().map(|s| rss_bytes(s.pid())).sum();
    // One message to each order, four posters, through the servers in turn.
    std::thread::scope(|s| {
        for t in 0..4 {
            let posted = &posted;
            s.spawn(move || {
                let agent = agent();
                for o in (t..orders.len()).step_by(4) {
                    let url = format!("{}/v1/operator/orders/{}/messages", servers[o % servers.len()].url, orders[o].0);
                    let _ = posted[o].set(Instant::now());
                    let _ = agent
                        .post(&url)
                        .header("Authorization", &format!("Bearer {OPERATOR}"))
                        .header("Idempotency-Key", &format!("fan-out-{o}"))
                        .send_json(json!({ "text": "To everyone" }));
                }
            });
        }
    });
    for t in threads {
        let _ = t.join();
    }
    let l = latencies.lock().unwrap().clone();
    json!({
        "subscribers": n, "orders": orders.len(), "instances": servers.len(), "connected": ready, "delivered": l.len(),
        "latency_ms": { "p50": percentile(&l, 50.0), "p99": percentile(&l, 99.0) },
        "server_rss_bytes": { "before": rss_before, "connected": rss_connected },
        "bytes_per_subscriber": (rss_connected - rss_before) / ready as f64,
    })
}

/// Every scale figure: SQLite with one instance, PostgreSQL with one and with two.
/// `KEPT_BENCH_ONLY=agreements` or `fan-out` measures only those.
pub fn run() -> Value {
    let mut report = json!({});
    let only = std::env::var("KEPT_BENCH_ONLY").unwrap_or_default();
    let only_agreements = only == "agreements";
    eprintln!("bench: agreements per second, SQLite, 1 instance");
    if only != "fan-out" {
        let s = TestServer::start_with(&[], &FLAGS);
        let o = orders(&[&s], "load", LOAD_ORDERS);
        report["sqlite_1"] = agreements(&[&s], &o, crate::bench::scaled(AGREEMENTS));
    }
    for n in [1, 2].into_iter().filter(|_| only != "fan-out") {
        eprintln!("bench: agreements per second, PostgreSQL, {n} instance(s)");
        let servers = TestServer::instances(n, &FLAGS);
        let refs: Vec<&TestServer> = servers.iter().collect();
        let o = orders(&refs, "load", LOAD_ORDERS);
        report[format!("postgres_{n}")] = agreements(&refs, &o, crate::bench::scaled(AGREEMENTS));
    }
    if only_agreements {
        return report;
    }
    let subscribers = crate::bench::scaled(10_000);
    let order_count = (subscribers / 10).max(1);
    eprintln!("bench: SSE fan-out, {subscribers} subscribers over {order_count} orders, SQLite, 1 instance");
    {
        let s = TestServer::start_with(&[], &FLAGS);
        let o = orders(&[&s], "fan", order_count);
        report["fan_out_sqlite_1"] = fan_out(&[&s], &o, 10);
    }
    eprintln!("bench: SSE fan-out, {subscribers} subscribers over {order_count} orders, PostgreSQL, 2 instances");
    {
        let servers = TestServer::instances(2, &FLAGS);
        let refs: Vec<&TestServer> = servers.iter().collect();
        let o = orders(&refs, "fan", order_count);
        report["fan_out_postgres_2"] = fan_out(&refs, &o, 10);
    }
    report
}
