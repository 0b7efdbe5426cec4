//! What can go wrong when exporting a run as NWB.

use std::path::PathBuf;

use crate::store::StoreError;

/// Errors of the NWB export. Each names the file, and the NWB field or run
/// dataset concerned, and says what to do.
#[derive(Debug, thiserror::Error)]
pub enum NwbError {
    /// Reading the run file failed (or it is not a finished run).
    #[error(transparent)]
    Run(#[from] StoreError),

    /// The output exists; an export never overwrites a file.
    #[error("{0} already exists; an export never overwrites a file: choose another output or move it away")]
    OutputExists(PathBuf),

    /// An export's temporary file is in the way.
    #[error(
        "{0} exists: another export is writing it, or one was stopped before it finished; delete it and export again"
    )]
    PartialExists(PathBuf),

    /// NWB requires a field the run's `[session]` does not give.
    #[error(
        "{run}: NWB requires `{nwb_field}`, and the run's [session] has no `{session_key}`: add \
         `{session_key} = \"...\"` to the pipeline's [session] table and run it again (docs/FORMAT.md, \"Session\")"
    )]
    MissingSessionField {
        /// The run file.
        run: PathBuf,
        /// The NWB field (`session_description`).
        nwb_field: &'static str,
        /// The `[session]` key that fills it (`description`).
        session_key: &'static str,
    },

    /// The run's `session` attribute is not the JSON the format describes.
    #[error("{run}: the root attribute `session` is not a JSON object ({reason}); the file was not written by macroscope's `[session]`")]
    BadSession {
        /// The run file.
        run: PathBuf,
        /// What is wrong.
        reason: String,
    },

    /// A stream the export maps has no time for its items.
    #[error(
        "{run}: stream {dataset} has neither a `time_s` (s) nor a `timestamp_ns` (ns) column (it has {found}), so \
         its frames have no time for NWB's `timestamps`"
    )]
    NoTimes {
        /// The run file.
        run: PathBuf,
        /// The stream's data dataset.
        dataset: String,
        /// The columns it has.
        found: String,
    },

    /// A stored value cannot be represented as NWB wants it.
    #[error("{run}: {reason}")]
    Unrepresentable {
        /// The run file.
        run: PathBuf,
        /// What and why.
        reason: String,
    },

    /// An HDF5 call failed while writing (or reading an array for) the NWB file.
    #[error("{file}: {action}: {error}")]
    Hdf5 {
        /// The file.
        file: PathBuf,
        /// What the export was doing (names the object).
        action: String,
        /// The library's error.
        error: hdf5::Error,
    },
}

impl NwbError {
    /// An HDF5 failure while `action` on `file`.
    pub fn hdf5(file: &std::path::Path, action: impl Into<String>, error: hdf5::Error) -> NwbError {
        NwbError::Hdf5 {
            file: file.to_owned(),
            action: action.into(),
            error,
        }
    }
}
