//! `cargo xtask bench`: bytes, boot, long chats, memory and server load, with a peer widget
//! measured by the same harness in the same run. Everything talks to 127.0.0.1 only, and every
//! loop is bounded in count and in time.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{json, Value};

use crate::server::TestServer;
use crate::wait_for;
use crate::webdriver::Browser;

/// Boot runs per configuration, each with a fresh browser profile.
const BOOT_RUNS: usize = 15;
/// `KEPT_BENCH_QUICK=1` divides the counts, to try the harness itself.
pub(crate) fn scaled(n: usize) -> usize {
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

/// The widget's shipped files, and the peer's.
/// The first screen in load order, then the chunks loaded after it.
fn ours(dist: &Path) -> Vec<String> {
    let (first, later) = crate::server::shipped_files(dist);
    first.into_iter().chain(later).collect()
}
const PEER: [&str; 2] = ["chat.bundle.umd.js", "style.css"];
/// The second, leanest peer (`chat-bubble`): its script and stylesheets.
const LEAN: [&str; 6] =
    ["Bubbles.js", "styles/setup.css", "styles/says.css", "styles/reply.css", "styles/typing.css", "styles/input.css"];
/// The floor: a bare Leptos counter built with the widget's flags (`e2e/floor`).
const FLOOR: [&str; 2] = ["kept_floor.js", "kept_floor_bg.wasm"];

pub(crate) fn percentile(v: &[f64], p: f64) -> f64 {
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

/// One file's size, raw and compressed.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FileBytes {
    pub file: String,
    pub raw: usize,
    pub gzip: usize,
    pub brotli: usize,
}

/// Files' sizes and their totals.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Bytes {
    pub files: Vec<FileBytes>,
    pub raw: usize,
    pub gzip: usize,
    pub brotli: usize,
}

/// The middle and the 95th percentile (milliseconds, unless named otherwise); `count` samples.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Spread {
    pub p50: f64,
    pub p95: f64,
    pub count: usize,
}

impl Spread {
    fn of(v: &[f64]) -> Spread {
        Spread { p50: percentile(v, 50.0), p95: percentile(v, 95.0), count: v.len() }
    }
}

/// JS heap in use plus array-buffer backing stores, in bytes.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Memory {
    pub js_heap: f64,
    pub array_buffers: f64,
    pub total: f64,
}

/// A page's boot figures over its runs at one CPU throttling.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Boot {
    pub runs: usize,
    pub cpu_throttling: f64,
    pub interactive_ms: Spread,
    pub chat_after_ready_ms: Spread,
    pub longest_task_ms: f64,
    pub longest_task_p50_ms: f64,
    pub longest_task_after_ready_ms: f64,
    pub main_thread_ms: f64,
    pub memory_bytes: f64,
}

/// One page measured: Kept, the peer, the floor or the second peer.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Page {
    pub bytes: Bytes,
    /// Kept's: what loads before the step is usable.
    pub first_screen: Option<Bytes>,
    pub name: Option<String>,
    pub boot: Boot,
    pub boot_4x: Boot,
}

/// Paging back through a whole chat of 10,000.
#[derive(Clone, Debug, Default, Serialize)]
pub struct History {
    pub seconds: f64,
    pub clicks: u64,
    pub memory_bytes: f64,
    pub dom_nodes: f64,
}

/// A chat of `messages` opened, and at 10,000 what a new message costs.
#[derive(Clone, Debug, Default, Serialize)]
pub struct LongChat {
    pub messages: usize,
    pub open_ms: Spread,
    pub dom_nodes: f64,
    pub memory_bytes: Option<f64>,
    pub new_message_ms: Option<Spread>,
    pub new_message_inserted_ms: Option<Spread>,
    pub full_history: Option<History>,
}

/// Everything one `cargo xtask bench` measured.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    pub date: String,
    pub machine: String,
    pub peer_name: String,
    pub seconds: u64,
    pub kept: Page,
    pub peer: Page,
    pub floor: Page,
    pub lean_peer: Page,
    pub long_chats: Vec<LongChat>,
    pub server: crate::scale::Report,
}

/// Raw, gzip and brotli of each file and the total.
fn bytes(dir: &Path, files: &[&str]) -> Bytes {
    let mut total = Bytes::default();
    for f in files {
        let b = std::fs::read(dir.join(f)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(f).display()));
        let row = FileBytes { file: (*f).to_owned(), raw: b.len(), gzip: gzip(&b), brotli: brotli(&b) };
        (total.raw, total.gzip, total.brotli) = (total.raw + row.raw, total.gzip + row.gzip, total.brotli + row.brotli);
        total.files.push(row);
    }
    total
}

/// The number a page computed, waiting for it to exist.
fn page_number(b: &Browser, what: &str, script: &str, patience: Duration) -> f64 {
    wait_for(what, patience, || b.execute(script, vec![]).as_f64())
}

/// Ready, from navigation: the page's time origin is the navigation's start.
const INTERACTIVE: &str =
    "const i = performance.getEntriesByName('kept:interactive')[0]; return i ? i.startTime : null;";
/// From the step being ready to the chat's composer being on screen: the chat's chunk included.
const CHAT_OPEN: &str = "const s = performance.getEntriesByName('kept:interactive')[0], \
    c = performance.getEntriesByName('kept:chat')[0]; return s && c ? c.startTime - s.startTime : null;";
/// From the chat being on screen (ready) to its newest messages shown: the page fetch and render.
const MESSAGES_SHOWN: &str = "const s = performance.getEntriesByName('kept:interactive')[0], \
    m = performance.getEntriesByName('kept:messages')[0]; return s && m ? m.startTime - s.startTime : null;";
/// The longest task (long-task timing sees those over 50 ms) that started before the step was
/// ready, and the longest after it (the chat's chunk and first render among them).
const LONGEST_TASKS: &str = "const i = performance.getEntriesByName('kept:interactive')[0]; \
    const ready = i ? i.startTime : Infinity, t = window.__bench.longtasks; \
    return [Math.max(0, ...t.filter((e) => e.start < ready).map((e) => e.duration)), \
            Math.max(0, ...t.filter((e) => e.start >= ready).map((e) => e.duration))];";
const DOM_NODES: &str = "const h = document.querySelector('.kept-host'); \
    return document.querySelectorAll('*').length + (h && h.shadowRoot ? h.shadowRoot.querySelectorAll('*').length : 0);";

/// JS heap in use plus array-buffer backing stores (the wasm memory among them), after a GC.
fn memory(b: &Browser) -> Memory {
    b.cdp("HeapProfiler.collectGarbage", json!({}));
    let heap = b.cdp("Runtime.getHeapUsage", json!({}));
    let used = heap["usedSize"].as_f64().unwrap_or(0.0);
    let backing = heap["backingStorageSize"].as_f64().unwrap_or(0.0);
    Memory { js_heap: used, array_buffers: backing, total: used + backing }
}

fn main_thread_ms(b: &Browser) -> f64 {
    let metrics = b.cdp("Performance.getMetrics", json!({}));
    let task = metrics["metrics"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["name"] == "TaskDuration"))
        .and_then(|m| m["value"].as_f64());
    task.unwrap_or(f64::NAN) * 1000.0
}

/// One page's boot figures as they are gathered, a run at a time.
#[derive(Default)]
struct BootRuns {
    times: Vec<f64>,
    longest: Vec<f64>,
    longest_after: Vec<f64>,
    main: Vec<f64>,
    mem: Vec<f64>,
    chat: Vec<f64>,
}

impl BootRuns {
    /// Opens `url` in a fresh profile at this CPU throttling and records what it shows.
    fn run(&mut self, url: &str, throttle: f64) {
        let b = Browser::start();
        b.cdp("Performance.enable", json!({}));
        if throttle > 1.0 {
            b.cdp("Emulation.setCPUThrottlingRate", json!({ "rate": throttle }));
        }
        b.goto(url);
        self.times.push(page_number(&b, "interactive", INTERACTIVE, Duration::from_secs(60)));
        std::thread::sleep(Duration::from_millis(300));
        if url.contains("bench-boot") {
            self.chat.push(page_number(&b, "the chat usable", CHAT_OPEN, Duration::from_secs(60)));
        }
        let tasks = b.execute(LONGEST_TASKS, vec![]);
        self.longest.push(tasks[0].as_f64().unwrap_or(0.0));
        self.longest_after.push(tasks[1].as_f64().unwrap_or(0.0));
        self.main.push(main_thread_ms(&b));
        if throttle == 1.0 {
            self.mem.push(memory(&b).total);
        }
    }

    fn figures(&self, throttle: f64) -> Boot {
        Boot {
            runs: self.times.len(),
            cpu_throttling: throttle,
            interactive_ms: Spread::of(&self.times),
            chat_after_ready_ms: Spread::of(&self.chat),
            longest_task_ms: percentile(&self.longest, 100.0),
            longest_task_p50_ms: percentile(&self.longest, 50.0),
            longest_task_after_ready_ms: percentile(&self.longest_after, 100.0),
            main_thread_ms: percentile(&self.main, 50.0),
            memory_bytes: percentile(&self.mem, 50.0),
        }
    }
}

/// Opens each of `urls` in fresh profiles `runs` times at this CPU throttling, taking turns (one
/// run of each page per round), so that a shared machine's slow minutes fall on every page
/// alike and the ratios between them hold; boot figures, in the order of `urls`.
fn boots(urls: &[String], throttle: f64, runs: usize) -> Vec<Boot> {
    let mut pages: Vec<BootRuns> = urls.iter().map(|_| BootRuns::default()).collect();
    for _ in 0..runs {
        for (url, page) in urls.iter().zip(&mut pages) {
            page.run(url, throttle);
        }
    }
    pages.iter().map(|p| p.figures(throttle)).collect()
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

fn long_chats(server: &TestServer) -> Vec<LongChat> {
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
        let mut row = LongChat {
            messages: n,
            open_ms: Spread::of(&open),
            dom_nodes: percentile(&nodes, 50.0),
            ..LongChat::default()
        };
        if let (10_000, Some(b)) = (n, last) {
            row.memory_bytes = Some(memory(&b).total);
            row.new_message_ms = Some(arrivals(server, &b));
            row.new_message_inserted_ms = Some(inserted(&b));
            row.full_history = Some(full_history(&b));
        }
        rows.push(row);
    }
    rows
}

/// Latency from a new message reaching the browser to the next paint, at the current length.
/// Pages back through the whole history ("earlier" until it is gone for good), in the page,
/// in rounds of at most 15 s; then the memory and DOM nodes with every message loaded.
const PAGE_BACK: &str = "const done = arguments[arguments.length - 1]; \
    const root = document.querySelector('.kept-host').shadowRoot; const until = performance.now() + 15000; \
    let clicks = 0, misses = 0; \
    const step = () => { const btn = root.querySelector('[data-testid=\"earlier\"]'); \
      if (btn) { btn.click(); clicks++; misses = 0; } else { misses++; } \
      if (misses > 40 || performance.now() > until) { \
        const first = root.querySelector('[data-testid=\"message\"]'); \
        done({ clicks, gone: misses > 40, oldest: first ? first.textContent : '' }); } \
      else { setTimeout(step, btn ? 0 : 50); } }; step();";

fn full_history(b: &Browser) -> History {
    let started = Instant::now();
    let mut clicks = 0;
    let mut oldest = String::new();
    for _ in 0..40 {
        let round = b.execute_async(PAGE_BACK, vec![]);
        clicks += round["clicks"].as_u64().unwrap_or(0);
        oldest = round["oldest"].as_str().unwrap_or("").to_owned();
        if round["gone"].as_bool() == Some(true) {
            break;
        }
    }
    assert!(oldest.contains("Message number 0 "), "the whole history was not reached: the first line is {oldest:?}");
    History {
        seconds: started.elapsed().as_secs_f64(),
        clicks,
        memory_bytes: memory(b).total,
        dom_nodes: b.execute(DOM_NODES, vec![]).as_f64().unwrap_or(f64::NAN),
    }
}

fn arrivals(server: &TestServer, b: &Browser) -> Spread {
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
    Spread::of(&painted)
}

/// From a new message's arrival to its line in the DOM, without waiting for the frame.
fn inserted(b: &Browser) -> Spread {
    let v: Vec<f64> = serde_json::from_value(b.execute("return window.__bench.inserted;", vec![])).unwrap_or_default();
    Spread::of(&v)
}

/// A figure, or a dash where none was measured (NaN).
fn shown(x: f64, f: impl Fn(f64) -> String) -> String {
    if x.is_finite() {
        f(x)
    } else {
        "–".to_owned()
    }
}

fn ms(x: f64) -> String {
    shown(x, |x| format!("{x:.1} ms"))
}

fn kib(x: f64) -> String {
    shown(x, |x| format!("{:.1} KB", x / 1024.0))
}

fn mib(x: f64) -> String {
    shown(x, |x| format!("{:.2} MB", x / 1_048_576.0))
}

fn count(x: f64) -> String {
    shown(x, |x| format!("{x:.0}"))
}

fn ratio(ours: f64, peer: f64) -> String {
    match (ours, peer) {
        (a, b) if a.is_finite() && b.is_finite() && b > 0.0 => format!("{:.2}×", a / b),
        _ => "–".to_owned(),
    }
}

/// The markdown table docs/benchmarks.md shows.
pub fn markdown(r: &Report) -> String {
    let (o, p) = (&r.kept, &r.peer);
    let mut md = String::new();
    md.push_str(&format!("Measured {} on this machine ({}); peer: `{}`.\n\n", r.date, r.machine, r.peer_name));
    md.push_str("| figure | Kept | peer | Kept / peer | target |\n|---|---:|---:|---:|---|\n");
    let mut row = |name: &str, a: String, b: String, ratio: String, target: &str| {
        md.push_str(&format!("| {name} | {a} | {b} | {ratio} | {target} |\n"));
    };
    let first_gzip = o.first_screen.as_ref().map_or(f64::NAN, |f| f.gzip as f64);
    for (label, a, b, t) in [
        ("bytes, raw", o.bytes.raw, p.bytes.raw, ""),
        ("bytes, gzip", o.bytes.gzip, p.bytes.gzip, "≤ 240 KB, every chunk"),
        ("bytes, brotli", o.bytes.brotli, p.bytes.brotli, ""),
    ] {
        row(label, kib(a as f64), kib(b as f64), ratio(a as f64, b as f64), t);
    }
    // What Kept's first screen and ready time are read against: the floor of our stack, and the
    // leanest chat widget found on npm.
    let lean_name = r.lean_peer.name.as_deref().unwrap_or("");
    let references = [
        (&r.floor, "floor: a bare Leptos counter built the same way".to_owned(), "floor", "floor", "≤ 1.5× the floor"),
        (
            &r.lean_peer,
            format!("second peer, the leanest chat widget found on npm (`{lean_name}`)"),
            "second peer",
            "it",
            "",
        ),
    ];
    for (x, what, short, it, target) in &references {
        let gzip = x.bytes.gzip as f64;
        row(&format!("{what}, gzip (Kept's first screen / {it})"), kib(gzip), "–".into(), ratio(first_gzip, gzip), "");
        for (ours, theirs, label) in [
            (&o.boot, &x.boot, "ready from navigation"),
            (&o.boot_4x, &x.boot_4x, "ready from navigation, 4× CPU throttling"),
        ] {
            let (a, b) = (ours.interactive_ms.p50, theirs.interactive_ms.p50);
            row(&format!("{short}: {label}, p50 (Kept / {it})"), ms(b), "–".into(), ratio(a, b), target);
        }
    }
    row(
        "first screen (before the step is usable), gzip",
        kib(first_gzip),
        kib(p.bytes.gzip as f64),
        ratio(first_gzip, p.bytes.gzip as f64),
        "≤ 120 KB (aim 96 KB)",
    );
    for (a, b, label, target, most) in [
        (&o.boot, &p.boot, "ready from navigation", "≤ 1.5× the floor", "no task > 50 ms"),
        (&o.boot_4x, &p.boot_4x, "ready from navigation, 4× CPU throttling", "", "no task > 100 ms"),
    ] {
        let (x, y) = (&a.interactive_ms, &b.interactive_ms);
        row(&format!("{label}, p50"), ms(x.p50), ms(y.p50), ratio(x.p50, y.p50), target);
        row(&format!("{label}, p95"), ms(x.p95), ms(y.p95), ratio(x.p95, y.p95), "");
        let (x, y) = (a.longest_task_ms, b.longest_task_ms);
        row(
            &format!("{label}: longest task before ready, worst run (≥ 50 ms counted)"),
            ms(x),
            ms(y),
            ratio(x, y),
            most,
        );
        let (x, y) = (a.longest_task_p50_ms, b.longest_task_p50_ms);
        row(&format!("{label}: longest task before ready, median run"), ms(x), ms(y), ratio(x, y), "");
        row(
            &format!("{label}: longest task after ready, the chat's chunk among them"),
            ms(a.longest_task_after_ready_ms),
            "–".into(),
            "–".into(),
            "",
        );
        let (x, y) = (a.main_thread_ms, b.main_thread_ms);
        row(&format!("{label}: main-thread time"), ms(x), ms(y), ratio(x, y), "");
        let target = if std::ptr::eq(a, &o.boot) { "≤ 100 ms" } else { "" };
        row(
            &format!("{label}: the chat usable after the step, its chunk included, p50"),
            ms(a.chat_after_ready_ms.p50),
            "–".into(),
            "–".into(),
            target,
        );
    }
    let (a, b) = (o.boot.memory_bytes, p.boot.memory_bytes);
    row("memory after load (JS heap + array buffers, after GC)", mib(a), mib(b), ratio(a, b), "");
    for c in &r.long_chats {
        let n = c.messages;
        let at_most = |target: &'static str| if n == 10_000 { target } else { "" };
        row(
            &format!("open a chat of {n} messages (ready to messages shown), p50"),
            ms(c.open_ms.p50),
            "–".into(),
            "–".into(),
            at_most("≤ 16 ms"),
        );
        row(&format!("DOM nodes with {n} messages"), count(c.dom_nodes), "–".into(), "–".into(), at_most("≤ 2,000"));
        let (Some(inserted), Some(painted)) = (&c.new_message_inserted_ms, &c.new_message_ms) else { continue };
        for (q, i, p, target) in [("p50", inserted.p50, painted.p50, ""), ("p95", inserted.p95, painted.p95, "≤ 4 ms")]
        {
            let label = format!("new message at 10,000: arrival to DOM line (no frame wait), {q}");
            row(&label, ms(i), "–".into(), "–".into(), target);
            let label = format!("new message at 10,000: arrival to the next frame painted, {q}");
            row(&label, ms(p), "–".into(), "–".into(), "");
        }
        let memory = c.memory_bytes.unwrap_or(f64::NAN);
        row("memory with 10,000 messages, newest page loaded", mib(memory), "–".into(), "–".into(), "≤ 4 MB");
        if let Some(h) = &c.full_history {
            row(
                &format!("all 10,000 loaded (paged back to the first: {} clicks, {:.0} s)", h.clicks, h.seconds),
                mib(h.memory_bytes),
                "–".into(),
                "–".into(),
                "memory",
            );
            row("all 10,000 loaded: DOM nodes", count(h.dom_nodes), "–".into(), "–".into(), "≤ 2,000");
        }
    }
    md.push_str(&crate::scale::rows(&r.server));
    md
}

/// Runs every benchmark and writes `bench.json` and `bench.md` into `out`.
pub fn run(dist: &Path, peer: &Path, peer_name: &str, out: &Path) -> Report {
    let started = Instant::now();
    let floor = floor_dir();
    let lean = env_dir("KEPT_LEAN_PEER");
    let server = TestServer::start_with(
        &[("peer", peer.to_path_buf()), ("floor", floor.clone()), ("lean", lean.clone())],
        &["--rate-limit", "100000000"],
    );
    eprintln!("bench: bytes");
    let ours = ours(dist);
    let ours: Vec<&str> = ours.iter().map(String::as_str).collect();
    let first = crate::server::shipped_files(dist).0;
    let first: Vec<&str> = first.iter().map(String::as_str).collect();
    let mut kept = Page { bytes: bytes(dist, &ours), first_screen: Some(bytes(dist, &first)), ..Page::default() };
    let mut peer_fig = Page { bytes: bytes(peer, &PEER), ..Page::default() };
    let mut floor_fig = Page { bytes: bytes(&floor, &FLOOR), ..Page::default() };
    let lean_name = std::env::var("KEPT_LEAN_PEER_NAME").unwrap_or_default();
    let mut lean_fig = Page { bytes: bytes(&lean, &LEAN), name: Some(lean_name), ..Page::default() };
    for (key, throttle) in [("boot", 1.0), ("boot_4x", 4.0)] {
        eprintln!("bench: {key}");
        let urls = ["boot", "peer", "floor", "lean"].map(|page| format!("{}/bench-{page}.html", server.url));
        let [k, p, f, l]: [Boot; 4] = boots(&urls, throttle, scaled(BOOT_RUNS)).try_into().expect("a figure per page");
        let pages = [&mut kept, &mut peer_fig, &mut floor_fig, &mut lean_fig];
        for (page, boot) in pages.into_iter().zip([k, p, f, l]) {
            if throttle > 1.0 {
                page.boot_4x = boot;
            } else {
                page.boot = boot;
            }
        }
    }
    eprintln!("bench: long chats");
    let chats = long_chats(&server);
    drop(server);
    let scale = crate::scale::run();
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
    let report = Report {
        date,
        machine,
        peer_name: peer_name.to_owned(),
        seconds: started.elapsed().as_secs(),
        kept,
        peer: peer_fig,
        floor: floor_fig,
        lean_peer: lean_fig,
        long_chats: chats,
        server: scale,
    };
    std::fs::create_dir_all(out).expect("the output folder");
    std::fs::write(out.join("bench.json"), serde_json::to_string_pretty(&report).unwrap_or_default())
        .expect("bench.json");
    std::fs::write(out.join("bench.md"), markdown(&report)).expect("bench.md");
    report
}

/// Where the floor's files are, from `$KEPT_FLOOR`.
pub fn floor_dir() -> PathBuf {
    env_dir("KEPT_FLOOR")
}

fn env_dir(name: &str) -> PathBuf {
    PathBuf::from(std::env::var(name).unwrap_or_else(|_| panic!("{name} is set by `cargo xtask bench`")))
}

/// Where the peer's files are, from `$KEPT_PEER`.
pub fn peer_dir() -> PathBuf {
    PathBuf::from(std::env::var("KEPT_PEER").expect("KEPT_PEER is set by `cargo xtask bench`"))
}
