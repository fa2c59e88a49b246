//! `cargo xtask demo`: the demo shop with the widget, the reference server and its SQLite file;
//! `--postgres`: the same on a throwaway PostgreSQL cluster under `target/`, removed at Ctrl-C.

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
    let usage = || "usage: cargo xtask demo [--postgres] [--port N]".to_owned();
    let postgres = args.iter().any(|a| a == "--postgres");
    let rest: Vec<&String> = args.iter().filter(|a| *a != "--postgres").collect();
    let port = match rest.as_slice() {
        [] => 8080,
        [flag, port] if *flag == "--port" => port.parse::<u16>().map_err(|_| format!("not a port: {port}"))?,
        _ => return Err(usage()),
    };
    let tools = setup::run(root)?;
    build::widget(root, &tools)?;
    build::console(root, &tools)?;
    run::status(Command::new("cargo").args(["build", "--release", "-p", "kept-server"]).current_dir(root))?;
    let server = root.join("target/release/kept-server");
    let cluster = if postgres {
        Some(crate::postgres::Cluster::start(root, "pg-demo", crate::postgres::Durability::Default)?)
    } else {
        None
    };
    let db = match &cluster {
        Some(c) => format!("{}/kept", c.url),
        None => "data/kept.sqlite".to_owned(),
    };
    add_demo_operator(root, &server, &db);
    println!();
    println!("Kept demo shop:   http://127.0.0.1:{port}/   (also /?locale=ru and /?locale=pl)");
    let (name, _, password) = DEMO_OPERATOR;
    println!("Operator console: http://127.0.0.1:{port}/operator/   sign in as {name} / {password}");
    println!("                  (scripts: the operator token {DEMO_OPERATOR_TOKEN})");
    match &cluster {
        Some(_) => println!("Database: {db} (a throwaway cluster, removed when you stop). Stop with Ctrl-C."),
        None => println!("Database: {db}. Stop with Ctrl-C."),
    }
    let mut cmd = Command::new(server);
    cmd.current_dir(root).args(["--bind", &format!("127.0.0.1:{port}"), "--db", &db]).args([
        "--static-dir",
        "dist",
        "--seed-demo",
        "--operator-token",
        DEMO_OPERATOR_TOKEN,
    ]);
    // The demo's webhooks are left off: a real shop points --webhook-url at its own receiver.
    if let Some(cluster) = cluster {
        // Ctrl-C reaches the server, which shuts down; this process outlives it to remove the cluster.
        let mut child = cmd.spawn().map_err(|e| format!("could not start kept-server: {e}"))?;
        ignore_interrupts();
        let status = child.wait().map_err(|e| e.to_string());
        drop(cluster);
        return status.map(|_| ());
    }
    // Become the server, so Ctrl-C reaches it directly and it shuts down cleanly.
    use std::os::unix::process::CommandExt;
    Err(format!("could not start kept-server: {}", cmd.exec()))
}

/// SIGINT no longer ends this process (the server, started before, still hears it).
fn ignore_interrupts() {
    extern "C" {
        fn signal(signum: i32, handler: usize) -> usize;
    }
    const SIGINT: i32 = 2;
    const SIG_IGN: usize = 1;
    // SAFETY: setting a signal's disposition to "ignore" touches no memory of this program.
    unsafe {
        signal(SIGINT, SIG_IGN);
    }
}

/// Adds the demo's named operator once (a second run finds it there and changes nothing).
fn add_demo_operator(root: &Path, server: &Path, db: &str) {
    use std::io::Write;
    let (name, display, password) = DEMO_OPERATOR;
    let child = Command::new(server)
        .current_dir(root)
        .args(["--db", db, "operator", "add", name, "--display-name", display])
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
