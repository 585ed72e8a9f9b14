//! The `inbox-doctor` command line: flags in, a diagnosis request out, events rendered live.

pub mod discover;

use std::io::{BufRead, IsTerminal, Write};
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use inbox_doctor_errors::text::{self, Lang, Phrase};
use inbox_doctor_errors::{
    DiagnosisRequest, Outcome, Report, Secret, Security, ServerSettings, StepEvent, StepStatus,
    DEFAULT_SESSION_TARGET,
};
use tokio::sync::mpsc;

use crate::engine::{self, EngineConfig};
use crate::net::Network;

/// Exit status: the diagnosis ran and everything passed.
pub const EXIT_PASSED: u8 = 0;
/// Exit status: the diagnosis ran and found a failure.
pub const EXIT_FAILED: u8 = 1;
/// Exit status: bad input or usage; nothing was diagnosed.
pub const EXIT_USAGE: u8 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "inbox-doctor",
    version,
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
    Check(CheckArgs),
    /// Run the relay: the page, the diagnosis WebSocket and the HTTP API.
    Serve(ServeArgs),
    /// Tell whether the relay, with this configuration, would connect to HOST:PORT, and why not.
    EgressCheck(EgressCheckArgs),
    /// Show or change stored domain settings (in the configured database).
    Domains(DomainsArgs),
    /// Find the IMAP and SMTP settings of an email address: stored settings, the provider
    /// table, DNS SRV, autoconfig and guesses, each candidate confirmed by connecting.
    Discover(discover::DiscoverArgs),
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Configuration file (TOML; see relay/inbox-doctor.example.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<std::path::PathBuf>,
    /// Listen here instead of the configured address.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<std::net::SocketAddr>,
}

#[derive(Args, Debug)]
pub struct EgressCheckArgs {
    /// The server to judge, as HOST:PORT.
    #[arg(value_name = "HOST:PORT")]
    pub target: String,
    #[arg(long, value_name = "FILE")]
    pub config: Option<std::path::PathBuf>,
    /// Print the verdict as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct DomainsArgs {
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<std::path::PathBuf>,
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
    /// Create or replace a domain's settings (applies to every mailbox of the domain).
    Set {
        domain: String,
        #[arg(long, value_name = "HOST:PORT")]
        imap: String,
        #[arg(long, value_enum)]
        imap_security: SecurityArg,
        #[arg(long, value_name = "HOST:PORT")]
        smtp: String,
        #[arg(long, value_enum)]
        smtp_security: SecurityArg,
        #[arg(long)]
        allow_insecure_cert: bool,
        #[arg(long)]
        use_static_ips: bool,
        /// Who makes the change (for the audit trail); default: cli:$USER.
        #[arg(long)]
        actor: Option<String>,
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
    pub discovery: discover::DiscoverFlags,
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

/// Bad input, said plainly; exit status 2.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
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

fn secret_from_env(var: &str) -> Result<Secret, UsageError> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Ok(Secret::new(v)),
        Ok(_) => Err(UsageError(format!(
            "the environment variable {var} is empty"
        ))),
        Err(_) => Err(UsageError(format!(
            "the environment variable {var} is not set"
        ))),
    }
}

fn language(arg: Option<&str>) -> Result<Lang, UsageError> {
    match arg {
        Some(tag) => Lang::from_tag(tag)
            .ok_or_else(|| UsageError(format!("--lang {tag:?}: choose one of en, de, nb, pl"))),
        None => Ok(["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|v| std::env::var(v).ok())
            .find_map(|v| Lang::from_tag(&v))
            .unwrap_or_default()),
    }
}

/// Turns the flags into a request and the engine settings.
pub fn request(
    args: &CheckArgs,
    stdin: &mut dyn BufRead,
) -> Result<(DiagnosisRequest, EngineConfig), UsageError> {
    let given = |s: &Option<String>, flag: &str| {
        s.clone()
            .ok_or_else(|| UsageError(format!("--{flag} is missing and was not discovered")))
    };
    let (imap_host, imap_port) = parse_endpoint(&given(&args.imap, "imap")?, 993, "imap")?;
    let (smtp_host, smtp_port) = parse_endpoint(&given(&args.smtp, "smtp")?, 587, "smtp")?;
    let password = if let Some(var) = &args.password_env {
        secret_from_env(var)?
    } else if args.password_stdin {
        let mut line = String::new();
        stdin.read_line(&mut line).map_err(|e| {
            UsageError(format!("cannot read the password from standard input: {e}"))
        })?;
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            return Err(UsageError("no password on standard input".into()));
        }
        Secret::new(line)
    } else {
        return Err(UsageError(
            "no password given: use --password-env VAR or --password-stdin".into(),
        ));
    };
    let smtp_password = args
        .smtp_password_env
        .as_deref()
        .map(secret_from_env)
        .transpose()?;
    let req = DiagnosisRequest {
        email: args.email.trim().to_owned(),
        password,
        username: args.username.clone(),
        imap: ServerSettings {
            host: imap_host,
            port: imap_port,
            security: args.imap_security.into(),
        },
        smtp: ServerSettings {
            host: smtp_host,
            port: smtp_port,
            security: args.smtp_security.into(),
        },
        smtp_username: args.smtp_username.clone(),
        smtp_password,
        allow_insecure_cert: args.allow_insecure_cert,
        test_recipient: args.test_recipient.clone(),
        send: !args.no_send,
        roundtrip: args.roundtrip,
        lang: language(args.lang.as_deref())?,
        session_target: args.session_target,
    };
    let config = EngineConfig {
        step_timeout: Duration::from_secs(args.timeout),
        roundtrip_timeout: Duration::from_secs(args.timeout * 3),
        net: Network {
            roots: crate::net::tls::TrustRoots::load(&args.ca_file)
                .map_err(|e| UsageError(e.to_string()))?,
            dns: args
                .discovery
                .resolver
                .map(crate::net::dns::Dns::at)
                .transpose()
                .map_err(UsageError)?,
            ..Network::default()
        },
    };
    engine::validate(&req).map_err(|e| UsageError(e.to_string()))?;
    Ok((req, config))
}

/// Runs `inbox-doctor check` and returns the exit status.
pub async fn check(mut args: CheckArgs) -> u8 {
    if args.imap.is_none() || args.smtp.is_none() {
        if let Err(e) = fill_from_discovery(&mut args).await {
            eprintln!("inbox-doctor: {e}");
            return EXIT_USAGE;
        }
    }
    let stdin = std::io::stdin();
    let (req, config) = match request(&args, &mut stdin.lock()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("inbox-doctor: {e}");
            return EXIT_USAGE;
        }
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let lang = req.lang;
    let live = !args.json;
    let printer = tokio::spawn(async move {
        let mut out = std::io::stdout();
        while let Some(event) = rx.recv().await {
            if live {
                let _ = print_event(&mut out, &event, lang);
            }
        }
    });
    let result = crate::diagnose(&req, &config, tx).await;
    let _ = printer.await;
    match result {
        Err(e) => {
            eprintln!("inbox-doctor: {e}");
            EXIT_USAGE
        }
        Ok(report) => {
            let mut out = std::io::stdout();
            if args.json {
                if !print_json(&report) {
                    return EXIT_USAGE;
                }
            } else {
                let _ = print_summary(&mut out, &report, lang);
            }
            match report.outcome {
                Outcome::Passed => EXIT_PASSED,
                Outcome::Failed => EXIT_FAILED,
            }
        }
    }
}

/// Discovers the servers `check` was not given, and says what it found (on standard error
/// with `--json`, so standard output stays one JSON document).
async fn fill_from_discovery(args: &mut CheckArgs) -> Result<(), UsageError> {
    let config = discover::config(
        &args.discovery,
        &args.ca_file,
        Duration::from_secs(args.timeout.min(6)),
    )?;
    let found = discover::run(&args.email, &args.discovery, &config).await?;
    let mut said = Vec::new();
    for (side, best, flag, security) in [
        ("IMAP", &found.imap, &mut args.imap, &mut args.imap_security),
        ("SMTP", &found.smtp, &mut args.smtp, &mut args.smtp_security),
    ] {
        if flag.is_some() {
            continue;
        }
        let Some(c) = best else {
            return Err(UsageError(format!(
                "no {side} server given, and discovery found none for {} (see `inbox-doctor discover {}`)",
                found.domain, args.email
            )));
        };
        let host = if c.host.contains(':') {
            format!("[{}]", c.host)
        } else {
            c.host.clone()
        };
        *flag = Some(format!("{host}:{}", c.port));
        *security = match c.security {
            Security::Tls => SecurityArg::Tls,
            Security::Plain => SecurityArg::Plain,
            _ => SecurityArg::Starttls,
        };
        said.push(format!("{side} discovered: {}", discover::describe(c)));
    }
    if args.username.is_none() {
        args.username.clone_from(&found.username);
    }
    for line in said {
        if args.json {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
    }
    Ok(())
}

/// Prints `value` as one pretty JSON document; false (with a message) if it cannot be encoded.
fn print_json(value: &impl serde::Serialize) -> bool {
    match serde_json::to_string_pretty(value) {
        Ok(json) => writeln!(std::io::stdout(), "{json}").is_ok(),
        Err(e) => {
            eprintln!("inbox-doctor: cannot encode the result: {e}");
            false
        }
    }
}

fn print_event(out: &mut dyn Write, event: &StepEvent, lang: Lang) -> std::io::Result<()> {
    let color = std::io::stdout().is_terminal();
    let paint = |code: &str, s: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    };
    match event {
        StepEvent::Started { .. } | StepEvent::Report(_) => Ok(()),
        StepEvent::Finished(r) => {
            let (mark, word) = match r.status {
                StepStatus::Passed => (paint("32", "✓"), text::phrase(Phrase::Passed, lang)),
                StepStatus::Failed => (paint("31", "✗"), text::phrase(Phrase::Failed, lang)),
                _ => (paint("90", "–"), text::phrase(Phrase::Skipped, lang)),
            };
            let detail = match (&r.failure, &r.skipped_because) {
                (Some(f), _) => {
                    format!(" — {}: {}", f.title, text::cause_text(f.cause, lang).title)
                }
                (None, Some(why)) => format!(" ({why})"),
                _ => String::new(),
            };
            writeln!(
                out,
                "{mark} {:<14} {:>6} ms  {} {word}{detail}",
                r.step.code(),
                r.elapsed_ms,
                text::step_title(r.step, lang),
            )
        }
        StepEvent::Warning(w) => writeln!(
            out,
            "{} {}: {}{}",
            paint("33", "!"),
            text::phrase(Phrase::Warning, lang),
            text::cause_text(w.cause, lang).title,
            w.detail
                .as_deref()
                .map(|d| format!(" ({})", printable(d)))
                .unwrap_or_default()
        ),
    }
}

/// Server text is untrusted: control characters (terminal escapes) are shown escaped.
fn printable(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_control() && c != '\n' {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

fn print_summary(out: &mut dyn Write, report: &Report, lang: Lang) -> std::io::Result<()> {
    writeln!(out)?;
    for failure in &report.failures {
        let words = text::cause_text(failure.cause, lang);
        writeln!(out, "{} [{}]", failure.title, failure.category.code())?;
        writeln!(out, "  {} [{}]", words.title, failure.cause.code())?;
        writeln!(out, "  {}", failure.explanation)?;
        if let Some(reply) = &failure.server_reply {
            let reply = printable(reply);
            writeln!(out, "  {}: {reply}", text::phrase(Phrase::ServerSaid, lang))?;
        }
        if let Some(detail) = &failure.detail {
            let detail = printable(detail);
            writeln!(out, "  {}: {detail}", text::phrase(Phrase::Detail, lang))?;
        }
        writeln!(out, "  {}:", text::phrase(Phrase::WhatToDo, lang))?;
        for (i, step) in failure.remediation.iter().enumerate() {
            writeln!(out, "   {}. {step}", i + 1)?;
        }
        writeln!(out)?;
    }
    if report.outcome == Outcome::Passed {
        writeln!(out, "{}", text::phrase(Phrase::AllPassed, lang))?;
    }
    for s in &report.source_addresses {
        let side = match s.side {
            inbox_doctor_errors::Side::Imap => "IMAP",
            inbox_doctor_errors::Side::Smtp => "SMTP",
        };
        writeln!(out, "{side}: {} → {}", s.local, s.remote)?;
    }
    Ok(())
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

fn load_config(path: Option<&std::path::Path>) -> Result<crate::config::Config, UsageError> {
    crate::config::Config::load(path).map_err(|e| UsageError(e.to_string()))
}

/// Runs `inbox-doctor serve`.
pub async fn serve(args: ServeArgs) -> u8 {
    let mut config = match load_config(args.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("inbox-doctor: {e}");
            return EXIT_USAGE;
        }
    };
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    init_logs(config.log_format, "info");
    let listener = match tokio::net::TcpListener::bind(config.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("inbox-doctor: cannot listen on {}: {e}", config.listen);
            return EXIT_USAGE;
        }
    };
    let state = match crate::server::AppState::new(config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("inbox-doctor: {e}");
            return EXIT_USAGE;
        }
    };
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    tracing::info!(%addr, "listening");
    eprintln!("inbox-doctor: listening on http://{addr}");
    match crate::server::run(listener, state, crate::server::signal()).await {
        Ok(()) => EXIT_PASSED,
        Err(e) => {
            eprintln!("inbox-doctor: {e}");
            EXIT_FAILED
        }
    }
}

/// Structured logs to stderr: text by default, JSON when configured.
pub fn init_logs(format: crate::config::LogFormat, default_filter: &str) {
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
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        crate::config::LogFormat::Json => builder.json().try_init(),
        crate::config::LogFormat::Text => builder.try_init(),
    };
}

/// Runs `inbox-doctor egress-check`: exit 0 allowed, 1 refused, 2 bad input.
pub async fn egress_check(args: EgressCheckArgs) -> u8 {
    let config = match load_config(args.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("inbox-doctor: {e}");
            return EXIT_USAGE;
        }
    };
    let (host, port) = match parse_endpoint(&args.target, 0, "target") {
        Ok((_, 0)) => {
            eprintln!(
                "inbox-doctor: {:?}: give the port too, as HOST:PORT",
                args.target
            );
            return EXIT_USAGE;
        }
        Ok(hp) => hp,
        Err(e) => {
            eprintln!("inbox-doctor: {e}");
            return EXIT_USAGE;
        }
    };
    let policy = crate::net::egress::EgressPolicy::new(config.egress);
    let deadline =
        tokio::time::Instant::now() + Duration::from_secs(config.engine.step_timeout_secs);
    let verdict = policy.resolve(&host, port, deadline).await;
    if args.json {
        let json = match &verdict {
            Ok(addrs) => serde_json::json!({
                "target": args.target, "allowed": true,
                "addresses": addrs.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
            }),
            Err(r) => serde_json::json!({
                "target": args.target, "allowed": false, "refusal": r, "message": r.to_string(),
            }),
        };
        println!("{json}");
    } else {
        match &verdict {
            Ok(addrs) => {
                let list: Vec<String> = addrs.iter().map(|a| a.to_string()).collect();
                println!("allowed: {} → {}", args.target, list.join(", "));
            }
            Err(r) => println!("refused: {r}"),
        }
    }
    if verdict.is_ok() {
        EXIT_PASSED
    } else {
        EXIT_FAILED
    }
}

/// Runs `inbox-doctor domains …`.
pub async fn domains(args: DomainsArgs) -> u8 {
    match domains_inner(args).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("inbox-doctor: {e}");
            EXIT_USAGE
        }
    }
}

async fn domains_inner(args: DomainsArgs) -> Result<u8, UsageError> {
    use crate::domains::{normalize_domain, validate_settings, DomainStore};
    let config = load_config(args.config.as_deref())?;
    let store = DomainStore::open(&config.domains.database)
        .await
        .map_err(|e| UsageError(e.to_string()))?;
    let actor = |a: Option<String>| {
        a.unwrap_or_else(|| {
            format!(
                "cli:{}",
                std::env::var("USER").unwrap_or_else(|_| "unknown".into())
            )
        })
    };
    let domain = |d: &str| normalize_domain(d).map_err(|e| UsageError(e.to_string()));
    let store_err = |e: crate::domains::StoreError| UsageError(e.to_string());
    match args.action {
        DomainsAction::List { json } => {
            let all = store.list().await.map_err(store_err)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&all).unwrap_or_default());
            } else {
                for r in all {
                    let s = &r.settings;
                    println!(
                        "{}  imap {}:{} {}  smtp {}:{} {}{}{}  (by {} at {})",
                        r.domain,
                        s.imap.host,
                        s.imap.port,
                        s.imap.security.code(),
                        s.smtp.host,
                        s.smtp.port,
                        s.smtp.security.code(),
                        if s.allow_insecure_cert {
                            "  allow-insecure-cert"
                        } else {
                            ""
                        },
                        if s.use_static_ips { "  static-ips" } else { "" },
                        r.updated_by,
                        r.updated_at
                    );
                }
            }
            Ok(EXIT_PASSED)
        }
        DomainsAction::Set {
            domain: d,
            imap,
            imap_security,
            smtp,
            smtp_security,
            allow_insecure_cert,
            use_static_ips,
            actor: a,
        } => {
            let d = domain(&d)?;
            let (ih, ip) = parse_endpoint(&imap, 993, "imap")?;
            let (sh, sp) = parse_endpoint(&smtp, 587, "smtp")?;
            let settings = inbox_doctor_errors::DomainSettings {
                imap: ServerSettings {
                    host: ih,
                    port: ip,
                    security: imap_security.into(),
                },
                smtp: ServerSettings {
                    host: sh,
                    port: sp,
                    security: smtp_security.into(),
                },
                allow_insecure_cert,
                use_static_ips,
            };
            validate_settings(&settings).map_err(|e| UsageError(e.to_string()))?;
            store
                .set(&d, &settings, &actor(a))
                .await
                .map_err(store_err)?;
            println!("{d}: saved. Every mailbox of {d} now gets these settings.");
            Ok(EXIT_PASSED)
        }
        DomainsAction::Delete {
            domain: d,
            actor: a,
        } => {
            let d = domain(&d)?;
            if store.delete(&d, &actor(a)).await.map_err(store_err)? {
                println!("{d}: deleted.");
                Ok(EXIT_PASSED)
            } else {
                eprintln!("inbox-doctor: no settings stored for {d}");
                Ok(EXIT_FAILED)
            }
        }
        DomainsAction::Changes { domain: d } => {
            let d = domain(&d)?;
            let changes = store.changes(&d).await.map_err(store_err)?;
            println!(
                "{}",
                serde_json::to_string_pretty(&changes).unwrap_or_default()
            );
            Ok(EXIT_PASSED)
        }
    }
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
