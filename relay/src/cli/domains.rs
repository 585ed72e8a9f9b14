//! `inbox-doctor domains list|set|delete|changes`: the stored domain settings in the
//! configured database, and their audit trail.
//!
//! The command line needs no admin token: whoever can run it with the configuration can open
//! the database anyway. Its changes are recorded as made from `cli:USER` (the local account),
//! by `--actor` or that same `cli:USER`.

use inbox_doctor_errors::{DomainRecord, DomainSettings};

use super::args::{server_settings, DomainsAction, DomainsArgs};
use super::{load_config, Exit, UsageError};
use crate::domains::{normalize_domain, validate_settings, Author, DomainStore};

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
            imap,
            imap_security,
            smtp,
            smtp_security,
            allow_insecure_cert,
            use_static_ips,
            actor,
        } => {
            let domain = normalized(&domain)?;
            let settings = DomainSettings {
                imap: server_settings(&imap, 993, "imap", imap_security)?,
                smtp: server_settings(&smtp, 587, "smtp", smtp_security)?,
                allow_insecure_cert,
                use_static_ips,
            };
            set(&store, &domain, &settings, actor).await
        }
        DomainsAction::Delete { domain, actor } => delete(&store, &domain, actor).await,
        DomainsAction::Changes { domain } => changes(&store, &domain).await,
    }
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
    )
}

async fn set(
    store: &DomainStore,
    domain: &str,
    settings: &DomainSettings,
    actor: Option<String>,
) -> Result<Exit, UsageError> {
    validate_settings(settings).map_err(UsageError::of)?;
    store
        .set(domain, settings, &author(actor))
        .await
        .map_err(UsageError::of)?;
    println!("{domain}: saved. Every mailbox of {domain} now gets these settings.");
    Ok(Exit::Passed)
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
