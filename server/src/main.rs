use kept_server::{app, db, seed, AppState, Config};

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "kept_server=info".into()),
        )
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `kept-server [flags] operator add NAME`: the flags before say which database.
    let command = args.iter().position(|a| a == "operator");
    let flags = command.map_or(args.clone(), |at| args[..at].to_vec());
    let config = match Config::from_args(flags, |k| std::env::var(k).ok()) {
        Ok(c) => c,
        Err(msg) => {
            eprintln!("{msg}");
            std::process::exit(2);
        }
    };
    if let Some(at) = command {
        match operator_command(&config, &args[at + 1..]).await {
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

/// `operator add NAME [--display-name NAME]`: the password comes from stdin when it is piped;
/// otherwise one is made and printed once.
async fn operator_command(config: &Config, args: &[String]) -> Result<(), String> {
    use std::io::{BufRead, IsTerminal};
    let (Some("add"), Some(name)) = (args.first().map(String::as_str), args.get(1)) else {
        return Err("usage: kept-server [--db FILE] operator add NAME [--display-name NAME]".to_owned());
    };
    let display = match (args.get(2).map(String::as_str), args.get(3)) {
        (Some("--display-name"), Some(d)) => d.clone(),
        (None, _) => name.clone(),
        _ => return Err("usage: kept-server [--db FILE] operator add NAME [--display-name NAME]".to_owned()),
    };
    if name.trim().is_empty() || name.len() > 64 || display.trim().is_empty() {
        return Err("the name and the display name must not be empty (name: at most 64 characters)".to_owned());
    }
    let stdin = std::io::stdin();
    let (password, print) = if stdin.is_terminal() {
        (kept_server::password::generate()?, true)
    } else {
        let mut line = String::new();
        stdin.lock().read_line(&mut line).map_err(|e| e.to_string())?;
        (line.trim_end_matches(['\r', '\n']).to_owned(), false)
    };
    if password.chars().count() < kept_server::password::MIN_LEN {
        return Err(format!("the password must be at least {} characters", kept_server::password::MIN_LEN));
    }
    let hash = kept_server::password::hash(&password)?;
    let pool = db::open(&config.db).await.map_err(|e| e.to_string())?;
    let conn = &mut pool.acquire().await.map_err(|e| e.to_string())?;
    if !kept_server::store::operators::add(conn, name.trim(), display.trim(), &hash).await.map_err(|e| e.to_string())? {
        return Err(format!("an operator named {name} exists already"));
    }
    if print {
        println!("operator {name} added; password (shown once): {password}");
    } else {
        println!("operator {name} added");
    }
    Ok(())
}

async fn run(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    let pool = db::open(&config.db).await?;
    if config.seed_demo {
        seed::demo(&pool, &config.demo_token).await?;
    }
    let listener = tokio::net::TcpListener::bind(config.bind).await?;
    // Tools that start the server on port 0 read the real address from this line.
    println!("kept-server listening on http://{}", listener.local_addr()?);
    let state = AppState::new(pool.clone(), config);
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
    let sweeper = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            tick.tick().await;
            if let Err(e) = kept_server::routes::operator::sweep_ask_first(&sweeper, jiff::Timestamp::now()).await {
                tracing::error!(error = %e, "ask-first sweep failed");
            }
        }
    });
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
