//! Every flag and subcommand of `inbox-doctor` (clap), and `HOST:PORT` parsing.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use inbox_doctor_errors::{
    AuthMethod, OauthMechanism, Security, ServerSettings, DEFAULT_SESSION_TARGET,
};

use super::UsageError;

/// `inbox-doctor --version`: the release and the WebSocket protocol it speaks, which a page
/// must match (`PROTOCOL_VERSION`).
fn version() -> &'static str {
    static VERSION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "{} (protocol {})",
            env!("CARGO_PKG_VERSION"),
            inbox_doctor_errors::PROTOCOL_VERSION
        )
    });
    VERSION.as_str()
}

#[derive(Parser, Debug)]
#[command(
    name = "inbox-doctor",
    version = version(),
    about = "Finds out why a mailbox cannot connect over IMAP and SMTP, and says what to do."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the connection flow against a mailbox: connect and log in to IMAP and SMTP, check
    /// the mailbox, send a test email.
    Check(Box<CheckArgs>),
    /// Run the relay: the page, the diagnosis WebSocket and the HTTP API.
    Serve(ServeArgs),
    /// Tell whether the relay, with this configuration, would connect to HOST:PORT, and why not.
    EgressCheck(EgressCheckArgs),
    /// Show or change stored domain settings (in the configured database).
    Domains(DomainsArgs),
    /// Make a new admin token for NAME: prints the token once, and the configuration lines
    /// that hold only its hash.
    AdminToken(AdminTokenArgs),
    /// Find the IMAP and SMTP settings of an email address: stored settings, the provider
    /// table, DNS SRV, autoconfig and guesses, each candidate confirmed by connecting.
    Discover(DiscoverArgs),
    /// Ask the relay on this machine whether it is alive: exit 0 when URL (default
    /// http://127.0.0.1:8080/healthz) answers 200. For container health checks.
    Health(HealthArgs),
}

#[derive(Args, Debug)]
pub struct HealthArgs {
    /// A loopback http:// URL: /healthz (alive) or /readyz (ready for users).
    #[arg(default_value = "http://127.0.0.1:8080/healthz")]
    pub url: String,
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Configuration file (TOML; see relay/inbox-doctor.example.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Listen here instead of the configured address.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
}

#[derive(Args, Debug)]
pub struct EgressCheckArgs {
    /// The server to judge, as HOST:PORT.
    #[arg(value_name = "HOST:PORT")]
    pub target: String,
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Print the verdict as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct AdminTokenArgs {
    /// Who will hold the token (a person or a system: "alice", "helpdesk-sync"); the audit
    /// trail records it with every change made with the token.
    pub name: String,
}

#[derive(Args, Debug)]
pub struct DomainsArgs {
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub action: DomainsAction,
}

#[derive(Subcommand, Debug)]
pub enum DomainsAction {
    /// List every domain's settings.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Create or replace a domain's settings (applies to every mailbox of the domain). The
    /// servers are checked first (connect, greeting, TLS and certificate; no login); settings
    /// that do not answer as configured are refused unless --force.
    Set {
        domain: String,
        #[command(flatten)]
        settings: SettingsArgs,
        #[command(flatten)]
        how: ChangeArgs,
    },
    /// Check settings without storing them: the domain's stored ones, or those given.
    Check {
        domain: String,
        #[command(flatten)]
        settings: OptionalSettingsArgs,
        /// Print the check as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Go back to the settings as an earlier change left them (its number in `changes`);
    /// checked like any change.
    Revert {
        domain: String,
        /// The change's number (`seq`).
        seq: i64,
        #[command(flatten)]
        how: ChangeArgs,
    },
    /// Delete a domain's settings.
    Delete {
        domain: String,
        #[arg(long)]
        actor: Option<String>,
    },
    /// Show the audit trail of a domain.
    Changes { domain: String },
}

/// A domain's servers, as `domains set` takes them.
#[derive(Args, Debug)]
pub struct SettingsArgs {
    #[arg(long, value_name = "HOST:PORT")]
    pub imap: String,
    #[arg(long, value_enum)]
    pub imap_security: StoredSecurityArg,
    #[arg(long, value_name = "HOST:PORT")]
    pub smtp: String,
    #[arg(long, value_enum)]
    pub smtp_security: StoredSecurityArg,
    #[arg(long)]
    pub allow_insecure_cert: bool,
    #[arg(long)]
    pub use_static_ips: bool,
}

/// [`SettingsArgs`], all or nothing (`domains check` without them checks what is stored).
#[derive(Args, Debug)]
pub struct OptionalSettingsArgs {
    #[arg(long, value_name = "HOST:PORT", requires_all = ["imap_security", "smtp", "smtp_security"])]
    pub imap: Option<String>,
    #[arg(long, value_enum)]
    pub imap_security: Option<StoredSecurityArg>,
    #[arg(long, value_name = "HOST:PORT")]
    pub smtp: Option<String>,
    #[arg(long, value_enum)]
    pub smtp_security: Option<StoredSecurityArg>,
    #[arg(long)]
    pub allow_insecure_cert: bool,
    #[arg(long)]
    pub use_static_ips: bool,
}

/// How a change to a domain is made.
#[derive(Args, Debug)]
pub struct ChangeArgs {
    /// Store the settings even when the check fails (the audit trail records it).
    #[arg(long)]
    pub force: bool,
    /// Check and show the change; store nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Who makes the change (for the audit trail); default: cli:$USER.
    #[arg(long)]
    pub actor: Option<String>,
    /// Print the outcome as JSON.
    #[arg(long)]
    pub json: bool,
}

/// A stored setting's security: explicit, never `auto` (a domain's users must all get the
/// same mode).
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum StoredSecurityArg {
    Tls,
    Starttls,
    Plain,
}

impl From<StoredSecurityArg> for SecurityArg {
    fn from(s: StoredSecurityArg) -> SecurityArg {
        match s {
            StoredSecurityArg::Tls => SecurityArg::Tls,
            StoredSecurityArg::Starttls => SecurityArg::Starttls,
            StoredSecurityArg::Plain => SecurityArg::Plain,
        }
    }
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The mailbox's email address (also the default login name and test recipient).
    #[arg(long, value_name = "ADDR")]
    pub email: String,
    /// IMAP server as HOST:PORT (port defaults to 993); discovered when not given.
    #[arg(long, value_name = "HOST:PORT")]
    pub imap: Option<String>,
    /// SMTP server as HOST:PORT (port defaults to 587); discovered when not given.
    #[arg(long, value_name = "HOST:PORT")]
    pub smtp: Option<String>,
    #[arg(long, value_enum, default_value = "auto")]
    pub imap_security: SecurityArg,
    #[arg(long, value_enum, default_value = "auto")]
    pub smtp_security: SecurityArg,
    /// Login name, when it is not the email address.
    #[arg(long)]
    pub username: Option<String>,
    /// SMTP login name, when it differs from the IMAP one.
    #[arg(long)]
    pub smtp_username: Option<String>,
    /// Read the password from this environment variable.
    #[arg(long, value_name = "VAR", conflicts_with = "password_stdin")]
    pub password_env: Option<String>,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
    /// Read a separate SMTP password from this environment variable.
    #[arg(long, value_name = "VAR")]
    pub smtp_password_env: Option<String>,
    /// How to log in: with the password, or with an OAuth 2.0 access token (XOAUTH2 or
    /// OAUTHBEARER); for IMAP, and for SMTP unless --smtp-auth says otherwise.
    #[arg(long, value_enum, default_value = "password")]
    pub auth: AuthArg,
    /// How SMTP logs in, when it differs from IMAP.
    #[arg(long, value_enum)]
    pub smtp_auth: Option<AuthArg>,
    /// Read the access token from this environment variable (never from a flag's value).
    #[arg(long, value_name = "VAR", conflicts_with = "oauth_token_stdin")]
    pub oauth_token_env: Option<String>,
    /// Read the access token from the first line of standard input.
    #[arg(long, conflicts_with = "password_stdin")]
    pub oauth_token_stdin: bool,
    /// Without a token given, sign in with this provider of the relay configuration
    /// (`--config`; `[oauth.providers.NAME]`) by the device grant: the command shows an
    /// address and a code to enter there, and waits.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["oauth_token_env", "oauth_token_stdin"])]
    pub oauth_provider: Option<String>,
    /// Read a separate SMTP access token from this environment variable.
    #[arg(long, value_name = "VAR")]
    pub smtp_oauth_token_env: Option<String>,
    /// Which SASL mechanism carries the token: what the server offers, or this one.
    #[arg(long, value_enum, default_value = "auto")]
    pub oauth_mechanism: MechanismArg,
    /// Go on past an untrusted certificate (it is still reported).
    #[arg(long)]
    pub allow_insecure_cert: bool,
    /// Also trust the CA certificates in this PEM file (repeatable).
    #[arg(long, value_name = "PEM")]
    pub ca_file: Vec<String>,
    /// Send the test email here instead of to the mailbox itself.
    #[arg(long, value_name = "ADDR")]
    pub test_recipient: Option<String>,
    /// Do not send a test email.
    #[arg(long, conflicts_with = "roundtrip")]
    pub no_send: bool,
    /// After sending, wait until the test email is in the INBOX and report how long it took.
    #[arg(long)]
    pub roundtrip: bool,
    /// Deadline of each step, in seconds (the round trip waits three times as long).
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub timeout: u64,
    /// How many simultaneous IMAP sessions to try to open (never more).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_SESSION_TARGET, value_parser = clap::value_parser!(u32).range(1..=50))]
    pub session_target: u32,
    /// Language of explanations: en, de, nb, pl (default: from LANG).
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,
    /// Print one JSON report instead of live text.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub discovery: DiscoverFlags,
}

#[derive(Args, Debug)]
pub struct DiscoverArgs {
    /// The email address.
    #[arg(value_name = "ADDR")]
    pub address: String,
    #[command(flatten)]
    pub how: DiscoverFlags,
    /// Print the discovery as JSON.
    #[arg(long)]
    pub json: bool,
    /// Also trust the CA certificates in this PEM file (repeatable).
    #[arg(long, value_name = "PEM")]
    pub ca_file: Vec<String>,
}

/// The flags `discover` and `check` share.
#[derive(Args, Debug, Clone, Default)]
pub struct DiscoverFlags {
    /// Ask this DNS server (IP:PORT) instead of the system's resolver.
    #[arg(long, value_name = "IP:PORT")]
    pub resolver: Option<SocketAddr>,
    /// Only the stored domain settings and the bundled provider table: no network at all.
    #[arg(long)]
    pub offline: bool,
    /// Read stored domain settings from the database of this relay configuration file.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AuthArg {
    Password,
    Oauth,
}

impl From<AuthArg> for AuthMethod {
    fn from(a: AuthArg) -> AuthMethod {
        match a {
            AuthArg::Password => AuthMethod::Password,
            AuthArg::Oauth => AuthMethod::Oauth,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum MechanismArg {
    Auto,
    Xoauth2,
    Oauthbearer,
}

impl From<MechanismArg> for OauthMechanism {
    fn from(m: MechanismArg) -> OauthMechanism {
        match m {
            MechanismArg::Auto => OauthMechanism::Auto,
            MechanismArg::Xoauth2 => OauthMechanism::Xoauth2,
            MechanismArg::Oauthbearer => OauthMechanism::Oauthbearer,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum SecurityArg {
    Auto,
    Tls,
    Starttls,
    Plain,
}

impl From<SecurityArg> for Security {
    fn from(s: SecurityArg) -> Security {
        match s {
            SecurityArg::Auto => Security::Auto,
            SecurityArg::Tls => Security::Tls,
            SecurityArg::Starttls => Security::Starttls,
            SecurityArg::Plain => Security::Plain,
        }
    }
}

/// Parses `host:port`, `[v6]:port`, or a bare host (then `default_port`).
pub fn parse_endpoint(
    text: &str,
    default_port: u16,
    flag: &str,
) -> Result<(String, u16), UsageError> {
    let bad = |why: &str| UsageError(format!("--{flag} {text:?}: {why}"));
    let text = text.trim();
    if text.is_empty() {
        return Err(bad("empty server name"));
    }
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or_else(|| bad("missing ']'"))?;
        match after.strip_prefix(':') {
            Some(p) => (host, Some(p)),
            None if after.is_empty() => (host, None),
            None => return Err(bad("unexpected text after ']'")),
        }
    } else if text.matches(':').count() > 1 {
        // A bare IPv6 address: no port.
        (text, None)
    } else {
        match text.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (text, None),
        }
    };
    if host.is_empty() {
        return Err(bad("empty server name"));
    }
    if host
        .chars()
        .any(|c| c.is_whitespace() || c == '/' || c == '@')
    {
        return Err(bad("not a server name"));
    }
    let port = match port {
        None => default_port,
        Some(p) => match p.parse::<u16>() {
            Ok(0) | Err(_) => return Err(bad("the port must be a number from 1 to 65535")),
            Ok(p) => p,
        },
    };
    Ok((host.to_owned(), port))
}

/// The server `--{flag}` names (see [`parse_endpoint`]), reached with `security`.
pub fn server_settings(
    text: &str,
    default_port: u16,
    flag: &str,
    security: SecurityArg,
) -> Result<ServerSettings, UsageError> {
    let (host, port) = parse_endpoint(text, default_port, flag)?;
    Ok(ServerSettings {
        host,
        port,
        security: security.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        assert_eq!(
            parse_endpoint("mail.example.com:143", 993, "imap").unwrap(),
            ("mail.example.com".into(), 143)
        );
        assert_eq!(
            parse_endpoint("mail.example.com", 993, "imap").unwrap(),
            ("mail.example.com".into(), 993)
        );
        assert_eq!(
            parse_endpoint("[::1]:465", 587, "smtp").unwrap(),
            ("::1".into(), 465)
        );
        assert_eq!(
            parse_endpoint("::1", 587, "smtp").unwrap(),
            ("::1".into(), 587)
        );
        for bad in [
            "",
            "host:0",
            "host:70000",
            "host:abc",
            "[::1",
            "a b:1",
            ":993",
        ] {
            assert!(parse_endpoint(bad, 993, "imap").is_err(), "{bad}");
        }
    }
}
