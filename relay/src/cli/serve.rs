//! `inbox-doctor serve`: the relay on a listening socket, its logs, and the environment
//! variables its `--help` lists.

use super::args::ServeArgs;
use super::{load_config, Exit, UsageError};
use crate::config::LogFormat;

/// Runs `inbox-doctor serve` until a shutdown signal: passed after a clean drain, failed when
/// the server stopped with an error.
pub async fn serve(args: ServeArgs) -> Result<Exit, UsageError> {
    let mut config = load_config(args.config.as_deref())?;
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    init_logs(config.log_format, "info");
    let listen = config.listen;
    let listener = crate::server::listen(listen)
        .map_err(|e| UsageError(format!("cannot listen on {listen}: {e}")))?;
    let state = crate::server::AppState::new(config)
        .await
        .map_err(UsageError::of)?;
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    tracing::info!(%addr, "listening");
    eprintln!("inbox-doctor: listening on http://{addr}");
    match crate::server::run(listener, state, crate::server::signal()).await {
        Ok(()) => Ok(Exit::Passed),
        Err(e) => {
            eprintln!("inbox-doctor: {e}");
            Ok(Exit::Failed)
        }
    }
}

/// The environment variables `serve` reads, for its `--help`.
pub fn env_help() -> String {
    let mut out = String::from("Environment (overrides the configuration file):\n");
    for (var, what) in crate::config::ENV_VARS {
        out.push_str(&format!("  {var:<32} {what}\n"));
    }
    out.push_str(
        "  RUST_LOG                         log filter, e.g. info or inbox_doctor=debug\n",
    );
    out
}

/// Structured logs to stderr: text by default, JSON when configured.
pub fn init_logs(format: LogFormat, default_filter: &str) {
    let mut filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter));
    // These log whole WebSocket and HTTP payloads at trace level, and a diagnosis request
    // carries a password: they never log below debug, whatever RUST_LOG says.
    for quiet in [
        "tungstenite=debug",
        "tokio_tungstenite=debug",
        "axum::extract::ws=debug",
        "hyper=debug",
        "h2=debug",
    ] {
        if let Ok(d) = quiet.parse() {
            filter = filter.add_directive(d);
        }
    }
    // Colours only for a person at a terminal: a log file or a collector gets plain text.
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}
