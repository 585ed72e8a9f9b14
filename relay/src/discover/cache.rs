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

use std::sync::Arc;
use std::time::Duration;

use inbox_doctor_errors::DomainSettings;

use super::Collected;

/// How long a domain's findings are reused: long enough to absorb repeated requests, short
/// enough that a fixed server shows within minutes.
pub const TIME_TO_LIVE: Duration = Duration::from_secs(10 * 60);

/// The most the cache may weigh, in (approximate) bytes of kept text. One discovery weighs a
/// few KB, at most about 170 KB (40 candidates with 4 KB of evidence each).
pub const MAX_WEIGHT: u64 = 32 * 1024 * 1024;

/// Recent discoveries, shared by every request of one relay (clones share the same memory).
#[derive(Clone)]
pub struct DiscoveryCache {
    entries: moka::sync::Cache<Key, Arc<Entry>>,
}

impl std::fmt::Debug for DiscoveryCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DiscoveryCache")
            .field("entries", &self.entries.entry_count())
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
}

struct Entry {
    findings: Collected,
    /// The only address these findings hold for, when host names were built from it.
    address: Option<String>,
}

impl Default for DiscoveryCache {
    fn default() -> DiscoveryCache {
        DiscoveryCache::new(TIME_TO_LIVE, MAX_WEIGHT)
    }
}

impl DiscoveryCache {
    pub fn new(time_to_live: Duration, max_weight: u64) -> DiscoveryCache {
        DiscoveryCache {
            entries: moka::sync::Cache::builder()
                .time_to_live(time_to_live)
                .max_capacity(max_weight)
                .weigher(|k: &Key, e: &Arc<Entry>| weight(k, e))
                .build(),
        }
    }

    /// The findings kept for `key`, when they hold for `email`.
    pub(super) fn get(&self, key: &Key, email: &str) -> Option<Collected> {
        let entry = self.entries.get(key)?;
        match &entry.address {
            Some(only) if !only.eq_ignore_ascii_case(email) => None,
            _ => {
                tracing::debug!(domain = %key.domain, "discovery from the cache");
                Some(entry.findings.clone())
            }
        }
    }

    /// Keeps the `findings` a discovery for `email` made.
    pub(super) fn insert(&self, key: Key, findings: Collected, email: &str) {
        let address = findings.hosts_use_local_part.then(|| email.to_owned());
        self.entries
            .insert(key, Arc::new(Entry { findings, address }));
    }

    /// How many domains are kept (after pending evictions).
    pub fn len(&self) -> u64 {
        self.entries.run_pending_tasks();
        self.entries.entry_count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
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

    #[test]
    fn findings_serve_the_domain_and_the_login_name_follows_the_address() {
        let cache = DiscoveryCache::default();
        let key = Key::new("example.com", false, None);
        assert!(cache.get(&key, "jo@example.com").is_none());
        cache.insert(
            key.clone(),
            findings("imap.example.com", false),
            "jo@example.com",
        );
        let other = cache
            .get(&key, "ola@example.com")
            .expect("kept for the domain");
        assert_eq!(other.candidates[0].host, "imap.example.com");
        assert_eq!(
            other.username_for("ola@example.com").as_deref(),
            Some("ola")
        );
        // Offline findings, or other stored settings, are another key.
        assert!(cache
            .get(&Key::new("example.com", true, None), "jo@example.com")
            .is_none());
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn hosts_built_from_the_local_part_hold_for_that_address_only() {
        let cache = DiscoveryCache::default();
        let key = Key::new("example.com", false, None);
        cache.insert(
            key.clone(),
            findings("jo.imap.example.com", true),
            "jo@example.com",
        );
        assert!(cache.get(&key, "jo@example.com").is_some());
        assert!(cache.get(&key, "Jo@Example.com").is_some());
        assert!(cache.get(&key, "ola@example.com").is_none());
    }

    #[test]
    fn entries_expire() {
        let cache = DiscoveryCache::new(Duration::from_millis(50), MAX_WEIGHT);
        let key = Key::new("example.com", false, None);
        cache.insert(
            key.clone(),
            findings("imap.example.com", false),
            "jo@example.com",
        );
        assert!(cache.get(&key, "jo@example.com").is_some());
        std::thread::sleep(Duration::from_millis(120));
        assert!(cache.get(&key, "jo@example.com").is_none());
    }

    #[test]
    fn the_weight_is_bounded() {
        let cache = DiscoveryCache::new(TIME_TO_LIVE, 20_000);
        for n in 0..200 {
            let key = Key::new(&format!("d{n}.example"), false, None);
            cache.insert(key, findings(&"x".repeat(200), false), "jo@example.com");
        }
        let kept = cache.len();
        assert!(kept > 0 && kept < 200, "{kept}");
    }
}
