//! The SHA-256 of a whole store entry file, recorded once when the entry is
//! filed, in `<key>.h5.sha256` beside it (`sha256sum` format, so
//! `sha256sum -c` in the store checks every entry by hand), and checked
//! before HDF5 ever opens the entry for reuse.
//!
//! HDF5 walks a damaged file's metadata without bound: an entry whose
//! superblock is intact but whose body is not (random bytes, a bad copy)
//! hangs the library, and no check made through HDF5 can run first. Reading
//! the file's bytes through SHA-256 is bounded by its length, and costs
//! little next to the content hashes checked after it: it hashes the
//! compressed bytes once, they decompress every chunk.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::error::StoreError;

/// `<entry>.sha256`: where the SHA-256 of `entry` is recorded.
pub fn hash_path(entry: &Path) -> PathBuf {
    let mut name = entry.as_os_str().to_owned();
    name.push(".sha256");
    name.into()
}

/// SHA-256 of the bytes of `path`, lower-case hex, read in 1 MiB blocks.
pub fn file_sha256(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut block = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut block)?;
        if n == 0 {
            return Ok(hex::encode(hasher.finalize()));
        }
        hasher.update(&block[..n]);
    }
}

/// Writes the SHA-256 of `file` (an entry being filed under a temporary
/// name) as the recorded hash of `entry`, to `<file>.sha256`, synced, and
/// returns that path: the filing then moves it to `<entry>.sha256`, never
/// over an existing one, before it moves `file` to `entry`.
pub fn write_beside(file: &Path, entry: &Path) -> Result<PathBuf, StoreError> {
    let hash = file_sha256(file).map_err(|e| StoreError::io(file, "hashing the entry", e))?;
    let written = hash_path(file);
    let name = entry
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    std::fs::File::create(&written)
        .and_then(|mut f| {
            writeln!(f, "{hash}  {name}")?;
            f.sync_all()
        })
        .map_err(|e| {
            let _ = std::fs::remove_file(&written);
            StoreError::io(&written, "writing the entry's SHA-256", e)
        })?;
    Ok(written)
}

/// Checks `entry` against its recorded SHA-256, without HDF5; the error
/// says why it must not be opened.
pub fn check(entry: &Path) -> Result<(), String> {
    let recorded_at = hash_path(entry);
    let name = recorded_at
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = match std::fs::read_to_string(&recorded_at) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!(
                "no SHA-256 of the file was recorded (`{name}` is missing: it was filed by an older macroscope, \
                 or its filing was cut short)"
            ))
        }
        Err(e) => return Err(format!("`{name}` cannot be read: {e}")),
    };
    let recorded = text.split_whitespace().next().unwrap_or_default();
    if recorded.len() != 64 || !recorded.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("`{name}` does not hold a SHA-256 (64 hex digits)"));
    }
    let actual = file_sha256(entry).map_err(|e| format!("cannot be read: {e}"))?;
    if !actual.eq_ignore_ascii_case(recorded) {
        return Err(format!(
            "the file's SHA-256 is {actual}, but {recorded} was recorded when it was filed: it was changed or \
             damaged since"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An entry `e.h5` holding `bytes`, filed through a partial file as the store does.
    fn filed(dir: &Path, bytes: &[u8]) -> PathBuf {
        let partial = dir.join("e.h5.1.partial");
        std::fs::write(&partial, bytes).unwrap();
        let entry = dir.join("e.h5");
        let hash = write_beside(&partial, &entry).unwrap();
        std::fs::rename(hash, hash_path(&entry)).unwrap();
        std::fs::rename(&partial, &entry).unwrap();
        entry
    }

    #[test]
    fn the_recorded_hash_is_in_sha256sum_format() {
        let dir = tempfile::tempdir().unwrap();
        let entry = filed(dir.path(), b"abc");
        // printf abc | sha256sum
        assert_eq!(
            std::fs::read_to_string(hash_path(&entry)).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  e.h5\n"
        );
        assert_eq!(check(&entry), Ok(()));
        assert!(!hash_path(&dir.path().join("e.h5.1.partial")).exists());
    }

    #[test]
    fn a_changed_byte_is_a_mismatch_naming_both_hashes() {
        let dir = tempfile::tempdir().unwrap();
        let entry = filed(dir.path(), b"abc");
        std::fs::write(&entry, b"abd").unwrap();
        assert_eq!(
            check(&entry),
            Err(format!(
                "the file's SHA-256 is {}, but ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad \
                 was recorded when it was filed: it was changed or damaged since",
                super::super::hashing::sha256_hex(b"abd")
            ))
        );
    }

    #[test]
    fn an_entry_without_a_recorded_hash_is_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let entry = dir.path().join("old.h5");
        std::fs::write(&entry, b"abc").unwrap();
        assert_eq!(
            check(&entry),
            Err(
                "no SHA-256 of the file was recorded (`old.h5.sha256` is missing: it was filed by an older \
                 macroscope, or its filing was cut short)"
                    .into()
            )
        );
        std::fs::write(hash_path(&entry), "not a hash\n").unwrap();
        assert_eq!(
            check(&entry),
            Err("`old.h5.sha256` does not hold a SHA-256 (64 hex digits)".into())
        );
    }
}
