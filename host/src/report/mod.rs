//! `macroscope report`: one self-contained HTML page per run, for a PI or a
//! reviewer: how the run ended and its warnings, the maps (the figures,
//! embedded), quality checks computed from the stored data, each stage's
//! plugin, parameters and provenance, the session and the pipeline file.
//! Reads the run through the store's catalog and the figures module; writes
//! nothing but the page.

mod checks;
mod html;

use std::path::{Path, PathBuf};

pub use checks::{CameraCheck, Intervals, QualityChecks, ResponseCheck};

use crate::figures::{self, FigureOptions};
use crate::store::{RunCatalog, StoreError};

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The run file could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A figure could not be encoded.
    #[error("drawing the figure {name}: {source}")]
    Figure {
        /// The figure's file name.
        name: &'static str,
        /// Why.
        source: png::EncodingError,
    },
    /// The page could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The page's path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// `<dir>/<stem>-report.html` for `<dir>/<stem>.h5`.
pub fn default_path(run: &Path) -> PathBuf {
    let stem = run
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    run.with_file_name(format!("{stem}-report.html"))
}

/// The report of the run file at `run` as an HTML page, its figures drawn
/// with `options`.
pub fn render(run: &Path, options: &FigureOptions) -> Result<String, ReportError> {
    let catalog = RunCatalog::open(run)?;
    let maps = figures::find_map_set(run)?;
    let mut pngs = Vec::new();
    if let Some(maps) = &maps {
        for (name, png) in figures::figure_pngs(maps, options) {
            pngs.push((
                name,
                png.map_err(|source| ReportError::Figure { name, source })?,
            ));
        }
    }
    let areas: Option<Vec<String>> = maps.as_ref().map(|m| {
        m.named_areas
            .as_ref()
            .map(|a| a.names.iter().map(|n| n.name.clone()).collect())
            .unwrap_or_default()
    });
    let checks = QualityChecks::of(&catalog)?;
    Ok(html::page(&catalog, &checks, &pngs, areas.as_deref()))
}

/// Writes the report of `run` to `out` (replacing an earlier report).
pub fn write(run: &Path, out: &Path, options: &FigureOptions) -> Result<(), ReportError> {
    let page = render(run, options)?;
    std::fs::write(out, page).map_err(|source| ReportError::Write {
        path: out.to_owned(),
        source,
    })
}
