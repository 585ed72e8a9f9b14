//! The relay's configuration: a TOML file (see `relay/inbox-doctor.example.toml`), then
//! environment variables over it. Defaults are the secure ones: loopback only, mail ports only,
//! no private targets, no cross-origin embedding.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::net::egress::EgressConfig;

pub mod admin_tokens;
pub mod hosts;
pub use crate::oauth::providers::{OauthConfig, OauthProvider};
use admin_tokens::{AdminTokenEntry, AdminTokenError, AdminTokens};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where the relay listens.
    pub listen: SocketAddr,
    /// A directory with the built UI; without it, the UI embedded at build time (if any).
    pub static_dir: Option<PathBuf>,
    /// `text` or `json` log lines.
    pub log_format: LogFormat,
    pub egress: EgressConfig,
    pub limits: Limits,
    pub domains: DomainsConfig,
    pub engine: EngineSettings,
    pub oauth: OauthConfig,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// Which header a trusted proxy appends the client's address to. Only that one is read: a
/// proxy passes the other on as the client sent it, and the client could name itself there.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ForwardedHeader {
    /// `X-Forwarded-For`: what nginx, HAProxy, Traefik, Envoy and most load balancers write.
    #[default]
    XForwardedFor,
    /// RFC 7239's `Forwarded`.
    Forwarded,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Origins allowed to open the WebSocket (`https://help.example.com`), to read the relay's
    /// responses (CORS) and to frame the page. The relay's own origin is always allowed;
    /// clients that send no Origin (not browsers) too.
    pub allowed_origins: Vec<String>,
    /// The names browsers reach the relay by, as `Host` names them (`relay.example.com`,
    /// `relay.example.com:8443`, `[::1]:8080`; no port: any port). `/ws` and `/api/*` refuse
    /// any other `Host`: a page whose own name was pointed at the relay's address (DNS
    /// rebinding) is the relay's origin in the browser's eyes, but not in this list. Empty:
    /// the address the relay listens on, and `localhost`, `127.0.0.1` and `[::1]` on its port.
    pub public_hosts: Vec<String>,
    /// When set, the WebSocket needs `Authorization: Bearer <token>` or `?token=`.
    pub token: Option<String>,
    /// Diagnoses running at once, relay-wide.
    pub max_runs: usize,
    /// Diagnoses running at once per client address.
    pub max_runs_per_client: usize,
    /// Diagnoses a client address may start per minute.
    pub runs_per_minute: u32,
    /// The most simultaneous IMAP sessions a run may try to open (its session check): each is
    /// a connection to someone's server on a stranger's request.
    pub max_session_target: u32,
    /// Proxies whose `Forwarded` / `X-Forwarded-For` name the client (CIDRs). From any other
    /// peer those headers are ignored.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The header those proxies write the client into; only it is read.
    pub forwarded_header: ForwardedHeader,
    /// IPv6 clients are counted per prefix of this length (one host often holds a /64).
    pub ipv6_prefix: u8,
    /// Open WebSockets, relay-wide and per client.
    pub max_sockets: usize,
    pub max_sockets_per_client: usize,
    /// The longest a diagnosis may run before the relay stops it; unset: twelve step
    /// deadlines (the longest flow, with its round trip and the checks beside it).
    pub run_timeout_secs: Option<u64>,
    /// Refused logins allowed per account (server host and username) per window, from all
    /// clients together; then one more per window / this.
    pub failed_logins_per_account: u32,
    /// Refused logins allowed per server host per window, across its accounts.
    pub failed_logins_per_host: u32,
    pub login_window_secs: u64,
    /// The largest WebSocket frame or message accepted.
    pub max_frame_bytes: usize,
    /// How long a socket may wait before sending `start`.
    pub start_timeout_secs: u64,
    /// How long running diagnoses may take to finish on shutdown.
    pub shutdown_grace_secs: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            allowed_origins: Vec::new(),
            public_hosts: Vec::new(),
            token: None,
            max_runs: 32,
            max_runs_per_client: 2,
            runs_per_minute: 10,
            max_session_target: 10,
            trusted_proxies: Vec::new(),
            forwarded_header: ForwardedHeader::default(),
            ipv6_prefix: 64,
            max_sockets: 512,
            max_sockets_per_client: 8,
            run_timeout_secs: None,
            failed_logins_per_account: 10,
            failed_logins_per_host: 200,
            login_window_secs: 3600,
            max_frame_bytes: 64 * 1024,
            start_timeout_secs: 30,
            shutdown_grace_secs: 30,
        }
    }
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DomainsConfig {
    /// `sqlite://PATH` (created on first start) or `postgres://…` (shared by several relays).
    pub database: String,
    /// Deprecated: one token in plain text, accepted as the token named `admin`. Use
    /// [`DomainsConfig::admin_tokens`].
    pub admin_token: Option<String>,
    /// Who may change domain settings through the HTTP API: each holder's name and the
    /// SHA-256 of their token (see [`admin_tokens`]). Without any, the API is read-only.
    pub admin_tokens: Vec<AdminTokenEntry>,
    /// Wrong or missing admin tokens a client may send in ten minutes; past that, its admin
    /// requests are refused before their token is looked at.
    pub max_failed_admin_attempts: u32,
}

/// By hand, so the plain legacy token never reaches a debug print.
impl std::fmt::Debug for DomainsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DomainsConfig")
            .field("database", &self.database)
            .field(
                "admin_token",
                &self.admin_token.as_ref().map(|_| "[redacted]"),
            )
            .field("admin_tokens", &self.admin_tokens)
            .field("max_failed_admin_attempts", &self.max_failed_admin_attempts)
            .finish()
    }
}

impl Default for DomainsConfig {
    fn default() -> DomainsConfig {
        DomainsConfig {
            database: "sqlite://inbox-doctor.db".into(),
            admin_token: None,
            admin_tokens: Vec::new(),
            max_failed_admin_attempts: admin_tokens::DEFAULT_MAX_FAILURES,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EngineSettings {
    /// Deadline of each step.
    pub step_timeout_secs: u64,
    /// Extra trusted CA certificates (PEM), for internal mail servers.
    pub ca_files: Vec<String>,
    /// A DNS server (IP:PORT) for diagnoses and discovery instead of the system's resolver.
    pub resolver: Option<SocketAddr>,
}

impl Default for EngineSettings {
    fn default() -> EngineSettings {
        EngineSettings {
            step_timeout_secs: 10,
            ca_files: Vec::new(),
            resolver: None,
        }
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            static_dir: None,
            log_format: LogFormat::Text,
            egress: EgressConfig::default(),
            limits: Limits::default(),
            domains: DomainsConfig::default(),
            engine: EngineSettings::default(),
            oauth: OauthConfig::default(),
        }
    }
}

/// Why a configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {}: {error}", path.display())]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{}: {error}", path.display())]
    Parse { path: PathBuf, error: String },
    #[error("environment variable {var}: {error}")]
    Env { var: &'static str, error: String },
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    AdminTokens(#[from] AdminTokenError),
}

/// Environment variables that override the file, and what they set.
pub const ENV_VARS: &[(&str, &str)] = &[
    ("INBOX_DOCTOR_LISTEN", "listen address, e.g. 0.0.0.0:8080"),
    ("INBOX_DOCTOR_STATIC_DIR", "directory of the built UI"),
    ("INBOX_DOCTOR_LOG_FORMAT", "text or json"),
    ("INBOX_DOCTOR_DATABASE", "sqlite://PATH or postgres://…"),
    (
        "INBOX_DOCTOR_ADMIN_TOKEN",
        "deprecated plain admin token (named admin); use domains.admin_tokens",
    ),
    ("INBOX_DOCTOR_TOKEN", "bearer token the WebSocket requires"),
    (
        "INBOX_DOCTOR_ALLOWED_ORIGINS",
        "comma-separated origins allowed to embed",
    ),
    (
        "INBOX_DOCTOR_PUBLIC_HOSTS",
        "comma-separated names the relay is reached by (Host)",
    ),
    (
        "INBOX_DOCTOR_ALLOW_CIDRS",
        "comma-separated ranges allowed as targets (on-prem)",
    ),
];

impl Config {
    /// Reads `path` (or the defaults) and applies the environment.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let mut config = match path {
            None => Config::default(),
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|error| ConfigError::Read {
                    path: path.to_owned(),
                    error,
                })?;
                toml::from_str(&text).map_err(|e| ConfigError::Parse {
                    path: path.to_owned(),
                    error: e.to_string(),
                })?
            }
        };
        config.apply_env(|k| std::env::var(k).ok())?;
        config.validate()?;
        Ok(config)
    }

    fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        let list = |v: String| -> Vec<String> {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        };
        if let Some(v) = get("INBOX_DOCTOR_LISTEN") {
            self.listen = v
                .parse()
                .map_err(|e: std::net::AddrParseError| ConfigError::Env {
                    var: "INBOX_DOCTOR_LISTEN",
                    error: e.to_string(),
                })?;
        }
        if let Some(v) = get("INBOX_DOCTOR_STATIC_DIR") {
            self.static_dir = Some(v.into());
        }
        if let Some(v) = get("INBOX_DOCTOR_LOG_FORMAT") {
            self.log_format = match v.as_str() {
                "text" => LogFormat::Text,
                "json" => LogFormat::Json,
                other => {
                    return Err(ConfigError::Env {
                        var: "INBOX_DOCTOR_LOG_FORMAT",
                        error: format!("{other:?} is neither text nor json"),
                    })
                }
            };
        }
        if let Some(v) = get("INBOX_DOCTOR_DATABASE") {
            self.domains.database = v;
        }
        if let Some(v) = get("INBOX_DOCTOR_ADMIN_TOKEN") {
            self.domains.admin_token = Some(v);
        }
        if let Some(v) = get("INBOX_DOCTOR_TOKEN") {
            self.limits.token = Some(v);
        }
        if let Some(v) = get("INBOX_DOCTOR_ALLOWED_ORIGINS") {
            self.limits.allowed_origins = list(v);
        }
        if let Some(v) = get("INBOX_DOCTOR_PUBLIC_HOSTS") {
            self.limits.public_hosts = list(v);
        }
        if let Some(v) = get("INBOX_DOCTOR_ALLOW_CIDRS") {
            self.egress.allow_cidrs = list(v)
                .iter()
                .map(|c| c.parse())
                .collect::<Result<_, _>>()
                .map_err(|e: ipnet::AddrParseError| ConfigError::Env {
                    var: "INBOX_DOCTOR_ALLOW_CIDRS",
                    error: e.to_string(),
                })?;
        }
        Ok(())
    }

    /// The bound on one run; see [`Limits::run_timeout_secs`].
    pub fn run_timeout(&self) -> std::time::Duration {
        let derived = self.engine.step_timeout_secs.saturating_mul(12);
        std::time::Duration::from_secs(self.limits.run_timeout_secs.unwrap_or(derived))
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let bad = |why: String| Err(ConfigError::Invalid(why));
        self.oauth.validate().map_err(ConfigError::Invalid)?;
        if self.egress.ports.is_empty() || self.egress.ports.contains(&0) {
            return bad("egress.ports must list ports from 1 to 65535".into());
        }
        if self.limits.max_runs == 0 || self.limits.max_runs_per_client == 0 {
            return bad("limits.max_runs and limits.max_runs_per_client must be at least 1".into());
        }
        if self.limits.max_sockets == 0 || self.limits.max_sockets_per_client == 0 {
            return bad(
                "limits.max_sockets and limits.max_sockets_per_client must be at least 1".into(),
            );
        }
        if self.limits.max_frame_bytes < 1024 {
            return bad("limits.max_frame_bytes must be at least 1024".into());
        }
        let l = &self.limits;
        let ranges: &[(&str, u64, std::ops::RangeInclusive<u64>)] = &[
            (
                "engine.step_timeout_secs",
                self.engine.step_timeout_secs,
                1..=300,
            ),
            ("limits.start_timeout_secs", l.start_timeout_secs, 1..=600),
            (
                "limits.shutdown_grace_secs",
                l.shutdown_grace_secs,
                0..=3600,
            ),
            (
                "limits.runs_per_minute",
                l.runs_per_minute.into(),
                1..=10_000,
            ),
            (
                "limits.max_session_target",
                l.max_session_target.into(),
                1..=50,
            ),
            ("limits.ipv6_prefix", l.ipv6_prefix.into(), 32..=128),
            (
                "limits.run_timeout_secs",
                self.run_timeout().as_secs(),
                1..=3600,
            ),
            (
                "limits.failed_logins_per_account",
                l.failed_logins_per_account.into(),
                2..=10_000,
            ),
            (
                "limits.failed_logins_per_host",
                l.failed_logins_per_host.into(),
                2..=1_000_000,
            ),
            ("limits.login_window_secs", l.login_window_secs, 60..=86_400),
        ];
        for (name, value, range) in ranges {
            if !range.contains(value) {
                return bad(format!(
                    "{name} is {value}; it must be from {} to {}",
                    range.start(),
                    range.end()
                ));
            }
        }
        for t in [&self.limits.token, &self.domains.admin_token]
            .into_iter()
            .flatten()
        {
            if t.len() < 16 {
                return bad("tokens must be at least 16 characters".into());
            }
        }
        AdminTokens::from_config(&self.domains)?;
        hosts::check(&self.limits.public_hosts, &self.limits.allowed_origins)
            .map_err(ConfigError::Invalid)?;
        if !(self.domains.database.starts_with("sqlite:")
            || self.domains.database.starts_with("postgres:")
            || self.domains.database.starts_with("postgresql:"))
        {
            return bad(format!(
                "domains.database {:?} must start with sqlite:// or postgres://",
                self.domains.database
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_file_is_valid_and_documents_every_field() {
        let text = include_str!("../inbox-doctor.example.toml");
        let parsed: Config = toml::from_str(text).expect("example parses");
        parsed.validate().expect("example is valid");
        let defaults = toml::to_string(&Config::default()).unwrap();
        for line in defaults.lines().filter(|l| l.contains(" = ")) {
            let key = line.split(" = ").next().unwrap();
            assert!(text.contains(key), "the example does not mention {key}");
        }
    }

    #[test]
    fn out_of_range_numbers_are_refused_with_their_name() {
        let mut c = Config::default();
        c.engine.step_timeout_secs = 0;
        let e = c.validate().unwrap_err().to_string();
        assert!(e.contains("engine.step_timeout_secs is 0"), "{e}");
        let mut c = Config::default();
        c.limits.start_timeout_secs = 1 << 40;
        let e = c.validate().unwrap_err().to_string();
        assert!(e.contains("limits.start_timeout_secs"), "{e}");
        let mut c = Config::default();
        c.limits.max_session_target = 51;
        assert!(c.validate().is_err());
    }

    #[test]
    fn environment_overrides_the_file() {
        let mut c = Config::default();
        c.apply_env(|k| match k {
            "INBOX_DOCTOR_ALLOWED_ORIGINS" => Some("https://a.example, https://b.example".into()),
            "INBOX_DOCTOR_ALLOW_CIDRS" => Some("10.0.0.0/8".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(c.limits.allowed_origins.len(), 2);
        assert_eq!(c.egress.allow_cidrs[0].to_string(), "10.0.0.0/8");
        let err = c
            .apply_env(|k| (k == "INBOX_DOCTOR_LISTEN").then(|| "nope".into()))
            .unwrap_err();
        assert!(err.to_string().contains("INBOX_DOCTOR_LISTEN"));
    }
}
