use kept_server::config::{Command, ConfigError, OperatorAction, ShopAction};
use kept_server::{app, db, seed, AppState, Config};

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "kept_server=info".into()),
        )
        .init();
    let (config, command) = match Config::from_args(std::env::args().skip(1)) {
        Ok(c) => c,
        // Help and the version on stdout with 0, a bad flag on stderr with 2.
        Err(ConfigError::Args(e)) => e.exit(),
        Err(ConfigError::Invalid(msg)) => {
            eprintln!("kept-server: {msg}");
            std::process::exit(2);
        }
    };
    if let Some(command) = command {
        let done = match command {
            Command::Operator { action } => operator_command(&config, action).await,
            Command::Shop { action: ShopAction::Set { file } } => shop_set(&config, &file).await,
        };
        match done {
            Ok(()) => return,
            Err(e) => {
                eprintln!("kept-server: {e}");
                std::process::exit(2);
            }
        }
    }
    if let Err(e) = run(config).await {
        eprintln!("kept-server: {e}");
        std::process::exit(1);
    }
}

/// `operator list | add NAME [--display-name NAME] | disable NAME | enable NAME | remove NAME |
/// password NAME`, through the same rules as the backend API's `/v1/backend/operators`.
async fn operator_command(config: &Config, action: OperatorAction) -> Result<(), String> {
    use kept_protocol::operator::{NewOperator, PasswordReset};
    use kept_server::accounts;
    let pool = db::open(&config.db).await.map_err(|e| e.to_string())?;
    let conn = &mut pool.acquire().await.map_err(|e| e.to_string())?;
    let said = |e| {
        let rules = format!(
            "names: no spaces, at most 64 characters; passwords: at least {} characters",
            kept_server::password::MIN_LEN
        );
        format!("{} ({rules})", said(e))
    };
    match action {
        OperatorAction::List => {
            for a in kept_server::store::operators::list(&pool).await.map_err(said)? {
                let state = if a.disabled { "disabled" } else { "enabled" };
                println!("{}\t{}\t{state}\tsince {}", a.name, a.display_name, a.created_at);
            }
        }
        OperatorAction::Add { name, display_name } => {
            let new = NewOperator { name, display_name, password: piped_password()? };
            kept_server::error::check(new.problems()).map_err(said)?;
            let password = accounts::Password::new(new.password.as_deref()).await.map_err(said)?;
            let saved = accounts::add(conn, &new, password).await.map_err(said)?;
            match saved.password {
                Some(p) => println!("operator {} added; password (shown once): {p}", saved.operator.name),
                None => println!("operator {} added", saved.operator.name),
            }
        }
        OperatorAction::Disable { name } => {
            accounts::set_disabled(conn, &name, true).await.map_err(said)?;
            println!("operator {name} disabled");
        }
        OperatorAction::Enable { name } => {
            accounts::set_disabled(conn, &name, false).await.map_err(said)?;
            println!("operator {name} enabled");
        }
        OperatorAction::Remove { name } => {
            accounts::remove(conn, &name).await.map_err(said)?;
            println!("operator {name} removed; what they did stays attributed to them");
        }
        OperatorAction::Password { name } => {
            let reset = PasswordReset { password: piped_password()? };
            kept_server::error::check(reset.problems()).map_err(said)?;
            let password = accounts::Password::new(reset.password.as_deref()).await.map_err(said)?;
            let saved = accounts::reset_password(conn, &name, password).await.map_err(said)?;
            match saved.password {
                Some(p) => println!("operator {name}: new password (shown once): {p}; every old session ended"),
                None => println!("operator {name}: password changed; every old session ended"),
            }
        }
    }
    Ok(())
}

/// An error of the store or the rules, in words for the command line.
fn said(e: kept_server::ApiError) -> String {
    match e {
        kept_server::ApiError::Validation(problems) => {
            let fields: Vec<String> = problems.iter().map(|p| format!("{} ({:?})", p.path, p.code)).collect();
            format!("not accepted: {}", fields.join(", "))
        }
        other => other.to_string(),
    }
}

/// `shop set FILE`: the shop profile from a JSON or TOML file, checked like `POST /v1/operator/shop`.
async fn shop_set(config: &Config, file: &std::path::Path) -> Result<(), String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let value: serde_json::Value = if file.extension().is_some_and(|x| x == "toml") {
        toml::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?
    } else {
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?
    };
    // As a request body would be: U+0000 refused, the shape checked naming the field, the rules.
    if let Some(path) = kept_server::extract::nul_at(&value, &[]) {
        return Err(said(kept_server::ApiError::field(&path, kept_protocol::ProblemCode::Invalid)));
    }
    let profile =
        kept_server::extract::parse_value(value).and_then(kept_server::domain::shop::accepted).map_err(said)?;
    let pool = db::open(&config.db).await.map_err(|e| e.to_string())?;
    let conn = &mut pool.acquire().await.map_err(|e| e.to_string())?;
    kept_server::store::orders::save_shop(conn, &profile).await.map_err(said)?;
    println!("shop profile of {} written", profile.name);
    Ok(())
}

/// The password piped on stdin (one line), or None at a terminal (one is then made).
fn piped_password() -> Result<Option<String>, String> {
    use std::io::{BufRead, IsTerminal};
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Ok(None);
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line).map_err(|e| e.to_string())?;
    Ok(Some(line.trim_end_matches(['\r', '\n']).to_owned()))
}

async fn run(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    let pool = db::open(&config.db).await?;
    if config.seed_demo {
        seed::demo(&pool, &config.demo_token).await?;
    }
    let listener = tokio::net::TcpListener::bind(config.bind).await?;
    let state = AppState::new(pool.clone(), config);
    // Her replies by email, from the shop's MX.
    if let Some(addr) = state.config.smtp_listen {
        let local = kept_server::inbound::listen(state.clone(), addr).await?;
        println!("kept-server receiving mail on smtp://{local}");
    }
    // Tools that start the server on port 0 read the real address from this line (the last).
    println!("kept-server listening on http://{}", listener.local_addr()?);
    let (url, secret) = (state.config.webhook_url.clone(), state.config.webhook_secret.clone());
    state
        .writer
        .write(move |tx| {
            Box::pin(
                async move { kept_server::store::webhooks::configure(tx, url.as_deref(), secret.as_deref()).await },
            )
        })
        .await?;
    // Webhooks wait in the outbox until this worker delivers them.
    tokio::spawn(kept_server::workers::webhooks::run(state.clone()));
    // Old events, idempotency answers and delivered webhooks are pruned in bounded batches.
    tokio::spawn(kept_server::workers::retention::run(state.clone()));
    // Ask-first questions fall back to the customer's rule when their wait runs out.
    tokio::spawn(kept_server::workers::ask_first::run(state.clone()));
    // Promises fall overdue, and are announced before they do.
    kept_server::store::promises::set_recording(!state.config.no_record);
    tokio::spawn(kept_server::workers::promises::run(state.clone()));
    tokio::spawn(kept_server::workers::notify::run(state.clone()));
    let header_timeout = std::time::Duration::from_secs(state.config.header_timeout_secs);
    kept_server::serve::serve(listener, app(state), header_timeout, shutdown()).await;
    pool.close().await;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = tokio::signal::ctrl_c();
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => return ctrl_c.await.unwrap_or(()),
    };
    tokio::select! {
        _ = ctrl_c => {}
        _ = term.recv() => {}
    }
}
