//! The relay: serves the UI, streams diagnoses over a WebSocket, and answers a small HTTP API.
//! It connects where strangers ask, so every door has a limit: egress policy, origins, tokens,
//! rates, sizes and deadlines.
//!
//! Read in this order: [`ws`] (the diagnosis socket), [`api`] (domains, egress addresses,
//! health, metrics), [`admin`] (who may change domain settings), [`limits`], [`metrics`];
//! what browsers may do: [`hosts`] (the names `/ws` and `/api/*` answer to), [`origins`]
//! (CORS), [`page_policy`] (the page's headers).

pub mod admin;
pub mod api;
pub mod client;
pub mod hosts;
pub mod limits;
pub mod lockout;
pub mod metrics;
pub mod oauth;
pub mod origins;
pub mod page_policy;
pub mod targets;
pub mod ui;
pub mod ws;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
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
    #[error("{0}")]
    AdminTokens(crate::config::admin_tokens::AdminTokenError),
}

/// Everything the handlers share.
pub struct AppState {
    pub config: Config,
    pub engine: EngineConfig,
    /// Discovery's resolver, built once so its cache serves every lookup: the configured
    /// name server, else the system's.
    pub dns: Option<Dns>,
    /// How `/api/discover` and the hints after a failure discover settings: this relay's
    /// network and resolver, its caps, and one cache of recent discoveries for every request.
    pub discovery: crate::discover::DiscoverConfig,
    /// The configured OAuth providers, the known ones' defaults filled in (once, at start).
    pub oauth_providers: std::collections::BTreeMap<String, crate::config::OauthProvider>,
    pub policy: Arc<EgressPolicy>,
    pub store: DomainStore,
    pub limiter: Arc<Limiter>,
    /// Who may change domain settings, and who has failed to too often.
    pub admin: admin::AdminGate,
    /// Refused logins per account and server, from all clients.
    pub targets: targets::Targets,
    pub metrics: Metrics,
    shutting_down: AtomicBool,
    /// The names `/ws` and `/api/*` answer to; see [`AppState::hosts`].
    hosts: OnceLock<hosts::PublicHosts>,
}

impl AppState {
    /// Opens the store and loads the trusted roots: a bad CA file fails here, not in a run.
    pub async fn new(config: Config) -> Result<Arc<AppState>, StartError> {
        let tokens = crate::config::admin_tokens::AdminTokens::from_config(&config.domains)
            .map_err(StartError::AdminTokens)?;
        if config.domains.admin_token.is_some() {
            tracing::warn!(
                "domains.admin_token (INBOX_DOCTOR_ADMIN_TOKEN) is deprecated: it is kept in \
                 plain text and names no one. Its changes are recorded as by \"admin\". Give \
                 each administrator a named token: inbox-doctor admin-token NAME"
            );
        }
        let admin = admin::AdminGate::new(tokens, config.domains.max_failed_admin_attempts);
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
            token_issuers: config.oauth.expectations(),
        };
        let dns = engine
            .net
            .resolver()
            .inspect_err(|e| tracing::warn!(error = %e, "discovery will have no resolver"))
            .ok();
        // What protects third parties is counted where all relays see it, when they share.
        let shared = store.shared().then(|| store.clone());
        let discovery = crate::discover::DiscoverConfig {
            net: Network {
                dns: dns.clone(),
                ..engine.net.clone()
            },
            cache: Some(crate::discover::DiscoveryCache::new(
                crate::discover::cache::TIME_TO_LIVE,
                crate::discover::cache::MAX_WEIGHT,
                shared
                    .clone()
                    .map(|s| Arc::new(s) as Arc<dyn crate::discover::cache::SharedFindings>),
            )),
            ..crate::discover::DiscoverConfig::default()
        };
        Ok(Arc::new(AppState {
            dns,
            discovery,
            limiter: Limiter::new(config.limits.clone()),
            metrics: Metrics::new(config.limits.max_runs),
            admin,
            targets: targets::Targets::new(&config.limits, shared),
            oauth_providers: config.oauth.providers(),
            config,
            engine,
            policy,
            store,
            shutting_down: AtomicBool::new(false),
            hosts: OnceLock::new(),
        }))
    }

    pub fn shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::SeqCst)
    }

    /// The names the relay serves: `limits.public_hosts`, else defaults from the address
    /// [`run`] was given (tests and `--listen …:0` bind a port the configuration does not
    /// know), else from `listen`.
    pub fn hosts(&self) -> &hosts::PublicHosts {
        self.hosts.get_or_init(|| {
            hosts::PublicHosts::new(&self.config.limits.public_hosts, self.config.listen)
        })
    }
}

/// The whole HTTP surface.
pub fn app(state: Arc<AppState>) -> Router {
    use axum::middleware::from_fn_with_state;
    // The page and the files beside it, with the headers that say what a browser may do
    // with them.
    let page = match &state.config.static_dir {
        Some(dir) => Router::new().fallback_service(
            tower_http::services::ServeDir::new(dir).append_index_html_on_directories(true),
        ),
        None => Router::new().fallback(ui::embedded),
    }
    .layer(from_fn_with_state(state.clone(), page_policy::add));
    // Outermost CORS, so a refusal of the host check is readable by a page allowed to read.
    Router::new()
        .merge(ws::router())
        .merge(api::router())
        .merge(oauth::router())
        .with_state(state.clone())
        .fallback_service(page)
        .layer(from_fn_with_state(state.clone(), hosts::guard))
        .layer(origins::layer(state))
}

/// Serves until `shutdown` completes, then refuses new diagnoses and gives running ones
/// `shutdown_grace_secs` to finish.
/// How many connections may wait to be accepted. The standard library's (and mio's) 128 drops
/// SYNs when a few hundred clients connect at once (each then retries after a second); the
/// kernel caps this at `net.core.somaxconn`.
const LISTEN_BACKLOG: u32 = 4096;

/// Listens on `addr` with [`LISTEN_BACKLOG`].
pub fn listen(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = match addr {
        SocketAddr::V4(_) => tokio::net::TcpSocket::new_v4()?,
        SocketAddr::V6(_) => tokio::net::TcpSocket::new_v6()?,
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

pub async fn run(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let grace = Duration::from_secs(state.config.limits.shutdown_grace_secs);
    if let Ok(bound) = listener.local_addr() {
        let configured = &state.config.limits.public_hosts;
        let hosts = hosts::PublicHosts::new(configured, bound);
        if configured.is_empty() && bound.ip().is_unspecified() {
            tracing::warn!(
                hosts = %hosts,
                "listening on every address, but /ws and /api/* answer only to these names: list the relay's names in limits.public_hosts"
            );
        }
        let _ = state.hosts.set(hosts);
    }
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
