//! `macroscope verify FILE`: recompute every content hash; exit non-zero on
//! any mismatch, unreadable dataset, or dataset without a recorded hash.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use crate::store::verify::{verify_file, Outcome};

/// Arguments of this command.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The HDF5 file to check.
    pub file: PathBuf,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let context = format!("cannot verify {}", args.file.display());
    let _watch = super::stall::watch(context.clone(), args.file.display().to_string());
    let report = verify_file(&args.file).context(context)?;
    for check in &report.checks {
        match &check.outcome {
            Outcome::Intact => println!("ok        {}", check.dataset),
            Outcome::Mismatch { expected, actual } => {
                println!("MISMATCH  {}: recorded sha256 {expected}, data hashes to {actual}", check.dataset)
            }
            Outcome::NoHash => println!(
                "NO HASH   {}: no content hash recorded (a run that never finished? try `macroscope recover`)",
                check.dataset
            ),
            Outcome::Unreadable(reason) => println!("UNREADABLE {}: {reason}", check.dataset),
        }
    }
    let bad = report
        .checks
        .iter()
        .filter(|c| c.outcome != Outcome::Intact)
        .count();
    if bad == 0 {
        println!(
            "{}: all {} content hashes match",
            args.file.display(),
            report.checks.len()
        );
        Ok(ExitCode::SUCCESS)
    } else {
        println!(
            "{}: {bad} of {} content hashes do not match",
            args.file.display(),
            report.checks.len()
        );
        Ok(ExitCode::FAILURE)
    }
}
