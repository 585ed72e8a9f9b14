//! Domain settings stored by administrators (seed 003): every user of a domain gets its servers
//! pre-filled. Embedded SQLite by default, PostgreSQL when several relays share one database.
//! Every change is recorded with who, when, before and after.

use inbox_doctor_errors::{DomainChange, DomainRecord, DomainSettings, Security};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Row};

/// The migrations, in order; each runs once per database.
const MIGRATIONS: &[(i64, &str)] = &[(1, include_str!("../migrations/001_domains.sql"))];

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A stored row that no longer parses (edited by hand?).
    #[error("stored settings of {domain} are unreadable: {error}")]
    Corrupt { domain: String, error: String },
}

/// Input that is not a valid domain or settings.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidDomain {
    #[error("{domain:?} is not a valid email domain: {reason}")]
    Name {
        domain: String,
        reason: &'static str,
    },
    #[error("{side} host: {reason}")]
    Host {
        side: &'static str,
        reason: &'static str,
    },
    #[error("{side} port must be 1–65535")]
    Port { side: &'static str },
    #[error("{side} security must be tls, starttls or plain (not auto) for stored settings")]
    Security { side: &'static str },
}

/// Lower-cases and checks an email domain (`Example.COM.` → `example.com`).
pub fn normalize_domain(domain: &str) -> Result<String, InvalidDomain> {
    crate::net::dns::domain_name(domain).map_err(|reason| InvalidDomain::Name {
        domain: domain.to_owned(),
        reason,
    })
}

/// Checks stored settings: real host names and ports, and an explicit security mode.
pub fn validate_settings(s: &DomainSettings) -> Result<(), InvalidDomain> {
    for (side, server) in [("IMAP", &s.imap), ("SMTP", &s.smtp)] {
        let host = server.host.trim();
        if host.is_empty() {
            return Err(InvalidDomain::Host {
                side,
                reason: "empty",
            });
        }
        if host.len() > 253
            || !host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
        {
            return Err(InvalidDomain::Host {
                side,
                reason: "not a host name or address",
            });
        }
        if server.port == 0 {
            return Err(InvalidDomain::Port { side });
        }
        if server.security == Security::Auto {
            return Err(InvalidDomain::Security { side });
        }
    }
    Ok(())
}

#[derive(Clone)]
pub struct DomainStore {
    pool: AnyPool,
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

impl DomainStore {
    /// Opens (and for SQLite creates) the database, and brings its schema up to date.
    pub async fn open(url: &str) -> Result<DomainStore, StoreError> {
        sqlx::any::install_default_drivers();
        let url = if url.starts_with("sqlite:") && !url.contains('?') {
            format!("{url}?mode=rwc")
        } else {
            url.to_owned()
        };
        let pool = AnyPoolOptions::new()
            .max_connections(if url.starts_with("sqlite:") { 1 } else { 8 })
            .acquire_timeout(std::time::Duration::from_secs(10))
            .connect(&url)
            .await?;
        let store = DomainStore { pool };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::query("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)")
            .execute(&self.pool)
            .await?;
        for (version, sql) in MIGRATIONS {
            let done = sqlx::query("SELECT version FROM schema_migrations WHERE version = $1")
                .bind(*version)
                .fetch_optional(&self.pool)
                .await?;
            if done.is_some() {
                continue;
            }
            let mut tx = self.pool.begin().await?;
            for statement in sql
                .split(';')
                .map(|s| {
                    s.lines()
                        .filter(|l| !l.trim_start().starts_with("--"))
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .filter(|s| !s.trim().is_empty())
            {
                sqlx::query(&statement).execute(&mut *tx).await?;
            }
            sqlx::query(
                "INSERT INTO schema_migrations (version) VALUES ($1) ON CONFLICT DO NOTHING",
            )
            .bind(*version)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        }
        Ok(())
    }

    fn record(row: &sqlx::any::AnyRow) -> Result<DomainRecord, StoreError> {
        let domain: String = row.try_get("domain")?;
        let settings: String = row.try_get("settings")?;
        let settings = serde_json::from_str(&settings).map_err(|e| StoreError::Corrupt {
            domain: domain.clone(),
            error: e.to_string(),
        })?;
        Ok(DomainRecord {
            domain,
            settings,
            updated_at: row.try_get("updated_at")?,
            updated_by: row.try_get("updated_by")?,
        })
    }

    pub async fn get(&self, domain: &str) -> Result<Option<DomainRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT domain, settings, updated_at, updated_by FROM domains WHERE domain = $1",
        )
        .bind(domain)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(Self::record).transpose()
    }

    pub async fn list(&self) -> Result<Vec<DomainRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT domain, settings, updated_at, updated_by FROM domains ORDER BY domain",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(Self::record).collect()
    }

    /// Creates or replaces a domain's settings and records the change.
    pub async fn set(
        &self,
        domain: &str,
        settings: &DomainSettings,
        actor: &str,
    ) -> Result<DomainRecord, StoreError> {
        let json = serde_json::to_string(settings).unwrap_or_default();
        let at = now_rfc3339();
        let mut tx = self.pool.begin().await?;
        // Read "before" inside the transaction, so the audit trail is right with several relays.
        let before = Self::current(&mut tx, domain).await?;
        sqlx::query(
            "INSERT INTO domains (domain, settings, updated_at, updated_by) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (domain) DO UPDATE SET settings = excluded.settings, \
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(domain)
        .bind(&json)
        .bind(&at)
        .bind(actor)
        .execute(&mut *tx)
        .await?;
        Self::audit_row(
            &mut tx,
            domain,
            &at,
            actor,
            "set",
            before.as_ref(),
            Some(settings),
        )
        .await?;
        tx.commit().await?;
        Ok(DomainRecord {
            domain: domain.to_owned(),
            settings: settings.clone(),
            updated_at: at,
            updated_by: actor.to_owned(),
        })
    }

    /// Deletes a domain's settings; `false` when there were none.
    pub async fn delete(&self, domain: &str, actor: &str) -> Result<bool, StoreError> {
        let at = now_rfc3339();
        let mut tx = self.pool.begin().await?;
        let Some(before) = Self::current(&mut tx, domain).await? else {
            return Ok(false);
        };
        sqlx::query("DELETE FROM domains WHERE domain = $1")
            .bind(domain)
            .execute(&mut *tx)
            .await?;
        Self::audit_row(&mut tx, domain, &at, actor, "delete", Some(&before), None).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn current(
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        domain: &str,
    ) -> Result<Option<DomainSettings>, StoreError> {
        let row = sqlx::query("SELECT settings FROM domains WHERE domain = $1")
            .bind(domain)
            .fetch_optional(&mut **tx)
            .await?;
        row.map(|r| {
            let text: String = r.try_get("settings")?;
            serde_json::from_str(&text).map_err(|e| StoreError::Corrupt {
                domain: domain.to_owned(),
                error: e.to_string(),
            })
        })
        .transpose()
    }

    async fn audit_row(
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        domain: &str,
        at: &str,
        actor: &str,
        action: &str,
        before: Option<&DomainSettings>,
        after: Option<&DomainSettings>,
    ) -> Result<(), StoreError> {
        let json =
            |s: Option<&DomainSettings>| s.map(|s| serde_json::to_string(s).unwrap_or_default());
        sqlx::query(
            "INSERT INTO domain_changes (seq, domain, at, actor, action, before_settings, after_settings) \
             SELECT COALESCE(MAX(seq), 0) + 1, $1, $2, $3, $4, $5, $6 FROM domain_changes",
        )
        .bind(domain)
        .bind(at)
        .bind(actor)
        .bind(action)
        .bind(json(before))
        .bind(json(after))
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// The changes to a domain, oldest first.
    pub async fn changes(&self, domain: &str) -> Result<Vec<DomainChange>, StoreError> {
        let rows = sqlx::query(
            "SELECT domain, at, actor, action, before_settings, after_settings FROM domain_changes \
             WHERE domain = $1 ORDER BY seq",
        )
        .bind(domain)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let parse = |col: &str| -> Result<Option<DomainSettings>, StoreError> {
                    let text: Option<String> = row.try_get(col)?;
                    text.map(|t| {
                        serde_json::from_str(&t).map_err(|e| StoreError::Corrupt {
                            domain: domain.to_owned(),
                            error: e.to_string(),
                        })
                    })
                    .transpose()
                };
                Ok(DomainChange {
                    domain: row.try_get("domain")?,
                    at: row.try_get("at")?,
                    actor: row.try_get("actor")?,
                    action: row.try_get("action")?,
                    before: parse("before_settings")?,
                    after: parse("after_settings")?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_names() {
        assert_eq!(normalize_domain("Example.COM.").unwrap(), "example.com");
        // Internationalised names are stored in their ASCII form, as DNS knows them.
        assert_eq!(normalize_domain("Blåbær.no").unwrap(), "xn--blbr-roah.no");
        for bad in [
            "",
            "localhost",
            "a..b",
            "-a.com",
            "a_b.com",
            "exa mple.com",
            "ä b.com",
        ] {
            assert!(normalize_domain(bad).is_err(), "{bad}");
        }
    }
}
