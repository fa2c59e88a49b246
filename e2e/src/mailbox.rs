//! The tests' mailbox: a real SMTP server (mailin-embedded) on a free loopback port that keeps
//! every message it accepts, in memory and as a file in a maildir's `new/` folder; it can be told
//! to refuse the next messages with a temporary failure, like a mail server that is down.

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use mailin_embedded::response::{self, Response};
use mailin_embedded::{Handler, Server, SslConfig};

/// A message as it arrived.
#[derive(Clone, Debug)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent, headers and body.
    pub raw: Vec<u8>,
}

impl Received {
    /// The message parsed (headers decoded, parts taken apart).
    pub fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default().parse(&self.raw).expect("a MIME message")
    }

    /// Its plain-text part.
    pub fn text(&self) -> String {
        self.parsed().body_text(0).map(|t| t.into_owned()).unwrap_or_default()
    }

    /// Its HTML part.
    pub fn html(&self) -> String {
        self.parsed().body_html(0).map(|t| t.into_owned()).unwrap_or_default()
    }

    pub fn subject(&self) -> String {
        self.parsed().subject().unwrap_or_default().to_owned()
    }

    /// A header's raw value, trimmed.
    pub fn header(&self, name: &str) -> Option<String> {
        let text = String::from_utf8_lossy(&self.raw).into_owned();
        let head = text.split("\r\n\r\n").next().unwrap_or_default().to_owned();
        let want = format!("{}:", name.to_ascii_lowercase());
        head.split("\r\n")
            .find(|l| l.to_ascii_lowercase().starts_with(&want))
            .map(|l| l[want.len()..].trim().to_owned())
    }
}

#[derive(Default)]
struct State {
    received: Vec<Received>,
    refuse: usize,
    /// The next message's DATA is held (for at most 30 s) until released.
    hold: bool,
    released: bool,
    /// A message is being held now.
    holding: bool,
}

#[derive(Clone)]
struct Keep {
    state: Arc<Mutex<State>>,
    dir: PathBuf,
    current: Option<Received>,
}

impl Handler for Keep {
    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        let held = {
            let mut s = self.state.lock().unwrap();
            s.holding = std::mem::take(&mut s.hold);
            s.holding
        };
        if held {
            for _ in 0..300 {
                if self.state.lock().unwrap().released {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        }
        let mut s = self.state.lock().unwrap();
        if s.refuse > 0 {
            s.refuse -= 1;
            return response::INTERNAL_ERROR;
        }
        self.current = Some(Received { from: from.to_owned(), to: to.to_vec(), raw: Vec::new() });
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if let Some(m) = &mut self.current {
            m.raw.extend_from_slice(buf);
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let Some(m) = self.current.take() else { return response::OK };
        let mut s = self.state.lock().unwrap();
        let name = format!("{}.{}.kept-test", s.received.len(), std::process::id());
        let _ = std::fs::write(self.dir.join("new").join(name), &m.raw);
        s.received.push(m);
        response::OK
    }
}

/// A running mailbox.
pub struct Mailbox {
    /// `127.0.0.1:PORT`
    pub addr: String,
    state: Arc<Mutex<State>>,
    dir: tempfile::TempDir,
}

impl Mailbox {
    /// Starts one on a free loopback port (it runs until the test process ends).
    pub fn start() -> Mailbox {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        let addr = listener.local_addr().expect("its address").to_string();
        let dir = tempfile::tempdir().expect("a maildir");
        for sub in ["new", "cur", "tmp"] {
            std::fs::create_dir_all(dir.path().join(sub)).expect("maildir folders");
        }
        let state = Arc::new(Mutex::new(State::default()));
        let keep = Keep { state: state.clone(), dir: dir.path().to_owned(), current: None };
        let mut server = Server::new(keep);
        server.with_name("mailbox.test").with_num_threads(2).with_tcp_listener(listener);
        server.with_ssl(SslConfig::None).expect("no TLS on loopback");
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        Mailbox { addr, state, dir }
    }

    /// kept-server's `--smtp-url` for this mailbox.
    pub fn smtp_url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// Everything accepted so far, oldest first.
    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }

    /// The files in the maildir's `new/`.
    pub fn maildir_files(&self) -> usize {
        std::fs::read_dir(self.dir.path().join("new")).map(|d| d.count()).unwrap_or(0)
    }

    /// Holds the next message at DATA (a mail server that does not answer) until
    /// [`Mailbox::release`], for at most 30 s.
    pub fn hold_next(&self) {
        self.state.lock().unwrap().hold = true;
    }

    /// Whether a message is held at DATA now.
    pub fn holding(&self) -> bool {
        self.state.lock().unwrap().holding
    }

    /// Lets a held message go on.
    pub fn release(&self) {
        self.state.lock().unwrap().released = true;
    }

    /// Refuses the next `n` messages with 451 (a temporary failure).
    pub fn refuse_next(&self, n: usize) {
        self.state.lock().unwrap().refuse = n;
    }
}

/// Sends `raw` from `from` to `to` over SMTP at `addr` with a real SMTP client (Python's
/// smtplib, declaring the message's size); the server's last answer: its code and text (250
/// when it took the message).
pub fn send(addr: &str, from: &str, to: &str, raw: &[u8]) -> (u16, String) {
    send_as(addr, from, to, raw, true)
}

/// The same; `declare_size` false sends no SIZE, as some clients do, so only DATA shows it.
pub fn send_as(addr: &str, from: &str, to: &str, raw: &[u8], declare_size: bool) -> (u16, String) {
    use std::io::Write;
    const CLIENT: &str = r#"
import smtplib, sys
host, port = sys.argv[1].rsplit(":", 1)
raw = sys.stdin.buffer.read()
try:
    with smtplib.SMTP(host, int(port), timeout=30) as s:
        if sys.argv[4] == "declare-size":
            s.sendmail(sys.argv[2], [sys.argv[3]], raw)
        else:
            # As a client that does not say how large the message is: only its DATA tells.
            s.ehlo()
            code, text = s.mail(sys.argv[2])
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, text, sys.argv[2])
            code, text = s.rcpt(sys.argv[3])
            if code not in (250, 251):
                raise smtplib.SMTPRecipientsRefused({sys.argv[3]: (code, text)})
            code, text = s.data(raw)
            if code != 250:
                raise smtplib.SMTPDataError(code, text)
    print(250, "OK")
except smtplib.SMTPRecipientsRefused as e:
    code, text = list(e.recipients.values())[0]
    print(code, text.decode(errors="replace"))
except smtplib.SMTPResponseException as e:
    print(e.smtp_code, e.smtp_error.decode(errors="replace"))
"#;
    let mut child = std::process::Command::new("python3")
        .args(["-c", CLIENT, addr, from, to, if declare_size { "declare-size" } else { "no-size" }])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child.stdin.take().expect("stdin").write_all(raw).expect("the message goes to the client");
    let out = child.wait_with_output().expect("the client ends");
    let said = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let (code, text) = said.split_once(' ').unwrap_or((&said, ""));
    (code.parse().unwrap_or_else(|_| panic!("the SMTP client said: {said}")), text.to_owned())
}

/// A raw message from `e2e/mail/`, its `{{FROM}}`, `{{TO}}` and `{{MESSAGE_ID}}` filled in.
pub fn fixture(name: &str, from: &str, to: &str, message_id: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("mail").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.replace("{{FROM}}", from).replace("{{TO}}", to).replace("{{MESSAGE_ID}}", message_id).into_bytes()
}
