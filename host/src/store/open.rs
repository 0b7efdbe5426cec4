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

/// How often a SWMR reader reads a piece of metadata whose checksum does
/// not match before giving up. HDF5 retries (a writer may be midway through
/// writing it) sleeping 1 ns, 2 ns, 4 ns, ... between attempts; its default
/// of 100 attempts never ends on a damaged file. 30 gives up after about
/// half a second.
const SWMR_READ_ATTEMPTS: u32 = 30;

/// Opens `path` read-only; a file whose superblock says a writer has it open
/// (a run being written, or the `.partial` of one that was killed) is opened
/// as a SWMR reader. A file that is not HDF5, or is shorter than its
/// superblock says, is refused before the library sees it (see
/// `superblock`).
pub fn open_read(path: &Path) -> Result<File, StoreError> {
    let superblock = superblock::check_whole(path)?;
    let file = if superblock.open_for_writing {
        File::with_options()
            .with_fapl(|p| p.metadata_read_attempts(SWMR_READ_ATTEMPTS))
            .open_as(path, OpenMode::ReadSWMR)
    } else {
        File::open(path)
    };
    finish(path, "opening", file)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small file made by `create_file`, with the byte at `at` changed by
    /// `change`; returns its path.
    fn damaged_file(dir: &Path, at: usize, change: impl Fn(u8) -> u8) -> std::path::PathBuf {
        let path = dir.join("damaged.h5");
        create_file(&path).unwrap().close().unwrap();
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[at] = change(bytes[at]);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn refusal(path: &Path) -> String {
        open_read(path).unwrap_err().to_string()
    }

    #[test]
    fn a_file_whose_superblock_fails_its_checksum_is_refused_as_damaged() {
        let dir = tempfile::tempdir().unwrap();
        // Byte 26 is in the superblock extension's address (undefined: all ones).
        let path = damaged_file(dir.path(), 26, |b| b ^ 0x40);
        assert_eq!(
            refusal(&path),
            format!(
                "{}: opening: H5Fopen(): unable to synchronously open file: incorrect metadata checksum after \
                 all read attempts: the file is damaged (its HDF5 metadata fails its checksum); use an intact copy",
                path.display()
            )
        );
    }

    #[test]
    fn a_damaged_file_that_says_a_writer_has_it_open_is_refused_not_read_forever() {
        let dir = tempfile::tempdir().unwrap();
        // Byte 11 holds the consistency flags: "open for writing, SWMR".
        // The checksum no longer matches, and a SWMR reader retries reads
        // that fail it; with HDF5's default it would retry for ever.
        let path = damaged_file(dir.path(), 11, |b| b | 0x05);
        assert!(refusal(&path).ends_with(
            "incorrect metadata checksum after all read attempts: the file is damaged (its HDF5 metadata \
             fails its checksum); use an intact copy"
        ));
    }
}
