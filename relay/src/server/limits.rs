//! How much of the relay one client may use: diagnoses at once and per minute, open sockets;
//! and the relay-wide caps on both.
//!
//! The per-minute rate is `governor`'s keyed limiter (GCRA: `runs_per_minute` at once, then one
//! more every `60 / runs_per_minute` seconds). Its table is bounded: past
//! [`MAX_TRACKED_CLIENTS`] the idle entries go, and if the clients are all active, new ones
//! are refused as "busy" rather than growing it. The running counts hold an entry only while
//! it is non-zero, so the relay-wide caps bound them. Admitting is a few hash operations.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use inbox_doctor_errors::ErrorCode;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::client::ClientKey;
use crate::config::Limits;

/// Clients whose rate the limiter remembers at most.
pub const MAX_TRACKED_CLIENTS: usize = 100_000;

pub struct Limiter {
    limits: Limits,
    starts: DefaultKeyedRateLimiter<ClientKey>,
    /// Sign-ins' code exchanges (a request to a provider each), at the runs' rate but counted
    /// apart: a sign-in and the run it is for do not halve a client's runs.
    signins: DefaultKeyedRateLimiter<ClientKey>,
    runs: Counts,
    sockets: Counts,
    global_runs: Arc<Semaphore>,
    global_sockets: Arc<Semaphore>,
}

/// How many of something each client holds now; a client with none has no entry.
#[derive(Default)]
struct Counts(Mutex<HashMap<ClientKey, usize>>);

impl Counts {
    /// Takes one for `client` when it holds fewer than `most`.
    fn take(&self, client: ClientKey, most: usize) -> bool {
        let mut held = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let n = held.entry(client).or_default();
        if *n >= most {
            return false;
        }
        *n += 1;
        true
    }

    fn give_back(&self, client: ClientKey) {
        let mut held = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = held.get_mut(&client) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                held.remove(&client);
            }
        }
    }

    fn clients(&self) -> usize {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

/// Held while a diagnosis runs; frees its places when dropped.
pub struct RunPermit {
    limiter: Arc<Limiter>,
    client: ClientKey,
    _global: OwnedSemaphorePermit,
}

impl Drop for RunPermit {
    fn drop(&mut self) {
        self.limiter.runs.give_back(self.client);
    }
}

/// Held while a WebSocket is open.
pub struct SocketPermit {
    limiter: Arc<Limiter>,
    client: ClientKey,
    _global: OwnedSemaphorePermit,
}

impl Drop for SocketPermit {
    fn drop(&mut self) {
        self.limiter.sockets.give_back(self.client);
    }
}

impl Limiter {
    pub fn new(limits: Limits) -> Arc<Limiter> {
        let per_minute = NonZeroU32::new(limits.runs_per_minute).unwrap_or(NonZeroU32::MIN);
        Arc::new(Limiter {
            starts: RateLimiter::keyed(Quota::per_minute(per_minute)),
            signins: RateLimiter::keyed(Quota::per_minute(per_minute)),
            runs: Counts::default(),
            sockets: Counts::default(),
            global_runs: Arc::new(Semaphore::new(limits.max_runs)),
            global_sockets: Arc::new(Semaphore::new(limits.max_sockets)),
            limits,
        })
    }

    /// A place for one more diagnosis from `client`, or the reason there is none.
    pub fn admit(self: &Arc<Self>, client: ClientKey) -> Result<RunPermit, ErrorCode> {
        let global = self
            .global_runs
            .clone()
            .try_acquire_owned()
            .map_err(|_| ErrorCode::Busy)?;
        if !self.runs.take(client, self.limits.max_runs_per_client) {
            return Err(ErrorCode::TooManyRuns);
        }
        // From here on, dropping the permit gives the place back.
        let permit = RunPermit {
            limiter: self.clone(),
            client,
            _global: global,
        };
        if self.starts.len() >= MAX_TRACKED_CLIENTS {
            self.starts.retain_recent();
            if self.starts.len() >= MAX_TRACKED_CLIENTS {
                return Err(ErrorCode::Busy);
            }
        }
        self.starts
            .check_key(&client)
            .map_err(|_| ErrorCode::RateLimited)?;
        Ok(permit)
    }

    /// Whether `client` may exchange one more sign-in's code now.
    pub fn admit_signin(&self, client: ClientKey) -> Result<(), ErrorCode> {
        if self.signins.len() >= MAX_TRACKED_CLIENTS {
            self.signins.retain_recent();
            if self.signins.len() >= MAX_TRACKED_CLIENTS {
                return Err(ErrorCode::Busy);
            }
        }
        self.signins
            .check_key(&client)
            .map_err(|_| ErrorCode::RateLimited)
    }

    /// A place for one more open socket from `client`.
    pub fn open_socket(self: &Arc<Self>, client: ClientKey) -> Result<SocketPermit, ErrorCode> {
        let global = self
            .global_sockets
            .clone()
            .try_acquire_owned()
            .map_err(|_| ErrorCode::Busy)?;
        if !self
            .sockets
            .take(client, self.limits.max_sockets_per_client)
        {
            return Err(ErrorCode::TooManySockets);
        }
        Ok(SocketPermit {
            limiter: self.clone(),
            client,
            _global: global,
        })
    }

    /// Diagnoses running now.
    pub fn running(&self) -> usize {
        self.limits.max_runs - self.global_runs.available_permits()
    }

    /// Entries in the limiter's tables now (for tests and metrics).
    pub fn tracked(&self) -> usize {
        self.starts.len() + self.signins.len() + self.runs.clients() + self.sockets.clients()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(s: &str) -> ClientKey {
        ClientKey::from_ip(s.parse().unwrap(), 64)
    }

    #[test]
    fn per_client_and_global_limits() {
        let limiter = Limiter::new(Limits {
            max_runs: 3,
            max_runs_per_client: 2,
            runs_per_minute: 3,
            ..Limits::default()
        });
        let (a, b) = (client("192.0.2.1"), client("192.0.2.2"));
        let p1 = limiter.admit(a).unwrap();
        let _p2 = limiter.admit(a).unwrap();
        assert_eq!(limiter.admit(a).err(), Some(ErrorCode::TooManyRuns));
        drop(p1);
        let _p3 = limiter.admit(a).unwrap();
        // a has used its three starts of this minute (and holds two places).
        assert_eq!(limiter.admit(a).err(), Some(ErrorCode::TooManyRuns));
        let _p4 = limiter.admit(b).unwrap();
        assert_eq!(limiter.admit(b).err(), Some(ErrorCode::Busy));
        assert_eq!(limiter.running(), 3);
    }

    #[test]
    fn the_rate_holds_after_runs_end() {
        let limiter = Limiter::new(Limits {
            runs_per_minute: 2,
            ..Limits::default()
        });
        let a = client("192.0.2.1");
        drop(limiter.admit(a).unwrap());
        drop(limiter.admit(a).unwrap());
        assert_eq!(limiter.admit(a).err(), Some(ErrorCode::RateLimited));
        // A refusal holds no place.
        assert_eq!(limiter.running(), 0);
        // Another address of the same IPv6 /64 is the same client.
        let v6 = Limiter::new(Limits {
            runs_per_minute: 1,
            ..Limits::default()
        });
        drop(v6.admit(client("2001:db8::1")).unwrap());
        assert_eq!(
            v6.admit(client("2001:db8::2")).err(),
            Some(ErrorCode::RateLimited)
        );
    }

    #[test]
    fn sockets_are_capped_per_client_and_in_all() {
        let limiter = Limiter::new(Limits {
            max_sockets: 3,
            max_sockets_per_client: 2,
            ..Limits::default()
        });
        let (a, b) = (client("192.0.2.1"), client("192.0.2.2"));
        let s1 = limiter.open_socket(a).unwrap();
        let _s2 = limiter.open_socket(a).unwrap();
        assert_eq!(
            limiter.open_socket(a).err(),
            Some(ErrorCode::TooManySockets)
        );
        let _s3 = limiter.open_socket(b).unwrap();
        assert_eq!(limiter.open_socket(b).err(), Some(ErrorCode::Busy));
        drop(s1);
        let _s4 = limiter.open_socket(a).unwrap();
    }

    #[test]
    fn the_tables_forget_what_is_over() {
        let limiter = Limiter::new(Limits::default());
        for i in 0..1000u32 {
            let ip = std::net::Ipv4Addr::from(0xC000_0200 + i);
            drop(limiter.admit(ClientKey::from_ip(ip.into(), 64)).unwrap());
            drop(
                limiter
                    .open_socket(ClientKey::from_ip(ip.into(), 64))
                    .unwrap(),
            );
        }
        // Only the rate remembers them (until they are idle); the counts are empty.
        assert_eq!(limiter.tracked(), 1000);
    }
}
