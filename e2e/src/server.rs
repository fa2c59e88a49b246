//! A kept-server process for one test: its own port, its own SQLite file (or a PostgreSQL
//! database that several instances share), stopped on drop.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The demo order's id and the token the test server seeds it with.
pub const ORDER: &str = "KC-1001";
pub const TOKEN: &str = "e2e-token-kc1001-7d1f0a9b3c";
/// The operator token the test server runs with.
pub const OPERATOR: &str = "e2e-operator-5a0c";

/// A running server.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    /// `127.0.0.1:PORT` of its SMTP listener, when started with `--smtp-listen`.
    pub smtp: Option<String>,
    child: Child,
    flags: Vec<String>,
    /// The SQLite file or the PostgreSQL URL.
    db: String,
    _dir: tempfile::TempDir,
}

fn env_path(name: &str) -> PathBuf {
    std::env::var_os(name)
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("{name} is not set: run the end-to-end tests through `cargo xtask test`"))
}

/// The release build's files, from its manifest (`kept-files.txt`).
#[derive(Clone, Debug, Default)]
pub struct Shipped {
    /// The first screen's code, in load order.
    pub first: Vec<String>,
    /// The chunks loaded after it.
    pub later: Vec<String>,
    /// (locale tag, the step's catalog file, the chat's catalog file)
    pub texts: Vec<(String, String, String)>,
}

impl Shipped {
    /// What a customer reading `tag` fetches: the first screen with its catalog file, then the
    /// chunks with the chat's catalog file.
    pub fn for_locale(&self, tag: &str) -> (Vec<String>, Vec<String>) {
        let (_, step, chat) = self.texts.iter().find(|(t, _, _)| t == tag).expect("a catalog for the locale");
        let first = self.first.iter().cloned().chain([step.clone()]).collect();
        let later = self.later.iter().cloned().chain([chat.clone()]).collect();
        (first, later)
    }
}

/// Reads the release build's manifest.
pub fn shipped(dist: &std::path::Path) -> Shipped {
    let text = std::fs::read_to_string(dist.join("kept-files.txt")).expect("the release widget's kept-files.txt");
    let mut shipped = Shipped::default();
    for line in text.lines() {
        match line.split(' ').collect::<Vec<_>>()[..] {
            ["first", name] => shipped.first.push(name.to_owned()),
            ["later", name] => shipped.later.push(name.to_owned()),
            ["text", tag, step, chat] => shipped.texts.push((tag.to_owned(), step.to_owned(), chat.to_owned())),
            // Only a browser the widget cannot run in fetches it.
            ["fallback", _] => {}
            _ => panic!("kept-files.txt: unreadable line {line:?}"),
        }
    }
    shipped
}

/// What an English-reading customer fetches of the release build: the first screen in load
/// order, then what loads after it.
pub fn shipped_files(dist: &std::path::Path) -> (Vec<String>, Vec<String>) {
    shipped(dist).for_locale("en")
}

/// The release widget's folder, `$KEPT_DIST`.
pub fn dist() -> PathBuf {
    env_path("KEPT_DIST")
}

impl TestServer {
    /// Starts `$KEPT_SERVER_BIN` serving `$KEPT_DIST`, with the demo shop seeded.
    pub fn start() -> TestServer {
        TestServer::start_with(&[], &[])
    }

    /// The same, with more folders in the site (each under its own name) and more server flags.
    pub fn start_with(folders: &[(&str, PathBuf)], flags: &[&str]) -> TestServer {
        let dir = tempfile::tempdir().expect("a temporary folder");
        // The release widget plus the test pages (hostile CSS, strict CSP, two widgets...).
        let site = dir.path().join("site");
        std::fs::create_dir_all(&site).expect("a site folder");
        for from in [env_path("KEPT_DIST"), PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("pages")] {
            copy_tree(&from, &site);
        }
        for (name, from) in folders {
            let to = site.join(name);
            std::fs::create_dir_all(&to).expect("a folder");
            copy_tree(from, &to);
        }
        let db = dir.path().join("kept.sqlite").to_string_lossy().into_owned();
        TestServer::spawn_in(dir, db, flags)
    }

    /// Several instances on one new PostgreSQL database of the run's cluster
    /// (`$KEPT_TEST_POSTGRES`), each on its own port, serving the same site.
    pub fn instances(n: usize, flags: &[&str]) -> Vec<TestServer> {
        let base = std::env::var("KEPT_TEST_POSTGRES")
            .expect("KEPT_TEST_POSTGRES is not set: run the end-to-end tests through `cargo xtask test`");
        let name = format!("e2e_{}_{}", std::process::id(), NEXT_DB.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        let db = format!("{base}/{name}");
        (0..n)
            .map(|_| {
                let dir = tempfile::tempdir().expect("a temporary folder");
                let site = dir.path().join("site");
                std::fs::create_dir_all(&site).expect("a site folder");
                for from in [env_path("KEPT_DIST"), PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("pages")] {
                    copy_tree(&from, &site);
                }
                TestServer::spawn_in(dir, db.clone(), flags)
            })
            .collect()
    }

    fn spawn_in(dir: tempfile::TempDir, db: String, flags: &[&str]) -> TestServer {
        let flags: Vec<String> = flags.iter().map(|f| f.to_string()).collect();
        let (child, (url, smtp)) = spawn(&dir.path().join("site"), &db, "127.0.0.1:0", &flags);
        TestServer { url, smtp, child, flags, db, _dir: dir }
    }

    /// `host:port`
    pub fn addr(&self) -> &str {
        self.url.trim_start_matches("http://")
    }

    /// Kills the server at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Stops the server and starts it again on the same port with the same database.
    pub fn restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let bind = self.url.trim_start_matches("http://").to_owned();
        let (child, (_, smtp)) = spawn(&self._dir.path().join("site"), &self.db, &bind, &self.flags);
        self.child = child;
        self.smtp = smtp;
    }

    fn agent() -> ureq::Agent {
        crate::agent(Duration::from_secs(10))
    }

    /// Adds a named operator with `kept-server operator add`, the password piped in.
    pub fn add_operator(&self, name: &str, display_name: &str, password: &str) {
        let (added, said) =
            self.cli(&["operator", "add", name, "--display-name", display_name], &format!("{password}\n"));
        assert!(added, "operator {name} added: {said}");
    }

    /// Runs `kept-server --db <this server's database> ARGS` (a command: `operator …`, `shop …`)
    /// with `stdin` piped in (a password, or nothing); whether it succeeded and what it printed.
    pub fn cli(&self, args: &[&str], stdin: &str) -> (bool, String) {
        use std::io::Write;
        let mut child = Command::new(env_path("KEPT_SERVER_BIN"))
            .arg("--db")
            .arg(&self.db)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kept-server starts");
        if let Some(mut pipe) = child.stdin.take() {
            write!(pipe, "{stdin}").expect("stdin is written");
        }
        let out = child.wait_with_output().expect("it ends");
        let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
        (out.status.success(), text)
    }

    /// The server's process id (for its memory).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The SQLite file or the PostgreSQL URL this server runs on.
    pub fn db(&self) -> &str {
        &self.db
    }

    /// Makes the next `count` requests whose path starts with `path_prefix` fail (503) or hang.
    pub fn arm_fault(&self, path_prefix: &str, mode: &str, count: u32, hang_ms: u64) {
        let body = serde_json::json!({ "path_prefix": path_prefix, "mode": mode, "count": count, "hang_ms": hang_ms });
        let res = TestServer::agent().post(&format!("{}/v1/test/faults", self.url)).send_json(&body).expect("armed");
        assert_eq!(res.status().as_u16(), 204, "the server runs with --enable-faults");
    }

    /// POSTs JSON to the operator API with an idempotency key; returns the status.
    pub fn operator_post(&self, path: &str, key: &str, body: serde_json::Value) -> u16 {
        let res = TestServer::agent()
            .post(&format!("{}{path}", self.url))
            .header("Authorization", &format!("Bearer {OPERATOR}"))
            .header("Idempotency-Key", key)
            .send_json(&body)
            .expect("the server answers");
        res.status().as_u16()
    }

    /// How many versions of the agreement the server stored, read from the order's timeline.
    pub fn stored_versions(&self) -> usize {
        let order = self.get_json("/v1/orders/KC-1001");
        let timeline = order["timeline"].as_array().cloned().unwrap_or_default();
        timeline.iter().filter(|e| e["event"]["type"] == "preferences_agreed").count()
    }

    /// GET a JSON document from the API with the demo order's token.
    pub fn get_json(&self, path: &str) -> serde_json::Value {
        let mut res = TestServer::agent()
            .get(&format!("{}{path}", self.url))
            .header("Authorization", &format!("Bearer {TOKEN}"))
            .call()
            .expect("the server answers");
        res.body_mut().read_json().expect("a JSON body")
    }
}

/// Copies the files of `from` into `to`, and its folders (the console in `operator/`) one level down.
fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).expect("readable").flatten() {
        let path = entry.path();
        if path.is_file() {
            std::fs::copy(&path, to.join(entry.file_name())).expect("copied");
        } else if path.is_dir() {
            let sub = to.join(entry.file_name());
            std::fs::create_dir_all(&sub).expect("a folder");
            copy_tree(&path, &sub);
        }
    }
}

/// Starts kept-server and waits for the address it reports.
/// Databases made by this test process so far.
static NEXT_DB: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The child and the addresses it reported: its URL and its SMTP listener's `host:port`.
fn spawn(site: &std::path::Path, db: &str, bind: &str, flags: &[String]) -> (Child, (String, Option<String>)) {
    let mut child = Command::new(env_path("KEPT_SERVER_BIN"))
        .args(["--bind", bind, "--seed-demo", "--demo-token", TOKEN, "--enable-faults", "--operator-token", OPERATOR])
        .args(flags)
        .arg("--static-dir")
        .arg(site)
        .arg("--db")
        .arg(db)
        .stdout(Stdio::piped())
        .spawn()
        .expect("kept-server starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut smtp = None;
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(at) = line.strip_prefix("kept-server receiving mail on smtp://") {
                smtp = Some(at.trim().to_owned());
            }
            if let Some(url) = line.strip_prefix("kept-server listening on ") {
                let _ = tx.send((url.trim().to_owned(), smtp.take()));
            }
        }
    });
    match rx.recv_timeout(Duration::from_secs(30)) {
        Ok(started) => (child, started),
        Err(_) => {
            let _ = child.kill();
            panic!("kept-server did not report its address within 30 s");
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
