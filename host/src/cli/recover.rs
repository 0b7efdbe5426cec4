//! `macroscope recover FILE`: turn a killed run's `.partial` file into a
//! readable file marked `interrupted`, with exact item counts.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use crate::store::recover::Recovery;

/// Arguments of this command.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The run's `.partial` file (or the output name it was going to get).
    pub file: PathBuf,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let recovered = match crate::store::recover::recover_file(&args.file)
        .with_context(|| format!("cannot recover {}", args.file.display()))?
    {
        Recovery::Recovered(recovered) => recovered,
        Recovery::NeverStarted { reserve } => {
            println!(
                "nothing to recover: the run was stopped before it began writing; removed the space it had set \
                 aside ({})",
                reserve.display()
            );
            return Ok(ExitCode::SUCCESS);
        }
    };
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
    match &recovered.failure {
        Some(reason) => println!(
            "recovered {} (status failed: {reason})",
            recovered.path.display()
        ),
        None => println!(
            "recovered {} (status interrupted)",
            recovered.path.display()
        ),
    }
    Ok(ExitCode::SUCCESS)
}
