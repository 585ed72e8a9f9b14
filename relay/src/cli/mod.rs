//! The `inbox-doctor` command line: flags in, a diagnosis request out, events rendered live.
//!
//! Read in this order: this file (the usage error, the exit statuses, [`run`] picking the
//! command), [`args`] (every flag and subcommand, `HOST:PORT` parsing), [`check`] (flags to a
//! request, discovery of missing servers, the diagnosis), [`render`] (events and the summary
//! on the terminal, JSON), [`discover`] (`discover`, and the discovery `check` runs),
//! [`serve`] (the relay, its logs), [`egress`] (`egress-check`), [`domains`] (stored domain
//! settings), [`admin_token`] (a new named admin token), [`health`] (a container's health check). Every command returns its [`Exit`] or
//! a [`UsageError`], which `main` prints.

pub mod admin_token;
pub mod args;
pub mod check;
pub mod discover;
pub mod domains;
pub mod egress;
pub mod health;
pub mod render;
pub mod serve;

use std::process::ExitCode;

pub use admin_token::admin_token;
pub use args::{
    parse_endpoint, AdminTokenArgs, CheckArgs, Cli, Command, DiscoverArgs, DiscoverFlags,
    DomainsAction, DomainsArgs, EgressCheckArgs, HealthArgs, SecurityArg, ServeArgs,
};
pub use check::{check, request};
pub use discover::discover_command;
pub use domains::domains;
pub use egress::egress_check;
pub use health::health;
pub use serve::{env_help, init_logs, serve};

/// Exit status: the diagnosis ran and everything passed.
pub const EXIT_PASSED: u8 = 0;
/// Exit status: the diagnosis ran and found a failure.
pub const EXIT_FAILED: u8 = 1;
/// Exit status: bad input or usage; nothing was diagnosed.
pub const EXIT_USAGE: u8 = 2;

/// Bad input, said plainly; exit status 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

impl UsageError {
    /// Any error, in its own words.
    pub fn of(e: impl std::fmt::Display) -> UsageError {
        UsageError(e.to_string())
    }
}

/// How a command that ran ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Status 0: everything passed (allowed, found, done).
    Passed,
    /// Status 1: something failed (refused, missing).
    Failed,
    /// Status 2, with nothing more to say: standard output would not take the result.
    Unwritten,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(match exit {
            Exit::Passed => EXIT_PASSED,
            Exit::Failed => EXIT_FAILED,
            Exit::Unwritten => EXIT_USAGE,
        })
    }
}

/// Runs the command `cli` names.
pub async fn run(cli: Cli) -> Result<Exit, UsageError> {
    match cli.command {
        Command::Check(args) => check(*args).await,
        Command::Serve(args) => serve(args).await,
        Command::EgressCheck(args) => egress_check(args).await,
        Command::Domains(args) => domains(args).await,
        Command::AdminToken(args) => admin_token(args),
        Command::Discover(args) => discover_command(args).await,
        Command::Health(args) => health(args).await,
    }
}

/// The relay configuration at `path` (or the default one, with the environment's overrides).
fn load_config(path: Option<&std::path::Path>) -> Result<crate::config::Config, UsageError> {
    crate::config::Config::load(path).map_err(UsageError::of)
}
