//! `cargo xtask bench`: the release widget and a peer chat widget from npm, measured side by side
//! by `kept-bench` (in the e2e crate) against a release kept-server on loopback. Prints the table,
//! writes it as JSON and markdown into `target/bench/`, and puts the markdown into docs/benchmarks.md.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::setup::{self, Tools};
use crate::{build, run};

/// The peer: n8n's embeddable chat widget, its self-contained bundle and stylesheet.
const PEER: NpmPeer = NpmPeer {
    package: "@n8n/chat",
    version: "1.37.0",
    tarball: "n8n-chat-1.37.0.tgz",
    folder: "package/dist",
    files: &["chat.bundle.umd.js", "style.css"],
};
/// The second peer: the leanest embeddable chat widget found on the npm registry (a
/// dependency-free script and five small stylesheets).
const LEAN_PEER: NpmPeer = NpmPeer {
    package: "chat-bubble",
    version: "1.5.0",
    tarball: "chat-bubble-1.5.0.tgz",
    folder: "package/component",
    files: &[
        "Bubbles.js",
        "styles/setup.css",
        "styles/says.css",
        "styles/reply.css",
        "styles/typing.css",
        "styles/input.css",
    ],
};

/// A widget from the npm registry measured beside ours: which files of its tarball it ships.
struct NpmPeer {
    package: &'static str,
    version: &'static str,
    tarball: &'static str,
    /// Where the files are inside the tarball.
    folder: &'static str,
    files: &'static [&'static str],
}

const TABLE_BEGIN: &str = "<!-- bench:begin (written by cargo xtask bench) -->";
const TABLE_END: &str = "<!-- bench:end -->";
/// The page the benchmark table lives in.
const TABLE_PAGE: &str = "docs/benchmarks.md";

/// Fetches a peer's tarball from the npm registry into `.tools/peer/<package>/<version>/` once
/// (no install scripts, no dependencies: what is measured is what a page would load).
fn peer(root: &Path, peer: &NpmPeer) -> Result<PathBuf, String> {
    let dir = root.join(".tools/peer").join(peer.package.replace('/', "_")).join(peer.version);
    if peer.files.iter().all(|f| dir.join(f).is_file()) {
        return Ok(dir);
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    eprintln!("fetching {}@{} from npm into {}", peer.package, peer.version, dir.display());
    run::status(
        Command::new("npm")
            .args(["pack", "--silent", "--pack-destination"])
            .arg(&dir)
            .arg(format!("{}@{}", peer.package, peer.version)),
    )?;
    let members: Vec<String> = peer.files.iter().map(|f| format!("{}/{f}", peer.folder)).collect();
    let strip = format!("--strip-components={}", peer.folder.split('/').count());
    run::status(
        Command::new("tar").arg("xzf").arg(dir.join(peer.tarball)).arg(strip).arg("-C").arg(&dir).args(&members),
    )?;
    Ok(dir)
}

/// Replaces the benchmark table in [`TABLE_PAGE`] with `table`.
fn update_table(root: &Path, table: &str) -> Result<(), String> {
    let path = root.join(TABLE_PAGE);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{TABLE_PAGE}: {e}"))?;
    let (Some(a), Some(b)) = (text.find(TABLE_BEGIN), text.find(TABLE_END)) else {
        return Err(format!("{TABLE_PAGE} has no benchmark markers"));
    };
    let updated = [&text[..a + TABLE_BEGIN.len()], "\n", table, &text[b..]].concat();
    std::fs::write(&path, updated).map_err(|e| format!("{TABLE_PAGE}: {e}"))
}

/// Builds, measures, reports.
pub fn run(root: &Path) -> Result<(), String> {
    let tools: Tools = setup::run(root)?;
    build::widget(root, &tools)?;
    let floor = build::floor(root, &tools)?;
    let lean = peer(root, &LEAN_PEER)?;
    let peer = peer(root, &PEER)?;
    run::status(
        Command::new("cargo").args(["build", "--release", "-p", "kept-server", "-p", "kept-e2e"]).current_dir(root),
    )?;
    let out = root.join("target/bench");
    // The engines compared: PostgreSQL as a shop would run it (fsync on), removed afterwards.
    let cluster = crate::postgres::Cluster::start(root, "pg-bench", crate::postgres::Durability::Default)?;
    let measured = run::status(
        Command::new(root.join("target/release/kept-bench"))
            .arg(&out)
            .current_dir(root)
            .env("KEPT_SERVER_BIN", root.join("target/release/kept-server"))
            .env("KEPT_DIST", root.join("dist"))
            .env("KEPT_PEER", &peer)
            .env("KEPT_FLOOR", &floor)
            .env("KEPT_PEER_NAME", format!("{}@{}", PEER.package, PEER.version))
            .env("KEPT_LEAN_PEER", &lean)
            .env("KEPT_LEAN_PEER_NAME", format!("{}@{}", LEAN_PEER.package, LEAN_PEER.version))
            .env("CHROMEDRIVER", setup::CHROMEDRIVER)
            .env("CHROMIUM", setup::CHROMIUM)
            .env("KEPT_TEST_POSTGRES", &cluster.url),
    );
    drop(cluster);
    measured?;
    let table = std::fs::read_to_string(out.join("bench.md")).map_err(|e| format!("bench.md: {e}"))?;
    update_table(root, &table)
}
