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

use std::path::{Path, PathBuf};

use super::attributes::get_str;
use super::error::StoreError;
use super::layout::{self, root};
use super::{durable, hdf5_raw, open, seal, undo, RunStatus};

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

/// Recovers a killed run's file (`path` may name the `.partial` or the output).
pub fn recover_file(path: &Path) -> Result<Recovered, StoreError> {
    let (partial, output) = partial_and_output(path)?;
    if !partial.exists() {
        return Err(StoreError::format(&partial, "does not exist"));
    }
    if output.exists() {
        return Err(StoreError::OutputExists(output));
    }
    durable::release(&durable::reserve_path(&partial));
    let rolled_back = undo::restore(&partial)?;
    if !rolled_back {
        if let Some(status) = sealed_status(&partial) {
            durable::rename_new(&partial, &output)?;
            return Ok(Recovered {
                path: output,
                streams: Vec::new(),
                rolled_back,
                already_sealed: Some(status),
            });
        }
    }
    hdf5_raw::clear_status_flags(&partial)
        .map_err(|e| StoreError::hdf5(&partial, "clearing the superblock status flags", e))?;
    undo::save(&partial)?;
    let file = open::open_rw(&partial)?;
    let h5 = |action: &'static str| {
        let partial = partial.clone();
        move |e| StoreError::hdf5(&partial, action, e)
    };
    let format = get_str(&file, root::FORMAT).unwrap_or_default();
    if layout::format_major(&format) != Some(layout::FORMAT_MAJOR) {
        return Err(StoreError::format(
            &partial,
            format!(
                "format is `{format}`, this host recovers `{}` files",
                layout::FORMAT
            ),
        ));
    }
    let status = get_str(&file, root::STATUS).unwrap_or_default();
    if status != "running" {
        return Err(StoreError::format(
            &partial,
            format!("status is `{status}`: only a run that was still running needs recovery"),
        ));
    }
    let streams =
        seal::trim_streams_to_disk(&file).map_err(h5("trimming streams to what is on disk"))?;
    seal::write_content_hashes(&file, &Default::default())
        .map_err(h5("computing content hashes"))?;
    seal::fill_input_hashes(&file).map_err(h5("writing input hashes"))?;
    let now = layout::timestamp(chrono::Utc::now());
    seal::set_status(
        &file,
        RunStatus::Interrupted.as_str(),
        "the run stopped without finishing; recovered by `macroscope recover`",
        &now,
    )
    .map_err(h5("writing the status"))?;
    file.close().map_err(h5("closing"))?;
    durable::sync_file(&partial)?;
    undo::discard(&partial)?;
    durable::rename_new(&partial, &output)?;
    Ok(Recovered {
        path: output,
        streams,
        rolled_back,
        already_sealed: None,
    })
}

/// The final status of a `.partial` that opens normally (its writer closed
/// it) and was sealed; `None` for a run still `running` or a file that needs
/// its superblock flags cleared first.
fn sealed_status(partial: &Path) -> Option<String> {
    let file = hdf5::File::open(partial).ok()?;
    get_str(&file, root::STATUS).filter(|status| status != "running")
}
