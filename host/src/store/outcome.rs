//! How a finished run ended, read from its file's root: what a batch of runs
//! needs to decide whether a session is done.

use std::path::Path;

use super::attributes::get_str;
use super::layout::root;
use super::open::open_read;
use super::StoreError;

/// A run file's `status` and `error` root attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOutcome {
    /// `complete`, `failed` or `interrupted` (`running` in a `.partial`).
    pub status: String,
    /// Why it did not complete (empty when it did).
    pub error: String,
}

/// Reads the outcome of the run file at `path`.
pub fn read_outcome(path: &Path) -> Result<RunOutcome, StoreError> {
    let file = open_read(path)?;
    Ok(RunOutcome {
        status: get_str(&file, root::STATUS).unwrap_or_default(),
        error: get_str(&file, root::ERROR).unwrap_or_default(),
    })
}
