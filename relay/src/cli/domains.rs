//! `inbox-doctor domains list|set|check|revert|delete|changes`: the stored domain settings in
//! the configured database, and their audit trail. Every change is checked first
//! ([`crate::domains::check`]) and shown field by field.
//!
//! The command line needs no admin token: whoever can run it with the configuration can open
//! the database anyway. Its changes are recorded as made from `cli:USER` (the local account),
//! by `--actor` or that same `cli:USER`.

use std::time::Duration;

use inbox_doctor_errors::text::{cause_text, Lang};
use inbox_doctor_errors::{DomainCheck, DomainRecord, DomainSave, DomainSettings, ServerCheck};

use super::args::{
    server_settings, ChangeArgs, DomainsAction, DomainsArgs, OptionalSettingsArgs, SettingsArgs,
};
use super::{load_config, Exit, UsageError};
use crate::config::Config;
use crate::discover::DiscoverConfig;
use crate::domains::check::{self, How};
use crate::domains::{normalize_domain, validate_settings, Author, DomainStore};
use crate::net::dns::Dns;
use crate::net::tls::TrustRoots;
use crate::net::Network;

/// Runs `inbox-doctor domains …`: failed only when `delete` finds nothing to delete.
pub async fn domains(args: DomainsArgs) -> Result<Exit, UsageError> {
    let config = load_config(args.config.as_deref())?;
    let store = DomainStore::open(&config.domains.database)
        .await
        .map_err(UsageError::of)?;
    match args.action {
        DomainsAction::List { json } => list(&store, json).await,
        DomainsAction::Set {
            domain,
            settings,
            how,
        } => {
            let domain = normalized(&domain)?;
            let settings = stored_settings(&settings)?;
            change(&store, &probes(&config)?, &domain, &settings, "set", how).await
        }
        DomainsAction::Check {
            domain,
            settings,
            json,
        } => {
            let domain = normalized(&domain)?;
            let settings = match given_settings(&settings)? {
                Some(s) => s,
                None => store
                    .get(&domain)
                    .await
                    .map_err(UsageError::of)?
                    .map(|r| r.settings)
                    .ok_or_else(|| {
                        UsageError(format!(
                            "no settings stored for {domain}: give them to check"
                        ))
                    })?,
            };
            validate_settings(&settings).map_err(UsageError::of)?;
            let checked = check::check(&settings, &probes(&config)?).await;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&checked).unwrap_or_default()
                );
            } else {
                print_check(&domain, &checked);
            }
            Ok(if checked.passed() {
                Exit::Passed
            } else {
                Exit::Failed
            })
        }
        DomainsAction::Revert { domain, seq, how } => {
            let domain = normalized(&domain)?;
            let settings = crate::domains::version(&store, &domain, seq)
                .await
                .map_err(UsageError::of)?
                .map_err(UsageError::of)?;
            change(&store, &probes(&config)?, &domain, &settings, "revert", how).await
        }
        DomainsAction::Delete { domain, actor } => delete(&store, &domain, actor).await,
        DomainsAction::Changes { domain } => changes(&store, &domain).await,
    }
}

/// How the checks reach servers: the relay's resolver and trusted CAs, each side within a
/// step's time. No egress policy: the command is the operator's own.
fn probes(config: &Config) -> Result<DiscoverConfig, UsageError> {
    let dns = config
        .engine
        .resolver
        .map(Dns::at)
        .transpose()
        .map_err(UsageError)?;
    let step = Duration::from_secs(config.engine.step_timeout_secs);
    Ok(DiscoverConfig {
        net: Network {
            dns,
            roots: TrustRoots::load(&config.engine.ca_files).map_err(UsageError::of)?,
            ..Network::default()
        },
        probe_timeout: step,
        lookup_timeout: step,
        ..DiscoverConfig::default()
    })
}

fn stored_settings(a: &SettingsArgs) -> Result<DomainSettings, UsageError> {
    Ok(DomainSettings {
        imap: server_settings(&a.imap, 993, "imap", a.imap_security.into())?,
        smtp: server_settings(&a.smtp, 587, "smtp", a.smtp_security.into())?,
        allow_insecure_cert: a.allow_insecure_cert,
        use_static_ips: a.use_static_ips,
    })
}

/// The settings given on the command line, if any (clap requires all or none).
fn given_settings(a: &OptionalSettingsArgs) -> Result<Option<DomainSettings>, UsageError> {
    let (Some(imap), Some(imap_security), Some(smtp), Some(smtp_security)) =
        (&a.imap, a.imap_security, &a.smtp, a.smtp_security)
    else {
        return Ok(None);
    };
    stored_settings(&SettingsArgs {
        imap: imap.clone(),
        imap_security,
        smtp: smtp.clone(),
        smtp_security,
        allow_insecure_cert: a.allow_insecure_cert,
        use_static_ips: a.use_static_ips,
    })
    .map(Some)
}

/// Checks, shows and (unless refused or a dry run) stores a change; failed when refused.
async fn change(
    store: &DomainStore,
    probes: &DiscoverConfig,
    domain: &str,
    settings: &DomainSettings,
    action: &'static str,
    args: ChangeArgs,
) -> Result<Exit, UsageError> {
    validate_settings(settings).map_err(UsageError::of)?;
    let how = How {
        force: args.force,
        dry_run: args.dry_run,
    };
    let save = check::save(
        store,
        domain,
        settings,
        &author(args.actor),
        probes,
        action,
        how,
    )
    .await
    .map_err(UsageError::of)?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&save).unwrap_or_default()
        );
    } else {
        print_save(&save);
    }
    Ok(if save.saved || (save.dry_run && save.check.passed()) {
        Exit::Passed
    } else {
        Exit::Failed
    })
}

/// One side's check: `IMAP mail.example.com:993 tls: confirmed` or what failed, in a
/// diagnosis's words.
fn side_line(c: &ServerCheck) -> String {
    let verdict = match c.failure {
        None if c.passed() => c.outcome.code().to_owned(),
        None => format!("not checked: {}", c.outcome.code()),
        Some(f) => format!(
            "{} ({} / {})",
            cause_text(f.cause, Lang::En).title,
            f.category.code(),
            f.cause.code()
        ),
    };
    let detail = c
        .detail
        .as_deref()
        .map(|d| format!("\n      {d}"))
        .unwrap_or_default();
    format!("  {} {}: {verdict}{detail}", c.side.label(), c.server)
}

fn print_check(domain: &str, checked: &DomainCheck) {
    println!("{domain}: checked (connect, greeting, TLS and certificate; no login)");
    println!("{}", side_line(&checked.imap));
    println!("{}", side_line(&checked.smtp));
}

fn print_save(save: &DomainSave) {
    print_check(&save.domain, &save.check);
    if save.changes.is_empty() {
        println!("No field changes.");
    } else {
        println!("Changes:");
        for c in &save.changes {
            let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".into());
            println!("  {}: {} → {}", c.field, show(&c.before), show(&c.after));
        }
    }
    let domain = &save.domain;
    println!(
        "{}",
        match (save.dry_run, save.saved, save.forced) {
            (true, _, _) => "Dry run: nothing was stored.".to_owned(),
            (false, true, false) => {
                format!("{domain}: saved. Every mailbox of {domain} now gets these settings.")
            }
            (false, true, true) => format!(
                "{domain}: saved although the check failed (--force); the audit trail says so."
            ),
            (false, false, _) => format!(
                "{domain}: NOT saved: the check failed, and every mailbox of {domain} would lose \
                 its connection. Fix the settings, or store them anyway with --force."
            ),
        }
    );
}

async fn list(store: &DomainStore, json: bool) -> Result<Exit, UsageError> {
    let all = store.list().await.map_err(UsageError::of)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&all).unwrap_or_default());
    } else {
        for record in &all {
            println!("{}", describe(record));
        }
    }
    Ok(Exit::Passed)
}

/// `example.com  imap … tls  smtp … starttls  (by cli:alice at …)`.
fn describe(r: &DomainRecord) -> String {
    let s = &r.settings;
    format!(
        "{}  imap {}  smtp {}{}{}  (by {} at {})",
        r.domain,
        s.imap,
        s.smtp,
        if s.allow_insecure_cert {
            "  allow-insecure-cert"
        } else {
            ""
        },
        if s.use_static_ips { "  static-ips" } else { "" },
        r.updated_by,
        r.updated_at
    )
}

async fn delete(
    store: &DomainStore,
    domain: &str,
    actor: Option<String>,
) -> Result<Exit, UsageError> {
    let domain = normalized(domain)?;
    if store
        .delete(&domain, &author(actor))
        .await
        .map_err(UsageError::of)?
    {
        println!("{domain}: deleted.");
        Ok(Exit::Passed)
    } else {
        eprintln!("inbox-doctor: no settings stored for {domain}");
        Ok(Exit::Failed)
    }
}

async fn changes(store: &DomainStore, domain: &str) -> Result<Exit, UsageError> {
    let domain = normalized(domain)?;
    let changes = store.changes(&domain).await.map_err(UsageError::of)?;
    println!(
        "{}",
        serde_json::to_string_pretty(&changes).unwrap_or_default()
    );
    Ok(Exit::Passed)
}

fn normalized(domain: &str) -> Result<String, UsageError> {
    normalize_domain(domain).map_err(UsageError::of)
}

/// Who makes a change, for the audit trail: `--actor`, else `cli:$USER`; from `cli:$USER`.
fn author(actor: Option<String>) -> Author {
    let local = format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "unknown".into())
    );
    Author {
        actor: actor.unwrap_or_else(|| local.clone()),
        client: local,
        note: None,
    }
}
