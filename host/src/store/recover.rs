//! `recover`: turn the `.partial` file of a killed run into a normal file
//! marked `interrupted`, keeping every item that reached the disk.
//!
//! Steps: if sealing was cut short, roll the file back with its undo log
//! (the state when its streams stopped); clear the superblock's "open for
//! writing" flags as `h5clear -s --increment` does; save an undo log, so a
//! kill during recovery is recoverable too; trim every stream written in the
//! run to the rows its data and all its columns hold (a row counts only if
//! every one of its chunks is on disk); compute the content hashes the run
//! never got to write; fill input hashes; set `status=interrupted`; rename
//! the file into place (never over an existing file).
//!
//! A `.partial` that was sealed and synced but not yet renamed (no undo log,
//! a final status) is only renamed.
//!
//! Before writing anything, `recover` makes sure the file is a run's and no
//! run is writing it: it takes the run's lock (refused while a live run holds
//! it), and checks, reading only, that the file is HDF5 with a macroscope
//! `format` (or has an undo log, which only a sealing run writes). A reserve
//! file left alone by a run killed before its `.partial` existed is removed.
//! A run whose sealing failed left its reason in `<partial>.error`; the
//! recovered file is then `failed` with that reason.

use std::path::{Path, PathBuf};

use super::attributes::get_str;
use super::error::StoreError;
use super::layout::{self, root};
use super::run_lock::{lock_path, RunLock};
use super::{durable, hdf5_raw, open, run_file, seal, superblock, undo, RunStatus};

/// What a recovery did.
#[derive(Debug, Clone)]
pub struct Recovered {
    /// The recovered file.
    pub path: PathBuf,
    /// Each stream of the run and the rows it kept.
    pub streams: Vec<(String, u64)>,
    /// Whether an interrupted seal was rolled back first.
    pub rolled_back: bool,
    /// The status the file was already sealed with, if only its rename was
    /// missing (then nothing else was done).
    pub already_sealed: Option<String>,
    /// Why the run failed, when its sealing failed and left the reason
    /// beside the file (then the status is `failed`).
    pub failure: Option<String>,
}

/// The `.partial` file and the final name for `path`, which may name either.
pub fn partial_and_output(path: &Path) -> Result<(PathBuf, PathBuf), StoreError> {
    let text = path.as_os_str().to_string_lossy();
    if let Some(output) = text.strip_suffix(".partial") {
        return Ok((path.to_owned(), PathBuf::from(output)));
    }
    let partial = super::partial_path(path);
    if partial.exists() {
        Ok((partial, path.to_owned()))
    } else {
        Err(StoreError::format(
            path,
            "neither this file nor a `.partial` beside it is a run in progress; nothing to recover",
        ))
    }
}

/// What `recover` found and did.
#[derive(Debug, Clone)]
pub enum Recovery {
    /// A `.partial` file made readable (or only renamed).
    Recovered(Recovered),
    /// No `.partial`, only the reserve file of a run stopped before it began
    /// writing: removed.
    NeverStarted {
        /// The reserve file removed.
        reserve: PathBuf,
    },
}

/// `<partial>.error`: the reason a run failed, kept beside its `.partial`
/// when the file itself could not be written any more.
pub fn error_path(partial: &Path) -> PathBuf {
    let mut name = partial.as_os_str().to_owned();
    name.push(".error");
    name.into()
}

/// Recovers a killed run's file (`path` may name the `.partial` or the output).
pub fn recover_file(path: &Path) -> Result<Recovery, StoreError> {
    let (partial, output) = partial_and_output(path)?;
    let _lock = RunLock::acquire(&lock_path(&partial), &partial)?;
    if !partial.exists() {
        if run_file::remove_lone_reserve(&partial) {
            return Ok(Recovery::NeverStarted {
                reserve: durable::reserve_path(&partial),
            });
        }
        return Err(StoreError::format(&partial, "does not exist"));
    }
    if output.exists() {
        return Err(StoreError::RecoverTargetTaken { partial, output });
    }
    superblock::read(&partial)?;
    let rolled_back = undo::restore(&partial)?;
    let status = run_status(&partial)?;
    durable::release(&durable::reserve_path(&partial));
    if !rolled_back && status != "running" {
        durable::rename_new(&partial, &output)?;
        return Ok(Recovery::Recovered(Recovered {
            path: output,
            streams: Vec::new(),
            rolled_back,
            already_sealed: Some(status),
            failure: None,
        }));
    }
    let failure = read_failure(&partial)?;
    hdf5_raw::clear_status_flags(&partial)
        .map_err(|e| StoreError::hdf5(&partial, "clearing the superblock status flags", e))?;
    undo::save(&partial)?;
    let file = open::open_rw(&partial)?;
    let h5 = |action: &'static str| {
        let partial = partial.clone();
        move |e| StoreError::hdf5(&partial, action, e)
    };
    let streams =
        seal::trim_streams_to_disk(&file).map_err(h5("trimming streams to what is on disk"))?;
    seal::write_content_hashes(&file, &Default::default())
        .map_err(h5("computing content hashes"))?;
    seal::fill_input_hashes(&file).map_err(h5("writing input hashes"))?;
    let now = layout::timestamp(chrono::Utc::now());
    let (status, reason) = match &failure {
        Some(reason) => (RunStatus::Failed, reason.as_str()),
        None => (
            RunStatus::Interrupted,
            "the run stopped without finishing; recovered by `macroscope recover`",
        ),
    };
    seal::set_status(&file, status.as_str(), reason, &now).map_err(h5("writing the status"))?;
    file.close().map_err(h5("closing"))?;
    durable::sync_file(&partial)?;
    undo::discard(&partial)?;
    durable::rename_new(&partial, &output)?;
    if failure.is_some() {
        let _ = std::fs::remove_file(error_path(&partial));
    }
    Ok(Recovery::Recovered(Recovered {
        path: output,
        streams,
        rolled_back,
        already_sealed: None,
        failure,
    }))
}

/// The `status` of the run in `partial`, read without writing anything;
/// fails unless it is a macroscope run file this host can recover.
fn run_status(partial: &Path) -> Result<String, StoreError> {
    let not_a_run = |why: String| {
        StoreError::format(
            partial,
            format!("{why}: not a macroscope run, so `recover` leaves it untouched"),
        )
    };
    let file =
        open::open_read(partial).map_err(|e| not_a_run(format!("cannot be opened ({e})")))?;
    let format = get_str(&file, root::FORMAT).unwrap_or_default();
    if layout::format_major(&format) != Some(layout::FORMAT_MAJOR) {
        return Err(not_a_run(if format.is_empty() {
            "it has no `format` attribute".to_owned()
        } else {
            format!(
                "its format is `{format}`, this host recovers `{}`",
                layout::FORMAT
            )
        }));
    }
    get_str(&file, root::STATUS).ok_or_else(|| not_a_run("it has no `status` attribute".to_owned()))
}

/// The reason a run's sealing failed, if it left one in `<partial>.error`.
fn read_failure(partial: &Path) -> Result<Option<String>, StoreError> {
    let path = error_path(partial);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(text.trim_end().to_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StoreError::io(&path, "reading why the run failed", e)),
    }
}
