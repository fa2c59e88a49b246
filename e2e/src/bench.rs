//! `cargo xtask bench`: bytes, boot, long chats, memory and server load, with a peer widget
//! measured by the same harness in the same run. Everything talks to 127.0.0.1 only, and every
//! loop is bounded in count and in time.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::server::{TestServer, TOKEN};
use crate::wait_for;
use crate::webdriver::Browser;

/// Boot runs per configuration, each with a fresh browser profile.
const BOOT_RUNS: usize = 15;
/// `KEPT_BENCH_QUICK=1` divides the counts, to try the harness itself.
fn scaled(n: usize) -> usize {
    if std::env::var_os("KEPT_BENCH_QUICK").is_some() {
        (n / 10).max(2)
    } else {
        n
    }
}
/// Runs per chat length when opening long chats.
const CHAT_RUNS: usize = 5;
/// New messages timed at the longest chat.
const ARRIVALS: usize = 30;
/// Preference submissions in the load test, and its time limit.
const LOAD_REQUESTS: usize = 6_000;
const LOAD_THREADS: usize = 16;
const LOAD_LIMIT: Duration = Duration::from_secs(90);
/// Subscribers in the fan-out test (each is a socket here and one on the server).
const SUBSCRIBERS: usize = 10_000;

/// The widget's shipped files, and the peer's.
const OURS: [&str; 3] = ["kept.js", "kept-widget.js", "kept-widget_bg.wasm"];
const PEER: [&str; 2] = ["chat.bundle.umd.js", "style.css"];

fn percentile(v: &[f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * (s.len() as f64 - 1.0)).round() as usize;
    s[rank.min(s.len() - 1)]
}

fn gzip(bytes: &[u8]) -> usize {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let _ = enc.write_all(bytes);
    enc.finish().map(|v| v.len()).unwrap_or(0)
}

fn brotli(bytes: &[u8]) -> usize {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, ..Default::default() };
    let _ = brotli::BrotliCompress(&mut &bytes[..], &mut out, &params);
    out.len()
}

/// Raw, gzip and brotli of each file and the total.
fn bytes(dir: &Path, files: &[&str]) -> Value {
    let mut rows = Vec::new();
    let mut total = [0usize; 3];
    for f in files {
        let b = std::fs::read(dir.join(f)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(f).display()));
        let row = [b.len(), gzip(&b), brotli(&b)];
        for (t, r) in total.iter_mut().zip(row) {
            *t += r;
        }
        rows.push(json!({ "file": f, "raw": row[0], "gzip": row[1], "brotli": row[2] }));
    }
    json!({ "files": rows, "raw": total[0], "gzip": total[1], "brotli": total[2] })
}

/// The number a page computed, waiting for it to exist.
fn page_number(b: &Browser, what: &str, script: &str, patience: Duration) -> f64 {
    wait_for(what, patience, || b.execute(script, vec![]).as_f64())
}

const INTERACTIVE: &str = "const s = performance.getEntriesByName('kept:script-start')[0], \
    i = performance.getEntriesByName('kept:interactive')[0]; return s && i ? i.startTime - s.startTime : null;";
/// From the chat being on screen (ready) to its newest messages shown: the page fetch and render.
const MESSAGES_SHOWN: &str = "const s = performance.getEntriesByName('kept:interactive')[0], \
    m = performance.getEntriesByName('kept:messages')[0]; return s && m ? m.startTime - s.startTime : null;";
const LONGEST_TASK: &str = "return Math.max(0, ...window.__bench.longtasks);";
const DOM_NODES: &str = "const h = document.querySelector('.kept-host'); \
    return document.querySelectorAll('*').length + (h && h.shadowRoot ? h.shadowRoot.querySelectorAll('*').length : 0);";

/// JS heap in use plus array-buffer backing stores (the wasm memory among them), after a GC.
fn memory(b: &Browser) -> Value {
    b.cdp("HeapProfiler.collectGarbage", json!({}));
    let heap = b.cdp("Runtime.getHeapUsage", json!({}));
    let used = heap["usedSize"].as_f64().unwrap_or(0.0);
    let backing = heap["backingStorageSize"].as_f64().unwrap_or(0.0);
    json!({ "js_heap": used, "array_buffers": backing, "total": used + backing })
}

fn main_thread_ms(b: &Browser) -> f64 {
    let metrics = b.cdp("Performance.getMetrics", json!({}));
    let task = metrics["metrics"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["name"] == "TaskDuration"))
        .and_then(|m| m["value"].as_f64());
    task.unwrap_or(f64::NAN) * 1000.0
}

/// Opens `page` in fresh profiles `runs` times at this CPU throttling; boot figures.
fn boot(url: &str, throttle: f64, runs: usize) -> Value {
    let (mut times, mut longest, mut main, mut mem) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let b = Browser::start();
        b.cdp("Performance.enable", json!({}));
        if throttle > 1.0 {
            b.cdp("Emulation.setCPUThrottlingRate", json!({ "rate": throttle }));
        }
        b.goto(url);
        times.push(page_number(&b, "interactive", INTERACTIVE, Duration::from_secs(60)));
        std::thread::sleep(Duration::from_millis(300));
        longest.push(b.execute(LONGEST_TASK, vec![]).as_f64().unwrap_or(0.0));
        main.push(main_thread_ms(&b));
        if throttle == 1.0 {
            mem.push(memory(&b)["total"].as_f64().unwrap_or(f64::NAN));
        }
    }
    json!({
        "runs": runs, "cpu_throttling": throttle,
        "interactive_ms": { "p50": percentile(&times, 50.0), "p95": percentile(&times, 95.0) },
        "longest_task_ms": percentile(&longest, 100.0),
        "main_thread_ms": percentile(&main, 50.0),
        "memory_bytes": percentile(&mem, 50.0),
    })
}

/// Posts operator messages until the demo order's chat has `n` of them.
fn fill_chat(server: &TestServer, from: usize, to: usize) {
    let deadline = Instant::now() + Duration::from_secs(300);
    for i in from..to {
        assert!(Instant::now() < deadline, "filling the chat took over 5 minutes");
        let status = server.operator_post(
            "/v1/operator/orders/KC-1001/messages",
            &format!("fill-{i}"),
            json!({ "text": format!("Message number {i} of a long conversation about coffee.") }),
        );
        assert_eq!(status, 201);
    }
}

fn long_chats(server: &TestServer) -> Value {
    let url = format!("{}/bench-chat.html", server.url);
    let mut rows = Vec::new();
    let mut have = 0;
    for n in [100usize, 1_000, 10_000] {
        fill_chat(server, have, n);
        have = n;
        let (mut open, mut nodes) = (Vec::new(), Vec::new());
        let mut last = None;
        for _ in 0..CHAT_RUNS {
            let b = Browser::start();
            b.goto(&url);
            open.push(page_number(&b, "the messages shown", MESSAGES_SHOWN, Duration::from_secs(60)));
            nodes.push(b.execute(DOM_NODES, vec![]).as_f64().unwrap_or(f64::NAN));
            last = Some(b);
        }
        let mut row = json!({
            "messages": n,
            "open_ms": { "p50": percentile(&open, 50.0), "p95": percentile(&open, 95.0) },
            "dom_nodes": percentile(&nodes, 50.0),
        });
        if let (10_000, Some(b)) = (n, last) {
            row["memory_bytes"] = memory(&b)["total"].clone();
            row["new_message_ms"] = arrivals(server, &b);
        }
        rows.push(row);
    }
    json!(rows)
}

/// Latency from a new message reaching the browser to the next paint, at the current length.
fn arrivals(server: &TestServer, b: &Browser) -> Value {
    // Let the stream open and the first page settle.
    std::thread::sleep(Duration::from_secs(1));
    for i in 0..ARRIVALS {
        server.operator_post("/v1/operator/orders/KC-1001/messages", &format!("arrive-{i}"), json!({ "text": "New!" }));
        wait_for("the new message painted", Duration::from_secs(10), || {
            let n = b.execute("return window.__bench.painted.length;", vec![]).as_u64()?;
            (n as usize > i).then_some(())
        });
    }
    let painted: Vec<f64> = b
        .execute("return window.__bench.painted;", vec![])
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_f64)
        .collect();
    json!({ "p50": percentile(&painted, 50.0), "p95": percentile(&painted, 95.0), "count": painted.len() })
}

/// Preference submissions per second and their latency, from a bounded pool of threads.
fn submissions(server: &TestServer) -> Value {
    let addr = server.url.trim_start_matches("http://").to_owned();
    let body = json!({
        "contact": { "channels": ["chat", "whatsapp"], "do_not_call": true, "phone": "+48 600 100 200" },
        "substitutions": { "default": { "rule": "similar", "max_increase": { "kind": "percent", "percent": 10 } } },
        "payment": "card_on_delivery", "locale": "en"
    })
    .to_string();
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(LOAD_REQUESTS)));
    let errors = Arc::new(Mutex::new(0usize));
    let start = Instant::now();
    let threads: Vec<_> = (0..LOAD_THREADS)
        .map(|t| {
            let (addr, body, latencies, errors) = (addr.clone(), body.clone(), latencies.clone(), errors.clone());
            std::thread::spawn(move || {
                // One keep-alive connection per thread, as a shop's backend pool would hold.
                let agent = ureq::Agent::config_builder()
                    .timeout_global(Some(Duration::from_secs(10)))
                    .http_status_as_error(false)
                    .build()
                    .new_agent();
                let url = format!("http://{addr}/v1/orders/KC-1002/preferences");
                for i in (t..scaled(LOAD_REQUESTS)).step_by(LOAD_THREADS) {
                    if start.elapsed() > LOAD_LIMIT {
                        break;
                    }
                    let t0 = Instant::now();
                    let res = agent
                        .post(&url)
                        .header("Authorization", &format!("Bearer {TOKEN}"))
                        .header("Idempotency-Key", &format!("load-{i}"))
                        .header("Content-Type", "application/json")
                        .send(body.as_str());
                    let ok = res.is_ok_and(|mut r| r.status().as_u16() == 201 && r.body_mut().read_to_vec().is_ok());
                    let ms = t0.elapsed().as_secs_f64() * 1000.0;
                    if ok {
                        latencies.lock().unwrap().push(ms);
                    } else {
                        *errors.lock().unwrap() += 1;
                    }
                }
            })
        })
        .collect();
    for t in threads {
        let _ = t.join();
    }
    let wall = start.elapsed().as_secs_f64();
    let l = latencies.lock().unwrap().clone();
    let errors = *errors.lock().unwrap();
    json!({
        "requests": l.len(), "errors": errors, "threads": LOAD_THREADS,
        "per_second": l.len() as f64 / wall,
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

/// N subscribers on the order's stream; one message posted; when each one got it. Each
/// subscriber is a thread blocked in `read`, so the client costs no CPU while it waits.
fn fan_out(server: &TestServer, n: usize) -> Value {
    let addr = server.url.trim_start_matches("http://").to_owned();
    let rss_before = rss_bytes(server.pid());
    let connected = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let posted = Arc::new(Mutex::new(None::<Instant>));
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(n)));
    let threads: Vec<_> = (0..n)
        .filter_map(|_| {
            let (addr, connected, posted, latencies) =
                (addr.clone(), connected.clone(), posted.clone(), latencies.clone());
            std::thread::Builder::new()
                .stack_size(64 * 1024)
                .spawn(move || {
                    let Ok(mut s) = TcpStream::connect(&addr) else { return };
                    let req = format!(
                        "GET /v1/orders/KC-1001/events?access_token={TOKEN} HTTP/1.1\r\nHost: {addr}\r\n\
                         Accept: text/event-stream\r\n\r\n"
                    );
                    if s.write_all(req.as_bytes()).is_err()
                        || s.set_read_timeout(Some(Duration::from_secs(120))).is_err()
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
                            connected.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        }
                        if text.contains("event: message") {
                            if let Some(at) = *posted.lock().unwrap() {
                                latencies.lock().unwrap().push(at.elapsed().as_secs_f64() * 1000.0);
                            }
                            return;
                        }
                    }
                })
                .ok()
        })
        .collect();
    let ready = wait_for("the subscribers connected", Duration::from_secs(180), || {
        let c = connected.load(std::sync::atomic::Ordering::SeqCst);
        (c >= n * 99 / 100).then_some(c)
    });
    std::thread::sleep(Duration::from_millis(500));
    let rss_connected = rss_bytes(server.pid());
    *posted.lock().unwrap() = Some(Instant::now());
    server.operator_post("/v1/operator/orders/KC-1001/messages", "fan-out", json!({ "text": "To everyone" }));
    for t in threads {
        let _ = t.join();
    }
    let l = latencies.lock().unwrap().clone();
    json!({
        "subscribers": n, "connected": ready, "delivered": l.len(),
        "latency_ms": { "p50": percentile(&l, 50.0), "p99": percentile(&l, 99.0) },
        "server_rss_bytes": { "before": rss_before, "connected": rss_connected },
    })
}

fn ms(v: &Value) -> String {
    v.as_f64().map_or("–".to_owned(), |x| format!("{x:.1} ms"))
}

fn kib(v: &Value) -> String {
    v.as_f64().map_or("–".to_owned(), |x| format!("{:.1} KB", x / 1024.0))
}

fn mib(v: &Value) -> String {
    v.as_f64().map_or("–".to_owned(), |x| format!("{:.2} MB", x / 1_048_576.0))
}

fn ratio(ours: &Value, peer: &Value) -> String {
    match (ours.as_f64(), peer.as_f64()) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}×", a / b),
        _ => "–".to_owned(),
    }
}

/// The markdown table the README shows.
pub fn markdown(r: &Value) -> String {
    let (o, p) = (&r["kept"], &r["peer"]);
    let mut md = String::new();
    md.push_str(&format!(
        "Measured {} on this machine ({}); peer: `{}`.\n\n",
        r["date"].as_str().unwrap_or(""),
        r["machine"].as_str().unwrap_or(""),
        r["peer_name"].as_str().unwrap_or("")
    ));
    md.push_str("| figure | Kept | peer | Kept / peer | target |\n|---|---:|---:|---:|---|\n");
    let mut row = |name: &str, a: String, b: String, ratio: String, target: &str| {
        md.push_str(&format!("| {name} | {a} | {b} | {ratio} | {target} |\n"));
    };
    for (k, label) in [("raw", "bytes, raw"), ("gzip", "bytes, gzip"), ("brotli", "bytes, brotli")] {
        let t = if k == "gzip" { "≤ 80 KB (aim 64 KB)" } else { "" };
        row(label, kib(&o["bytes"][k]), kib(&p["bytes"][k]), ratio(&o["bytes"][k], &p["bytes"][k]), t);
    }
    for (k, label, target) in [("boot", "interactive", "≤ 100 ms"), ("boot_4x", "interactive, 4× CPU throttling", "")]
    {
        for q in ["p50", "p95"] {
            let (a, b) = (&o[k]["interactive_ms"][q], &p[k]["interactive_ms"][q]);
            row(&format!("{label}, {q}"), ms(a), ms(b), ratio(a, b), if q == "p50" { target } else { "" });
        }
        let (a, b) = (&o[k]["longest_task_ms"], &p[k]["longest_task_ms"]);
        row(&format!("{label}: longest task (≥ 50 ms counted)"), ms(a), ms(b), ratio(a, b), "no task > 50 ms");
        let (a, b) = (&o[k]["main_thread_ms"], &p[k]["main_thread_ms"]);
        row(&format!("{label}: main-thread time"), ms(a), ms(b), ratio(a, b), "");
    }
    let (a, b) = (&o["boot"]["memory_bytes"], &p["boot"]["memory_bytes"]);
    row("memory after load (JS heap + array buffers, after GC)", mib(a), mib(b), ratio(a, b), "");
    for c in r["long_chats"].as_array().cloned().unwrap_or_default() {
        let n = c["messages"].as_u64().unwrap_or(0);
        row(
            &format!("open a chat of {n} messages (ready to messages shown), p50"),
            ms(&c["open_ms"]["p50"]),
            "–".into(),
            "–".into(),
            if n == 10_000 { "≤ 16 ms" } else { "" },
        );
        row(
            &format!("DOM nodes with {n} messages"),
            format!("{}", c["dom_nodes"]),
            "–".into(),
            "–".into(),
            if n == 10_000 { "≤ 2,000" } else { "" },
        );
        if n == 10_000 {
            row("new message to paint at 10,000, p50", ms(&c["new_message_ms"]["p50"]), "–".into(), "–".into(), "");
            row(
                "new message to paint at 10,000, p95",
                ms(&c["new_message_ms"]["p95"]),
                "–".into(),
                "–".into(),
                "≤ 4 ms",
            );
            row("memory with 10,000 messages", mib(&c["memory_bytes"]), "–".into(), "–".into(), "≤ 4 MB");
        }
    }
    let s = &r["server"]["submissions"];
    row(
        "preference submissions per second (SQLite, WAL, synchronous=FULL)",
        format!("{:.0}", s["per_second"].as_f64().unwrap_or(0.0)),
        "–".into(),
        "–".into(),
        "≥ 5,000/s",
    );
    row("submission latency p99", ms(&s["latency_ms"]["p99"]), "–".into(), "–".into(), "≤ 20 ms");
    let f = &r["server"]["fan_out"];
    row(
        &format!("SSE fan-out to {} subscribers: delivered", f["subscribers"]),
        format!("{}", f["delivered"]),
        "–".into(),
        "–".into(),
        "",
    );
    row("SSE delivery latency p50", ms(&f["latency_ms"]["p50"]), "–".into(), "–".into(), "");
    row("SSE delivery latency p99", ms(&f["latency_ms"]["p99"]), "–".into(), "–".into(), "≤ 100 ms");
    row(
        "server memory with the subscribers connected",
        mib(&f["server_rss_bytes"]["connected"]),
        "–".into(),
        "–".into(),
        "",
    );
    md
}

/// Runs every benchmark and writes `bench.json` and `bench.md` into `out`.
pub fn run(dist: &Path, peer: &Path, peer_name: &str, out: &Path) -> Value {
    let started = Instant::now();
    let server = TestServer::start_with(&[("peer", peer.to_path_buf())], &["--rate-limit", "100000000"]);
    eprintln!("bench: bytes");
    let mut kept = json!({ "bytes": bytes(dist, &OURS) });
    let mut peer_fig = json!({ "bytes": bytes(peer, &PEER) });
    for (key, throttle) in [("boot", 1.0), ("boot_4x", 4.0)] {
        eprintln!("bench: {key}");
        kept[key] = boot(&format!("{}/bench-boot.html", server.url), throttle, scaled(BOOT_RUNS));
        peer_fig[key] = boot(&format!("{}/bench-peer.html", server.url), throttle, scaled(BOOT_RUNS));
    }
    eprintln!("bench: long chats");
    let chats = long_chats(&server);
    eprintln!("bench: submissions");
    let subs = submissions(&server);
    eprintln!("bench: SSE fan-out");
    let fan = fan_out(&server, scaled(SUBSCRIBERS));
    let machine = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find_map(|l| l.strip_prefix("model name").map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned()))
        })
        .map(|m| format!("{} cores, {m}", std::thread::available_parallelism().map_or(0, |n| n.get())))
        .unwrap_or_default();
    let date = std::process::Command::new("date")
        .arg("+%Y-%m-%d")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .unwrap_or_default()
        .trim()
        .to_owned();
    let report = json!({
        "date": date, "machine": machine, "peer_name": peer_name, "seconds": started.elapsed().as_secs(),
        "kept": kept, "peer": peer_fig, "long_chats": chats,
        "server": { "submissions": subs, "fan_out": fan },
    });
    std::fs::create_dir_all(out).expect("the output folder");
    std::fs::write(out.join("bench.json"), serde_json::to_string_pretty(&report).unwrap_or_default())
        .expect("bench.json");
    std::fs::write(out.join("bench.md"), markdown(&report)).expect("bench.md");
    report
}

/// Where the peer's files are, from `$KEPT_PEER`.
pub fn peer_dir() -> PathBuf {
    PathBuf::from(std::env::var("KEPT_PEER").expect("KEPT_PEER is set by `cargo xtask bench`"))
}
