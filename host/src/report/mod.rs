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

use crate::figures::DrawnMaps;
use crate::store::{RunCatalog, StoreError};

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The run file could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
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

/// The report of the run file at `run` as an HTML page, showing `maps` (the
/// run's maps and figures, see [`DrawnMaps::find`]) when it has any.
pub fn render(run: &Path, maps: Option<&DrawnMaps>) -> Result<String, ReportError> {
    let catalog = RunCatalog::open(run)?;
    let figures = maps.map(|m| m.figures.as_slice()).unwrap_or_default();
    let areas: Option<Vec<String>> = maps.map(|m| {
        m.maps
            .named_areas
            .as_ref()
            .map(|a| a.names.iter().map(|n| n.name.clone()).collect())
            .unwrap_or_default()
    });
    let checks = QualityChecks::of(&catalog)?;
    Ok(html::page(&catalog, &checks, figures, areas.as_deref()))
}

/// Writes the report of `run`, showing `maps`, to `out` (replacing an
/// earlier report).
pub fn write(run: &Path, out: &Path, maps: Option<&DrawnMaps>) -> Result<(), ReportError> {
    let page = render(run, maps)?;
    std::fs::write(out, page).map_err(|source| ReportError::Write {
        path: out.to_owned(),
        source,
    })
}
