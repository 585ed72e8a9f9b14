//! The door to domain-setting changes: a named admin token, and a client that keeps guessing
//! is shut out before its token is even looked at.
//!
//! Failures (a wrong or missing token) are counted per client ([`Lockout`]):
//! `domains.max_failed_admin_attempts` at once, then one more each ten minutes / that number.
//! A client that has used them all is *locked out* until its next one is due: its requests are
//! refused (429) without hashing or comparing what it sent. When the tables are full of
//! clients still failing, admin requests from clients they have no room for are refused as busy
//! (the command line still works; and a token is 256 random bits, so being shut out costs an
//! attacker nothing it could have won).

use std::time::Duration;

use super::client::ClientKey;
use super::lockout::Lockout;
use crate::config::admin_tokens::{AdminTokens, FAILURE_WINDOW};

/// Clients whose failures the gate remembers at most (each table).
pub const MAX_TRACKED_CLIENTS: usize = 10_000;

/// Why an admin request was not let through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No admin token is configured: domain settings are read-only here.
    ReadOnly,
    /// No token, or one that is not any holder's.
    Unauthorized { missing: bool },
    /// Too many failures from this client lately; try again after this long.
    LockedOut { retry_after: Duration },
    /// The failure tables are full.
    Busy,
}

pub struct AdminGate {
    tokens: AdminTokens,
    failures: Lockout<ClientKey>,
}

impl AdminGate {
    pub fn new(tokens: AdminTokens, max_failures: u32) -> AdminGate {
        AdminGate {
            tokens,
            failures: Lockout::new(max_failures, FAILURE_WINDOW, MAX_TRACKED_CLIENTS),
        }
    }

    /// Whether changes can be made at all.
    pub fn writable(&self) -> bool {
        !self.tokens.is_empty()
    }

    /// The name of the token `presented` by `client`, or why it is refused. A locked-out
    /// client's token is not looked at.
    pub fn admit(&self, client: ClientKey, presented: Option<&str>) -> Result<&str, Refusal> {
        if self.tokens.is_empty() {
            return Err(Refusal::ReadOnly);
        }
        if let Some(retry_after) = self.failures.locked_for(&client) {
            return Err(Refusal::LockedOut { retry_after });
        }
        if let Some(name) = presented.and_then(|token| self.tokens.holder(token)) {
            return Ok(name);
        }
        self.failures.failed(&client).map_err(|_| Refusal::Busy)?;
        Err(Refusal::Unauthorized {
            missing: presented.is_none(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::admin_tokens::{AdminTokenEntry, TokenHash};
    use crate::config::DomainsConfig;

    fn gate(max_failures: u32) -> AdminGate {
        let config = DomainsConfig {
            admin_tokens: vec![AdminTokenEntry {
                name: "helpdesk".into(),
                sha256: TokenHash::of("the-right-token-0123456789").to_hex(),
            }],
            ..DomainsConfig::default()
        };
        AdminGate::new(AdminTokens::from_config(&config).unwrap(), max_failures)
    }

    fn client(s: &str) -> ClientKey {
        ClientKey::from_ip(s.parse().unwrap(), 64)
    }

    #[test]
    fn a_client_out_of_attempts_is_refused_even_with_the_right_token() {
        let gate = gate(3);
        let (a, b) = (client("192.0.2.1"), client("192.0.2.2"));
        assert_eq!(
            gate.admit(a, None),
            Err(Refusal::Unauthorized { missing: true })
        );
        for _ in 0..2 {
            assert_eq!(
                gate.admit(a, Some("a-wrong-guess")),
                Err(Refusal::Unauthorized { missing: false })
            );
        }
        let Err(Refusal::LockedOut { retry_after }) =
            gate.admit(a, Some("the-right-token-0123456789"))
        else {
            panic!("not locked out");
        };
        // Three per ten minutes: the next one is due in about 200 s.
        assert!(
            retry_after > Duration::from_secs(190) && retry_after <= Duration::from_secs(200),
            "{retry_after:?}"
        );
        // Another client is not affected.
        assert_eq!(
            gate.admit(b, Some("the-right-token-0123456789")),
            Ok("helpdesk")
        );
    }

    #[test]
    fn successes_cost_nothing() {
        let gate = gate(1);
        let a = client("2001:db8::1");
        for _ in 0..20 {
            assert_eq!(
                gate.admit(a, Some("the-right-token-0123456789")),
                Ok("helpdesk")
            );
        }
        assert!(gate.admit(a, Some("wrong")).is_err());
        // The same /64 is the same client.
        assert!(matches!(
            gate.admit(client("2001:db8::2"), Some("the-right-token-0123456789")),
            Err(Refusal::LockedOut { .. })
        ));
    }

    #[test]
    fn without_tokens_nothing_is_counted() {
        let gate = AdminGate::new(AdminTokens::default(), 1);
        let a = client("192.0.2.1");
        for _ in 0..3 {
            assert_eq!(gate.admit(a, Some("anything")), Err(Refusal::ReadOnly));
        }
        assert!(!gate.writable());
    }
}
