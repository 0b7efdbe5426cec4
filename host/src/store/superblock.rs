//! A look at a file's HDF5 superblock before the library opens it: is it an
//! HDF5 file at all, and is it whole? HDF5 walks a truncated file's metadata
//! without bound (a reader of a cut copy never returns), so every file that
//! comes from outside is measured against the end-of-file address its
//! superblock records first.
//!
//! Only the fields needed are parsed (superblock versions 0-3): the
//! signature (at byte 0, 512, 1024, 2048, ...), the version, the size of
//! offsets, the base address, the end-of-file address, and, for versions
//! 2-3, the file consistency flags.

use std::fs::File;
use std::io::{Read as _, Seek as _, SeekFrom};
use std::path::Path;

use super::error::StoreError;

const SIGNATURE: &[u8; 8] = b"\x89HDF\r\n\x1a\n";

/// What the superblock says about the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Superblock {
    /// Superblock version (0-3).
    pub version: u8,
    /// Bytes the file must hold: base address + end-of-file address.
    pub expected_len: u64,
    /// Whether a writer has the file open (consistency flags of versions
    /// 2-3 set): its end of file moves while it is written.
    pub open_for_writing: bool,
}

/// Reads the superblock of `path`, failing with "not an HDF5 file" when
/// there is none.
pub fn read(path: &Path) -> Result<Superblock, StoreError> {
    let io = |e| StoreError::io(path, "reading the HDF5 superblock", e);
    let mut file = File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    let not_hdf5 = || {
        StoreError::format(
            path,
            format!("not an HDF5 file (no HDF5 signature in its {len} bytes)"),
        )
    };
    let mut at = 0u64;
    loop {
        if at + 8 > len {
            return Err(not_hdf5());
        }
        let mut head = [0u8; 8];
        file.seek(SeekFrom::Start(at)).map_err(io)?;
        file.read_exact(&mut head).map_err(io)?;
        if &head == SIGNATURE {
            break;
        }
        at = if at == 0 { 512 } else { at * 2 };
    }
    let mut rest = Vec::with_capacity(64);
    file.take(96).read_to_end(&mut rest).map_err(io)?;
    parse(&rest).ok_or_else(|| {
        StoreError::format(
            path,
            format!("its HDF5 superblock at byte {at} is cut short or of an unknown version: the file is damaged"),
        )
    })
}

/// Parses the bytes after the signature.
fn parse(bytes: &[u8]) -> Option<Superblock> {
    let version = *bytes.first()?;
    // Offsets (from after the signature) of the size-of-offsets byte and of
    // the base address, and the number of addresses from it to end-of-file.
    let (size_at, base_at, flags_at) = match version {
        0 => (5, 16, None),
        1 => (5, 20, None),
        2 | 3 => (1, 4, Some(3)),
        _ => return None,
    };
    let size = usize::from(*bytes.get(size_at)?);
    if !matches!(size, 2 | 4 | 8) {
        return None;
    }
    let address = |index: usize| -> Option<u64> {
        let start = base_at + index * size;
        let field = bytes.get(start..start + size)?;
        Some(
            field
                .iter()
                .rev()
                .fold(0u64, |value, &byte| (value << 8) | u64::from(byte)),
        )
    };
    let base = address(0)?;
    let end_of_file = address(2)?;
    Some(Superblock {
        version,
        expected_len: base.checked_add(end_of_file)?,
        open_for_writing: flags_at.is_some_and(|at| bytes.get(at).is_some_and(|&f| f != 0)),
    })
}

/// Fails unless `path` is an HDF5 file at least as long as its superblock
/// says; a file a writer still has open is not measured (its end moves).
/// Returns the superblock.
pub fn check_whole(path: &Path) -> Result<Superblock, StoreError> {
    let superblock = read(path)?;
    let found = std::fs::metadata(path)
        .map_err(|e| StoreError::io(path, "reading its size", e))?
        .len();
    if !superblock.open_for_writing && found < superblock.expected_len {
        return Err(StoreError::format(
            path,
            format!(
                "the file is truncated (expected {} bytes, found {found}): it was cut short while being copied \
                 or written; use a whole copy",
                superblock.expected_len
            ),
        ));
    }
    Ok(superblock)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn hdf5_file(dir: &Path) -> std::path::PathBuf {
        let path = dir.join("whole.h5");
        let file = hdf5::File::create(&path).unwrap();
        file.new_dataset::<u32>()
            .shape([1000])
            .create("values")
            .unwrap()
            .write_raw(&(0..1000).collect::<Vec<u32>>())
            .unwrap();
        drop(file);
        path
    }

    #[test]
    fn a_whole_hdf5_file_passes_and_its_length_is_known() {
        let dir = tempfile::tempdir().unwrap();
        let path = hdf5_file(dir.path());
        let superblock = read(&path).unwrap();
        assert_eq!(
            superblock.expected_len,
            std::fs::metadata(&path).unwrap().len()
        );
        check_whole(&path).unwrap();
    }

    #[test]
    fn a_truncated_hdf5_file_is_refused_with_both_lengths() {
        let dir = tempfile::tempdir().unwrap();
        let whole = std::fs::read(hdf5_file(dir.path())).unwrap();
        let cut = write_file(dir.path(), "cut.h5", &whole[..whole.len() / 2]);
        let error = check_whole(&cut).unwrap_err().to_string();
        assert_eq!(
            error,
            format!(
                "{}: the file is truncated (expected {} bytes, found {}): it was cut short while being copied \
                 or written; use a whole copy",
                cut.display(),
                whole.len(),
                whole.len() / 2
            )
        );
    }

    #[test]
    fn a_file_without_the_signature_is_not_an_hdf5_file() {
        let dir = tempfile::tempdir().unwrap();
        let empty = write_file(dir.path(), "empty.h5", b"");
        assert_eq!(
            check_whole(&empty).unwrap_err().to_string(),
            format!(
                "{}: not an HDF5 file (no HDF5 signature in its 0 bytes)",
                empty.display()
            )
        );
        let text = write_file(dir.path(), "text.h5", &[b'x'; 3000]);
        assert!(check_whole(&text)
            .unwrap_err()
            .to_string()
            .ends_with("not an HDF5 file (no HDF5 signature in its 3000 bytes)"));
    }

    #[test]
    fn a_signature_after_a_user_block_is_found() {
        let dir = tempfile::tempdir().unwrap();
        // A version-0 superblock with base address 0 cannot simply be moved;
        // parse one by hand at 512 instead.
        let mut bytes = vec![0u8; 512];
        bytes.extend_from_slice(SIGNATURE);
        bytes.extend_from_slice(&[2, 8, 8, 0]);
        bytes.extend_from_slice(&512u64.to_le_bytes()); // base
        bytes.extend_from_slice(&u64::MAX.to_le_bytes()); // extension
        bytes.extend_from_slice(&100u64.to_le_bytes()); // end of file
        bytes.extend_from_slice(&48u64.to_le_bytes()); // root
        bytes.extend_from_slice(&[0; 4]);
        let path = write_file(dir.path(), "block.h5", &bytes);
        let superblock = read(&path).unwrap();
        assert_eq!((superblock.version, superblock.expected_len), (2, 612));
        assert!(check_whole(&path).is_err());
    }
}
