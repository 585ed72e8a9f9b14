use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use inbox_doctor::cli::{self, Cli, Command, UsageError};

fn main() -> ExitCode {
    let matches = Cli::command()
        .mut_subcommand("serve", |c| c.after_help(cli::env_help()))
        .get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    if !matches!(cli.command, Command::Serve(_)) {
        cli::init_logs(inbox_doctor::config::LogFormat::Text, "warn");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return usage(UsageError(format!("cannot start the runtime: {e}"))),
    };
    match runtime.block_on(cli::run(cli)) {
        Ok(exit) => exit.into(),
        Err(e) => usage(e),
    }
}

/// The one place a usage error is said: `inbox-doctor: …` on standard error, exit status 2.
fn usage(e: UsageError) -> ExitCode {
    eprintln!("inbox-doctor: {e}");
    ExitCode::from(cli::EXIT_USAGE)
}
