//! Free space where a run will write: the volume holding the output file.

use std::io;
use std::path::Path;

/// Bytes this user may still write on the volume holding `path`: the volume of
/// its nearest existing folder when `path` does not exist yet (a run's output,
/// before the run).
pub fn available_bytes(path: &Path) -> io::Result<u64> {
    let existing = path
        .ancestors()
        .map(|p| {
            if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            }
        })
        .find(|p| p.exists())
        .unwrap_or(Path::new("."));
    fs4::available_space(existing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_not_yet_written_is_measured_on_its_folders_volume() {
        let dir = tempfile::tempdir().unwrap();
        let future = dir.path().join("runs/2026/run.h5");
        assert_eq!(
            available_bytes(&future).unwrap() / (1 << 20),
            fs4::available_space(dir.path()).unwrap() / (1 << 20)
        );
    }
}
