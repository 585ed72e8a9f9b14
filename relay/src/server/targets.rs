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

use std::time::Duration;

use inbox_doctor_errors::{Category, DiagnosisRequest, ErrorCode, Failure, Side, StepId};

use super::lockout::Lockout;
use crate::config::Limits;

/// Keys each table remembers at most.
const MAX_KEYS: usize = 100_000;

/// An account on a server: what a guessing loop aims at.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Account {
    host: String,
    username: String,
}

pub struct Targets {
    accounts: Lockout<Account>,
    hosts: Lockout<String>,
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
            accounts: Lockout::new(limits.failed_logins_per_account, window, MAX_KEYS),
            hosts: Lockout::new(limits.failed_logins_per_host, window, MAX_KEYS),
        }
    }

    /// Whether `req` may run now: neither login's account nor server is blocked.
    pub fn admit(&self, req: &DiagnosisRequest) -> Result<(), Blocked> {
        for side in [Side::Imap, Side::Smtp] {
            let account = account(req, side);
            if let Some(wait) = self.accounts.locked_for(&account) {
                let code = ErrorCode::AccountRateLimited;
                return Err(Blocked { code, side, wait });
            }
            if let Some(wait) = self.hosts.locked_for(&account.host) {
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
            if self.hosts.failed(&account.host).is_err() || self.accounts.failed(account).is_err() {
                tracing::warn!("the failed-login tables are full; a refused login went uncounted");
            }
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
