use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use inbox_doctor::cli::{self, Cli, Command};

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
        Err(e) => {
            eprintln!("inbox-doctor: cannot start the runtime: {e}");
            return ExitCode::from(cli::EXIT_USAGE);
        }
    };
    let code = runtime.block_on(async {
        match cli.command {
            Command::Check(args) => cli::check(args).await,
            Command::Serve(args) => cli::serve(args).await,
            Command::EgressCheck(args) => cli::egress_check(args).await,
            Command::Domains(args) => cli::domains(args).await,
            Command::Discover(args) => cli::discover::discover_command(args).await,
        }
    });
    ExitCode::from(code)
}
