//! `cargo xtask demo`: the demo shop with the widget, the reference server and its SQLite file.

use std::path::Path;
use std::process::Command;

use crate::{build, run, setup};

/// The demo console's token; the demo listens on loopback only. A real shop sets its own secret
/// with `--operator-token` or `KEPT_OPERATOR_TOKEN`.
const DEMO_OPERATOR_TOKEN: &str = "demo-operator";
/// The demo's named operator and password (loopback only; a real shop adds its own people with
/// `kept-server operator add`).
const DEMO_OPERATOR: (&str, &str, &str) = ("anna", "Anna", "demo-anna-password");

/// Builds everything, then becomes kept-server until Ctrl-C.
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let port = match args {
        [] => 8080,
        [flag, port] if flag == "--port" => port.parse::<u16>().map_err(|_| format!("not a port: {port}"))?,
        _ => return Err("usage: cargo xtask demo [--port N]".to_owned()),
    };
    let tools = setup::run(root)?;
    build::widget(root, &tools)?;
    build::console(root, &tools)?;
    run::status(Command::new("cargo").args(["build", "--release", "-p", "kept-server"]).current_dir(root))?;
    let server = root.join("target/release/kept-server");
    add_demo_operator(root, &server);
    println!();
    println!("Kept demo shop:   http://127.0.0.1:{port}/   (also /?locale=ru and /?locale=pl)");
    let (name, _, password) = DEMO_OPERATOR;
    println!("Operator console: http://127.0.0.1:{port}/operator/   sign in as {name} / {password}");
    println!("                  (scripts: the operator token {DEMO_OPERATOR_TOKEN})");
    println!("Database: data/kept.sqlite. Stop with Ctrl-C.");
    let mut cmd = Command::new(server);
    cmd.current_dir(root).args(["--bind", &format!("127.0.0.1:{port}")]).args([
        "--db",
        "data/kept.sqlite",
        "--static-dir",
        "dist",
        "--seed-demo",
        "--operator-token",
        DEMO_OPERATOR_TOKEN,
    ]);
    // Become the server, so Ctrl-C reaches it directly and it shuts down cleanly.
    // The demo's webhooks are left off: a real shop points --webhook-url at its own receiver.
    use std::os::unix::process::CommandExt;
    Err(format!("could not start kept-server: {}", cmd.exec()))
}

/// Adds the demo's named operator once (a second run finds it there and changes nothing).
fn add_demo_operator(root: &Path, server: &Path) {
    use std::io::Write;
    let (name, display, password) = DEMO_OPERATOR;
    let child = Command::new(server)
        .current_dir(root)
        .args(["--db", "data/kept.sqlite", "operator", "add", name, "--display-name", display])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Ok(mut child) = child {
        if let Some(mut stdin) = child.stdin.take() {
            let _ = writeln!(stdin, "{password}");
        }
        let _ = child.wait();
    }
}
