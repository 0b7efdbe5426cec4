//! The plugin library files of one directory: found by extension, hashed, loaded.

use std::io;
use std::path::{Path, PathBuf};

use macroscope_plugin_api::load::LoadError;
use sha2::{Digest, Sha256};

/// A library file that provided no plugins, and why.
#[derive(Debug, thiserror::Error)]
pub enum LibraryFailure {
    /// The file could not be read to hash it.
    #[error("{path}: cannot read: {source}")]
    Read {
        /// The library file.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// The file was read but refused by the loader's checks.
    #[error(transparent)]
    Load(#[from] LoadError),
}

impl LibraryFailure {
    /// The library file.
    pub fn path(&self) -> &Path {
        match self {
            LibraryFailure::Read { path, .. } => path,
            LibraryFailure::Load(error) => error.path(),
        }
    }

    /// The plugin name this file would most likely have provided: a crate
    /// `frame-stats` builds `libframe_stats.so` (`frame_stats.dll` on Windows).
    pub fn likely_plugin_name(&self) -> Option<String> {
        let stem = self.path().file_stem()?.to_str()?;
        let crate_name = stem
            .strip_prefix(std::env::consts::DLL_PREFIX)
            .unwrap_or(stem);
        Some(crate_name.replace('_', "-"))
    }
}

/// Files in `dir` with this platform's dynamic-library extension, sorted by
/// name (so the order, and any conflict report, is the same on every run).
pub(super) fn library_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let is_library = path
            .extension()
            .is_some_and(|e| e == std::env::consts::DLL_EXTENSION);
        if is_library && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// SHA-256 of the file's bytes, lower-case hex.
pub(super) fn sha256_of(path: &Path) -> io::Result<String> {
    let mut hasher = Sha256::new();
    io::copy(&mut std::fs::File::open(path)?, &mut hasher)?;
    Ok(hex::encode(hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_dynamic_libraries_are_listed_in_name_order() {
        let dir = tempfile::tempdir().unwrap();
        let ext = std::env::consts::DLL_EXTENSION;
        for name in [
            format!("b.{ext}"),
            format!("a.{ext}"),
            "notes.txt".to_owned(),
        ] {
            std::fs::write(dir.path().join(name), b"").unwrap();
        }
        std::fs::create_dir(dir.path().join(format!("folder.{ext}"))).unwrap();
        let names: Vec<String> = library_files(dir.path())
            .unwrap()
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, [format!("a.{ext}"), format!("b.{ext}")]);
    }

    #[test]
    fn the_hash_is_the_sha256_of_the_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("x");
        std::fs::write(&file, b"abc").unwrap();
        // The FIPS 180-2 test vector for "abc".
        assert_eq!(
            sha256_of(&file).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn a_failed_library_names_the_plugin_its_crate_would_provide() {
        let failure = LibraryFailure::Read {
            path: PathBuf::from("/p/libexample_frame_stats.so"),
            source: io::Error::other("x"),
        };
        assert_eq!(
            failure.likely_plugin_name().as_deref(),
            Some("example-frame-stats")
        );
    }
}
