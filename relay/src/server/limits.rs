//! Per-client rate and concurrency limits and the relay-wide cap on running diagnoses.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use inbox_doctor_errors::ErrorCode;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::config::Limits;

/// Forget idle clients once the table grows past this.
const MAX_TRACKED_CLIENTS: usize = 10_000;

#[derive(Default)]
struct Client {
    starts: VecDeque<Instant>,
    running: usize,
}

pub struct Limiter {
    limits: Limits,
    clients: Mutex<HashMap<IpAddr, Client>>,
    global: Arc<Semaphore>,
}

/// Held while a diagnosis runs; frees its places when dropped.
pub struct RunPermit {
    limiter: Arc<Limiter>,
    client: IpAddr,
    _global: OwnedSemaphorePermit,
}

impl Drop for RunPermit {
    fn drop(&mut self) {
        let mut clients = self
            .limiter
            .clients
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(c) = clients.get_mut(&self.client) {
            c.running = c.running.saturating_sub(1);
        }
    }
}

impl Limiter {
    pub fn new(limits: Limits) -> Arc<Limiter> {
        Arc::new(Limiter {
            global: Arc::new(Semaphore::new(limits.max_runs)),
            limits,
            clients: Mutex::new(HashMap::new()),
        })
    }

    /// A place for one more diagnosis from `client`, or the reason there is none.
    pub fn admit(self: &Arc<Self>, client: IpAddr) -> Result<RunPermit, ErrorCode> {
        let now = Instant::now();
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        if clients.len() > MAX_TRACKED_CLIENTS {
            clients.retain(|_, c| {
                c.running > 0
                    || c.starts
                        .back()
                        .is_some_and(|t| now - *t < Duration::from_secs(60))
            });
        }
        let c = clients.entry(client).or_default();
        while c
            .starts
            .front()
            .is_some_and(|t| now - *t >= Duration::from_secs(60))
        {
            c.starts.pop_front();
        }
        if c.running >= self.limits.max_runs_per_client {
            return Err(ErrorCode::TooManyRuns);
        }
        if c.starts.len() >= self.limits.runs_per_minute as usize {
            return Err(ErrorCode::RateLimited);
        }
        let global = self
            .global
            .clone()
            .try_acquire_owned()
            .map_err(|_| ErrorCode::Busy)?;
        c.starts.push_back(now);
        c.running += 1;
        Ok(RunPermit {
            limiter: self.clone(),
            client,
            _global: global,
        })
    }

    /// Diagnoses running now.
    pub fn running(&self) -> usize {
        self.limits.max_runs - self.global.available_permits()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_client_and_global_limits() {
        let limiter = Limiter::new(Limits {
            max_runs: 3,
            max_runs_per_client: 2,
            runs_per_minute: 3,
            ..Limits::default()
        });
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let p1 = limiter.admit(a).unwrap();
        let _p2 = limiter.admit(a).unwrap();
        assert_eq!(limiter.admit(a).err(), Some(ErrorCode::TooManyRuns));
        drop(p1);
        let _p3 = limiter.admit(a).unwrap();
        // a has started three in this minute.
        assert_eq!(limiter.admit(a).err(), Some(ErrorCode::TooManyRuns));
        let _p4 = limiter.admit(b).unwrap();
        assert_eq!(limiter.admit(b).err(), Some(ErrorCode::Busy));
        assert_eq!(limiter.running(), 3);
    }
}
