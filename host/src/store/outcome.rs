//! How a finished run ended, read from its file: what a batch of runs needs
//! to decide whether a session is done, and to sum it up.

use std::path::Path;

use macroscope_plugin_api::DROPPED_BEFORE;

use super::attributes::{get_str, get_u64};
use super::content::all_datasets;
use super::layout::{dataset as attr, root};
use super::open::open_read;
use super::StoreError;

/// A run file's outcome: its `status` and `error`, how long it ran, and the
/// frames it lost.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOutcome {
    /// `complete`, `failed` or `interrupted` (`running` in a `.partial`).
    pub status: String,
    /// Why it did not complete (empty when it did).
    pub error: String,
    /// Seconds from `created` to `finished`, when both are recorded.
    pub wall_s: Option<f64>,
    /// Items the run lost: every `dropped_before` column (lost by a camera,
    /// or dropped by the host before a stored frame) plus every stream's
    /// `dropped_items` (dropped by the host and counted in no column).
    pub dropped: u64,
}

/// Reads the outcome of the run file at `path`.
pub fn read_outcome(path: &Path) -> Result<RunOutcome, StoreError> {
    let file = open_read(path)?;
    let time =
        |name| get_str(&file, name).and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok());
    let wall_s = match (time(root::CREATED), time(root::FINISHED)) {
        (Some(created), Some(finished)) => {
            Some((finished - created).num_milliseconds() as f64 / 1000.0)
        }
        _ => None,
    };
    let datasets =
        all_datasets(&file).map_err(|e| StoreError::hdf5(path, "listing the datasets", e))?;
    let mut dropped = 0u64;
    for dataset in datasets {
        dropped += get_u64(&dataset, attr::DROPPED_ITEMS).unwrap_or(0);
        if dataset.name().ends_with(&format!(".{DROPPED_BEFORE}")) {
            let values = dataset
                .read_raw::<u64>()
                .map_err(|e| StoreError::hdf5(path, format!("reading {}", dataset.name()), e))?;
            dropped += values.iter().sum::<u64>();
        }
    }
    Ok(RunOutcome {
        status: get_str(&file, root::STATUS).unwrap_or_default(),
        error: get_str(&file, root::ERROR).unwrap_or_default(),
        wall_s,
        dropped,
    })
}
