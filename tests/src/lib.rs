//! The test harness: real Dovecot and Postfix started from a temp dir on free loopback ports,
//! certificates for every verdict, and helpers to run `inbox-doctor check`.
//!
//! Nothing is skipped when a server binary is missing: [`Harness::start`] panics with the
//! command that installs it.

pub mod authz;
pub mod browser;
pub mod certs;
pub mod cli;
pub mod delay;
pub mod discovery;
pub mod host_page;
pub mod hostile;
pub mod mail;
pub mod net;
pub mod oauth;
pub mod postgres;
pub mod relay;
pub mod scripted;
pub mod served;

pub use cli::{check, check_with, discover, CheckRun};
pub use mail::{Harness, EMAIL, PASSWORD};

/// A number a benchmark reads from the environment (`IDR_BENCH_RUNS`…), or `default`.
pub fn bench_setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
