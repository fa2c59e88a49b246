//! `cargo xtask setup | demo | test | bench | size | screenshots`: everything a fresh machine needs.

mod bench;
mod build;
mod client;
mod demo;
mod postgres;
mod run;
mod schemathesis;
mod screenshots;
mod setup;
mod test;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

  setup              install what is missing (wasm32 target, trunk, wasm-bindgen-cli, wasm-opt, Chromium,
                     Firefox ESR and geckodriver, WebKitGTK's driver and Xvfb, PostgreSQL, HAProxy)
  demo [--postgres] [--port N]
                     build the widget, start kept-server with the demo shop, print the URL (default port
                     8080); --postgres: on a throwaway PostgreSQL cluster under target/
  test               formatting, clippy, native tests, browser tests, size budget, end-to-end tests (the core
                     stories in Chromium, Firefox ESR and WebKitGTK)
  engines            the core end-to-end stories in each of the three engines, one after another
  bench              measure bytes, boot, long chats, memory and server load beside a peer widget
  size               the release widget's size report and budget
  screenshots [LANGS] the step, the receipt and the chat in every language (or LANGS: ru,uk), light
                     and dark, at 390 and 1280 px, into target/screenshots/";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = project_root();
    // Test and bench runs start browsers, databases and servers that leave files in the
    // temporary folder (Chromium's profiles are ~120 MB each): they get one of their own.
    let command = args.first().map(String::as_str).unwrap_or("");
    let _scratch =
        matches!(command, "test" | "engines" | "bench" | "screenshots").then(|| run::Scratch::new(&root, command));
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::run(&root).map(|_| ()),
        Some("demo") => demo::run(&root, &args[1..]),
        Some("test") => test::run(&root),
        Some("engines") => test::engines(&root),
        Some("bench") => bench::run(&root),
        Some("screenshots") => screenshots::run(&root, args.get(1).map_or("", String::as_str)),
        Some("size") => setup::run(&root).and_then(|tools| build::widget(&root, &tools)).map(|_| ()),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("xtask: {msg}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: the parent of this crate's folder.
fn project_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}
