//! `inbox-doctor discover ADDR`: the settings for an address, where each came from, and what
//! probing showed; and the discovery `check` runs when no servers are given.

use std::io::Write;
use std::time::Duration;

use inbox_doctor_errors::{AppPassword, Candidate, Discovery, ProbeOutcome, Source, SourceStatus};

use super::args::{DiscoverArgs, DiscoverFlags};
use super::render::{print_json, printable};
use super::{load_config, Exit, UsageError};
use crate::discover::{self, DiscoverConfig};
use crate::domains::DomainStore;
use crate::net::dns::Dns;
use crate::net::tls::TrustRoots;
use crate::net::Network;

/// Runs `inbox-doctor discover`: passed when both IMAP and SMTP settings were found, failed
/// when either is missing.
pub async fn discover_command(args: DiscoverArgs) -> Result<Exit, UsageError> {
    let config = config(&args.how, &args.ca_file, Duration::from_secs(6))?;
    let found = run(&args.address, &args.how, &config).await?;
    let exit = if found.imap.is_some() && found.smtp.is_some() {
        Exit::Passed
    } else {
        Exit::Failed
    };
    if args.json {
        return print_json(&found, exit);
    }
    let _ = print(&mut std::io::stdout(), &found);
    Ok(exit)
}

/// Builds the discovery settings; `ca_files` are trusted besides Mozilla's roots.
pub fn config(
    flags: &DiscoverFlags,
    ca_files: &[String],
    timeout: Duration,
) -> Result<DiscoverConfig, UsageError> {
    Ok(DiscoverConfig {
        net: network(flags, ca_files)?,
        offline: flags.offline,
        lookup_timeout: timeout,
        probe_timeout: timeout,
        ..DiscoverConfig::default()
    })
}

/// The resolver (`--resolver`; the system's without it) and the trusted roots (Mozilla's and
/// the CA certificates in `ca_files`) the flags ask for.
pub fn network(flags: &DiscoverFlags, ca_files: &[String]) -> Result<Network, UsageError> {
    Ok(Network {
        dns: flags
            .resolver
            .map(Dns::at)
            .transpose()
            .map_err(UsageError)?,
        roots: TrustRoots::load(ca_files).map_err(UsageError::of)?,
        ..Network::default()
    })
}

/// Discovers the settings of `email`, with the stored ones from `--config`'s database.
pub async fn run(
    email: &str,
    flags: &DiscoverFlags,
    config: &DiscoverConfig,
) -> Result<Discovery, UsageError> {
    let domain = discover::domain_of(email).map_err(UsageError::of)?;
    let stored = match &flags.config {
        None => None,
        Some(path) => {
            let relay = load_config(Some(path))?;
            let store = DomainStore::open(&relay.domains.database)
                .await
                .map_err(UsageError::of)?;
            store
                .get(&domain)
                .await
                .map_err(UsageError::of)?
                .map(|r| r.settings)
        }
    };
    let mut found = discover::discover(email, stored, &[], config)
        .await
        .map_err(UsageError::of)?;
    if flags.config.is_none() {
        for s in found
            .sources
            .iter_mut()
            .filter(|s| s.source == Source::Stored)
        {
            s.status = SourceStatus::Skipped;
            s.notes = vec!["no relay configuration given (--config FILE)".into()];
        }
    }
    Ok(found)
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

/// The discovery as text: the provider, the best settings, each source, the other candidates.
fn print(out: &mut dyn Write, d: &Discovery) -> std::io::Result<()> {
    writeln!(
        out,
        "Settings for {} ({} ms{})",
        d.email,
        d.elapsed_ms,
        if d.offline { ", offline" } else { "" }
    )?;
    print_provider(out, d)?;
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
    print_other_candidates(out, d)
}

/// The provider the address belongs to, and what it asks of mail programs.
fn print_provider(out: &mut dyn Write, d: &Discovery) -> std::io::Result<()> {
    let Some(p) = &d.provider else {
        return Ok(());
    };
    writeln!(out, "Provider: {} (recognised by {})", p.name, p.matched_by)?;
    if p.oauth_only {
        writeln!(
            out,
            "  Password logins are refused: mail programs must sign in with OAuth."
        )?;
    }
    if let Some(o) = &p.oauth {
        writeln!(
            out,
            "  OAuth: sign in with {} (--oauth-provider {}); scopes: IMAP {}, SMTP {}",
            o.sign_in, o.sign_in, o.imap_scope, o.smtp_scope
        )?;
    }
    if p.app_password != AppPassword::No {
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
    Ok(())
}

/// The candidates besides the best ones; guessed names that do not exist are noise, so they
/// are only counted.
fn print_other_candidates(out: &mut dyn Write, d: &Discovery) -> std::io::Result<()> {
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
            writeln!(out, "  {} {}", c.side.label(), describe(c))?;
        }
    }
    let hidden = d.candidates.len() - others.len();
    if hidden > 0 {
        writeln!(out, "  (and {hidden} guessed names that do not resolve)")?;
    }
    Ok(())
}
