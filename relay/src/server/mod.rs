//! The relay: serves the UI, streams diagnoses over a WebSocket, and answers a small HTTP API.
//! It connects where strangers ask, so every door has a limit: egress policy, origins, tokens,
//! rates, sizes and deadlines.
//!
//! Read in this order: [`ws`] (the diagnosis socket), [`api`] (domains, egress addresses,
//! health, metrics), [`limits`], [`metrics`].

pub mod api;
pub mod client;
pub mod limits;
pub mod metrics;
pub mod ui;
pub mod ws;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::domains::DomainStore;
use crate::engine::EngineConfig;
use crate::net::dns::Dns;
use crate::net::egress::EgressPolicy;
use crate::net::tls::{TrustError, TrustRoots};
use crate::net::Network;
use limits::Limiter;
use metrics::Metrics;

/// Why the relay could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Store(crate::domains::StoreError),
    #[error("{0}")]
    Trust(TrustError),
    #[error("resolver: {0}")]
    Resolver(String),
}

/// Everything the handlers share.
pub struct AppState {
    pub config: Config,
    pub engine: EngineConfig,
    /// Discovery's resolver, built once so its cache serves every lookup: the configured
    /// name server, else the system's.
    pub dns: Option<Dns>,
    pub policy: Arc<EgressPolicy>,
    pub store: DomainStore,
    pub limiter: Arc<Limiter>,
    pub metrics: Metrics,
    shutting_down: AtomicBool,
}

impl AppState {
    /// Opens the store and loads the trusted roots: a bad CA file fails here, not in a run.
    pub async fn new(config: Config) -> Result<Arc<AppState>, StartError> {
        let store = DomainStore::open(&config.domains.database)
            .await
            .map_err(StartError::Store)?;
        let policy = Arc::new(EgressPolicy::new(config.egress.clone()));
        let engine = EngineConfig {
            step_timeout: Duration::from_secs(config.engine.step_timeout_secs),
            roundtrip_timeout: Duration::from_secs(config.engine.step_timeout_secs * 3),
            net: Network {
                roots: TrustRoots::load(&config.engine.ca_files).map_err(StartError::Trust)?,
                source_v4: config.egress.source_ipv4.map(Into::into),
                source_v6: config.egress.source_ipv6.map(Into::into),
                egress: Some(policy.clone()),
                dns: config
                    .engine
                    .resolver
                    .map(Dns::at)
                    .transpose()
                    .map_err(StartError::Resolver)?,
            },
        };
        let dns = match &engine.net.dns {
            Some(d) => Some(d.clone()),
            None => Dns::system()
                .inspect_err(|e| tracing::warn!(error = %e, "discovery will have no resolver"))
                .ok(),
        };
        Ok(Arc::new(AppState {
            dns,
            limiter: Limiter::new(config.limits.clone()),
            config,
            engine,
            policy,
            store,
            metrics: Metrics::default(),
            shutting_down: AtomicBool::new(false),
        }))
    }

    pub fn shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::SeqCst)
    }
}

/// The whole HTTP surface.
pub fn app(state: Arc<AppState>) -> Router {
    let mut router = Router::new()
        .merge(ws::router())
        .merge(api::router())
        .with_state(state.clone());
    router = match &state.config.static_dir {
        Some(dir) => router.fallback_service(
            tower_http::services::ServeDir::new(dir).append_index_html_on_directories(true),
        ),
        None => router.fallback(ui::embedded),
    };
    // The page, the widget's files and the public API may be read from other origins (a help
    // center embedding the widget). Only GET: changes need the admin token, which a foreign
    // page cannot send without a preflight this does not allow. The WebSocket checks Origin
    // itself.
    router.layer(
        tower_http::cors::CorsLayer::new()
            .allow_origin(tower_http::cors::Any)
            .allow_methods([axum::http::Method::GET]),
    )
}

/// Serves until `shutdown` completes, then refuses new diagnoses and gives running ones
/// `shutdown_grace_secs` to finish.
pub async fn run(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let grace = Duration::from_secs(state.config.limits.shutdown_grace_secs);
    let draining = state.clone();
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown.await;
        draining.shutting_down.store(true, Ordering::SeqCst);
        tracing::info!(running = draining.limiter.running(), "shutting down");
        let deadline = tokio::time::Instant::now() + grace;
        while draining.limiter.running() > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
}

/// Ctrl-C or SIGTERM.
pub async fn signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
