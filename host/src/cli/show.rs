//! `macroscope show FILE`: the tree of a file with shapes, types,
//! compression ratios and each stage's provenance.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

/// Arguments of this command.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The HDF5 file written by `macroscope run`.
    pub file: PathBuf,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let context = format!("cannot show {}", args.file.display());
    let _watch = super::stall::watch(context.clone(), args.file.display().to_string());
    let text = crate::store::show::render(&args.file).context(context)?;
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}
