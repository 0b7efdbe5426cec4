//! `macroscope recover FILE`: turn a killed run's `.partial` file into a
//! readable file marked `interrupted`, with exact item counts.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

/// Arguments of this command.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The run's `.partial` file (or the output name it was going to get).
    pub file: PathBuf,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let recovered = crate::store::recover::recover_file(&args.file)
        .with_context(|| format!("cannot recover {}", args.file.display()))?;
    if let Some(status) = &recovered.already_sealed {
        println!(
            "the run had been sealed (status {status}) and only its rename was missing: renamed to {}",
            recovered.path.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    if recovered.rolled_back {
        println!(
            "sealing had been cut short: rolled the file back to when its streams stopped \
             (the end-of-run datasets, such as analysis maps, are not in it; re-run the analysis)"
        );
    }
    for (stream, rows) in &recovered.streams {
        println!("{stream}: {rows} items kept");
    }
    println!(
        "recovered {} (status interrupted)",
        recovered.path.display()
    );
    Ok(ExitCode::SUCCESS)
}
