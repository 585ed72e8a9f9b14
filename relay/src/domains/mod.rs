//! Domain settings stored by administrators (seed 003): every user of a domain gets its servers
//! pre-filled. Embedded SQLite by default, PostgreSQL when several relays share one database.
//! Every change is recorded with who, from where, when, before and after. On PostgreSQL the
//! same database also holds what relays must share to protect third parties: the refused-login
//! counts (`server::targets`) and recent discoveries (`discover::cache`).
//!
//! Changes to one domain are made one at a time (PostgreSQL: a lock per domain for the
//! transaction; SQLite: the database's write lock from the transaction's start), so each
//! change's "before" is the previous change's "after", whichever relay or command made it. The
//! audit trail is numbered by the database itself (an identity column, SQLite's
//! AUTOINCREMENT), never read-then-written: two relays writing at once get two numbers. The
//! numbers are one sequence across all domains, increasing but not gapless on PostgreSQL (a
//! change that rolls back has used its number); gaplessness would need a retry loop on
//! conflicts, and the order and completeness of a domain's trail is what matters, which its
//! before/after chain shows.

pub mod check;

use inbox_doctor_errors::{DomainChange, DomainRecord, DomainSettings, Security};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Row};

/// A migration's SQL: one text for both databases, or one for each.
enum Migration {
    Portable(&'static str),
    PerBackend {
        sqlite: &'static str,
        postgres: &'static str,
    },
}

/// The PostgreSQL advisory lock relays hold while they migrate (any number of our own).
const MIGRATION_LOCK: i64 = 0x1d0c_7000_0000_0001;

/// The migrations, in order; each runs once per database.
const MIGRATIONS: &[(i64, Migration)] = &[
    (
        1,
        Migration::Portable(include_str!("../../migrations/001_domains.sql")),
    ),
    (
        2,
        Migration::PerBackend {
            sqlite: include_str!("../../migrations/002_audit.sqlite.sql"),
            postgres: include_str!("../../migrations/002_audit.postgres.sql"),
        },
    ),
    (
        3,
        Migration::Portable(include_str!("../../migrations/003_login_failures.sql")),
    ),
    (
        4,
        Migration::Portable(include_str!("../../migrations/004_discovery_cache.sql")),
    ),
    (
        5,
        Migration::Portable(include_str!("../../migrations/005_forced_changes.sql")),
    ),
];

/// The database's clock, in milliseconds since the epoch (PostgreSQL): what the tables relays
/// share time their rows by, so that the relays' own clocks need not agree.
const NOW_MS: &str = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

pub use crate::discover::cache::{digest, KeptDiscovery};

/// Which database the store is in: where their SQL differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Migration {
    fn sql(&self, backend: Backend) -> &'static str {
        match (self, backend) {
            (Migration::Portable(sql), _) => sql,
            (Migration::PerBackend { sqlite, .. }, Backend::Sqlite) => sqlite,
            (Migration::PerBackend { postgres, .. }, Backend::Postgres) => postgres,
        }
    }
}

/// Why there is no version to go back to.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum NoVersion {
    #[error("{domain} has no change #{seq}")]
    Unknown { domain: String, seq: i64 },
    #[error("change #{seq} deleted {domain}'s settings: there is nothing to go back to")]
    Deleted { domain: String, seq: i64 },
}

/// The settings of `domain` as change `seq` left them.
pub async fn version(
    store: &DomainStore,
    domain: &str,
    seq: i64,
) -> Result<Result<DomainSettings, NoVersion>, StoreError> {
    let Some(change) = store.change(domain, seq).await? else {
        let domain = domain.to_owned();
        return Ok(Err(NoVersion::Unknown { domain, seq }));
    };
    Ok(change.after.ok_or(NoVersion::Deleted {
        domain: domain.to_owned(),
        seq,
    }))
}

/// How a change to a domain's settings came about, for the audit trail.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Change {
    /// `set`, or `revert` (to an earlier version).
    pub action: &'static str,
    /// The check's failures, when the change was stored past them (an override).
    pub forced_past: Option<String>,
}

impl Change {
    pub fn set() -> Change {
        Change {
            action: "set",
            forced_past: None,
        }
    }
}

/// One row of the audit trail, as written.
struct AuditRow<'a> {
    action: &'a str,
    before: Option<&'a DomainSettings>,
    after: Option<&'a DomainSettings>,
    forced_past: Option<&'a str>,
}

/// Who made a change and from where: what the audit trail records beside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Author {
    /// The admin token's name (HTTP API), or the command line's actor.
    pub actor: String,
    /// The client's address (HTTP API), or `cli:USER`.
    pub client: String,
    /// Free text the caller sent along; nobody checked it.
    pub note: Option<String>,
}

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
    backend: Backend,
}

/// A migration's statements: without comment lines, split at `;` (so a `;` in a comment
/// splits nothing).
fn statements(sql: &str) -> Vec<String> {
    let code: Vec<&str> = sql
        .lines()
        .filter(|l| !l.trim_start().starts_with("--"))
        .collect();
    code.join("\n")
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
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
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        let store = DomainStore { pool, backend };
        store.migrate().await?;
        Ok(store)
    }

    /// Whether relays share this database (PostgreSQL): then the login limits count there,
    /// for all of them. A SQLite file belongs to one relay.
    pub fn shared(&self) -> bool {
        self.backend == Backend::Postgres
    }

    /// Counts one failure of `key` (GCRA in the database's clock: each failure moves the key's
    /// time `interval_ms` further) and returns how far ahead of now its time is, in ms.
    pub async fn count_failure(&self, key: &str, interval_ms: i64) -> Result<i64, StoreError> {
        let ahead: i64 = sqlx::query_scalar(&format!(
            "INSERT INTO login_failures (key, tat_ms) VALUES ($1, {NOW_MS} + $2) \
             ON CONFLICT (key) DO UPDATE \
             SET tat_ms = GREATEST(login_failures.tat_ms, {NOW_MS}) + $2 \
             RETURNING tat_ms - {NOW_MS}"
        ))
        .bind(key)
        .bind(interval_ms)
        .fetch_one(&self.pool)
        .await?;
        // Keys whose count is back at zero say nothing; dropping them keeps the table small.
        if ahead == interval_ms {
            sqlx::query(&format!(
                "DELETE FROM login_failures WHERE tat_ms < {NOW_MS}"
            ))
            .execute(&self.pool)
            .await?;
        }
        Ok(ahead)
    }

    /// How far ahead of now each of `keys` is (ms), in one query; keys without failures are
    /// left out.
    pub async fn failures_ahead(
        &self,
        keys: &[&str],
    ) -> Result<std::collections::HashMap<String, i64>, StoreError> {
        if keys.is_empty() {
            return Ok(Default::default());
        }
        let places: Vec<String> = (1..=keys.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT key, tat_ms - (extract(epoch from clock_timestamp()) * 1000)::bigint AS ahead \
             FROM login_failures WHERE key IN ({})",
            places.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for key in keys {
            query = query.bind(*key);
        }
        let mut ahead = std::collections::HashMap::new();
        for row in query.fetch_all(&self.pool).await? {
            ahead.insert(row.try_get("key")?, row.try_get("ahead")?);
        }
        Ok(ahead)
    }

    /// The findings kept under `key` that have time left (and are at most `max_bytes` long).
    pub async fn kept_discovery(
        &self,
        key: &str,
        max_bytes: usize,
    ) -> Result<Option<KeptDiscovery>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT findings, address, expires_ms - {NOW_MS} AS ms_left FROM discovery_cache \
             WHERE key = $1 AND expires_ms > {NOW_MS} AND length(findings) <= $2"
        ))
        .bind(key)
        .bind(i64::try_from(max_bytes).unwrap_or(i64::MAX))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(KeptDiscovery {
            findings: row.try_get("findings")?,
            address: row.try_get("address")?,
            ms_left: row.try_get("ms_left")?,
        }))
    }

    /// Keeps `kept` under `key` for its `ms_left`, in place of what was there, and drops the
    /// rows whose time is up.
    pub async fn keep_discovery(&self, key: &str, kept: &KeptDiscovery) -> Result<(), StoreError> {
        sqlx::query(&format!(
            "INSERT INTO discovery_cache (key, address, findings, expires_ms) \
             VALUES ($1, $2, $3, {NOW_MS} + $4) ON CONFLICT (key) DO UPDATE \
             SET address = EXCLUDED.address, findings = EXCLUDED.findings, \
             expires_ms = EXCLUDED.expires_ms"
        ))
        .bind(key)
        .bind(kept.address.as_deref())
        .bind(&kept.findings)
        .bind(kept.ms_left)
        .execute(&self.pool)
        .await?;
        sqlx::query(&format!(
            "DELETE FROM discovery_cache WHERE expires_ms <= {NOW_MS}"
        ))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Whether the database answers (`/readyz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// A migration's transaction; SQLite's takes the write lock at once (one relay per file
    /// migrates at a time), PostgreSQL's relays are already one at a time ([`MIGRATION_LOCK`]).
    async fn begin_migration(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// A transaction in which `domain` changes: no other change to it runs until it ends.
    async fn begin_change(
        &self,
        domain: &str,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => {
                let mut tx = self.pool.begin().await?;
                // Two domains may share a lock (a 32-bit hash): that only makes them wait.
                sqlx::query("SELECT 1 AS locked FROM pg_advisory_xact_lock(hashtext($1))")
                    .bind(domain)
                    .execute(&mut *tx)
                    .await?;
                tx
            }
        })
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        // Relays starting together on one PostgreSQL: one migrates, the others wait for it.
        // Even `CREATE TABLE IF NOT EXISTS` races there (both create, one fails on the catalog),
        // so the lock comes first: a session-level advisory lock on a connection of its own,
        // released when it is given back or closed.
        let mut lock = match self.backend {
            Backend::Postgres => {
                let mut conn = self.pool.acquire().await?;
                sqlx::query("SELECT pg_advisory_lock($1)")
                    .bind(MIGRATION_LOCK)
                    .execute(&mut *conn)
                    .await?;
                Some(conn)
            }
            Backend::Sqlite => None,
        };
        let migrated = self.run_migrations().await;
        if let Some(conn) = lock.as_mut() {
            sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(MIGRATION_LOCK)
                .execute(&mut **conn)
                .await?;
        }
        migrated
    }

    async fn run_migrations(&self) -> Result<(), StoreError> {
        sqlx::query("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)")
            .execute(&self.pool)
            .await?;
        for (version, migration) in MIGRATIONS {
            let mut tx = self.begin_migration().await?;
            let done = sqlx::query("SELECT version FROM schema_migrations WHERE version = $1")
                .bind(*version)
                .fetch_optional(&mut *tx)
                .await?;
            if done.is_some() {
                tx.commit().await?;
                continue;
            }
            for statement in statements(migration.sql(self.backend)) {
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

    /// Creates or replaces a domain's settings and records the change. Callers check the
    /// settings first ([`check`]); `change` says how the trail records it.
    pub async fn set(
        &self,
        domain: &str,
        settings: &DomainSettings,
        author: &Author,
        change: &Change,
    ) -> Result<DomainRecord, StoreError> {
        let json = serde_json::to_string(settings).unwrap_or_default();
        let at = now_rfc3339();
        let mut tx = self.begin_change(domain).await?;
        // Read "before" under the domain's lock, so the audit trail is right with several relays.
        let before = Self::current(&mut tx, domain).await?;
        sqlx::query(
            "INSERT INTO domains (domain, settings, updated_at, updated_by) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (domain) DO UPDATE SET settings = excluded.settings, \
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(domain)
        .bind(&json)
        .bind(&at)
        .bind(&author.actor)
        .execute(&mut *tx)
        .await?;
        let row = AuditRow {
            action: change.action,
            before: before.as_ref(),
            after: Some(settings),
            forced_past: change.forced_past.as_deref(),
        };
        Self::audit_row(&mut tx, domain, &at, author, &row).await?;
        tx.commit().await?;
        Ok(DomainRecord {
            domain: domain.to_owned(),
            settings: settings.clone(),
            updated_at: at,
            updated_by: author.actor.clone(),
        })
    }

    /// Deletes a domain's settings; `false` when there were none.
    pub async fn delete(&self, domain: &str, author: &Author) -> Result<bool, StoreError> {
        let at = now_rfc3339();
        let mut tx = self.begin_change(domain).await?;
        let Some(before) = Self::current(&mut tx, domain).await? else {
            return Ok(false);
        };
        sqlx::query("DELETE FROM domains WHERE domain = $1")
            .bind(domain)
            .execute(&mut *tx)
            .await?;
        let row = AuditRow {
            action: "delete",
            before: Some(&before),
            after: None,
            forced_past: None,
        };
        Self::audit_row(&mut tx, domain, &at, author, &row).await?;
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
        author: &Author,
        row: &AuditRow<'_>,
    ) -> Result<(), StoreError> {
        let json =
            |s: Option<&DomainSettings>| s.map(|s| serde_json::to_string(s).unwrap_or_default());
        // `seq` is the database's to number.
        sqlx::query(
            "INSERT INTO domain_changes \
             (domain, at, actor, client, note, action, before_settings, after_settings, \
             forced_past) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(domain)
        .bind(at)
        .bind(&author.actor)
        .bind(&author.client)
        .bind(author.note.as_deref())
        .bind(row.action)
        .bind(json(row.before))
        .bind(json(row.after))
        .bind(row.forced_past)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// The changes to a domain, oldest first.
    pub async fn changes(&self, domain: &str) -> Result<Vec<DomainChange>, StoreError> {
        self.read_changes(domain, None).await
    }

    /// One change to a domain, by its number.
    pub async fn change(&self, domain: &str, seq: i64) -> Result<Option<DomainChange>, StoreError> {
        Ok(self.read_changes(domain, Some(seq)).await?.pop())
    }

    /// A domain's changes, or only the one numbered `seq`.
    async fn read_changes(
        &self,
        domain: &str,
        seq: Option<i64>,
    ) -> Result<Vec<DomainChange>, StoreError> {
        const COLUMNS: &str = "SELECT seq, domain, at, actor, client, note, action, \
             before_settings, after_settings, forced_past FROM domain_changes WHERE domain = $1";
        let sql = match seq {
            None => format!("{COLUMNS} ORDER BY seq"),
            Some(_) => format!("{COLUMNS} AND seq = $2"),
        };
        let mut query = sqlx::query(&sql).bind(domain);
        if let Some(seq) = seq {
            query = query.bind(seq);
        }
        let rows = query.fetch_all(&self.pool).await?;
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
                    seq: row.try_get("seq")?,
                    domain: row.try_get("domain")?,
                    at: row.try_get("at")?,
                    actor: row.try_get("actor")?,
                    client: row.try_get("client")?,
                    note: row.try_get("note")?,
                    action: row.try_get("action")?,
                    before: parse("before_settings")?,
                    after: parse("after_settings")?,
                    forced_past: row.try_get("forced_past")?,
                })
            })
            .collect()
    }
}

impl crate::discover::cache::SharedFindings for DomainStore {
    fn read<'a>(
        &'a self,
        key: &'a str,
        max_bytes: usize,
    ) -> futures_util::future::BoxFuture<'a, Result<Option<KeptDiscovery>, String>> {
        Box::pin(async move {
            self.kept_discovery(key, max_bytes)
                .await
                .map_err(|e| e.to_string())
        })
    }

    fn write<'a>(
        &'a self,
        key: &'a str,
        kept: &'a KeptDiscovery,
    ) -> futures_util::future::BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            self.keep_discovery(key, kept)
                .await
                .map_err(|e| e.to_string())
        })
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

    fn settings(port: u16) -> DomainSettings {
        let side = |host: &str| inbox_doctor_errors::ServerSettings {
            host: host.into(),
            port,
            security: Security::Tls,
        };
        DomainSettings {
            imap: side("imap.example.org"),
            smtp: side("smtp.example.org"),
            allow_insecure_cert: false,
            use_static_ips: false,
        }
    }

    /// A database file of its own, removed at the end.
    struct TempDb(std::path::PathBuf);

    impl TempDb {
        fn new(name: &str) -> TempDb {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            TempDb(std::env::temp_dir().join(format!(
                "inbox-doctor-{name}-{}-{nanos}.db",
                std::process::id()
            )))
        }

        fn url(&self) -> String {
            format!("sqlite://{}", self.0.display())
        }
    }

    impl Drop for TempDb {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    #[tokio::test]
    async fn an_old_trail_with_a_number_taken_twice_is_renumbered_in_its_order() {
        let db = TempDb::new("old-trail");
        sqlx::any::install_default_drivers();
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .connect(&format!("{}?mode=rwc", db.url()))
            .await
            .unwrap();
        // The schema as migration 1 left it, and three changes, two of which took number 2.
        sqlx::query("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY)")
            .execute(&pool)
            .await
            .unwrap();
        for statement in statements(include_str!("../../migrations/001_domains.sql")) {
            sqlx::query(&statement).execute(&pool).await.unwrap();
        }
        sqlx::query("INSERT INTO schema_migrations (version) VALUES (1)")
            .execute(&pool)
            .await
            .unwrap();
        for (seq, domain, port) in [
            (1, "a.example", 1),
            (2, "a.example", 2),
            (2, "b.example", 3),
        ] {
            sqlx::query(
                "INSERT INTO domain_changes (seq, domain, at, actor, action, after_settings) \
                 VALUES ($1, $2, '2026-01-01T00:00:00Z', 'ops', 'set', $3)",
            )
            .bind(seq as i64)
            .bind(domain)
            .bind(serde_json::to_string(&settings(port)).unwrap())
            .execute(&pool)
            .await
            .unwrap();
        }
        pool.close().await;

        let store = DomainStore::open(&db.url()).await.unwrap();
        let a = store.changes("a.example").await.unwrap();
        let b = store.changes("b.example").await.unwrap();
        let seqs = |c: &[DomainChange]| c.iter().map(|c| c.seq).collect::<Vec<_>>();
        assert_eq!((seqs(&a), seqs(&b)), (vec![1, 2], vec![3]));
        assert_eq!(a[1].after, Some(settings(2)));
        assert_eq!(a[0].client, "", "not known for old changes");

        // New changes are numbered on, and say who, from where, and the caller's note.
        let author = Author {
            actor: "helpdesk".into(),
            client: "192.0.2.7".into(),
            note: Some("ticket 42".into()),
        };
        store
            .set("b.example", &settings(4), &author, &Change::set())
            .await
            .unwrap();
        assert!(store.delete("b.example", &author).await.unwrap());
        assert!(!store.delete("b.example", &author).await.unwrap());
        let b = store.changes("b.example").await.unwrap();
        assert_eq!(seqs(&b), [3, 4, 5]);
        // One version read by its number, and only within its own domain.
        assert_eq!(
            version(&store, "b.example", 4).await.unwrap(),
            Ok(settings(4))
        );
        assert!(matches!(
            version(&store, "a.example", 4).await.unwrap(),
            Err(NoVersion::Unknown { .. })
        ));
        assert!(matches!(
            version(&store, "b.example", 5).await.unwrap(),
            Err(NoVersion::Deleted { .. })
        ));
        assert_eq!(
            (
                b[1].actor.as_str(),
                b[1].client.as_str(),
                b[1].note.as_deref()
            ),
            ("helpdesk", "192.0.2.7", Some("ticket 42"))
        );
        assert_eq!(
            (
                b[2].action.as_str(),
                b[2].before.as_ref(),
                b[2].after.as_ref()
            ),
            ("delete", Some(&settings(4)), None)
        );
        // Opening it again migrates nothing twice.
        drop(store);
        let store = DomainStore::open(&db.url()).await.unwrap();
        assert_eq!(store.changes("a.example").await.unwrap().len(), 2);
    }
}
