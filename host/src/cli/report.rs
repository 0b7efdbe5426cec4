//! `macroscope report RUN.h5`: the run as one self-contained HTML page.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

/// Arguments of `macroscope report`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The run file written by `macroscope run`.
    pub file: PathBuf,
    /// The page to write (default: `<file stem>-report.html` beside the file).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub drawing: super::figures::DrawingArgs,
}

/// Writes the report and prints its path.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let out = args
        .out
        .unwrap_or_else(|| crate::report::default_path(&args.file));
    let context = format!("cannot report on {}", args.file.display());
    let _watch = super::stall::watch(context.clone(), args.file.display().to_string());
    let maps = crate::figures::DrawnMaps::find(&args.file, &args.drawing.options())
        .context(context.clone())?;
    crate::report::write(&args.file, &out, maps.as_ref()).context(context)?;
    println!("{}", out.display());
    Ok(ExitCode::SUCCESS)
}
