//! `cargo xtask test`: every check, browser tests included, with one summary line at the end.

use std::path::Path;
use std::process::Command;

use crate::run::{self, Counts};
use crate::{build, setup};

/// The host-side packages; the widget is checked for wasm32 only.
const HOST_PACKAGES: [&str; 10] =
    ["-p", "kept-protocol", "-p", "kept-server", "-p", "kept-operator", "-p", "kept-e2e", "-p", "xtask"];

struct Tally {
    counts: Counts,
    failed_steps: Vec<&'static str>,
}

impl Tally {
    /// A step that is not a test run: it counts as one check.
    fn check(&mut self, name: &'static str, result: Result<(), String>) {
        match result {
            Ok(()) => self.counts.passed += 1,
            Err(e) => {
                eprintln!("{name}: {e}");
                self.counts.failed += 1;
                self.failed_steps.push(name);
            }
        }
    }

    /// A test run: its own counts, and one failure more if it failed without reporting one.
    fn tests(&mut self, name: &'static str, (ok, counts): (bool, Counts)) {
        self.counts.passed += counts.passed;
        self.counts.failed += counts.failed;
        if !ok {
            if counts.failed == 0 {
                self.counts.failed += 1;
            }
            self.failed_steps.push(name);
        }
    }
}

/// `cargo <args>`, with `--locked` in CI so a stale Cargo.lock fails instead of changing.
fn cargo(root: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.current_dir(root).arg(args[0]);
    if std::env::var_os("CI").is_some() {
        // A clean clone gains nothing from incremental caches but gigabytes of disk.
        cmd.arg("--locked").env("CARGO_INCREMENTAL", "0");
    }
    cmd.args(&args[1..]);
    cmd
}

/// The core stories every engine runs (the Chromium run above has them with the rest): the coffee
/// story by mouse and by keyboard, the chat live from its chunk and a chunk that cannot be
/// fetched, the strict-CSP page, the hostile page, the notice of an unsupported browser, the
/// layout at 320, 390 and 1280 px in every language, and axe at zero in every state of the step.
const CORE_STORIES: [&str; 9] = [
    "the_coffee_story_is_stored_exactly_as_chosen",
    "the_coffee_story_can_be_completed_by_keyboard_alone",
    "an_operator_reply_appears_live_and_a_customer_message_reaches_the_shop",
    "a_chat_chunk_that_cannot_be_fetched_leaves_the_step_usable_and_loads_on_retry",
    "the_widget_works_under_a_strict_content_security_policy",
    "hostile_page_css_neither_breaks_the_widget_nor_is_changed_by_it",
    "a_browser_without_a_feature_the_widget_needs_gets_a_translated_notice_with_the_shops_contacts",
    "in_every_language_and_width_nothing_overflows_every_target_is_44px",
    "every_state_of_the_step_has_no_wcag_violations",
];
/// The test files the core stories are in.
const CORE_FILES: [&str; 6] = ["checkout", "accessibility", "chat", "chunks", "embedding", "layout"];
/// The engines beside Chromium, with the names of their steps (`KEPT_ENGINE` values).
pub const OTHER_ENGINES: [(&str, &str); 2] =
    [("end-to-end core stories in Firefox ESR", "firefox"), ("end-to-end core stories in WebKitGTK", "webkit")];

/// What every end-to-end run needs: the server binary, the release build, the browsers, axe.
fn e2e_env(cmd: &mut Command, root: &Path, tools: &setup::Tools) {
    cmd.env("KEPT_SERVER_BIN", root.join("target/debug/kept-server"))
        .env("KEPT_DIST", root.join("dist"))
        .env("CHROMEDRIVER", setup::CHROMEDRIVER)
        .env("CHROMIUM", setup::CHROMIUM)
        .env("FIREFOX", setup::FIREFOX)
        .env("WEBKIT_DRIVER", setup::WEBKIT_DRIVER)
        .env("MINIBROWSER", setup::MINIBROWSER)
        .env("KEPT_AXE", &tools.axe);
}

/// The core stories in `engine` (`chromium`, `firefox`, `webkit`). WebKitWebDriver drives one
/// session at a time, so each story gets its own driver; two stories run at once.
pub fn in_engine(root: &Path, tools: &setup::Tools, engine: &str) -> Command {
    let mut cmd = cargo(root, &["test", "--no-fail-fast", "-p", "kept-e2e"]);
    for file in CORE_FILES {
        cmd.args(["--test", file]);
    }
    cmd.arg("--").args(CORE_STORIES).arg("--test-threads=2");
    e2e_env(&mut cmd, root, tools);
    cmd.env("KEPT_ENGINE", engine);
    cmd
}

/// `cargo xtask engines`: the core stories in Chromium, Firefox ESR and WebKitGTK, one after
/// another, on the release build (built first).
pub fn engines(root: &Path) -> Result<(), String> {
    let tools = setup::run(root)?;
    build::widget(root, &tools)?;
    run::status(&mut cargo(root, &["build", "-p", "kept-server"]))?;
    let mut t = Tally { counts: Counts::default(), failed_steps: Vec::new() };
    for (name, engine) in [("core stories in Chromium", "chromium")].into_iter().chain(OTHER_ENGINES) {
        let start = std::time::Instant::now();
        t.tests(name, run::tests(&mut in_engine(root, &tools, engine)));
        eprintln!("{name}: {:.0} s", start.elapsed().as_secs_f64());
    }
    println!("{} passed, {} failed", t.counts.passed, t.counts.failed);
    if t.failed_steps.is_empty() {
        Ok(())
    } else {
        Err(format!("failed: {}", t.failed_steps.join(", ")))
    }
}

/// Runs every step, even after a failure, and fails when any step failed.
pub fn run(root: &Path) -> Result<(), String> {
    let tools = setup::run(root)?;
    let mut t = Tally { counts: Counts::default(), failed_steps: Vec::new() };

    t.check("rustfmt", run::status(Command::new("cargo").current_dir(root).args(["fmt", "--all", "--", "--check"])));
    let mut clippy = cargo(root, &["clippy", "--all-targets"]);
    clippy.args(HOST_PACKAGES).args(["--features", "kept-protocol/schema", "--", "-D", "warnings"]);
    t.check("clippy (host)", run::status(&mut clippy));
    let mut clippy_wasm =
        cargo(root, &["clippy", "-p", "kept-widget", "-p", "kept-operator", "--target", "wasm32-unknown-unknown"]);
    clippy_wasm.arg("--all-targets");
    clippy_wasm.args(["--", "-D", "warnings"]);
    t.check("clippy (wasm32)", run::status(&mut clippy_wasm));

    // The schema feature adds the test that keeps protocol/schema/ equal to the Rust types.
    let mut native = cargo(
        root,
        &[
            "test",
            "--no-fail-fast",
            "-p",
            "kept-protocol",
            "-p",
            "kept-server",
            "-p",
            "kept-operator",
            "-p",
            "xtask",
            "--features",
            "kept-protocol/schema",
        ],
    );
    t.tests("native tests", run::tests(&mut native));

    // One cluster for the whole run: the server tests again on PostgreSQL (each test makes a
    // database of its own in it), schemathesis and the several-instance end-to-end tests.
    let cluster = crate::postgres::Cluster::start(root, "pg-test", crate::postgres::Durability::ForTests);
    let postgres = cluster.as_ref().ok().map(|c| c.url.clone());
    match &postgres {
        Some(url) => {
            let mut on_pg = cargo(root, &["test", "--no-fail-fast", "-p", "kept-server", "--test", "*"]);
            on_pg.env("KEPT_TEST_POSTGRES", url);
            t.tests("server tests on PostgreSQL", run::tests(&mut on_pg));
        }
        None => t.check("PostgreSQL cluster", cluster.as_ref().map(|_| ()).map_err(Clone::clone)),
    }

    // wasm-bindgen-test-runner reads webdriver.json (headless flags) from the working directory.
    let mut browser =
        cargo(root, &["test", "--no-fail-fast", "-p", "kept-widget", "--target", "wasm32-unknown-unknown"]);
    browser
        .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", "wasm-bindgen-test-runner")
        .env("CHROMEDRIVER", setup::CHROMEDRIVER)
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120")
        .env_remove("GECKODRIVER")
        .env_remove("SAFARIDRIVER");
    t.tests("browser tests (wasm-bindgen-test)", run::tests(&mut browser));

    let built = build::widget(root, &tools);
    let widget_built = !matches!(&built, Err(e) if !e.contains("over the budget"));
    t.check("release build and size budget", built.map(|_| ()));
    let console = if widget_built { build::console(root, &tools) } else { Err("the widget did not build".to_owned()) };
    let widget_built = widget_built && console.is_ok();
    t.check("operator console build", console);

    if widget_built {
        let server = run::status(&mut cargo(root, &["build", "-p", "kept-server"]));
        t.check("kept-server build", server.clone());
        if server.is_ok() {
            for (name, result) in crate::schemathesis::run(root, &tools, None) {
                t.check(name, result);
            }
            if let Some(url) = &postgres {
                for (name, result) in crate::schemathesis::run(root, &tools, Some(url)) {
                    t.check(name, result);
                }
            }
            t.check("a generated OpenAPI client runs the shop's flow", crate::client::run(root, &tools));
            let mut e2e = cargo(root, &["test", "--no-fail-fast", "-p", "kept-e2e", "--", "--test-threads=2"]);
            e2e_env(&mut e2e, root, &tools);
            if let Some(url) = &postgres {
                e2e.env("KEPT_TEST_POSTGRES", url).env("KEPT_HAPROXY", crate::postgres::HAPROXY);
            }
            t.tests("end-to-end tests", run::tests(&mut e2e));
            for (name, engine) in OTHER_ENGINES {
                t.tests(name, run::tests(&mut in_engine(root, &tools, engine)));
            }
        }
    } else {
        t.check("end-to-end tests", Err("skipped: the widget did not build".to_owned()));
    }

    // Stopped and removed before the summary, failed or not.
    drop(cluster);
    if !t.failed_steps.is_empty() {
        eprintln!("failed: {}", t.failed_steps.join(", "));
    }
    println!("{} passed, {} failed", t.counts.passed, t.counts.failed);
    if t.counts.failed == 0 && t.failed_steps.is_empty() {
        Ok(())
    } else {
        Err("some checks failed".to_owned())
    }
}
