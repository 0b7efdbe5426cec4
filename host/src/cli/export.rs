//! `macroscope export nwb RUN.h5 [OUT.nwb]`: a finished run as an NWB file.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use crate::export::nwb;

/// `macroscope export ...`
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Write a run as an NWB 2.x file (Neurodata Without Borders): movie,
    /// stimulus, sweeps, maps, session and subject. Never overwrites a file.
    Nwb(NwbArgs),
}

/// Arguments of `macroscope export nwb`.
#[derive(Debug, clap::Args)]
pub struct NwbArgs {
    /// The run file written by `macroscope run`.
    pub run: PathBuf,
    /// The NWB file to write (default: the run's name with `.nwb`); it must not exist.
    pub out: Option<PathBuf>,
}

/// Runs the command: one summary line on success.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    let Command::Nwb(args) = command;
    let out = args.out.unwrap_or_else(|| nwb::default_output(&args.run));
    let started = std::time::Instant::now();
    let exported = nwb::export(&args.run, &out)
        .with_context(|| format!("cannot export {} as NWB", args.run.display()))?;
    println!(
        "{}: NWB {}, {} camera frames, {} sweeps, {} map images, in {:.1} s",
        exported.path.display(),
        nwb::NWB_VERSION,
        exported.frames,
        exported.sweeps,
        exported.images,
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
