//! The relay's memory of recent discoveries. Strangers can ask the relay to discover the same
//! domain again and again (reloading the page, one failed diagnosis after another, or on
//! purpose), and each discovery probes up to [`super::caps::MAX_CANDIDATES`] servers. Within
//! [`TIME_TO_LIVE`] a domain's findings are reused: the second request probes nothing of them.
//! Bounded by [`MAX_WEIGHT`] bytes (moka evicts the least used beyond it).
//!
//! # What is kept, and under which key
//!
//! The key is the domain, the mode (online or offline) and the stored settings the relay had
//! for it (a change by an administrator is a new key, so it shows at once). What was entered
//! (a failed diagnosis's own servers) is never kept: it is probed on every request. Findings
//! are kept however their sources ended (a source that timed out included), whichever door
//! asked (the page's lookup, or the shorter search behind a failure's hints): a stranger whose
//! DNS answers slowly on purpose would otherwise have every request probe afresh.
//!
//! The findings can also depend on the address's local part, through the autoconfig document:
//! its login name (`<username>%EMAILLOCALPART%</username>`, common with hosting companies) and,
//! rarely, its host names. The login name is kept as the template the document wrote and
//! filled for each address, so findings with one serve every address of the domain. Findings
//! whose host names were built from the local part are kept for that one address only: another
//! address discovers afresh (and takes the place). Keying every domain on the whole address
//! instead would let anyone make the relay probe a domain's servers anew for each made-up local
//! part. What this cannot see is a document server that answers each `?emailaddress=` with
//! other servers without saying so in placeholders; for that, the first address's answer serves
//! the domain for the cache's time, as mail clients' own caches of such answers do.
//!
//! # Several relays
//!
//! Relays that share a PostgreSQL database share their findings through it too (the table
//! `discovery_cache`, keyed by a digest of the key above and of the relay's version, with the
//! address a per-address entry holds for as a digest): a domain is probed once per
//! [`TIME_TO_LIVE`] whichever replica is asked, not once per replica. Each relay keeps what it
//! read in its own memory for the time the shared copy has left. When the table does not
//! answer within [`SHARED_TIMEOUT`], the relay discovers afresh (and says so in its log): the
//! cache makes answers cheaper, never fail. Two replicas asked at the same moment may both
//! probe.

use std::sync::Arc;
use std::time::{Duration, Instant};

use inbox_doctor_errors::DomainSettings;

use super::Collected;
use futures_util::future::BoxFuture;

/// How long a domain's findings are reused: long enough to absorb repeated requests, short
/// enough that a fixed server shows within minutes.
pub const TIME_TO_LIVE: Duration = Duration::from_secs(10 * 60);

/// The most the cache may weigh, in (approximate) bytes of kept text. One discovery weighs a
/// few KB, at most about 170 KB (40 candidates with 4 KB of evidence each).
pub const MAX_WEIGHT: u64 = 32 * 1024 * 1024;

/// The most one discovery's findings may take in the shared table, as JSON (beyond the
/// heaviest discovery [`MAX_WEIGHT`] describes); read back, longer rows are ignored.
pub const MAX_SHARED_BYTES: usize = 512 * 1024;

/// How long the shared table may take to answer before a relay goes on without it.
pub const SHARED_TIMEOUT: Duration = Duration::from_secs(2);

/// Where relays keep findings for each other (the shared database: `domains::DomainStore`
/// on PostgreSQL). Keys and addresses come as digests; errors as the store's words.
pub trait SharedFindings: Send + Sync {
    /// The findings under `key` that have time left and are at most `max_bytes` long.
    fn read<'a>(
        &'a self,
        key: &'a str,
        max_bytes: usize,
    ) -> BoxFuture<'a, Result<Option<KeptDiscovery>, String>>;
    /// Keeps `kept` under `key` for its `ms_left`, in place of what was there.
    fn write<'a>(
        &'a self,
        key: &'a str,
        kept: &'a KeptDiscovery,
    ) -> BoxFuture<'a, Result<(), String>>;
}

/// One discovery's findings as relays share them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeptDiscovery {
    /// The findings, as JSON.
    pub findings: String,
    /// The digest of the only address they hold for, if they are not the domain's.
    pub address: Option<String>,
    /// How long they have left to serve, in ms.
    pub ms_left: i64,
}

/// How what relays share names accounts, servers, addresses and keys: a SHA-256 digest of
/// `parts` (each ended by a zero byte, so that no two lists give the same input).
pub fn digest(parts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    hex::encode(h.finalize())
}

/// Recent discoveries, shared by every request of one relay (clones share the same memory),
/// and by every relay on the same PostgreSQL database when `shared`.
#[derive(Clone)]
pub struct DiscoveryCache {
    entries: moka::sync::Cache<Key, Arc<Entry>>,
    time_to_live: Duration,
    shared: Option<Arc<dyn SharedFindings>>,
}

impl std::fmt::Debug for DiscoveryCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DiscoveryCache")
            .field("entries", &self.entries.entry_count())
            .field("shared", &self.shared.is_some())
            .finish()
    }
}

/// What a discovery's findings depend on, besides the address (see the module's doc).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct Key {
    domain: String,
    offline: bool,
    /// The stored settings, as JSON.
    stored: Option<String>,
}

impl Key {
    pub(super) fn new(domain: &str, offline: bool, stored: Option<&DomainSettings>) -> Key {
        Key {
            domain: domain.to_owned(),
            offline,
            stored: stored.map(|s| serde_json::to_string(s).unwrap_or_default()),
        }
    }

    /// The key in the shared table. The relay's version is part of it: during a rolling
    /// upgrade, relays of two versions do not read each other's findings (whose form, or
    /// provider table, may differ).
    fn shared(&self) -> String {
        digest(&[
            env!("CARGO_PKG_VERSION"),
            &self.domain,
            if self.offline { "offline" } else { "online" },
            self.stored.as_deref().unwrap_or(""),
        ])
    }
}

struct Entry {
    findings: Collected,
    /// The digest of the only address these findings hold for, when host names were built
    /// from it.
    address: Option<String>,
    /// When the findings stop serving (for findings read from the shared table, when they
    /// expire there).
    expires: Instant,
}

/// Each entry lives until its own `expires`.
struct UntilExpired;

impl moka::Expiry<Key, Arc<Entry>> for UntilExpired {
    fn expire_after_create(&self, _: &Key, e: &Arc<Entry>, now: Instant) -> Option<Duration> {
        Some(e.expires.saturating_duration_since(now))
    }
}

impl Default for DiscoveryCache {
    fn default() -> DiscoveryCache {
        DiscoveryCache::new(TIME_TO_LIVE, MAX_WEIGHT, None)
    }
}

impl DiscoveryCache {
    /// `shared`: where relays share findings, when they do.
    pub fn new(
        time_to_live: Duration,
        max_weight: u64,
        shared: Option<Arc<dyn SharedFindings>>,
    ) -> DiscoveryCache {
        DiscoveryCache {
            entries: moka::sync::Cache::builder()
                .expire_after(UntilExpired)
                .max_capacity(max_weight)
                .weigher(|k: &Key, e: &Arc<Entry>| weight(k, e))
                .build(),
            time_to_live,
            shared,
        }
    }

    /// The findings kept for `key`, when they hold for `email`: from this relay's memory, else
    /// from the shared table.
    pub(super) async fn get(&self, key: &Key, email: &str) -> Option<Collected> {
        let entry = match self.entries.get(key) {
            Some(entry) => entry,
            None => {
                let entry = Arc::new(self.read_shared(key).await?);
                self.entries.insert(key.clone(), entry.clone());
                entry
            }
        };
        match &entry.address {
            Some(only) if *only != address_digest(email) => None,
            _ => {
                tracing::debug!(domain = %key.domain, "discovery from the cache");
                Some(entry.findings.clone())
            }
        }
    }

    /// Keeps the `findings` a discovery for `email` made, here and in the shared table.
    pub(super) async fn insert(&self, key: &Key, findings: Collected, email: &str) {
        let address = findings.hosts_use_local_part.then(|| address_digest(email));
        if let Some(store) = &self.shared {
            self.write_shared(store.as_ref(), key, &findings, address.clone())
                .await;
        }
        let expires = Instant::now() + self.time_to_live;
        let entry = Entry {
            findings,
            address,
            expires,
        };
        self.entries.insert(key.clone(), Arc::new(entry));
    }

    async fn read_shared(&self, key: &Key) -> Option<Entry> {
        let store = self.shared.as_ref()?;
        let shared_key = key.shared();
        let asked = store.read(&shared_key, MAX_SHARED_BYTES);
        let kept = match tokio::time::timeout(SHARED_TIMEOUT, asked).await {
            Ok(Ok(kept)) => kept?,
            Ok(Err(error)) => {
                tracing::warn!(%error, "the shared discovery cache failed; discovering afresh");
                return None;
            }
            Err(_) => {
                tracing::warn!("the shared discovery cache did not answer; discovering afresh");
                return None;
            }
        };
        match serde_json::from_str::<Collected>(&kept.findings) {
            Ok(findings) => Some(Entry {
                findings,
                address: kept.address,
                // Never longer than our own time, whatever the row says.
                expires: Instant::now()
                    + Duration::from_millis(kept.ms_left.max(0) as u64).min(self.time_to_live),
            }),
            Err(error) => {
                tracing::warn!(%error, domain = %key.domain, "unreadable shared discovery; discovering afresh");
                None
            }
        }
    }

    async fn write_shared(
        &self,
        store: &dyn SharedFindings,
        key: &Key,
        findings: &Collected,
        address: Option<String>,
    ) {
        let Ok(findings) = serde_json::to_string(findings) else {
            return;
        };
        if findings.len() > MAX_SHARED_BYTES {
            return;
        }
        let kept = KeptDiscovery {
            findings,
            address,
            ms_left: self.time_to_live.as_millis() as i64,
        };
        let shared_key = key.shared();
        let written = store.write(&shared_key, &kept);
        match tokio::time::timeout(SHARED_TIMEOUT, written).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::warn!(%error, "the shared discovery cache failed"),
            Err(_) => tracing::warn!("the shared discovery cache did not answer"),
        }
    }

    /// How many domains are kept here (after pending evictions).
    pub fn len(&self) -> u64 {
        self.entries.run_pending_tasks();
        self.entries.entry_count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// An address as the shared table holds it: the table names no one.
fn address_digest(email: &str) -> String {
    digest(&[&email.to_ascii_lowercase()])
}

/// About how many bytes an entry keeps.
fn weight(key: &Key, entry: &Entry) -> u32 {
    let f = &entry.findings;
    let candidates: usize = f
        .candidates
        .iter()
        .map(|c| 64 + c.host.len() + c.detail.as_ref().map_or(0, String::len))
        .sum();
    let notes: usize = f
        .sources
        .iter()
        .flat_map(|s| &s.notes)
        .map(|n| 24 + n.len())
        .sum();
    let total =
        256 + key.domain.len() + key.stored.as_ref().map_or(0, String::len) + candidates + notes;
    u32::try_from(total).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use inbox_doctor_errors::{Candidate, ProbeOutcome, Security, Side, Source};

    fn findings(host: &str, per_address: bool) -> Collected {
        Collected {
            candidates: vec![Candidate {
                side: Side::Imap,
                host: host.into(),
                port: 993,
                security: Security::Tls,
                sources: vec![Source::Autoconfig],
                outcome: ProbeOutcome::Confirmed,
                detail: Some("* OK ready".into()),
            }],
            username_template: Some("%EMAILLOCALPART%".into()),
            hosts_use_local_part: per_address,
            ..Collected::default()
        }
    }

    #[tokio::test]
    async fn findings_serve_the_domain_and_the_login_name_follows_the_address() {
        let cache = DiscoveryCache::default();
        let key = Key::new("example.com", false, None);
        assert!(cache.get(&key, "jo@example.com").await.is_none());
        cache
            .insert(&key, findings("imap.example.com", false), "jo@example.com")
            .await;
        let other = cache
            .get(&key, "ola@example.com")
            .await
            .expect("kept for the domain");
        assert_eq!(other.candidates[0].host, "imap.example.com");
        assert_eq!(
            other.username_for("ola@example.com").as_deref(),
            Some("ola")
        );
        // Offline findings, or other stored settings, are another key.
        assert!(cache
            .get(&Key::new("example.com", true, None), "jo@example.com")
            .await
            .is_none());
        assert_eq!(cache.len(), 1);
    }

    #[tokio::test]
    async fn hosts_built_from_the_local_part_hold_for_that_address_only() {
        let cache = DiscoveryCache::default();
        let key = Key::new("example.com", false, None);
        cache
            .insert(
                &key,
                findings("jo.imap.example.com", true),
                "jo@example.com",
            )
            .await;
        assert!(cache.get(&key, "jo@example.com").await.is_some());
        assert!(cache.get(&key, "Jo@Example.com").await.is_some());
        assert!(cache.get(&key, "ola@example.com").await.is_none());
    }

    #[test]
    fn findings_read_back_from_json_point_into_the_provider_table() {
        let mut kept = findings("imap.gmail.com", false);
        kept.provider = super::super::providers::by_id("gmail").map(|p| (p, "mx"));
        let json = serde_json::to_string(&kept).unwrap();
        let back: Collected = serde_json::from_str(&json).unwrap();
        assert_eq!(back.candidates, kept.candidates);
        let (provider, by) = back.provider.expect("provider");
        assert_eq!((provider.id.as_str(), by), ("gmail", "mx"));
        // A provider this binary's table does not have is not made up.
        let unknown = json.replace("\"gmail\"", "\"gone\"");
        assert!(serde_json::from_str::<Collected>(&unknown).is_err());
    }

    #[tokio::test]
    async fn entries_expire() {
        let cache = DiscoveryCache::new(Duration::from_millis(50), MAX_WEIGHT, None);
        let key = Key::new("example.com", false, None);
        cache
            .insert(&key, findings("imap.example.com", false), "jo@example.com")
            .await;
        assert!(cache.get(&key, "jo@example.com").await.is_some());
        tokio::time::sleep(Duration::from_millis(120)).await;
        assert!(cache.get(&key, "jo@example.com").await.is_none());
    }

    #[tokio::test]
    async fn the_weight_is_bounded() {
        let cache = DiscoveryCache::new(TIME_TO_LIVE, 20_000, None);
        for n in 0..200 {
            let key = Key::new(&format!("d{n}.example"), false, None);
            cache
                .insert(&key, findings(&"x".repeat(200), false), "jo@example.com")
                .await;
        }
        let kept = cache.len();
        assert!(kept > 0 && kept < 200, "{kept}");
    }
}
