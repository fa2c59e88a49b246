//! `cargo xtask screenshots`: the step, the receipt and the order-status chat in every language,
//! light and dark, at a phone's (390 px) and a laptop's (1280 px) width, rendered by headless
//! Chromium from the release widget against a debug kept-server, into `target/screenshots/`.

use std::path::Path;
use std::process::Command;

use crate::{build, run, setup};

/// `only`: languages to render (`ru,uk`); empty for all.
pub fn run(root: &Path, only: &str) -> Result<(), String> {
    let tools = setup::run(root)?;
    build::widget(root, &tools)?;
    run::status(
        Command::new("cargo")
            .args(["build", "-p", "kept-server", "-p", "kept-e2e", "--bin", "kept-server", "--bin", "kept-screenshots"])
            .current_dir(root),
    )?;
    let out = root.join("target/screenshots");
    run::status(
        Command::new(root.join("target/debug/kept-screenshots"))
            .arg(&out)
            .arg(only)
            .current_dir(root)
            .env("KEPT_SERVER_BIN", root.join("target/debug/kept-server"))
            .env("KEPT_DIST", root.join("dist"))
            .env("CHROMEDRIVER", setup::CHROMEDRIVER)
            .env("CHROMIUM", setup::CHROMIUM),
    )
}
