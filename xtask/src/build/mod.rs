//! Building the release widget (split into its first screen and lazily loaded chunks), by
//! stage: compile (and split), bindgen, optimise, assets, size.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use flate2::write::GzEncoder;
use flate2::Compression;

use crate::run;
use crate::setup::Tools;

mod assets;
mod bindgen;
mod compile;
mod optimise;
mod size;

use assets::*;
use bindgen::*;
use compile::*;
use optimise::*;
pub use size::{size_report, Sizes};

/// The files a shop serves, as wasm-bindgen and the splitter name them before the build gives
/// them content-hashed names (see [`content_hash`]).
pub(super) const GLUE: &str = "kept-widget.js";
pub(super) const WASM: &str = "kept-widget_bg.wasm";
/// The module that fetches and links the chunks; the glue imports it.
pub(super) const LINK: &str = "kept-chunks.js";
pub(super) const LOADER: &str = "kept.js";
/// The notice an unsupported browser gets in the widget's place; only such a browser fetches it.
pub(super) const NOTICE: &str = "kept-notice.js";
/// What the build shipped, one file a line: `first <name>` for the first screen (in load order),
/// `later <name>` for the chunks, `text <tag> <step> <chat>` for each locale's two catalog files
/// (a customer fetches one locale's: the step's with the first screen, the chat's with the
/// chat). Tests, the size report and the benchmark read it.
pub const MANIFEST: &str = "kept-files.txt";
pub(super) const BUDGET_FILE: &str = "size-budget.txt";

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from)
}

fn fresh_dir(dir: &Path) -> Result<(), String> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))
}

/// Builds `dist/` in release mode and prints the size report; Err when a budget is exceeded.
pub fn widget(root: &Path, tools: &Tools) -> Result<Sizes, String> {
    let raw = compile(root, "kept-widget", &format!("{SIZE_RUSTFLAGS}{SPLIT_RUSTFLAGS}"))?;
    let work = target_dir(root).join("widget");
    let dist = root.join("dist");
    fresh_dir(&work)?;
    fresh_dir(&dist)?;
    let chunks = split(&raw, &work)?;
    bindgen(&work.join("main.wasm"), &work, "kept-widget", &["--keep-lld-exports", "--no-demangle"])?;
    drop_unused_classes(&work.join(WASM), &work.join(GLUE))?;
    shorten_names(&work.join(WASM), &work.join(GLUE))?;
    optimise(tools, &work.join(WASM), &dist.join(WASM))?;
    for chunk in &chunks {
        optimise(tools, &work.join(chunk), &dist.join(chunk))?;
    }
    let copy = |from: PathBuf, name: &str| {
        std::fs::copy(&from, dist.join(name)).map(|_| ()).map_err(|e| format!("{}: {e}", from.display()))
    };
    copy(work.join(GLUE), GLUE)?;
    copy(work.join(LINK), LINK)?;
    copy(root.join("src").join(LOADER), LOADER)?;
    let notice = std::fs::read_to_string(root.join("src").join(NOTICE)).map_err(|e| format!("src/{NOTICE}: {e}"))?;
    let notice = shipped_js(&notice).map_err(|e| format!("{NOTICE}: {e}"))?;
    std::fs::write(dist.join(NOTICE), notice).map_err(|e| format!("dist/{NOTICE}: {e}"))?;
    copy(root.join("index.html"), "index.html")?;
    copy(root.join("style/demo.css"), "demo.css")?;
    let texts = catalogs(root, &dist)?;
    content_hash(&dist, &chunks, &texts)?;
    precompress(&dist)?;
    size_report(root)
}

/// The benchmark's floor, a bare Leptos counter (`e2e/floor`), built with the widget's flags
/// into `target/bench-floor/` as `kept_floor.js` and `kept_floor_bg.wasm`; returns the folder.
pub fn floor(root: &Path, tools: &Tools) -> Result<PathBuf, String> {
    let raw = compile(root, "kept-floor", SIZE_RUSTFLAGS)?;
    let work = target_dir(root).join("bench-floor-work");
    let out = target_dir(root).join("bench-floor");
    fresh_dir(&work)?;
    fresh_dir(&out)?;
    bindgen(&raw, &work, "kept_floor", &[])?;
    optimise(tools, &work.join("kept_floor_bg.wasm"), &out.join("kept_floor_bg.wasm"))?;
    std::fs::copy(work.join("kept_floor.js"), out.join("kept_floor.js")).map_err(|e| format!("kept_floor.js: {e}"))?;
    Ok(out)
}

/// The shipped files in `dist`, from the build's manifest.
#[derive(Clone, Debug, Default)]
pub struct Shipped {
    /// The first screen's code, in load order.
    pub first: Vec<String>,
    /// The chunks loaded after it.
    pub later: Vec<String>,
    /// Each locale's catalog files.
    pub texts: Vec<Texts>,
    /// What only a browser the widget cannot run in fetches (the notice in its place).
    pub fallback: Vec<String>,
}

impl Shipped {
    /// Every shipped file.
    pub fn all(&self) -> impl Iterator<Item = &str> {
        let texts = self.texts.iter().flat_map(|t| [t.step.as_str(), t.chat.as_str()]);
        self.first
            .iter()
            .chain(&self.later)
            .map(String::as_str)
            .chain(texts)
            .chain(self.fallback.iter().map(String::as_str))
    }
}

/// Reads the build's manifest in `dist`.
pub fn shipped(dist: &Path) -> Result<Shipped, String> {
    let text = std::fs::read_to_string(dist.join(MANIFEST)).map_err(|e| format!("dist/{MANIFEST}: {e}"))?;
    let mut shipped = Shipped::default();
    for line in text.lines() {
        let words: Vec<&str> = line.split(' ').collect();
        match words[..] {
            ["first", name] => shipped.first.push(name.to_owned()),
            ["later", name] => shipped.later.push(name.to_owned()),
            ["fallback", name] => shipped.fallback.push(name.to_owned()),
            ["text", tag, step, chat] => {
                shipped.texts.push(Texts { tag: tag.to_owned(), step: step.to_owned(), chat: chat.to_owned() })
            }
            _ => return Err(format!("dist/{MANIFEST}: unreadable line {line:?}")),
        }
    }
    Ok(shipped)
}

/// Builds the operator console into `dist/operator/` (after the widget: trunk replaces `dist/`).
/// It is the shop's own tool, so it has no byte budget and uses the ordinary release profile.
pub fn console(root: &Path, tools: &Tools) -> Result<(), String> {
    run::status(
        Command::new("trunk")
            .args(["build", "--release", "--offline"])
            .current_dir(root.join("operator"))
            .env("PATH", tools.path_var()),
    )
}
