//! Not a credential oracle: every run says exactly whether a login is right, so the relay
//! counts refused logins per account (server host and username) and per server host, whoever
//! the clients are. Past a quota, runs for that account or host are refused until the quota
//! has refilled — a guessing loop spread over many client addresses meets the same limit as
//! one client.
//!
//! Both counts are a [`Lockout`]: `failed_logins_per_account` (per host) failures at once, then
//! one more per `login_window_secs / failed_logins_per_account` — a back-off: once over, each
//! further guess waits a full interval. The tables are bounded; when they are full of keys
//! still counting, a new key's failure goes uncounted and is logged (every failure takes a
//! whole run, which the per-client limits already meter).
//!
//! With several relays on one PostgreSQL, a guessing loop spread over them must meet one limit:
//! there the counts live in the database ([`DomainStore::count_failure`], the same GCRA, keyed
//! by SHA-256 so the table names no one). Should the database not answer, each relay counts on
//! its own meanwhile, which still bounds the guesses to the limit per relay.

use std::time::Duration;

use inbox_doctor_errors::{Category, DiagnosisRequest, ErrorCode, Failure, Side, StepId};

use super::lockout::Lockout;
use crate::config::Limits;
use crate::domains::{digest, DomainStore};

/// Keys each table remembers at most.
const MAX_KEYS: usize = 100_000;

/// How long an account and its server stay locked, if they are.
type Waits = (Option<Duration>, Option<Duration>);

/// An account on a server: what a guessing loop aims at.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Account {
    host: String,
    username: String,
}

pub struct Targets {
    accounts: Lockout<Account>,
    hosts: Lockout<String>,
    /// The database the relays share, when they do.
    shared: Option<Shared>,
}

/// The counts in the database, with the quotas they are held to.
struct Shared {
    store: DomainStore,
    account: Quota,
    host: Quota,
}

/// `burst` failures at once, then one per `interval`.
#[derive(Clone, Copy)]
struct Quota {
    burst: u32,
    interval: Duration,
}

impl Quota {
    fn new(burst: u32, window: Duration) -> Quota {
        let burst = burst.max(1);
        Quota {
            burst,
            interval: (window / burst).max(Duration::from_millis(1)),
        }
    }

    /// How long a key whose count is `ahead` of now stays locked: none while it has failures
    /// left (as [`Lockout`] says it).
    fn locked_for(self, ahead: Duration) -> Option<Duration> {
        let allowance = self.interval * (self.burst - 1);
        (ahead > allowance).then(|| ahead - allowance)
    }
}

/// Why a run may not start now, and for how long.
#[derive(Debug, PartialEq, Eq)]
pub struct Blocked {
    pub code: ErrorCode,
    pub side: Side,
    pub wait: Duration,
}

impl Targets {
    /// Counts in memory, or in `shared`, the database relays share.
    pub fn new(limits: &Limits, shared: Option<DomainStore>) -> Targets {
        let window = Duration::from_secs(limits.login_window_secs);
        Targets {
            accounts: Lockout::new(limits.failed_logins_per_account, window, MAX_KEYS),
            hosts: Lockout::new(limits.failed_logins_per_host, window, MAX_KEYS),
            shared: shared.map(|store| Shared {
                store,
                account: Quota::new(limits.failed_logins_per_account, window),
                host: Quota::new(limits.failed_logins_per_host, window),
            }),
        }
    }

    /// Whether `req` may run now: neither login's account nor server is blocked.
    pub async fn admit(&self, req: &DiagnosisRequest) -> Result<(), Blocked> {
        let accounts = [Side::Imap, Side::Smtp].map(|side| (side, account(req, side)));
        let shared = self.shared_waits(&accounts).await;
        for (i, (side, account)) in accounts.into_iter().enumerate() {
            let (account_wait, host_wait) = match &shared {
                Some(waits) => waits[i],
                None => (
                    self.accounts.locked_for(&account),
                    self.hosts.locked_for(&account.host),
                ),
            };
            if let Some(wait) = account_wait {
                let code = ErrorCode::AccountRateLimited;
                return Err(Blocked { code, side, wait });
            }
            if let Some(wait) = host_wait {
                let code = ErrorCode::TargetRateLimited;
                return Err(Blocked { code, side, wait });
            }
        }
        Ok(())
    }

    /// How long each side's account and server stay locked by the shared counts (one query
    /// for both sides); `None` when there are none or the database did not answer.
    async fn shared_waits(&self, accounts: &[(Side, Account); 2]) -> Option<[Waits; 2]> {
        let shared = self.shared.as_ref()?;
        let keys = accounts
            .each_ref()
            .map(|(_, a)| [a.key(), host_key(&a.host)]);
        let mut all: Vec<&str> = keys.iter().flatten().map(String::as_str).collect();
        all.sort_unstable();
        all.dedup();
        match shared.store.failures_ahead(&all).await {
            Ok(ahead) => {
                // A time in the past is a count back at zero.
                let ahead_of = |key: &str| {
                    let ms = ahead.get(key).copied().unwrap_or(0);
                    Duration::from_millis(u64::try_from(ms).unwrap_or(0))
                };
                Some(keys.each_ref().map(|[account, host]| {
                    (
                        shared.account.locked_for(ahead_of(account)),
                        shared.host.locked_for(ahead_of(host)),
                    )
                }))
            }
            Err(e) => {
                tracing::warn!(error = %e, "the shared login counts did not answer; counting here");
                None
            }
        }
    }

    /// Counts the logins a run's `failures` show refused, once per account (IMAP and SMTP
    /// often log in to one account on one host: one guess, not two); returns how many.
    pub async fn record(&self, req: &DiagnosisRequest, failures: &[Failure]) -> usize {
        let mut refused: Vec<Account> = failures
            .iter()
            .filter(|f| matches!(f.step, StepId::ImapLogin | StepId::SmtpLogin))
            .filter(|f| credentials_refused(f.category))
            .map(|f| account(req, f.step.side()))
            .collect();
        refused.dedup();
        for account in &refused {
            if self.count_shared(account).await {
                continue;
            }
            if self.hosts.failed(&account.host).is_err() || self.accounts.failed(account).is_err() {
                tracing::warn!("the failed-login tables are full; a refused login went uncounted");
            }
        }
        refused.len()
    }

    /// Counts a refused login of `account` in the shared database; `false` when there is none
    /// or it did not answer.
    async fn count_shared(&self, account: &Account) -> bool {
        let Some(shared) = &self.shared else {
            return false;
        };
        let ms = |q: Quota| i64::try_from(q.interval.as_millis()).unwrap_or(i64::MAX);
        let counted = async {
            shared
                .store
                .count_failure(&host_key(&account.host), ms(shared.host))
                .await?;
            shared
                .store
                .count_failure(&account.key(), ms(shared.account))
                .await
        };
        match counted.await {
            Ok(_) => true,
            Err(e) => {
                tracing::warn!(error = %e, "the shared login counts did not answer; counting here");
                false
            }
        }
    }
}

impl Account {
    /// The account's key in the shared table: a digest, not the username.
    fn key(&self) -> String {
        digest(&["account", &self.host, &self.username])
    }
}

fn host_key(host: &str) -> String {
    digest(&["host", host])
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

    #[tokio::test]
    async fn an_account_is_refused_after_its_failures_whoever_asks() {
        let t = Targets::new(&limits(3, 100), None);
        let req = request("alice", "mail.example.com");
        for _ in 0..3 {
            t.admit(&req).await.unwrap();
            assert_eq!(t.record(&req, &refused_login()).await, 1);
        }
        let blocked = t.admit(&req).await.unwrap_err();
        assert_eq!(blocked.code, ErrorCode::AccountRateLimited);
        assert!(blocked.wait > Duration::from_secs(100), "{blocked:?}");
        // Case and a trailing dot do not make another account.
        assert!(t
            .admit(&request("ALICE", "Mail.Example.com."))
            .await
            .is_err());
        // Another account on the same server is not refused.
        t.admit(&request("bob", "mail.example.com")).await.unwrap();
    }

    #[tokio::test]
    async fn a_server_is_refused_after_failures_across_its_accounts() {
        let t = Targets::new(&limits(100, 4), None);
        for user in ["a", "b", "c", "d"] {
            let req = request(user, "mail.example.com");
            t.admit(&req).await.unwrap();
            t.record(&req, &refused_login()).await;
        }
        let blocked = t
            .admit(&request("e", "mail.example.com"))
            .await
            .unwrap_err();
        assert_eq!(blocked.code, ErrorCode::TargetRateLimited);
        t.admit(&request("e", "other.example.com")).await.unwrap();
    }

    #[tokio::test]
    async fn one_account_refused_on_both_sides_counts_once() {
        let t = Targets::new(&limits(3, 100), None);
        let req = request("alice", "mail.example.com");
        let mut both = refused_login();
        both.push(Failure {
            step: StepId::SmtpLogin,
            ..both[0].clone()
        });
        assert_eq!(t.record(&req, &both).await, 1);
    }

    #[tokio::test]
    async fn passed_runs_and_broken_connections_count_nothing() {
        let t = Targets::new(&limits(2, 2), None);
        let req = request("alice", "mail.example.com");
        let mut broken = refused_login();
        broken[0].category = Category::ImapSettingsIncorrect;
        broken[0].cause = inbox_doctor_errors::Cause::ConnectionClosed;
        for _ in 0..5 {
            assert_eq!(t.record(&req, &broken).await, 0);
        }
        t.admit(&req).await.unwrap();
    }
}
