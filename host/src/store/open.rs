//! Opening and creating files with the format's HDF5 settings: the v1.10
//! file format (the oldest that supports SWMR, readable by HDF5 ≥ 1.10 tools
//! such as Debian 12's h5dump) as both lower and upper bound, so no newer
//! feature sneaks in. Every descriptor is made close-on-exec.

use std::path::Path;

use hdf5::file::{FileSpaceStrategy, LibraryVersion};
use hdf5::{File, OpenMode};

use super::error::StoreError;
use super::hdf5_raw::close_on_exec;
use super::superblock;

fn finish(path: &Path, action: &str, file: hdf5::Result<File>) -> Result<File, StoreError> {
    let file = file.map_err(|e| StoreError::hdf5(path, action, e))?;
    close_on_exec(&file)
        .map_err(|e| StoreError::hdf5(path, "marking the descriptor close-on-exec", e))?;
    Ok(file)
}

/// Creates `path`, failing if it exists. Its file-space strategy is HDF5's
/// `AGGR` (aggregators, no free-space manager): space freed while the file is
/// open is never handed to another object, so sealing or recovering cannot
/// overwrite a chunk that existed before it began (see `undo`).
pub fn create_file(path: &Path) -> Result<File, StoreError> {
    let file = File::with_options()
        .with_fapl(|p| p.libver_bounds(LibraryVersion::V110, LibraryVersion::V110))
        .with_fcpl(|p| p.file_space_strategy(FileSpaceStrategy::PageAggregation))
        .create_excl(path);
    finish(path, "creating the file", file)
}

/// Opens `path` for reading and writing (not SWMR), to seal or recover a
/// run's own `.partial` file. HDF5's file lock is not taken: a SWMR reader
/// watching the run (h5py `swmr=True`) holds a shared lock that would
/// otherwise keep the run from ever being sealed. The sink's exclusive use of
/// the file is guaranteed by its creation (`create_new`) and final rename
/// (a link that fails if the target exists), not by the lock.
pub fn open_rw(path: &Path) -> Result<File, StoreError> {
    let file = File::with_options()
        .with_fapl(|p| {
            p.libver_bounds(LibraryVersion::V110, LibraryVersion::V110)
                .file_locking(false)
        })
        .open_rw(path);
    finish(path, "opening for writing", file)
}

/// Opens `path` read-only; a run still being written (SWMR, e.g. a
/// `.partial` file) is opened as a SWMR reader. A file that is not HDF5, or
/// is shorter than its superblock says, is refused before the library sees
/// it (see `superblock`).
pub fn open_read(path: &Path) -> Result<File, StoreError> {
    superblock::check_whole(path)?;
    let file = File::open(path)
        .or_else(|plain| File::open_as(path, OpenMode::ReadSWMR).map_err(|_| plain));
    finish(path, "opening", file)
}
