//! A small W3C WebDriver client with shadow-root support, for ChromeDriver, geckodriver
//! (Firefox) and WebKitWebDriver (WebKitGTK).

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

/// The browser engines the end-to-end tests drive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// Chromium with ChromeDriver (`CHROMIUM`, `CHROMEDRIVER`).
    Chromium,
    /// Firefox ESR with geckodriver (`FIREFOX`, `GECKODRIVER`), headless.
    Firefox,
    /// WebKitGTK's MiniBrowser with WebKitWebDriver (`WEBKIT_DRIVER`, `MINIBROWSER`), under
    /// `xvfb-run` (it has no headless mode).
    WebKit,
}

impl Engine {
    /// The engine named by `KEPT_ENGINE` (`chromium`, `firefox`, `webkit`); Chromium without it.
    pub fn from_env() -> Engine {
        match std::env::var("KEPT_ENGINE").as_deref() {
            Ok("firefox") => Engine::Firefox,
            Ok("webkit") => Engine::WebKit,
            Ok("chromium") | Err(_) => Engine::Chromium,
            Ok(other) => panic!("KEPT_ENGINE={other}: use chromium, firefox or webkit"),
        }
    }
}

/// A browser session (headless where the engine has such a mode), closed on drop with its driver.
pub struct Browser {
    base: String,
    session: String,
    agent: ureq::Agent,
    driver: Child,
    /// The engine this session runs in.
    pub engine: Engine,
    _profile: tempfile::TempDir,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

impl Browser {
    /// Starts the driver of the engine `KEPT_ENGINE` names (Chromium without it) on a free port
    /// and opens a fresh profile, 1280 by 900.
    pub fn start() -> Browser {
        Browser::start_in(Engine::from_env())
    }

    /// The same in a chosen engine.
    pub fn start_in(engine: Engine) -> Browser {
        use std::os::unix::process::CommandExt;
        let port = free_port();
        let profile = tempfile::tempdir().expect("a profile folder");
        let mut driver = match engine {
            Engine::Chromium => {
                let mut c = Command::new(env_or("CHROMEDRIVER", "/usr/bin/chromedriver"));
                c.arg(format!("--port={port}"));
                c
            }
            Engine::Firefox => {
                let mut c = Command::new(env_or("GECKODRIVER", "geckodriver"));
                c.args(["--port", &port.to_string(), "--host", "127.0.0.1"]);
                c
            }
            Engine::WebKit => {
                // Reduced motion, as the other engines are started with (tests read settled
                // colours and text; WebDriver reads a half-faded element as hidden): WebKitGTK
                // takes prefers-reduced-motion from GTK's gtk-enable-animations.
                let gtk = profile.path().join("gtk-3.0");
                std::fs::create_dir_all(&gtk).expect("a GTK settings folder");
                std::fs::write(gtk.join("settings.ini"), "[Settings]\ngtk-enable-animations=0\n")
                    .expect("GTK settings");
                // Its own X display (-a: a free one); the whole group ends with the session.
                let mut c = Command::new("xvfb-run");
                c.env("XDG_CONFIG_HOME", profile.path());
                c.args(["-a", "-s", "-screen 0 1600x1200x24"])
                    .arg(env_or("WEBKIT_DRIVER", "/usr/bin/WebKitWebDriver"))
                    .arg(format!("--port={port}"))
                    .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
                c
            }
        };
        let driver = driver
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("the {engine:?} driver starts: {e}"));
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(60)))
            .http_status_as_error(false)
            .build()
            .new_agent();
        let base = format!("http://127.0.0.1:{port}");
        let mut b = Browser { base, session: String::new(), agent, driver, engine, _profile: profile };
        wait_for("the WebDriver server to listen", Duration::from_secs(30), || {
            b.agent.get(&format!("{}/status", b.base)).call().ok().filter(|r| r.status().is_success())
        });
        let caps = b.capabilities();
        let v = b.call("POST", "/session", Some(caps));
        b.session = v["sessionId"].as_str().expect("a session id").to_owned();
        if engine != Engine::Chromium {
            b.set_viewport(1280, 900);
        }
        b
    }

    fn capabilities(&self) -> Value {
        let profile = self._profile.path().display().to_string();
        let always = match self.engine {
            Engine::Chromium => json!({
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": env_or("CHROMIUM", "/usr/bin/chromium"),
                    "args": [
                        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--disable-background-networking", "--disable-component-update", "--no-first-run",
                        "--disable-sync", "--window-size=1280,900",
                        // Tests read settled colours, sizes and pictures (axe's contrast, the layout,
                        // the screenshots): no fade half done. The motion test turns it back on.
                        "--force-prefers-reduced-motion",
                        format!("--user-data-dir={profile}"),
                    ]
                }
            }),
            Engine::Firefox => json!({
                "browserName": "firefox",
                "moz:firefoxOptions": {
                    "binary": env_or("FIREFOX", "/usr/bin/firefox-esr"),
                    "args": ["-headless"],
                    "prefs": {
                        "ui.prefersReducedMotion": 1,
                        "intl.accept_languages": "en-US, en",
                        // Nothing of its own over a network this machine does not have.
                        "app.update.enabled": false,
                        "browser.safebrowsing.malware.enabled": false,
                        "browser.safebrowsing.phishing.enabled": false,
                        "datareporting.policy.dataSubmissionEnabled": false,
                        "network.captive-portal-service.enabled": false,
                        "network.connectivity-service.enabled": false,
                        "extensions.update.enabled": false
                    }
                }
            }),
            Engine::WebKit => json!({
                "browserName": "MiniBrowser",
                "webkitgtk:browserOptions": {
                    "binary": env_or("MINIBROWSER", "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser"),
                    "args": ["--automation"]
                }
            }),
        };
        json!({ "capabilities": { "alwaysMatch": always } })
    }

    /// Makes the page's viewport `width` by `height` CSS pixels as far as the engine allows:
    /// Chromium emulates it exactly; Firefox and WebKit size the window so that its inner size
    /// is that (WebKit's window is at least about 450 px wide). The viewport width reached.
    pub fn set_viewport(&self, width: u32, height: u32) -> u32 {
        if self.engine == Engine::Chromium {
            self.cdp(
                "Emulation.setDeviceMetricsOverride",
                json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600 }),
            );
            return width;
        }
        let inner = || -> (i64, i64) {
            let v = self.execute("return [window.innerWidth, window.innerHeight];", vec![]);
            (v[0].as_i64().unwrap_or(0), v[1].as_i64().unwrap_or(0))
        };
        let (w, h) = (i64::from(width), i64::from(height));
        let mut rect = (w, h);
        // Twice: the first tells how much the window's frame takes, the second makes up for it.
        for _ in 0..2 {
            let _ = self.try_call("POST", "/window/rect", Some(json!({ "width": rect.0, "height": rect.1 })));
            let (iw, ih) = inner();
            if (iw, ih) == (w, h) || iw == 0 {
                break;
            }
            rect = (rect.0 + (w - iw), rect.1 + (h - ih));
        }
        inner().0.max(0) as u32
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

    /// Makes the iframe `el` the context later commands act in.
    pub fn enter_frame(&self, el: &Element) {
        self.call("POST", &self.session_path("/frame"), Some(json!({ "id": { ELEMENT: el.0 } })));
    }

    /// Makes the top-level page the context again.
    pub fn leave_frames(&self) {
        self.call("POST", &self.session_path("/frame"), Some(json!({ "id": null })));
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
        // The whole group: xvfb-run, its X server and the driver (and anything they started).
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).stderr(Stdio::null()).status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
