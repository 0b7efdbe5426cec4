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
    #[command(flatten)]
    pub drawing: DrawingArgs,
}

/// How figures are drawn: shared by `figures` and `run`.
#[derive(Debug, clap::Args)]
pub struct DrawingArgs {
    /// Grey out pixels whose Fourier magnitude (mean over directions) is below
    /// this fraction of the 99th percentile of all pixels' (0 masks only pixels
    /// without a response).
    #[arg(long, value_name = "FRACTION", default_value_t = crate::figures::DEFAULT_MASK_FRACTION,
          value_parser = fraction)]
    pub mask_below: f64,
}

impl DrawingArgs {
    /// The figure options these arguments ask for.
    pub fn options(&self) -> crate::figures::FigureOptions {
        crate::figures::FigureOptions {
            mask_fraction: self.mask_below,
        }
    }
}

/// A `--mask-below` value: a number in 0..1.
fn fraction(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(f) if (0.0..1.0).contains(&f) => Ok(f),
        _ => Err(format!(
            "`{text}` is not a fraction from 0 up to (not including) 1, e.g. 0.2"
        )),
    }
}

/// Writes the figures and lists them.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let dir = args.out.unwrap_or_else(|| default_dir(&args.file));
    let context = format!("reading maps from {}", args.file.display());
    let watch = super::stall::watch(context.clone(), args.file.display().to_string());
    let maps = crate::figures::read_map_set(&args.file).context(context)?;
    drop(watch);
    let figures = crate::figures::draw(&maps, &args.drawing.options())?;
    for path in crate::figures::write_figures(&figures, &dir)? {
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
