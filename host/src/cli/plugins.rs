//! `macroscope plugins` (TODO).

use std::process::ExitCode;

/// Arguments of this command.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(args: Args, search: &crate::registry::SearchPath) -> anyhow::Result<ExitCode> {
    let _ = args;
    todo!()
}
