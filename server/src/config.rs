//! Server configuration from command-line flags, falling back to `KEPT_*` environment variables.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Everything the server needs to start.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where to listen; port 0 picks a free one (the chosen address is printed).
    pub bind: SocketAddr,
    /// The SQLite file; created with its folder when missing.
    /// A SQLite file (or `sqlite:` path), or a `postgres://` URL.
    pub db: String,
    /// A folder of built widget files to serve, with the demo storefront at `/`.
    pub static_dir: Option<PathBuf>,
    /// Seed the demo shop and the coffee order at start (idempotent).
    pub seed_demo: bool,
    /// The customer token of the demo order.
    pub demo_token: String,
    /// Origins allowed to call the API from a browser (CORS); empty allows none but the same origin.
    pub cors_origins: Vec<String>,
    /// The operator console's token; without one the operator API refuses everyone.
    pub operator_token: Option<String>,
    /// Enables `POST /v1/test/faults`, which makes chosen routes fail or hang (tests only).
    pub faults: bool,
    /// Most messages one order may post in `rate_window_secs`.
    pub rate_limit: u32,
    pub rate_window_secs: u64,
    /// A client must send its request headers within this many seconds.
    pub header_timeout_secs: u64,
    /// API keys the shop's own servers call `/v1/backend/` with (several, for rotation).
    pub backend_keys: Vec<String>,
    /// The webhook endpoint set by flags, and its `whsec_` secret.
    pub webhook_url: Option<String>,
    pub webhook_secret: Option<String>,
    /// The URL customers' browsers reach this server at, for the embed attributes.
    pub public_url: Option<String>,
    /// Live events, answers kept for idempotency keys and delivered webhooks older than this
    /// many days are pruned.
    pub retention_days: u32,
}

/// The token of the seeded demo order; for the demo only, never for real orders.
pub const DEFAULT_DEMO_TOKEN: &str = "demo-kc1001-2f6c9a41d8e3b7056c1f";

impl Default for Config {
    fn default() -> Config {
        Config {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            db: "data/kept.sqlite".to_owned(),
            static_dir: None,
            seed_demo: false,
            demo_token: DEFAULT_DEMO_TOKEN.to_owned(),
            cors_origins: Vec::new(),
            operator_token: None,
            faults: false,
            rate_limit: 20,
            rate_window_secs: 60,
            header_timeout_secs: 10,
            backend_keys: Vec::new(),
            webhook_url: None,
            webhook_secret: None,
            public_url: None,
            retention_days: 30,
        }
    }
}

const USAGE: &str = "usage: kept-server [--bind ADDR] [--db FILE|postgres://USER@HOST:PORT/DB] [--static-dir DIR] [--seed-demo] \
[--demo-token TOKEN] [--cors-origin ORIGIN]... [--operator-token TOKEN] [--enable-faults] [--rate-limit N] [--header-timeout SECS]
  [--backend-key KEY]... [--webhook-url URL --webhook-secret whsec_...] [--public-url URL] [--retention-days N]
  kept-server [--db FILE|postgres://USER@HOST:PORT/DB] operator add NAME [--display-name NAME]   (password from stdin, or one is printed)
environment: KEPT_BIND, KEPT_DB, KEPT_STATIC_DIR, KEPT_SEED_DEMO=1, KEPT_DEMO_TOKEN, KEPT_CORS_ORIGINS (comma-separated), \
KEPT_OPERATOR_TOKEN, KEPT_ENABLE_FAULTS=1, KEPT_RATE_LIMIT, KEPT_HEADER_TIMEOUT, KEPT_BACKEND_KEY (comma-separated), \
KEPT_WEBHOOK_URL, KEPT_WEBHOOK_SECRET, KEPT_PUBLIC_URL, KEPT_RETENTION_DAYS";

impl Config {
    /// Reads flags (`args` without the program name) over environment variables over defaults.
    pub fn from_args(
        args: impl IntoIterator<Item = String>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, String> {
        let mut c = Config::default();
        if let Some(v) = env("KEPT_BIND") {
            c.bind = parse_addr(&v)?;
        }
        if let Some(v) = env("KEPT_DB") {
            c.db = v;
        }
        c.static_dir = env("KEPT_STATIC_DIR").map(PathBuf::from);
        c.seed_demo = env("KEPT_SEED_DEMO").is_some_and(|v| v == "1" || v == "true");
        if let Some(v) = env("KEPT_DEMO_TOKEN") {
            c.demo_token = v;
        }
        if let Some(v) = env("KEPT_CORS_ORIGINS") {
            c.cors_origins = v.split(',').map(str::trim).filter(|o| !o.is_empty()).map(String::from).collect();
        }
        c.operator_token = env("KEPT_OPERATOR_TOKEN").filter(|t| !t.is_empty());
        c.faults = env("KEPT_ENABLE_FAULTS").is_some_and(|v| v == "1" || v == "true");
        if let Some(v) = env("KEPT_RATE_LIMIT") {
            c.rate_limit = v.parse().map_err(|_| format!("KEPT_RATE_LIMIT is not a number: {v}"))?;
        }
        if let Some(v) = env("KEPT_HEADER_TIMEOUT") {
            c.header_timeout_secs = seconds(&v)?;
        }
        if let Some(v) = env("KEPT_BACKEND_KEY") {
            c.backend_keys = v.split(',').map(str::trim).filter(|k| !k.is_empty()).map(String::from).collect();
        }
        c.webhook_url = env("KEPT_WEBHOOK_URL").filter(|v| !v.is_empty());
        c.webhook_secret = env("KEPT_WEBHOOK_SECRET").filter(|v| !v.is_empty());
        c.public_url = env("KEPT_PUBLIC_URL").filter(|v| !v.is_empty());
        if let Some(v) = env("KEPT_RETENTION_DAYS") {
            c.retention_days = days(&v)?;
        }
        let mut args = args.into_iter();
        while let Some(flag) = args.next() {
            let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"));
            match flag.as_str() {
                "--bind" => c.bind = parse_addr(&value()?)?,
                "--db" => c.db = value()?,
                "--static-dir" => c.static_dir = Some(value()?.into()),
                "--seed-demo" => c.seed_demo = true,
                "--demo-token" => c.demo_token = value()?,
                "--cors-origin" => c.cors_origins.push(value()?),
                "--operator-token" => c.operator_token = Some(value()?),
                "--enable-faults" => c.faults = true,
                "--rate-limit" => {
                    let v = value()?;
                    c.rate_limit = v.parse().map_err(|_| format!("--rate-limit is not a number: {v}"))?;
                }
                "--header-timeout" => c.header_timeout_secs = seconds(&value()?)?,
                "--backend-key" => c.backend_keys.push(value()?),
                "--webhook-url" => c.webhook_url = Some(value()?),
                "--webhook-secret" => c.webhook_secret = Some(value()?),
                "--public-url" => c.public_url = Some(value()?),
                "--retention-days" => c.retention_days = days(&value()?)?,
                "--help" | "-h" => return Err(USAGE.to_owned()),
                other => return Err(format!("unknown argument {other}\n{USAGE}")),
            }
        }
        c.check()?;
        Ok(c)
    }

    /// What no server should start with: a webhook URL without a secret (or the reverse), a
    /// secret that is not `whsec_` and base64, a URL that is not https (http on loopback).
    fn check(&self) -> Result<(), String> {
        match (&self.webhook_url, &self.webhook_secret) {
            (Some(url), Some(secret)) => {
                if !kept_protocol::shop::safe_url(url) {
                    return Err(format!("--webhook-url must be https (or http on loopback): {url}"));
                }
                if crate::webhooks::secret_key(secret).is_none() {
                    return Err("--webhook-secret must be whsec_ followed by base64".to_owned());
                }
            }
            (None, None) => {}
            _ => return Err("--webhook-url and --webhook-secret go together".to_owned()),
        }
        if self.backend_keys.iter().any(|k| k.len() < 16) {
            return Err("a backend key must be at least 16 characters".to_owned());
        }
        Ok(())
    }
}

fn days(v: &str) -> Result<u32, String> {
    v.parse().ok().filter(|&d| d > 0).ok_or_else(|| format!("not a number of days above 0: {v}"))
}

fn seconds(v: &str) -> Result<u64, String> {
    v.parse().ok().filter(|&s| s > 0).ok_or_else(|| format!("not a number of seconds above 0: {v}"))
}

fn parse_addr(v: &str) -> Result<SocketAddr, String> {
    v.parse().map_err(|_| format!("not an address like 127.0.0.1:8080: {v}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn flags_override_environment_which_overrides_defaults() {
        let env = |k: &str| (k == "KEPT_BIND").then(|| "127.0.0.1:9000".to_owned());
        let c = Config::from_args(args(&["--db", "/tmp/x.sqlite", "--seed-demo"]), env).unwrap();
        assert_eq!(c.bind.port(), 9000);
        assert_eq!(c.db, "/tmp/x.sqlite");
        assert!(c.seed_demo);
        let c = Config::from_args(args(&["--bind", "127.0.0.1:0"]), env).unwrap();
        assert_eq!(c.bind.port(), 0);
    }

    #[test]
    fn unknown_flags_and_bad_addresses_are_reported() {
        assert!(Config::from_args(args(&["--nope"]), |_| None).unwrap_err().contains("--nope"));
        assert!(Config::from_args(args(&["--bind", "here"]), |_| None).unwrap_err().contains("here"));
        assert!(Config::from_args(args(&["--db"]), |_| None).unwrap_err().contains("needs a value"));
    }
}
