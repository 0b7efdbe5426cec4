//! `macroscope recover` (TODO).

use std::process::ExitCode;

/// Arguments of this command.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let _ = args;
    todo!()
}
