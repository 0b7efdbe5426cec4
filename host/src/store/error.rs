//! What can go wrong in the storage sink.

use std::path::PathBuf;

/// Errors of the storage sink. Each names the file (and the dataset or stage
/// where there is one) and says what to do.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The output file already exists; the sink never overwrites one.
    #[error("output file {0} already exists; choose another `output` or move the old file away")]
    OutputExists(PathBuf),

    /// A `.partial` file from an earlier run is in the way.
    #[error(
        "{0} exists: an earlier run was interrupted; run `macroscope recover {0}` or delete it, then run again"
    )]
    PartialExists(PathBuf),

    /// A live run holds the lock on this run's files: nothing may touch them
    /// until it ends.
    #[error("{file}: {} is writing this file; wait for it to end, or stop it, then try again", owner_text(.owner))]
    RunInProgress {
        /// The `.partial` file (or store entry) the run is writing.
        file: PathBuf,
        /// The run, as its lock file records it (unreadable on Windows).
        owner: Option<super::run_lock::Owner>,
    },

    /// `recover` would rename a `.partial` to a name that is taken.
    #[error(
        "{output} already exists, so {partial} cannot be renamed to it (a file is never overwritten): if {output} \
         is this run's sealed file, {partial} is a stale copy and can be deleted; otherwise move {output} away and \
         run `macroscope recover {partial}` again"
    )]
    RecoverTargetTaken {
        /// The `.partial` file.
        partial: PathBuf,
        /// Its final name, already taken.
        output: PathBuf,
    },

    /// The output directory is missing or cannot be written.
    #[error("cannot write to output directory {dir}: {reason}")]
    OutputDirectory {
        /// The directory.
        dir: PathBuf,
        /// Why not.
        reason: String,
    },

    /// The content-addressed store directory cannot be used.
    #[error("cannot use store directory {dir}: {reason}")]
    StoreDirectory {
        /// The directory.
        dir: PathBuf,
        /// Why not.
        reason: String,
    },

    /// An HDF5 call failed.
    #[error("{file}: {action}: {message}")]
    Hdf5 {
        /// The file.
        file: PathBuf,
        /// What the sink was doing (names the dataset).
        action: String,
        /// The library's message, with the system's reason when there is one.
        message: String,
        /// The library's error. Not chained as the error's source: `message`
        /// already says what it says, and a chain printed it twice.
        error: hdf5::Error,
    },

    /// A file-system call failed.
    #[error("{path}: {action}: {error}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the sink was doing.
        action: String,
        /// The system's error (said in the message, so not chained as a source).
        error: std::io::Error,
    },

    /// An item does not match the port it was written to.
    #[error("stage `{stage}` port `{port}`: {reason}")]
    ItemMismatch {
        /// The stage id.
        stage: String,
        /// The port name.
        port: String,
        /// What differs.
        reason: String,
    },

    /// The runtime referred to a stage or port the pipeline does not have, or
    /// wrote to a stage whose outputs are reused.
    #[error("{0}")]
    Misuse(String),

    /// The file is not a macroscope file, or is one this host cannot read.
    #[error("{file}: {reason}")]
    Format {
        /// The file.
        file: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    /// A dataset of a file, read as a port, holds elements no port carries (a
    /// table, strings, half floats, ...).
    #[error(
        "{file}: dataset {dataset} holds elements of type {found}, which no port carries \
         (a port carries u8, u16, u32, u64, i8, i16, i32, i64, f32 or f64, and a 1-D table whose \
         fields are all such numbers)"
    )]
    UnsupportedElement {
        /// The file.
        file: PathBuf,
        /// The dataset path.
        dataset: String,
        /// Its HDF5 type in words (`compound {time: f64, direction: i8}`, `f16`).
        found: String,
    },

    /// A recorded content hash does not match the data.
    #[error("{file}: dataset {dataset}: content SHA-256 is {actual} but {expected} was recorded")]
    HashMismatch {
        /// The file.
        file: PathBuf,
        /// The dataset path.
        dataset: String,
        /// The recorded hash.
        expected: String,
        /// The recomputed hash.
        actual: String,
    },

    /// The run ended but its file could not be sealed.
    #[error(
        "could not seal {partial}: {cause}; everything flushed is in that file: free space if needed, then run \
         `macroscope recover {partial}`"
    )]
    SealFailed {
        /// The `.partial` file left behind.
        partial: PathBuf,
        /// What went wrong (said in the message, so not chained as a source).
        cause: Box<StoreError>,
    },

    /// An earlier write failed; the run cannot continue.
    #[error("writing {file} failed earlier ({reason}); the run must stop")]
    WriterFailed {
        /// The file.
        file: PathBuf,
        /// The first error.
        reason: String,
    },
}

impl StoreError {
    /// Wraps an HDF5 error with the file and what was being done.
    pub(crate) fn hdf5(
        file: &std::path::Path,
        action: impl Into<String>,
        source: hdf5::Error,
    ) -> Self {
        StoreError::Hdf5 {
            file: file.to_owned(),
            action: action.into(),
            message: hdf5_message(&source),
            error: source,
        }
    }

    /// Wraps an I/O error with the path and what was being done.
    pub(crate) fn io(
        path: &std::path::Path,
        action: impl Into<String>,
        source: std::io::Error,
    ) -> Self {
        StoreError::Io {
            path: path.to_owned(),
            action: action.into(),
            error: source,
        }
    }

    /// A format problem in `file`.
    pub(crate) fn format(file: &std::path::Path, reason: impl Into<String>) -> Self {
        StoreError::Format {
            file: file.to_owned(),
            reason: reason.into(),
        }
    }
}

fn owner_text(owner: &Option<super::run_lock::Owner>) -> String {
    match owner {
        Some(owner) => format!("a run ({owner})"),
        None => "a run".to_owned(),
    }
}

/// The library's message for `error`, kept short: the failing call and what
/// it could not do, the innermost cause, and the operating system's reason
/// when a frame of the error stack records one (`No space left on device`,
/// `Permission denied`, ...) — the top frame alone rarely says why.
pub(crate) fn hdf5_message(error: &hdf5::Error) -> String {
    let Some(stack) = error.stack().filter(|s| !s.is_empty()) else {
        return error.to_string();
    };
    let top = stack[0].description().to_owned();
    let innermost = stack[stack.len() - 1].desc();
    let cause = innermost.split(": ").next().unwrap_or(innermost);
    let reason = stack.iter().find_map(|frame| {
        let desc = frame.desc();
        let start = desc.find("error message = '")? + "error message = '".len();
        let end = desc[start..].find('\'')? + start;
        Some(desc[start..end].to_owned())
    });
    let mut message = top;
    if stack.len() > 1 && !message.contains(cause) {
        message = format!("{message}: {cause}");
    }
    if let Some(reason) = reason {
        message = format!("{message} ({reason})");
    }
    if stack.iter().any(|frame| frame.desc().contains("checksum")) {
        message = format!(
            "{message}: the file is damaged (its HDF5 metadata fails its checksum); use an intact copy"
        );
    }
    message
}
