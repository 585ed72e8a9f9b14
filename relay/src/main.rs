use std::process::ExitCode;

use clap::Parser;
use inbox_doctor::cli::{self, Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
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
        }
    });
    ExitCode::from(code)
}
