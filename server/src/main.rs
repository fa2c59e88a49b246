use kept_server::{app, db, seed, AppState, Config};

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "kept_server=info".into()),
        )
        .init();
    let config = match Config::from_args(std::env::args().skip(1), |k| std::env::var(k).ok()) {
        Ok(c) => c,
        Err(msg) => {
            eprintln!("{msg}");
            std::process::exit(2);
        }
    };
    if let Err(e) = run(config).await {
        eprintln!("kept-server: {e}");
        std::process::exit(1);
    }
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
