//! `macroscope figures FILE`: PNGs of the retinotopic maps stored in a run file.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

/// Arguments of `macroscope figures`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A run file with retinotopy outputs.
    pub file: PathBuf,
    /// Directory for the PNGs (default: `<file stem>-figures` beside the file).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Writes the figures and lists them.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let dir = args.out.unwrap_or_else(|| default_dir(&args.file));
    let maps = crate::figures::read_map_set(&args.file)
        .with_context(|| format!("reading maps from {}", args.file.display()))?;
    for path in crate::figures::write_figures(&maps, &dir)? {
        println!("{}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// `<dir>/<stem>-figures` for `<dir>/<stem>.h5`.
pub fn default_dir(file: &Path) -> PathBuf {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    file.with_file_name(format!("{stem}-figures"))
}
