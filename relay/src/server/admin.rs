//! The door to domain-setting changes: a named admin token, and a client that keeps guessing
//! is shut out before its token is even looked at.
//!
//! Failures (a wrong or missing token) are counted per client with `governor`'s keyed limiter:
//! `domains.max_failed_admin_attempts` at once, then one more each ten minutes / that number.
//! A client that has used them all is *locked out* until its next one is due: its requests are
//! refused (429) without hashing or comparing what it sent. governor cannot tell how much a
//! key has left without taking from it, so the lockouts are a small table of their own, holding
//! a client only while it is locked out. Both tables are bounded: when either is full of
//! clients still failing, admin requests from clients it has no room for are refused as busy
//! rather than let the tables grow (the command line still works; and a token is 256 random
//! bits, so being shut out costs an attacker nothing it could have won).

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::clock::Clock;
use governor::middleware::StateInformationMiddleware;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::client::ClientKey;
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
    failures: DefaultKeyedRateLimiter<ClientKey, StateInformationMiddleware>,
    /// Clients out of attempts, and when their next one is due.
    locked: Mutex<HashMap<ClientKey, Instant>>,
    /// Time between two attempts once the allowance is used up.
    interval: Duration,
}

impl AdminGate {
    pub fn new(tokens: AdminTokens, max_failures: u32) -> AdminGate {
        let burst = NonZeroU32::new(max_failures).unwrap_or(NonZeroU32::MIN);
        let interval = FAILURE_WINDOW / burst.get();
        let quota = Quota::with_period(interval)
            .unwrap_or_else(|| Quota::per_minute(NonZeroU32::MIN))
            .allow_burst(burst);
        AdminGate {
            tokens,
            failures: RateLimiter::keyed(quota).with_middleware::<StateInformationMiddleware>(),
            locked: Mutex::new(HashMap::new()),
            interval,
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
        if let Some(retry_after) = self.locked_for(client) {
            return Err(Refusal::LockedOut { retry_after });
        }
        if let Some(name) = presented.and_then(|token| self.tokens.holder(token)) {
            return Ok(name);
        }
        self.count_failure(client)?;
        Err(Refusal::Unauthorized {
            missing: presented.is_none(),
        })
    }

    /// How long `client` stays locked out, if it is.
    fn locked_for(&self, client: ClientKey) -> Option<Duration> {
        let mut locked = self.locked.lock().unwrap_or_else(|e| e.into_inner());
        let until = *locked.get(&client)?;
        let now = Instant::now();
        if until > now {
            Some(until - now)
        } else {
            locked.remove(&client);
            None
        }
    }

    /// Counts a failure; locks `client` out when it was its last allowed one.
    fn count_failure(&self, client: ClientKey) -> Result<(), Refusal> {
        if self.failures.len() >= MAX_TRACKED_CLIENTS {
            self.failures.retain_recent();
            if self.failures.len() >= MAX_TRACKED_CLIENTS {
                return Err(Refusal::Busy);
            }
        }
        let next_allowed = match self.failures.check_key(&client) {
            Ok(state) if state.remaining_burst_capacity() > 0 => return Ok(()),
            // That was the last one: the next is due when a new one has accrued.
            Ok(_) => self.interval,
            // Two requests raced past the lockout check; this one is over the count.
            Err(not_until) => not_until.wait_time_from(self.failures.clock().now()),
        };
        let mut locked = self.locked.lock().unwrap_or_else(|e| e.into_inner());
        if locked.len() >= MAX_TRACKED_CLIENTS {
            let now = Instant::now();
            locked.retain(|_, until| *until > now);
            if locked.len() >= MAX_TRACKED_CLIENTS {
                return Err(Refusal::Busy);
            }
        }
        locked.insert(client, Instant::now() + next_allowed);
        Ok(())
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
