//! Server configuration from command-line flags (parsed by clap), falling back to `KEPT_*`
//! environment variables.

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
    /// How long before an open promise falls due the shop hears `promise.due_soon`.
    pub due_soon_minutes: u32,
    /// Benchmarks only: records no promises, to measure what recording them costs.
    pub no_record: bool,
    /// What the shop says that the customer has not seen in this many minutes follows her to
    /// her channel.
    pub notify_after_minutes: u32,
    /// The mail server Kept sends email through (`smtp://`, STARTTLS; `smtps://`, implicit TLS;
    /// user and password in the URL); without one, email goes to the shop's servers as
    /// `notification.requested` like the other channels.
    pub smtp_url: Option<String>,
    /// The sender of Kept's email, e.g. `Kawa & Co <orders@kawa.example>`.
    pub mail_from: Option<String>,
    /// Where Kept takes in her replies by email over SMTP (the shop's MX relays the reply
    /// addresses here).
    pub smtp_listen: Option<SocketAddr>,
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
            due_soon_minutes: 2,
            no_record: false,
            notify_after_minutes: 2,
            smtp_url: None,
            mail_from: None,
            smtp_listen: None,
        }
    }
}

/// The server's command line: flags (each with its `KEPT_*` environment variable), then an
/// optional command.
#[derive(clap::Parser, Debug)]
#[command(name = "kept-server", version, about = "The reference backend of the Kept protocol v1")]
pub struct Cli {
    #[command(flatten)]
    pub flags: Flags,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What kept-server does besides serving.
#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// The shop's people: list, add, disable, enable, password, remove.
    Operator {
        #[command(subcommand)]
        action: OperatorAction,
    },
    /// The shop profile.
    Shop {
        #[command(subcommand)]
        action: ShopAction,
    },
}

/// `kept-server operator …`; add and password read the password from stdin when it is piped,
/// otherwise one is made and printed once.
#[derive(clap::Subcommand, Debug)]
pub enum OperatorAction {
    /// Every account, enabled or disabled.
    List,
    /// A new person.
    Add {
        name: String,
        #[arg(long)]
        display_name: Option<String>,
    },
    /// No sign-in; their sessions end at once, their open streams within a second.
    Disable { name: String },
    /// May sign in again.
    Enable { name: String },
    /// A new password; every old session ends.
    Password { name: String },
    /// Gone; what they did stays attributed to them.
    Remove { name: String },
}

/// `kept-server shop …`
#[derive(clap::Subcommand, Debug)]
pub enum ShopAction {
    /// Writes the shop profile from FILE (JSON, or TOML when it ends in .toml), checked by the
    /// same rules as `POST /v1/operator/shop`.
    Set { file: PathBuf },
}

/// The serving flags; each falls back to its environment variable, then to its default.
#[derive(clap::Args, Debug)]
pub struct Flags {
    /// Where to listen; port 0 picks a free one (the chosen address is printed).
    #[arg(long, env = "KEPT_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// A SQLite file (created with its folder when missing), or a postgres:// URL.
    #[arg(long, env = "KEPT_DB", default_value = "data/kept.sqlite")]
    pub db: String,
    /// Serve the built widget (dist/) with the demo storefront at /.
    #[arg(long, env = "KEPT_STATIC_DIR")]
    pub static_dir: Option<PathBuf>,
    /// Seed the demo shop and order KC-1001 (idempotent).
    #[arg(long, env = "KEPT_SEED_DEMO", value_parser = clap::builder::BoolishValueParser::new())]
    pub seed_demo: bool,
    /// The demo order's customer token.
    #[arg(long, env = "KEPT_DEMO_TOKEN", default_value = DEFAULT_DEMO_TOKEN)]
    pub demo_token: String,
    /// A browser origin allowed to call the API (repeatable; the variable comma-separated).
    #[arg(long = "cors-origin", env = "KEPT_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// The operator API's token for scripts.
    #[arg(long, env = "KEPT_OPERATOR_TOKEN")]
    pub operator_token: Option<String>,
    /// Tests only: POST /v1/test/faults and /v1/test/sweep.
    #[arg(long = "enable-faults", env = "KEPT_ENABLE_FAULTS", value_parser = clap::builder::BoolishValueParser::new())]
    pub faults: bool,
    /// Most messages one order may post per minute.
    #[arg(long, env = "KEPT_RATE_LIMIT", default_value_t = 20)]
    pub rate_limit: u32,
    /// Seconds a client has to send its request headers.
    #[arg(long = "header-timeout", env = "KEPT_HEADER_TIMEOUT", default_value_t = 10, value_parser = above_zero::<u64>)]
    pub header_timeout_secs: u64,
    /// An API key of the shop's own servers, at least 16 characters (repeatable; the variable
    /// comma-separated).
    #[arg(long = "backend-key", env = "KEPT_BACKEND_KEY", value_delimiter = ',')]
    pub backend_keys: Vec<String>,
    /// Where webhooks go (https, or http on loopback); with --webhook-secret.
    #[arg(long, env = "KEPT_WEBHOOK_URL")]
    pub webhook_url: Option<String>,
    /// The Standard Webhooks secret (whsec_…) deliveries are signed with.
    #[arg(long, env = "KEPT_WEBHOOK_SECRET")]
    pub webhook_secret: Option<String>,
    /// This server as browsers reach it, for the embed attributes.
    #[arg(long, env = "KEPT_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Days after which old events, idempotency answers and delivered webhooks are pruned.
    #[arg(long, env = "KEPT_RETENTION_DAYS", default_value_t = 30, value_parser = above_zero::<u32>)]
    pub retention_days: u32,
    /// Minutes before an open promise falls due that `promise.due_soon` is sent.
    #[arg(long = "due-soon-minutes", env = "KEPT_DUE_SOON_MINUTES", default_value_t = 2, value_parser = above_zero::<u32>)]
    pub due_soon_minutes: u32,
    /// Benchmarks only: record no promises (to measure what recording them costs).
    #[arg(long = "no-record", env = "KEPT_NO_RECORD", value_parser = clap::builder::BoolishValueParser::new(), hide = true)]
    pub no_record: bool,
    /// Minutes what the shop says may stay unseen in the widget before it follows the customer
    /// to her channel (email, or the shop's messenger provider).
    #[arg(long = "notify-after", env = "KEPT_NOTIFY_AFTER", default_value_t = 2, value_parser = above_zero::<u32>)]
    pub notify_after_minutes: u32,
    /// The mail server for email: smtp://user:password@host:587 (STARTTLS) or smtps://…:465
    /// (implicit TLS); with --mail-from.
    #[arg(long = "smtp-url", env = "KEPT_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// The sender of Kept's email: "Shop <orders@shop.example>".
    #[arg(long = "mail-from", env = "KEPT_MAIL_FROM")]
    pub mail_from: Option<String>,
    /// Receive her replies by email over SMTP here (host:port), for the shop's MX to relay the
    /// reply addresses (orders+TAG@…) to.
    #[arg(long = "smtp-listen", env = "KEPT_SMTP_LISTEN")]
    pub smtp_listen: Option<SocketAddr>,
}

fn above_zero<T: std::str::FromStr + PartialOrd + Default>(v: &str) -> Result<T, String> {
    v.parse::<T>().ok().filter(|n| *n > T::default()).ok_or_else(|| format!("not a number above 0: {v}"))
}

/// An empty value (`KEPT_OPERATOR_TOKEN=`) is no value.
fn given(v: Option<String>) -> Option<String> {
    v.filter(|v| !v.trim().is_empty())
}

/// Why the command line was not taken.
#[derive(Debug)]
pub enum ConfigError {
    /// clap's word: a bad or missing flag, or `--help` / `--version` asked for.
    Args(clap::Error),
    /// Flags that parse but cannot go together (a webhook URL without its secret...).
    Invalid(String),
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConfigError::Args(e) => e.fmt(f),
            ConfigError::Invalid(msg) => f.write_str(msg),
        }
    }
}

impl Config {
    /// Reads the command line (without the program name) over `KEPT_*` environment variables
    /// over defaults; the command, if one was given.
    pub fn from_args(args: impl IntoIterator<Item = String>) -> Result<(Config, Option<Command>), ConfigError> {
        use clap::Parser;
        let cli =
            Cli::try_parse_from(std::iter::once("kept-server".to_owned()).chain(args)).map_err(ConfigError::Args)?;
        let f = cli.flags;
        let c = Config {
            bind: f.bind,
            db: f.db,
            static_dir: f.static_dir,
            seed_demo: f.seed_demo,
            demo_token: f.demo_token,
            cors_origins: f.cors_origins.into_iter().map(|o| o.trim().to_owned()).filter(|o| !o.is_empty()).collect(),
            operator_token: given(f.operator_token),
            faults: f.faults,
            rate_limit: f.rate_limit,
            header_timeout_secs: f.header_timeout_secs,
            backend_keys: f.backend_keys.into_iter().map(|k| k.trim().to_owned()).filter(|k| !k.is_empty()).collect(),
            webhook_url: given(f.webhook_url),
            webhook_secret: given(f.webhook_secret),
            public_url: given(f.public_url),
            retention_days: f.retention_days,
            due_soon_minutes: f.due_soon_minutes,
            no_record: f.no_record,
            notify_after_minutes: f.notify_after_minutes,
            smtp_url: given(f.smtp_url),
            mail_from: given(f.mail_from),
            smtp_listen: f.smtp_listen,
            ..Config::default()
        };
        c.check().map_err(ConfigError::Invalid)?;
        Ok((c, cli.command))
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
        crate::mail::check(self.smtp_url.as_deref(), self.mail_from.as_deref())?;
        if self.backend_keys.iter().any(|k| k.len() < 16) {
            return Err("a backend key must be at least 16 characters".to_owned());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    fn config(a: &[&str]) -> Result<Config, String> {
        Config::from_args(args(a)).map(|(c, _)| c).map_err(|e| e.to_string())
    }

    #[test]
    fn flags_override_environment_which_overrides_defaults() {
        // The only test that sets a KEPT_ variable (clap reads the process's environment).
        std::env::set_var("KEPT_BIND", "127.0.0.1:9000");
        let c = config(&["--db", "/tmp/x.sqlite", "--seed-demo"]).unwrap();
        assert_eq!(c.bind.port(), 9000);
        assert_eq!(c.db, "/tmp/x.sqlite");
        assert!(c.seed_demo);
        let c = config(&["--bind", "127.0.0.1:0"]).unwrap();
        assert_eq!(c.bind.port(), 0);
        std::env::remove_var("KEPT_BIND");
    }

    #[test]
    fn a_switch_in_the_environment_is_on_with_1_or_true() {
        // The only test that sets KEPT_SEED_DEMO (clap reads the process's environment).
        for on in ["1", "true"] {
            std::env::set_var("KEPT_SEED_DEMO", on);
            assert!(config(&[]).unwrap().seed_demo, "KEPT_SEED_DEMO={on}");
        }
        std::env::set_var("KEPT_SEED_DEMO", "0");
        assert!(!config(&[]).unwrap().seed_demo);
        std::env::remove_var("KEPT_SEED_DEMO");
    }

    #[test]
    fn unknown_flags_and_bad_addresses_are_reported() {
        assert!(config(&["--nope"]).unwrap_err().contains("--nope"));
        assert!(config(&["--bind", "here"]).unwrap_err().contains("here"));
        assert!(config(&["--db"]).unwrap_err().contains("a value is required"));
    }

    #[test]
    fn the_commands_are_read_after_the_flags() {
        let (c, command) = Config::from_args(args(&["--db", "/tmp/y.sqlite", "operator", "disable", "anna"])).unwrap();
        assert_eq!(c.db, "/tmp/y.sqlite");
        assert!(
            matches!(command, Some(Command::Operator { action: OperatorAction::Disable { name } }) if name == "anna")
        );
        let (_, command) = Config::from_args(args(&["shop", "set", "shop.toml"])).unwrap();
        assert!(
            matches!(command, Some(Command::Shop { action: ShopAction::Set { file } }) if file.ends_with("shop.toml"))
        );
    }
}
