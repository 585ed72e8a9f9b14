//! Failures counted per key, and keys locked out once they have used them all: the shared
//! mechanism of the admin gate (wrong tokens per client) and the login limits (refused logins
//! per account and per server).
//!
//! The count is `governor`'s keyed limiter (GCRA): `per_window` failures at once, then one
//! more each `window / per_window` — that refill is the back-off. governor cannot tell how
//! much a key has left without taking from it, so the keys out of failures sit in a table of
//! their own, holding a key only while it is locked out; the failure that used the last one
//! locks it (its middleware says what is left). Both tables are bounded: when one is full of
//! keys still counting, a new failure is refused as [`Full`] rather than grow it.

use std::collections::HashMap;
use std::hash::Hash;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::clock::Clock;
use governor::middleware::StateInformationMiddleware;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// The tables have no room for another key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Full;

pub struct Lockout<K: Clone + Eq + Hash> {
    failures: DefaultKeyedRateLimiter<K, StateInformationMiddleware>,
    /// Keys out of failures, and when their next one is due.
    locked: Mutex<HashMap<K, Instant>>,
    /// Time between two failures once the allowance is used up.
    interval: Duration,
    max_keys: usize,
}

impl<K: Clone + Eq + Hash> Lockout<K> {
    pub fn new(per_window: u32, window: Duration, max_keys: usize) -> Lockout<K> {
        let burst = NonZeroU32::new(per_window).unwrap_or(NonZeroU32::MIN);
        let interval = (window / burst.get()).max(Duration::from_millis(1));
        let quota = Quota::with_period(interval)
            .unwrap_or_else(|| Quota::per_minute(NonZeroU32::MIN))
            .allow_burst(burst);
        Lockout {
            failures: RateLimiter::keyed(quota).with_middleware::<StateInformationMiddleware>(),
            locked: Mutex::new(HashMap::new()),
            interval,
            max_keys,
        }
    }

    /// How long `key` stays locked out, if it is.
    pub fn locked_for(&self, key: &K) -> Option<Duration> {
        let mut locked = self.locked.lock().unwrap_or_else(|e| e.into_inner());
        let until = *locked.get(key)?;
        let now = Instant::now();
        if until > now {
            Some(until - now)
        } else {
            locked.remove(key);
            None
        }
    }

    /// Counts a failure of `key`; locks it out when that was its last allowed one.
    pub fn failed(&self, key: &K) -> Result<(), Full> {
        if self.failures.len() >= self.max_keys {
            self.failures.retain_recent();
            if self.failures.len() >= self.max_keys {
                return Err(Full);
            }
        }
        let next_allowed = match self.failures.check_key(key) {
            Ok(state) if state.remaining_burst_capacity() > 0 => return Ok(()),
            // That was the last one: the next is due when a new one has accrued.
            Ok(_) => self.interval,
            // Two failures raced past the lockout check; this one is over the count.
            Err(not_until) => not_until.wait_time_from(self.failures.clock().now()),
        };
        let mut locked = self.locked.lock().unwrap_or_else(|e| e.into_inner());
        if locked.len() >= self.max_keys {
            let now = Instant::now();
            locked.retain(|_, until| *until > now);
            if locked.len() >= self.max_keys {
                return Err(Full);
            }
        }
        locked.insert(key.clone(), Instant::now() + next_allowed);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_allowed_failure_locks_the_key_for_one_interval() {
        let l = Lockout::new(3, Duration::from_secs(300), 10);
        for _ in 0..2 {
            l.failed(&"a").unwrap();
            assert_eq!(l.locked_for(&"a"), None);
        }
        l.failed(&"a").unwrap();
        let wait = l.locked_for(&"a").expect("locked after three");
        assert!(wait > Duration::from_secs(90) && wait <= Duration::from_secs(100));
        assert_eq!(l.locked_for(&"b"), None);
    }

    #[test]
    fn full_tables_refuse_new_keys() {
        let l = Lockout::new(1, Duration::from_secs(300), 2);
        l.failed(&1).unwrap();
        l.failed(&2).unwrap();
        assert_eq!(l.failed(&3), Err(Full));
    }
}
