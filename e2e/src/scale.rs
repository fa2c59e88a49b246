//! The server at scale, part of `cargo xtask bench`: agreements and messages per second on each
//! engine with one and two instances, read against what the parts underneath can do in the same
//! run (PostgreSQL's own `pgbench`, and the server's HTTP and JSON floor, an endpoint that touches
//! no database), and SSE fan-out to subscribers spread over many orders and instances.
//! Loopback only; every loop is bounded in count and time.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
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
/// How long each of the two `pgbench` runs takes (one before Kept's load, one after).
const PGBENCH_SECONDS: u32 = 10;

/// The 50th and 99th percentiles, in milliseconds.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Quantiles {
    pub p50: f64,
    pub p99: f64,
}

impl Quantiles {
    fn of(v: &[f64]) -> Quantiles {
        Quantiles { p50: percentile(v, 50.0), p99: percentile(v, 99.0) }
    }
}

/// One load run: `threads` keep-alive clients spread over the instances and the orders.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Load {
    pub requests: usize,
    pub errors: usize,
    pub threads: usize,
    pub orders: usize,
    pub instances: usize,
    pub per_second: f64,
    pub latency_ms: Quantiles,
    /// PostgreSQL: the statements the database ran per request, as `pg_stat_statements` counts
    /// them (the background workers' among them; BEGIN and COMMIT, one each, come on top), each
    /// one a round trip.
    pub statements_per_request: Option<f64>,
    /// Events the live subscribers received (the messages run: one subscriber per order).
    pub delivered: Option<usize>,
}

/// What a resident set measured.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Rss {
    pub before: f64,
    pub connected: f64,
}

/// SSE fan-out: subscribers spread over orders and instances, one message to each order.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct FanOut {
    pub subscribers: usize,
    pub orders: usize,
    pub instances: usize,
    pub connected: usize,
    pub delivered: usize,
    pub latency_ms: Quantiles,
    pub server_rss_bytes: Rss,
    pub bytes_per_subscriber: f64,
}

/// Every scale figure of one run.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Report {
    /// PostgreSQL's own TPC-B-like transaction (prepared), transactions per second.
    pub pgbench_tps: Option<f64>,
    /// The server's HTTP and JSON floor: the agreement's body read and answered, no database.
    pub floor: Option<Load>,
    pub sqlite_1: Option<Load>,
    pub postgres_1: Option<Load>,
    pub postgres_2: Option<Load>,
    pub messages_sqlite_1: Option<Load>,
    pub messages_postgres_1: Option<Load>,
    pub messages_postgres_2: Option<Load>,
    pub fan_out_sqlite_1: Option<FanOut>,
    pub fan_out_postgres_2: Option<FanOut>,
    /// The same loads with the record of promises off (`--no-record`), to read what it costs.
    #[serde(default)]
    pub unrecorded: Unrecorded,
    #[serde(default)]
    pub record_sqlite: Option<RecordRead>,
    #[serde(default)]
    pub record_postgres: Option<RecordRead>,
}

/// Agreements and messages with the record of promises off, on each engine (one instance).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Unrecorded {
    pub sqlite: Option<Load>,
    pub messages_sqlite: Option<Load>,
    pub postgres: Option<Load>,
    pub messages_postgres: Option<Load>,
}

/// The shop's 30-day record read over a long history of decided promises.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RecordRead {
    pub promises: usize,
    pub reads: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
}

/// Promises in the record's history, and the reads of it measured.
const RECORD_PROMISES: usize = 1_000_000;
const RECORD_READS: usize = 300;

/// Fills `server` with `promises` decided promises over 90 days (the test endpoint, in one write),
/// then reads the 30-day record `RECORD_READS` times, by kind, operator and day in turn.
pub fn record(server: &TestServer, promises: usize) -> Option<RecordRead> {
    let fill = json!({ "count": promises, "days": 90 });
    let res = crate::agent(Duration::from_secs(600)).post(&format!("{}/v1/test/promises", server.url)).send_json(&fill);
    if res.map(|r| r.status().as_u16()).ok() != Some(204) {
        return None;
    }
    let agent = agent();
    let mut ms = Vec::with_capacity(RECORD_READS);
    for i in 0..RECORD_READS {
        let by = ["kind", "operator", "day"][i % 3];
        let started = Instant::now();
        let ok = agent
            .get(&format!("{}/v1/backend/record?days=30&by={by}", server.url))
            .header("Authorization", &format!("Bearer {BACKEND_KEY}"))
            .call()
            .is_ok_and(|r| r.status().as_u16() == 200);
        if ok {
            ms.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    Some(RecordRead { promises, reads: ms.len(), p50_ms: percentile(&ms, 50.0), p95_ms: percentile(&ms, 95.0) })
}

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

/// The agreement every load request sends.
fn agreement() -> String {
    json!({
        "contact": { "channels": ["chat", "whatsapp"], "do_not_call": true, "phone": "+48 600 100 200" },
        "substitutions": { "default": { "rule": "similar", "max_increase": { "kind": "percent", "percent": 10 } } },
        "payment": "card_on_delivery", "locale": "en"
    })
    .to_string()
}

/// What the load sends: the path under the server for request `i` on `order`, and its body.
type Request<'a> = &'a (dyn Fn(usize, &str) -> (String, String) + Sync);

/// `n` requests of `request` from `THREADS` keep-alive clients, spread over the servers and over
/// `orders` (each with the order's customer token and a key of its own); each answered `expect`.
fn load(servers: &[&TestServer], orders: &[(String, String)], n: usize, expect: u16, request: Request) -> Load {
    let latencies = Mutex::new(Vec::with_capacity(n));
    let errors = AtomicUsize::new(0);
    let start = Instant::now();
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (latencies, errors) = (&latencies, &errors);
            let base = servers[t % servers.len()].url.clone();
            s.spawn(move || {
                let agent = agent();
                for i in (t..n).step_by(THREADS) {
                    if start.elapsed() > LOAD_LIMIT {
                        break;
                    }
                    let (order, token) = &orders[i % orders.len()];
                    let (path, body) = request(i, order);
                    let t0 = Instant::now();
                    let res = agent
                        .post(&format!("{base}{path}"))
                        .header("Authorization", &format!("Bearer {token}"))
                        .header("Idempotency-Key", &format!("load-{i}"))
                        .header("Content-Type", "application/json")
                        .send(body.as_str());
                    let ok = res.is_ok_and(|mut r| r.status().as_u16() == expect && r.body_mut().read_to_vec().is_ok());
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
    Load {
        requests: l.len(),
        errors: errors.into_inner(),
        threads: THREADS,
        orders: orders.len(),
        instances: servers.len(),
        per_second: l.len() as f64 / wall,
        latency_ms: Quantiles::of(&l),
        statements_per_request: None,
        delivered: None,
    }
}

/// Agreements per second and their latency: each request a new agreement version with its own key.
pub fn agreements(servers: &[&TestServer], orders: &[(String, String)], n: usize) -> Load {
    let body = agreement();
    let request = |_: usize, order: &str| (format!("/v1/orders/{order}/preferences"), body.clone());
    counted(servers, || load(servers, orders, n, 201, &request))
}

/// The same requests against the floor: read and answered at the edge, no database.
pub fn floor(server: &TestServer, orders: &[(String, String)], n: usize) -> Load {
    let body = agreement();
    load(&[server], orders, n, 201, &|_, _| ("/v1/test/floor".to_owned(), body.clone()))
}

/// Customer messages per second with one live subscriber on each order, and what reached them.
pub fn messages(servers: &[&TestServer], orders: &[(String, String)], n: usize) -> Load {
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let connected = Arc::new(AtomicUsize::new(0));
    let subscribers: Vec<_> = orders
        .iter()
        .enumerate()
        .map(|(j, (order, token))| {
            let addr = servers[j % servers.len()].addr().to_owned();
            let (order, token, stop, connected) = (order.clone(), token.clone(), stop.clone(), connected.clone());
            std::thread::spawn(move || subscribe(&addr, &order, &token, &stop, &connected))
        })
        .collect();
    wait_for("the subscribers connected", Duration::from_secs(60), || {
        (connected.load(Ordering::SeqCst) >= orders.len()).then_some(())
    });
    let request = |i: usize, order: &str| {
        (
            format!("/v1/orders/{order}/messages"),
            json!({ "client_id": format!("load-{i}"), "text": "Whole beans, please?" }).to_string(),
        )
    };
    let mut figures = counted(servers, || load(servers, orders, n, 201, &request));
    // What is on its way arrives within a second or two; then the subscribers are let go.
    std::thread::sleep(Duration::from_secs(2));
    stop.store(true, Ordering::SeqCst);
    figures.delivered = Some(subscribers.into_iter().map(|t| t.join().unwrap_or(0)).sum());
    figures
}

/// A connection to `order`'s event stream at `addr`, its request sent, reads timing out after
/// `read_timeout`; None when it cannot be opened.
fn open_stream(addr: &str, order: &str, token: &str, read_timeout: Duration) -> Option<TcpStream> {
    let mut s = TcpStream::connect(addr).ok()?;
    let req = format!(
        "GET /v1/orders/{order}/events?access_token={token} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
    );
    s.write_all(req.as_bytes()).ok()?;
    s.set_read_timeout(Some(read_timeout)).ok()?;
    Some(s)
}

/// Reads `order`'s stream until `stop`; how many messages it carried.
fn subscribe(
    addr: &str,
    order: &str,
    token: &str,
    stop: &std::sync::atomic::AtomicBool,
    connected: &AtomicUsize,
) -> usize {
    let Some(mut s) = open_stream(addr, order, token, Duration::from_millis(200)) else { return 0 };
    let (mut got, mut buf, mut counted) = (Vec::new(), [0u8; 8192], false);
    let deadline = Instant::now() + LOAD_LIMIT + Duration::from_secs(60);
    while !stop.load(Ordering::SeqCst) && Instant::now() < deadline {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(k) => got.extend_from_slice(&buf[..k]),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(_) => break,
        }
        if !counted && got.windows(4).any(|w| w == b"\r\n\r\n") {
            counted = true;
            connected.fetch_add(1, Ordering::SeqCst);
        }
    }
    String::from_utf8_lossy(&got).matches("event: message").count()
}

/// Runs `measure` and, on PostgreSQL, counts the statements the database ran meanwhile.
fn counted(servers: &[&TestServer], measure: impl FnOnce() -> Load) -> Load {
    let db = servers[0].db();
    let pg = db.starts_with("postgres");
    if pg {
        let _ = psql(db, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    }
    let statements = || {
        let sql = "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s \
                   JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = current_database()";
        pg.then(|| psql(db, sql)).flatten().and_then(|v| v.trim().parse::<f64>().ok())
    };
    let before = statements();
    let mut figures = measure();
    if let (Some(a), Some(b)) = (before, statements()) {
        figures.statements_per_request = Some((b - a) / figures.requests.max(1) as f64);
    }
    figures
}

/// `psql -Atc sql` on `url`; its output, or None (no psql, or the statement failed).
fn psql(url: &str, sql: &str) -> Option<String> {
    let out = std::process::Command::new("psql").arg(url).args(["-X", "-q", "-At", "-c", sql]).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// PostgreSQL's own benchmark on the run's cluster: the built-in TPC-B-like transaction, prepared,
/// with as many clients as the load, on a database of its own.
pub struct Pgbench {
    base: String,
    db: String,
}

impl Pgbench {
    /// Makes its database (as many branches as clients, as TPC-B asks: the clients do not all
    /// queue on one row); None without a cluster or the tool.
    pub fn prepare() -> Option<Pgbench> {
        let base = std::env::var("KEPT_TEST_POSTGRES").ok()?;
        let _ = psql(&format!("{base}/postgres"), "DROP DATABASE IF EXISTS pgbench");
        psql(&format!("{base}/postgres"), "CREATE DATABASE pgbench")?;
        let db = format!("{base}/pgbench");
        let init = std::process::Command::new("pgbench")
            .args(["-i", "-q", "-s", &THREADS.to_string()])
            .arg(&db)
            .output()
            .ok()?;
        if !init.status.success() {
            eprintln!("pgbench -i: {}", String::from_utf8_lossy(&init.stderr));
            return None;
        }
        Some(Pgbench { base, db })
    }

    /// Transactions per second over one run of [`PGBENCH_SECONDS`].
    pub fn run(&self) -> Option<f64> {
        eprintln!("bench: pgbench, {THREADS} clients, {PGBENCH_SECONDS} s");
        let (clients, seconds) = (THREADS.to_string(), PGBENCH_SECONDS.to_string());
        let run = std::process::Command::new("pgbench")
            .args(["-n", "-M", "prepared", "-c", &clients, "-j", "2", "-T", &seconds])
            .arg(&self.db)
            .output()
            .ok()?;
        let text = String::from_utf8_lossy(&run.stdout);
        text.lines()
            .find_map(|l| l.strip_prefix("tps = "))
            .and_then(|l| l.split_whitespace().next())
            .and_then(|t| t.parse().ok())
    }
}

impl Drop for Pgbench {
    fn drop(&mut self) {
        let _ = psql(&format!("{}/postgres", self.base), "DROP DATABASE IF EXISTS pgbench");
    }
}

/// The mean of two figures that were measured apart (on either side of what they are compared
/// with, so the machine's drift falls on both sides alike); None when either is missing.
fn mean(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    Some((a? + b?) / 2.0)
}

impl Load {
    /// Two runs of the same load as one: requests and errors added, the rates and the middle
    /// latencies averaged, the worse p99 kept.
    fn and(self, other: Load) -> Load {
        Load {
            requests: self.requests + other.requests,
            errors: self.errors + other.errors,
            per_second: (self.per_second + other.per_second) / 2.0,
            latency_ms: Quantiles {
                p50: (self.latency_ms.p50 + other.latency_ms.p50) / 2.0,
                p99: self.latency_ms.p99.max(other.latency_ms.p99),
            },
            ..self
        }
    }
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
pub fn fan_out(servers: &[&TestServer], orders: &[(String, String)], per_order: usize) -> FanOut {
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
                    let Some(mut s) = open_stream(&addr, &order, &token, Duration::from_secs(180)) else { return };
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
    FanOut {
        subscribers: n,
        orders: orders.len(),
        instances: servers.len(),
        connected: ready,
        delivered: l.len(),
        latency_ms: Quantiles::of(&l),
        server_rss_bytes: Rss { before: rss_before, connected: rss_connected },
        bytes_per_subscriber: (rss_connected - rss_before) / ready as f64,
    }
}

/// Every scale figure: SQLite with one instance between two runs of the floor, PostgreSQL with
/// one and with two between two runs of pgbench, agreements and messages; then fan-out.
/// `KEPT_BENCH_ONLY=agreements` (agreements, messages and what they are read against), `record`
/// (those and the record's reads) or `fan-out` measures only those.
pub fn run() -> Report {
    let mut report = Report::default();
    let only = std::env::var("KEPT_BENCH_ONLY").unwrap_or_default();
    let n = crate::bench::scaled(AGREEMENTS);
    // pgbench before and after Kept's PostgreSQL runs, the floor before and after its SQLite
    // runs: each ratio is read against the mean of measures taken on both sides of it.
    let pgbench = (only != "fan-out").then(Pgbench::prepare).flatten();
    let pgbench_before = pgbench.as_ref().and_then(Pgbench::run);
    if only != "fan-out" {
        eprintln!("bench: agreements per second, SQLite, 1 instance (and the floor)");
        let s = TestServer::start_with(&[], &FLAGS);
        let o = orders(&[&s], "load", LOAD_ORDERS);
        let floor_before = floor(&s, &o, n / 2);
        report.sqlite_1 = Some(agreements(&[&s], &o, n));
        report.messages_sqlite_1 = Some(messages(&[&s], &o, n));
        report.floor = Some(floor_before.and(floor(&s, &o, n / 2)));
    }
    for instances in [1, 2].into_iter().filter(|_| only != "fan-out") {
        eprintln!("bench: agreements and messages per second, PostgreSQL, {instances} instance(s)");
        let servers = TestServer::instances(instances, &FLAGS);
        let refs: Vec<&TestServer> = servers.iter().collect();
        let o = orders(&refs, "load", LOAD_ORDERS);
        let (a, m) = (Some(agreements(&refs, &o, n)), Some(messages(&refs, &o, n)));
        if instances == 1 {
            (report.postgres_1, report.messages_postgres_1) = (a, m);
        } else {
            (report.postgres_2, report.messages_postgres_2) = (a, m);
        }
    }
    report.pgbench_tps = mean(pgbench_before, pgbench.as_ref().and_then(Pgbench::run));
    drop(pgbench);
    if only == "agreements" {
        return report;
    }
    if only != "fan-out" {
        eprintln!("bench: agreements and messages per second without the record, SQLite and PostgreSQL");
        let flags: Vec<&str> = FLAGS.iter().copied().chain(["--no-record"]).collect();
        let s = TestServer::start_with(&[], &flags);
        let o = orders(&[&s], "load", LOAD_ORDERS);
        report.unrecorded.sqlite = Some(agreements(&[&s], &o, n));
        report.unrecorded.messages_sqlite = Some(messages(&[&s], &o, n));
        let pg = TestServer::instances(1, &flags);
        let refs: Vec<&TestServer> = pg.iter().collect();
        let o = orders(&refs, "load", LOAD_ORDERS);
        report.unrecorded.postgres = Some(agreements(&refs, &o, n));
        report.unrecorded.messages_postgres = Some(messages(&refs, &o, n));
    }
    let promises = crate::bench::scaled(RECORD_PROMISES);
    if only != "fan-out" {
        eprintln!("bench: the 30-day record over {promises} promises, SQLite and PostgreSQL");
        let s = TestServer::start_with(&[], &FLAGS);
        report.record_sqlite = record(&s, promises);
        let pg = TestServer::instances(1, &FLAGS);
        report.record_postgres = pg.first().and_then(|s| record(s, promises));
    }
    if only == "record" {
        return report;
    }
    let subscribers = crate::bench::scaled(10_000);
    let order_count = (subscribers / 10).max(1);
    eprintln!("bench: SSE fan-out, {subscribers} subscribers over {order_count} orders, SQLite, 1 instance");
    {
        let s = TestServer::start_with(&[], &FLAGS);
        let o = orders(&[&s], "fan", order_count);
        report.fan_out_sqlite_1 = Some(fan_out(&[&s], &o, 10));
    }
    eprintln!("bench: SSE fan-out, {subscribers} subscribers over {order_count} orders, PostgreSQL, 2 instances");
    {
        let servers = TestServer::instances(2, &FLAGS);
        let refs: Vec<&TestServer> = servers.iter().collect();
        let o = orders(&refs, "fan", order_count);
        report.fan_out_postgres_2 = Some(fan_out(&refs, &o, 10));
    }
    report
}

fn per_second(l: &Option<Load>) -> String {
    l.as_ref().map_or("–".to_owned(), |l| format!("{:.0} ({} errors)", l.per_second, l.errors))
}

fn p99(l: &Option<Load>) -> String {
    l.as_ref().map_or("–".to_owned(), |l| format!("{:.1} ms", l.latency_ms.p99))
}

fn times(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}×", a / b),
        _ => "–".to_owned(),
    }
}

fn rate(l: &Option<Load>) -> Option<f64> {
    l.as_ref().map(|l| l.per_second)
}

/// The server's rows of the bench table: each rate beside what it is read against, as a ratio.
pub fn rows(s: &Report) -> String {
    let mut md = String::new();
    let mut row = |name: &str, value: String, against: &str, ratio: String, target: &str| {
        md.push_str(&format!("| {name} | {value} | {against} | {ratio} | {target} |\n"));
    };
    let pgbench = s.pgbench_tps.map_or("–".to_owned(), |t| format!("{t:.0}"));
    row(
        &format!("pgbench (TPC-B-like, prepared, {THREADS} clients), transactions per second"),
        pgbench,
        "–",
        "–".into(),
        "",
    );
    row(
        "HTTP and JSON floor (the agreement's body read and answered, no database), requests per second",
        per_second(&s.floor),
        "–",
        "–".into(),
        "",
    );
    let pg1 = "PostgreSQL (fsync on), 1 instance";
    let pg2 = "PostgreSQL (fsync on), 2 instances";
    let lite = "SQLite (WAL, synchronous=FULL), 1 instance";
    for (what, [sqlite, one, two]) in [
        ("agreements", [&s.sqlite_1, &s.postgres_1, &s.postgres_2]),
        (
            "messages (a live subscriber on each order)",
            [&s.messages_sqlite_1, &s.messages_postgres_1, &s.messages_postgres_2],
        ),
    ] {
        row(
            &format!("{what} per second, {lite}"),
            per_second(sqlite),
            "floor",
            times(rate(sqlite), rate(&s.floor)),
            "≥ 0.8× floor",
        );
        row(
            &format!("{what} per second, {pg1}"),
            per_second(one),
            "pgbench",
            times(rate(one), s.pgbench_tps),
            "≥ 0.6× pgbench",
        );
        row(
            &format!("{what} per second, {pg2}"),
            per_second(two),
            "1 instance",
            times(rate(two), rate(one)),
            "≥ 1.3× 1 instance",
        );
        for (label, l) in [(lite, sqlite), (pg1, one), (pg2, two)] {
            row(&format!("{what}: latency p99, {label}"), p99(l), "–", "–".into(), "≤ 20 ms");
        }
        for (label, l) in [(pg1, one), (pg2, two)] {
            let n = l.as_ref().and_then(|l| l.statements_per_request).map_or("–".to_owned(), |n| format!("{n:.1}"));
            row(&format!("{what}: statements per request, {label}"), n, "–", "–".into(), "");
        }
        for (label, l) in [(lite, sqlite), (pg1, one), (pg2, two)] {
            if let Some(d) = l.as_ref().and_then(|l| l.delivered.map(|d| (d, l.requests))) {
                row(
                    &format!("{what}: delivered live, {label}"),
                    format!("{} of {}", d.0, d.1),
                    "–",
                    "–".into(),
                    "0 lost",
                );
            }
        }
    }
    let u = &s.unrecorded;
    for (what, engine, with, without) in [
        ("agreements", lite, &s.sqlite_1, &u.sqlite),
        ("messages", lite, &s.messages_sqlite_1, &u.messages_sqlite),
        ("agreements", pg1, &s.postgres_1, &u.postgres),
        ("messages", pg1, &s.messages_postgres_1, &u.messages_postgres),
    ] {
        row(
            &format!("{what} per second without the record of promises, {engine}"),
            per_second(without),
            "with it",
            times(rate(with), rate(without)),
            "with ≥ 0.9× without",
        );
    }
    for (r, label) in [(&s.record_sqlite, "SQLite"), (&s.record_postgres, "PostgreSQL")] {
        let Some(r) = r else { continue };
        row(
            &format!("the 30-day record over {} promises, {label}: latency p95 ({} reads)", r.promises, r.reads),
            format!("{:.1} ms (p50 {:.1})", r.p95_ms, r.p50_ms),
            "–",
            "–".into(),
            "≤ 50 ms",
        );
    }
    for (f, label) in [(&s.fan_out_sqlite_1, "SQLite, 1 instance"), (&s.fan_out_postgres_2, "PostgreSQL, 2 instances")]
    {
        let Some(f) = f else { continue };
        row(
            &format!("SSE fan-out, {} subscribers over {} orders, {label}: delivered", f.subscribers, f.orders),
            f.delivered.to_string(),
            "–",
            "–".into(),
            "0 lost",
        );
        row(&format!("SSE delivery latency p50, {label}"), format!("{:.1} ms", f.latency_ms.p50), "–", "–".into(), "");
        row(
            &format!("SSE delivery latency p99, {label}"),
            format!("{:.1} ms", f.latency_ms.p99),
            "–",
            "–".into(),
            "≤ 100 ms",
        );
        row(
            &format!("server memory per idle subscriber, {label}"),
            format!("{:.1} KB", f.bytes_per_subscriber / 1024.0),
            "–",
            "–".into(),
            "≤ 10 KB",
        );
    }
    md
}
