//! Opening and creating files with the format's HDF5 settings: the v1.10
//! file format (the oldest that supports SWMR, readable by HDF5 ≥ 1.10 tools
//! such as Debian 12's h5dump) as both lower and upper bound, so no newer
//! feature sneaks in.

use std::path::Path;

use hdf5::file::LibraryVersion;
use hdf5::File;

use super::error::StoreError;

/// Creates `path`, failing if it exists.
pub fn create_file(path: &Path) -> Result<File, StoreError> {
    File::with_options()
        .with_fapl(|p| p.libver_bounds(LibraryVersion::V110, LibraryVersion::V110))
        .create_excl(path)
        .map_err(|e| StoreError::hdf5(path, "creating the file", e))
}

/// Opens `path` for reading and writing (not SWMR).
pub fn open_rw(path: &Path) -> Result<File, StoreError> {
    File::with_options()
        .with_fapl(|p| p.libver_bounds(LibraryVersion::V110, LibraryVersion::V110))
        .open_rw(path)
        .map_err(|e| StoreError::hdf5(path, "opening for writing", e))
}

/// Opens `path` read-only.
pub fn open_read(path: &Path) -> Result<File, StoreError> {
    File::open(path).map_err(|e| StoreError::hdf5(path, "opening", e))
}
