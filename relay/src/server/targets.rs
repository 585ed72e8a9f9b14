//! Not a credential oracle: every run says exactly whether a login is right, so the relay
//! counts refused logins per account (server host and username) and per server host, whoever
//! the clients are. Past a quota, runs for that account or host are refused until the quota
//! has refilled — a guessing loop spread over many client addresses meets the same limit as
//! one client.
//!
//! The quotas are `governor`'s keyed limiters (GCRA): `failed_logins_per_account` at once, then
//! one more per `login_window_secs / failed_logins_per_account`. That refill is the back-off:
//! once over, each further failure waits a full interval. A refused failure marks the key
//! blocked until the limiter would admit it again; runs check the marks, which live in
//! bounded caches, so a flood of made-up names cannot grow memory.

use std::hash::Hash;
use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use inbox_doctor_errors::{Category, DiagnosisRequest, ErrorCode, Failure, Side, StepId};

use crate::config::Limits;

/// Keys each table remembers at most.
const MAX_KEYS: u64 = 100_000;

/// An account on a server: what a guessing loop aims at.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Account {
    host: String,
    username: String,
}

/// Failed logins counted by key, and the keys blocked for now.
struct Tally<K: Clone + Eq + Hash + Send + Sync + 'static> {
    failures: DefaultKeyedRateLimiter<K>,
    blocked: moka::sync::Cache<K, Instant>,
}

impl<K: Clone + Eq + Hash + Send + Sync + 'static> Tally<K> {
    /// `per_window` failures block the key: the limiter admits one fewer (the failure it
    /// refuses is the one that sets the block), refilling one per `window / per_window`.
    fn new(per_window: u32, window: Duration) -> Self {
        let per_window = per_window.max(2);
        let burst = NonZeroU32::new(per_window - 1).unwrap_or(NonZeroU32::MIN);
        let interval = (window / per_window).max(Duration::from_millis(1));
        let quota = Quota::with_period(interval)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst);
        Tally {
            failures: RateLimiter::keyed(quota),
            // A mark is never needed longer than one refill interval.
            blocked: moka::sync::Cache::builder()
                .max_capacity(MAX_KEYS)
                .time_to_live(interval)
                .build(),
        }
    }

    /// How long `key` stays refused, if it is.
    fn blocked_for(&self, key: &K) -> Option<Duration> {
        let until = self.blocked.get(key)?;
        until.checked_duration_since(Instant::now())
    }

    /// Counts a failed login; the key is blocked once over its quota.
    fn failed(&self, key: K) {
        if self.failures.len() >= MAX_KEYS as usize {
            self.failures.retain_recent();
        }
        if let Err(not_until) = self.failures.check_key(&key) {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            self.blocked.insert(key, Instant::now() + wait);
        }
    }
}

pub struct Targets {
    accounts: Tally<Account>,
    hosts: Tally<String>,
}

/// Why a run may not start now, and for how long.
#[derive(Debug, PartialEq, Eq)]
pub struct Blocked {
    pub code: ErrorCode,
    pub side: Side,
    pub wait: Duration,
}

impl Targets {
    pub fn new(limits: &Limits) -> Targets {
        let window = Duration::from_secs(limits.login_window_secs);
        Targets {
            accounts: Tally::new(limits.failed_logins_per_account, window),
            hosts: Tally::new(limits.failed_logins_per_host, window),
        }
    }

    /// Whether `req` may run now: neither login's account nor server is blocked.
    pub fn admit(&self, req: &DiagnosisRequest) -> Result<(), Blocked> {
        for side in [Side::Imap, Side::Smtp] {
            let account = account(req, side);
            if let Some(wait) = self.accounts.blocked_for(&account) {
                let code = ErrorCode::AccountRateLimited;
                return Err(Blocked { code, side, wait });
            }
            if let Some(wait) = self.hosts.blocked_for(&account.host) {
                let code = ErrorCode::TargetRateLimited;
                return Err(Blocked { code, side, wait });
            }
        }
        Ok(())
    }

    /// Counts the logins a run's `failures` show refused, once per account (IMAP and SMTP
    /// often log in to one account on one host: one guess, not two); returns how many.
    pub fn record(&self, req: &DiagnosisRequest, failures: &[Failure]) -> usize {
        let mut refused: Vec<Account> = failures
            .iter()
            .filter(|f| matches!(f.step, StepId::ImapLogin | StepId::SmtpLogin))
            .filter(|f| credentials_refused(f.category))
            .map(|f| account(req, f.step.side()))
            .collect();
        refused.dedup();
        for account in &refused {
            self.hosts.failed(account.host.clone());
            self.accounts.failed(account.clone());
        }
        refused.len()
    }
}

/// The categories of a login the server refused for the credentials (as opposed to a
/// connection that broke during it).
fn credentials_refused(category: Category) -> bool {
    matches!(
        category,
        Category::Unauthorized
            | Category::UnauthorizedAppPasswordRequired
            | Category::ImapAuthenticationError
    )
}

/// Host and login name, compared without case (so case cannot split a count) and without a
/// trailing dot.
fn account(req: &DiagnosisRequest, side: Side) -> Account {
    let server = req.server(side);
    Account {
        host: server.host.trim_end_matches('.').to_ascii_lowercase(),
        username: req.username(side).to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use inbox_doctor_errors::{Secret, Security, ServerSettings};

    fn request(user: &str, host: &str) -> DiagnosisRequest {
        let server = |port| ServerSettings {
            host: host.into(),
            port,
            security: Security::Tls,
        };
        let email = format!("{user}@example.com");
        DiagnosisRequest::new(email, Secret::new("guess"), server(993), server(465))
    }

    fn refused_login() -> Vec<Failure> {
        vec![Failure {
            category: Category::Unauthorized,
            cause: inbox_doctor_errors::Cause::InvalidCredentials,
            step: StepId::ImapLogin,
            server_reply: None,
            detail: None,
            title: String::new(),
            explanation: String::new(),
            remediation: Vec::new(),
            entered: None,
            alternative: None,
            provider: None,
        }]
    }

    fn limits(per_account: u32, per_host: u32) -> Limits {
        Limits {
            failed_logins_per_account: per_account,
            failed_logins_per_host: per_host,
            login_window_secs: 600,
            ..Limits::default()
        }
    }

    #[test]
    fn an_account_is_refused_after_its_failures_whoever_asks() {
        let t = Targets::new(&limits(3, 100));
        let req = request("alice", "mail.example.com");
        for _ in 0..3 {
            t.admit(&req).unwrap();
            assert_eq!(t.record(&req, &refused_login()), 1);
        }
        let blocked = t.admit(&req).unwrap_err();
        assert_eq!(blocked.code, ErrorCode::AccountRateLimited);
        assert!(blocked.wait > Duration::from_secs(100), "{blocked:?}");
        // Case and a trailing dot do not make another account.
        assert!(t.admit(&request("ALICE", "Mail.Example.com.")).is_err());
        // Another account on the same server is not refused.
        t.admit(&request("bob", "mail.example.com")).unwrap();
    }

    #[test]
    fn a_server_is_refused_after_failures_across_its_accounts() {
        let t = Targets::new(&limits(100, 4));
        for user in ["a", "b", "c", "d"] {
            let req = request(user, "mail.example.com");
            t.admit(&req).unwrap();
            t.record(&req, &refused_login());
        }
        let blocked = t.admit(&request("e", "mail.example.com")).unwrap_err();
        assert_eq!(blocked.code, ErrorCode::TargetRateLimited);
        t.admit(&request("e", "other.example.com")).unwrap();
    }

    #[test]
    fn one_account_refused_on_both_sides_counts_once() {
        let t = Targets::new(&limits(3, 100));
        let req = request("alice", "mail.example.com");
        let mut both = refused_login();
        both.push(Failure {
            step: StepId::SmtpLogin,
            ..both[0].clone()
        });
        assert_eq!(t.record(&req, &both), 1);
    }

    #[test]
    fn passed_runs_and_broken_connections_count_nothing() {
        let t = Targets::new(&limits(2, 2));
        let req = request("alice", "mail.example.com");
        let mut broken = refused_login();
        broken[0].category = Category::ImapSettingsIncorrect;
        broken[0].cause = inbox_doctor_errors::Cause::ConnectionClosed;
        for _ in 0..5 {
            assert_eq!(t.record(&req, &broken), 0);
        }
        t.admit(&req).unwrap();
    }
}
