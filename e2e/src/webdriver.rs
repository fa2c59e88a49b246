//! A small W3C WebDriver client for ChromeDriver, with shadow-root support.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use crate::wait_for;

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
const SHADOW: &str = "shadow-6066-11e4-a52e-4f735466cecf";

/// A web element reference.
#[derive(Clone, Debug)]
pub struct Element(pub String);

/// A headless Chromium session, closed on drop.
pub struct Browser {
    base: String,
    session: String,
    agent: ureq::Agent,
    driver: Child,
    _profile: tempfile::TempDir,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

impl Browser {
    /// Starts ChromeDriver on a free port and opens a fresh headless Chromium profile.
    pub fn start() -> Browser {
        let chromedriver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let port = free_port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(60)))
            .http_status_as_error(false)
            .build()
            .new_agent();
        let base = format!("http://127.0.0.1:{port}");
        wait_for("chromedriver to listen", Duration::from_secs(20), || {
            agent.get(&format!("{base}/status")).call().ok().filter(|r| r.status().is_success())
        });
        let profile = tempfile::tempdir().expect("a profile folder");
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--no-first-run",
                    "--disable-sync", "--window-size=1280,900",
                    // Tests read settled colours, sizes and pictures (axe's contrast, the layout,
                    // the screenshots): no fade half done. The motion test turns it back on.
                    "--force-prefers-reduced-motion",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }
        }}});
        let mut b = Browser { base, session: String::new(), agent, driver, _profile: profile };
        let v = b.call("POST", "/session", Some(caps));
        b.session = v["sessionId"].as_str().expect("a session id").to_owned();
        b
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{}", self.base, path);
        let res = match method {
            "GET" => self.agent.get(&url).call(),
            "DELETE" => self.agent.delete(&url).call(),
            _ => self.agent.post(&url).send_json(body.unwrap_or_else(|| json!({}))),
        };
        let mut res = res.unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"));
        let ok = res.status().is_success();
        let v: Value = res.body_mut().read_json().unwrap_or(Value::Null);
        if !ok {
            panic!("WebDriver {method} {path} failed: {}", v["value"]);
        }
        v["value"].clone()
    }

    fn session_path(&self, tail: &str) -> String {
        format!("/session/{}{}", self.session, tail)
    }

    fn try_call(&self, method: &str, path: &str, body: Option<Value>) -> Option<Value> {
        let url = format!("{}{}", self.base, self.session_path(path));
        let res = match method {
            "GET" => self.agent.get(&url).call(),
            _ => self.agent.post(&url).send_json(body.unwrap_or_else(|| json!({}))),
        };
        let mut res = res.ok()?;
        let ok = res.status().is_success();
        let v: Value = res.body_mut().read_json().ok()?;
        ok.then(|| v["value"].clone())
    }

    /// Opens `url` and waits for the page to load.
    pub fn goto(&self, url: &str) {
        self.call("POST", &self.session_path("/url"), Some(json!({ "url": url })));
    }

    /// Reloads the current page.
    pub fn refresh(&self) {
        self.call("POST", &self.session_path("/refresh"), None);
    }

    /// Runs a script in the page and returns its result.
    pub fn execute(&self, script: &str, args: Vec<Value>) -> Value {
        self.call("POST", &self.session_path("/execute/sync"), Some(json!({ "script": script, "args": args })))
    }

    /// Runs a script in the page for a poll: None when it throws (the page may be between loads).
    pub fn try_execute(&self, script: &str, args: Vec<Value>) -> Option<Value> {
        self.try_call("POST", "/execute/sync", Some(json!({ "script": script, "args": args })))
    }

    /// Runs an async script: it finishes by calling its last argument with the result.
    pub fn execute_async(&self, script: &str, args: Vec<Value>) -> Value {
        self.call("POST", &self.session_path("/execute/async"), Some(json!({ "script": script, "args": args })))
    }

    /// Runs a Chrome DevTools Protocol command through ChromeDriver and returns its result.
    pub fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.call("POST", &self.session_path("/goog/cdp/execute"), Some(json!({ "cmd": cmd, "params": params })))
    }

    /// The first element of the page matching `css`, if present now.
    pub fn find(&self, css: &str) -> Option<Element> {
        let el = self.try_call("POST", "/element", Some(json!({ "using": "css selector", "value": css })))?;
        el[ELEMENT].as_str().map(|id| Element(id.to_owned()))
    }

    /// The element matching `css` inside the shadow root of the first element matching `host`, if present now.
    pub fn find_in_shadow(&self, host: &str, css: &str) -> Option<Element> {
        self.find_in_nth_shadow(host, 0, css)
    }

    /// The same inside the `n`-th element matching `host`.
    pub fn find_in_nth_shadow(&self, host: &str, n: usize, css: &str) -> Option<Element> {
        let hosts = self.try_call("POST", "/elements", Some(json!({ "using": "css selector", "value": host })))?;
        let host_id = hosts.as_array()?.get(n)?[ELEMENT].as_str()?.to_owned();
        let root = self.try_call("GET", &format!("/element/{host_id}/shadow"), None)?;
        let root_id = root[SHADOW].as_str()?.to_owned();
        let el = self.try_call(
            "POST",
            &format!("/shadow/{root_id}/element"),
            Some(json!({ "using": "css selector", "value": css })),
        )?;
        el[ELEMENT].as_str().map(|id| Element(id.to_owned()))
    }

    /// Presses keys on whatever has focus (WebDriver key codes, e.g. "\u{E004}" for Tab).
    pub fn keys(&self, keys: &str) {
        let actions: Vec<Value> = keys
            .chars()
            .flat_map(|c| {
                [
                    json!({ "type": "keyDown", "value": c.to_string() }),
                    json!({ "type": "keyUp", "value": c.to_string() }),
                ]
            })
            .collect();
        let body = json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": actions }] });
        self.call("POST", &self.session_path("/actions"), Some(body));
    }

    /// Whether the element is displayed (WebDriver's visibility rules).
    pub fn is_displayed(&self, el: &Element) -> bool {
        self.call("GET", &self.session_path(&format!("/element/{}/displayed", el.0)), None) == Value::Bool(true)
    }

    /// Clicks like a person: scrolls it into view and presses the mouse on it.
    pub fn click(&self, el: &Element) {
        self.call("POST", &self.session_path(&format!("/element/{}/click", el.0)), None);
    }

    /// Empties a text field.
    pub fn clear(&self, el: &Element) {
        self.call("POST", &self.session_path(&format!("/element/{}/clear", el.0)), None);
    }

    /// Types `text` into the element, as keystrokes.
    pub fn type_text(&self, el: &Element, text: &str) {
        self.call("POST", &self.session_path(&format!("/element/{}/value", el.0)), Some(json!({ "text": text })));
    }

    /// The element's rendered text.
    pub fn text(&self, el: &Element) -> String {
        self.call("GET", &self.session_path(&format!("/element/{}/text", el.0)), None).as_str().unwrap_or("").to_owned()
    }

    /// An attribute or property of the element (`disabled`, `checked`, `id`...).
    pub fn property(&self, el: &Element, name: &str) -> Value {
        self.call("GET", &self.session_path(&format!("/element/{}/property/{name}", el.0)), None)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self.agent.delete(&format!("{}/session/{}", self.base, self.session)).call();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
