//! `inbox-doctor discover ADDR`: the settings for an address, where each came from, and what
//! probing showed; and the discovery `check` runs when no servers are given.

use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

use clap::Args;
use inbox_doctor_errors::{Candidate, Discovery, ProbeOutcome, Side, Source};

use super::{load_config, print_json, printable, UsageError, EXIT_FAILED, EXIT_PASSED, EXIT_USAGE};
use crate::discover::{self, DiscoverConfig};
use crate::net::tls::TrustRoots;
use crate::net::Network;

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
    pub config: Option<std::path::PathBuf>,
}

/// Builds the discovery settings; `ca_files` are trusted besides Mozilla's roots.
pub fn config(
    flags: &DiscoverFlags,
    ca_files: &[String],
    timeout: Duration,
) -> Result<DiscoverConfig, UsageError> {
    Ok(DiscoverConfig {
        net: Network {
            dns: flags
                .resolver
                .map(crate::net::dns::Dns::at)
                .transpose()
                .map_err(UsageError)?,
            roots: TrustRoots::load(ca_files).map_err(|e| UsageError(e.to_string()))?,
            ..Network::default()
        },
        offline: flags.offline,
        lookup_timeout: timeout,
        probe_timeout: timeout,
        ..DiscoverConfig::default()
    })
}

/// Discovers the settings of `email`, with the stored ones from `--config`'s database.
pub async fn run(
    email: &str,
    flags: &DiscoverFlags,
    config: &DiscoverConfig,
) -> Result<Discovery, UsageError> {
    let domain = discover::domain_of(email).map_err(|e| UsageError(e.to_string()))?;
    let stored = match &flags.config {
        None => None,
        Some(path) => {
            let relay = load_config(Some(path))?;
            let store = crate::domains::DomainStore::open(&relay.domains.database)
                .await
                .map_err(|e| UsageError(e.to_string()))?;
            store
                .get(&domain)
                .await
                .map_err(|e| UsageError(e.to_string()))?
                .map(|r| r.settings)
        }
    };
    let mut found = discover::discover(email, stored, &[], config)
        .await
        .map_err(|e| UsageError(e.to_string()))?;
    if flags.config.is_none() {
        for s in found
            .sources
            .iter_mut()
            .filter(|s| s.source == Source::Stored)
        {
            s.status = inbox_doctor_errors::SourceStatus::Skipped;
            s.notes = vec!["no relay configuration given (--config FILE)".into()];
        }
    }
    Ok(found)
}

/// Runs `inbox-doctor discover`: exit 0 when both IMAP and SMTP settings were found, 1 when
/// either is missing, 2 on bad input.
pub async fn discover_command(args: DiscoverArgs) -> u8 {
    let result = async {
        let config = config(&args.how, &args.ca_file, Duration::from_secs(6))?;
        run(&args.address, &args.how, &config).await
    }
    .await;
    let found = match result {
        Ok(d) => d,
        Err(e) => {
            eprintln!("inbox-doctor: {e}");
            return EXIT_USAGE;
        }
    };
    if args.json {
        if !print_json(&found) {
            return EXIT_USAGE;
        }
    } else {
        let _ = print(&mut std::io::stdout(), &found);
    }
    if found.imap.is_some() && found.smtp.is_some() {
        EXIT_PASSED
    } else {
        EXIT_FAILED
    }
}

/// One line for a candidate: `imap.example.com:993 tls  confirmed  (srv, guess)  * OK …`.
pub fn describe(c: &Candidate) -> String {
    let sources: Vec<&str> = c.sources.iter().map(|s| s.code()).collect();
    format!(
        "{}:{} {}  {}  ({}){}",
        c.host,
        c.port,
        c.security.code(),
        c.outcome.code(),
        sources.join(", "),
        c.detail
            .as_deref()
            .map(|d| format!("  {}", printable(d)))
            .unwrap_or_default()
    )
}

fn print(out: &mut dyn Write, d: &Discovery) -> std::io::Result<()> {
    writeln!(
        out,
        "Settings for {} ({} ms{})",
        d.email,
        d.elapsed_ms,
        if d.offline { ", offline" } else { "" }
    )?;
    if let Some(p) = &d.provider {
        writeln!(out, "Provider: {} (recognised by {})", p.name, p.matched_by)?;
        if p.oauth_only {
            writeln!(
                out,
                "  Password logins are refused: mail programs must sign in with OAuth."
            )?;
        }
        if p.app_password != inbox_doctor_errors::AppPassword::No {
            writeln!(
                out,
                "  Needs an app password ({}){}",
                p.app_password.code(),
                p.app_password_url
                    .as_deref()
                    .map(|u| format!(": {u}"))
                    .unwrap_or_default()
            )?;
        }
        if let Some(u) = &p.imap_switch_url {
            writeln!(out, "  IMAP must be switched on first: {u}")?;
        }
    }
    for (name, best) in [("IMAP", &d.imap), ("SMTP", &d.smtp)] {
        match best {
            Some(c) => writeln!(out, "{name}: {}", describe(c))?,
            None => writeln!(out, "{name}: nothing usable found")?,
        }
    }
    if let Some(u) = &d.username {
        writeln!(out, "Username: {u}")?;
    }
    writeln!(out, "\nSources:")?;
    for s in &d.sources {
        writeln!(
            out,
            "  {:<10} {:<11} {:>5} ms",
            s.source.code(),
            s.status.code(),
            s.elapsed_ms
        )?;
        for n in &s.notes {
            writeln!(out, "      {}", printable(n))?;
        }
    }
    // Guessed names that do not exist are noise; count them instead.
    let unresolved_guess =
        |c: &Candidate| c.outcome == ProbeOutcome::NotFound && c.sources == [Source::Guess];
    let others: Vec<&Candidate> = d
        .candidates
        .iter()
        .filter(|c| !unresolved_guess(c))
        .collect();
    if !others.is_empty() {
        writeln!(out, "\nOther candidates:")?;
        for c in &others {
            let side = match c.side {
                Side::Imap => "IMAP",
                Side::Smtp => "SMTP",
            };
            writeln!(out, "  {side} {}", describe(c))?;
        }
    }
    let hidden = d.candidates.len() - others.len();
    if hidden > 0 {
        writeln!(out, "  (and {hidden} guessed names that do not resolve)")?;
    }
    Ok(())
}
