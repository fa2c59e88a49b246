//! `cargo xtask setup`: installs what is missing, quickly does nothing when all is there.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::run;

/// The pinned trunk release (0.22 needs a newer rustc than these machines have).
const TRUNK_VERSION: &str = "0.21.14";
/// The binaryen release whose npm package ships a working wasm-opt.
const BINARYEN_VERSION: &str = "132.0.0";
/// The property-based API tester run against the generated OpenAPI document.
const SCHEMATHESIS_VERSION: &str = "4.32.5";
/// The client generator the OpenAPI document is proven usable with (CI generates a client and
/// runs the shop's flow through it).
const OPENAPI_CLIENT_VERSION: &str = "0.29.1";
/// The accessibility engine the end-to-end tests inject into pages.
const AXE_VERSION: &str = "4.10.2";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Firefox ESR and WebKitGTK for the engine matrix, from Debian; geckodriver from crates.io.
pub const FIREFOX: &str = "/usr/bin/firefox-esr";
pub const WEBKIT_DRIVER: &str = "/usr/bin/WebKitWebDriver";
pub const MINIBROWSER: &str = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";
const GECKODRIVER_VERSION: &str = "0.37.1";
/// Debian's packages of the browsers: Chromium and its driver, Firefox ESR, WebKitGTK's driver
/// (it brings MiniBrowser), and the virtual X server WebKit needs (it has no headless mode).
const BROWSER_PACKAGES: [&str; 6] =
    ["chromium", "chromium-driver", "firefox-esr", "webkit2gtk-driver", "xvfb", "xauth"];

/// Where the installed tools are.
pub struct Tools {
    /// Folder holding wasm-opt, put first on PATH for trunk.
    pub wasm_opt_dir: PathBuf,
    /// axe-core's `axe.min.js`, for the accessibility checks in the end-to-end tests.
    pub axe: PathBuf,
    /// The `schemathesis` command, in its own Python virtual environment.
    pub schemathesis: PathBuf,
    /// The Python virtual environment with openapi-python-client (its `bin/`).
    pub openapi_client: PathBuf,
}

impl Tools {
    /// PATH with the project-local tools first.
    pub fn path_var(&self) -> std::ffi::OsString {
        let mut paths = vec![self.wasm_opt_dir.clone()];
        if let Some(path) = std::env::var_os("PATH") {
            paths.extend(std::env::split_paths(&path));
        }
        std::env::join_paths(paths).unwrap_or_default()
    }
}

/// Installs every missing tool.
pub fn run(root: &Path) -> Result<Tools, String> {
    wasm_target()?;
    cargo_tool("trunk", "trunk", TRUNK_VERSION, &["--locked"])?;
    let bindgen = wasm_bindgen_version(root)?;
    check_trunk_toml(&root.join("operator"), &bindgen)?;
    // Without --locked: the registry copy lags one of its locked dependencies.
    cargo_tool("wasm-bindgen", "wasm-bindgen-cli", &bindgen, &[])?;
    let wasm_opt_dir = wasm_opt(root)?;
    let axe = npm_package(root, "axe-core", AXE_VERSION, "axe.min.js")?;
    let schemathesis = python_tool(root, "schemathesis", "schemathesis", SCHEMATHESIS_VERSION)?;
    let openapi_client = python_tool(root, "openapi-client", "openapi-python-client", OPENAPI_CLIENT_VERSION)?;
    browsers()?;
    cargo_tool("geckodriver", "geckodriver", GECKODRIVER_VERSION, &["--locked"])?;
    // The second engine and the load balancer of the several-instance tests.
    crate::postgres::install()?;
    Ok(Tools { wasm_opt_dir, axe, schemathesis: schemathesis.join("schemathesis"), openapi_client })
}

fn wasm_target() -> Result<(), String> {
    let installed = run::output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if !installed.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        run::status(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    // The release widget rebuilds std for size (see build.rs), which needs its source.
    let components = run::output(Command::new("rustup").args(["component", "list", "--installed"])).unwrap_or_default();
    if !components.lines().any(|l| l.trim().starts_with("rust-src")) {
        run::status(Command::new("rustup").args(["component", "add", "rust-src"]))?;
    }
    // The offline release build compiles std from source, so std's own dependencies must be in
    // cargo's cache: fetched once here, from crates.io (a no-op when they are there).
    let sysroot = run::output(Command::new("rustc").args(["--print", "sysroot"])).unwrap_or_default();
    let manifest = Path::new(sysroot.trim()).join("lib/rustlib/src/rust/library/Cargo.toml");
    let fetch = |offline: bool| {
        let mut cmd = Command::new("cargo");
        cmd.arg("fetch").arg("--manifest-path").arg(&manifest).env("RUSTC_BOOTSTRAP", "1");
        if offline {
            cmd.arg("--offline").stderr(std::process::Stdio::null());
        }
        run::status(&mut cmd)
    };
    if fetch(true).is_err() {
        fetch(false)?;
    }
    // The offline builds (the widget's, the console's) need the workspace's own dependencies for
    // the wasm target, which no native build before them fetches: on a fresh machine the first
    // `cargo xtask size` failed with "attempting to make an HTTP request, but --offline was
    // specified". Fetched for every target from Cargo.lock (a no-op when they are in the cache).
    run::status(Command::new("cargo").args(["fetch", "--locked"]))
}

fn cargo_tool(bin: &str, package: &str, version: &str, extra: &[&str]) -> Result<(), String> {
    let found = run::output(Command::new(bin).arg("--version")).unwrap_or_default();
    if found.split_whitespace().any(|w| w == version) {
        return Ok(());
    }
    eprintln!("installing {package} {version} (found: {})", if found.is_empty() { "none" } else { &found });
    run::status(Command::new("cargo").args(["install", package, "--version", version]).args(extra))
}

/// The wasm-bindgen version in Cargo.lock; the CLI must match it exactly.
pub fn wasm_bindgen_version(root: &Path) -> Result<String, String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    lock_version(&lock, "wasm-bindgen").ok_or_else(|| "Cargo.lock has no wasm-bindgen package".to_owned())
}

fn lock_version(lock: &str, package: &str) -> Option<String> {
    let mut lines = lock.lines();
    let wanted = format!("name = \"{package}\"");
    while let Some(line) = lines.next() {
        if line.trim() == wanted {
            let version = lines.next()?.trim().strip_prefix("version = \"")?.strip_suffix('"')?;
            return Some(version.to_owned());
        }
    }
    None
}

fn check_trunk_toml(root: &Path, bindgen: &str) -> Result<(), String> {
    let toml = std::fs::read_to_string(root.join("Trunk.toml")).map_err(|e| format!("Trunk.toml: {e}"))?;
    let line = format!("wasm_bindgen = \"{bindgen}\"");
    if toml.lines().any(|l| l.trim() == line) {
        Ok(())
    } else {
        Err(format!("Trunk.toml must say {line} to match Cargo.lock"))
    }
}

fn wasm_opt(root: &Path) -> Result<PathBuf, String> {
    let prefix = root.join(".tools/binaryen");
    let bin = prefix.join("node_modules/binaryen/bin");
    let major = BINARYEN_VERSION.split('.').next().unwrap_or(BINARYEN_VERSION);
    let found = run::output(Command::new(bin.join("wasm-opt")).arg("--version")).unwrap_or_default();
    if found.contains(&format!("version {major}")) {
        return Ok(bin);
    }
    eprintln!("installing wasm-opt from the npm package binaryen@{BINARYEN_VERSION} into {}", prefix.display());
    std::fs::create_dir_all(&prefix).map_err(|e| format!("{}: {e}", prefix.display()))?;
    run::status(
        Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--no-save", "--prefix"])
            .arg(&prefix)
            .arg(format!("binaryen@{BINARYEN_VERSION}")),
    )
    .map_err(|e| format!("{e}\nwasm-opt comes from npm: install Node.js and npm, then run cargo xtask setup again"))?;
    Ok(bin)
}

/// A file of an npm package installed into `.tools/<package>`, installing it when missing.
fn npm_package(root: &Path, package: &str, version: &str, file: &str) -> Result<PathBuf, String> {
    let prefix = root.join(".tools").join(package);
    let dir = prefix.join("node_modules").join(package);
    let installed = std::fs::read_to_string(dir.join("package.json")).unwrap_or_default();
    if installed.contains(&format!("\"version\": \"{version}\"")) && dir.join(file).exists() {
        return Ok(dir.join(file));
    }
    eprintln!("installing {package}@{version} from npm into {}", prefix.display());
    std::fs::create_dir_all(&prefix).map_err(|e| format!("{}: {e}", prefix.display()))?;
    run::status(
        Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--no-save", "--prefix"])
            .arg(&prefix)
            .arg(format!("{package}@{version}")),
    )?;
    Ok(dir.join(file))
}

/// A PyPI package at `version` in a virtual environment of its own, `.tools/<venv>`; its `bin/`.
fn python_tool(root: &Path, venv: &str, package: &str, version: &str) -> Result<PathBuf, String> {
    let venv = root.join(".tools").join(venv);
    let bin = venv.join("bin");
    let found = run::output(Command::new(bin.join("pip")).args(["show", package])).unwrap_or_default();
    if found.lines().any(|l| l.trim() == format!("Version: {version}")) {
        return Ok(bin);
    }
    eprintln!("installing {package} {version} from PyPI into {}", venv.display());
    run::status(Command::new("python3").args(["-m", "venv"]).arg(&venv))
        .map_err(|e| format!("{e}\n{package} needs Python 3 with venv (Debian: apt-get install python3-venv)"))?;
    run::status(
        Command::new(bin.join("pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .arg(format!("{package}=={version}")),
    )?;
    Ok(bin)
}

fn browsers() -> Result<(), String> {
    let present = [CHROMIUM, CHROMEDRIVER, FIREFOX, WEBKIT_DRIVER, MINIBROWSER, "/usr/bin/xvfb-run", "/usr/bin/xauth"]
        .iter()
        .all(|p| Path::new(p).exists());
    if present {
        return Ok(());
    }
    let install = format!("apt-get update && apt-get install -y {}", BROWSER_PACKAGES.join(" "));
    let root_user = run::output(Command::new("id").arg("-u")).as_deref() == Some("0");
    if !root_user {
        return Err(format!("a browser or its driver is missing; as root, run: {install}"));
    }
    run::status(Command::new("apt-get").arg("update"))?;
    run::status(Command::new("apt-get").args(["install", "-y"]).args(BROWSER_PACKAGES))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_locked_version_of_a_package_is_found() {
        let lock = "[[package]]\nname = \"wasm-bindgen-macro\"\nversion = \"9.9.9\"\n\n[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n";
        assert_eq!(lock_version(lock, "wasm-bindgen").as_deref(), Some("0.2.130"));
        assert_eq!(lock_version(lock, "leptos"), None);
    }
}
