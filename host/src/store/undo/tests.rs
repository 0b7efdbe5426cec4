//! The undo log: it saves what sealing may overwrite, not the raw data, and
//! restoring it gives back the file byte for byte.

use std::path::{Path, PathBuf};

use super::{restore, save, undo_path};

/// 64 frames of 64 × 64 u16 noise in one-frame chunks (raw, unfiltered, so
/// the chunk bytes are known) with an attribute, like a run's stream just
/// after its writer closed the file.
fn run_like_file(dir: &Path) -> PathBuf {
    let path = dir.join("run.h5.partial");
    let file = hdf5::File::create(&path).unwrap();
    let frames: Vec<u16> = (0..64 * 64 * 64u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 16) as u16)
        .collect();
    let data = file
        .new_dataset::<u16>()
        .chunk((1, 64, 64))
        .shape((64, 64, 64))
        .create("frames")
        .unwrap();
    data.write_raw(&frames).unwrap();
    data.new_attr::<u64>()
        .create("rows")
        .unwrap()
        .write_scalar(&64)
        .unwrap();
    file.close().unwrap();
    path
}

/// What sealing does: attributes, a new dataset, an extent change.
fn seal_like_changes(path: &Path) {
    let file = hdf5::File::open_rw(path).unwrap();
    let data = file.dataset("frames").unwrap();
    data.new_attr::<u64>()
        .create("dropped_items")
        .unwrap()
        .write_scalar(&3)
        .unwrap();
    file.new_dataset::<f64>()
        .shape((32, 32))
        .create("azimuth")
        .unwrap()
        .write_raw(&vec![1.5; 32 * 32])
        .unwrap();
    file.close().unwrap();
}

#[test]
fn restoring_the_log_returns_the_file_byte_for_byte_to_when_it_was_saved() {
    let dir = tempfile::tempdir().unwrap();
    let path = run_like_file(dir.path());
    let before = std::fs::read(&path).unwrap();
    save(&path).unwrap();
    seal_like_changes(&path);
    assert_ne!(std::fs::read(&path).unwrap(), before);
    assert!(restore(&path).unwrap());
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert!(!undo_path(&path).exists());
}

#[test]
fn a_torn_file_with_garbage_over_its_metadata_is_restored() {
    let dir = tempfile::tempdir().unwrap();
    let path = run_like_file(dir.path());
    let before = std::fs::read(&path).unwrap();
    save(&path).unwrap();
    let mut torn = before.clone();
    torn[..2048].fill(0xA5);
    torn.extend_from_slice(&[0x5A; 4096]);
    std::fs::write(&path, &torn).unwrap();
    assert!(hdf5::File::open(&path).is_err());
    restore(&path).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), before);
    let frames = hdf5::File::open(&path).unwrap().dataset("frames").unwrap();
    assert_eq!(frames.shape(), vec![64, 64, 64]);
}

#[test]
fn the_log_holds_the_metadata_but_not_the_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let path = run_like_file(dir.path());
    let size = std::fs::metadata(&path).unwrap().len();
    let chunk_bytes = 64 * 64 * 64 * 2;
    let saved = save(&path).unwrap();
    assert_eq!(saved, size - chunk_bytes);
    assert!(std::fs::metadata(undo_path(&path)).unwrap().len() < saved + 1024);
}

#[test]
fn without_a_log_restore_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = run_like_file(dir.path());
    let before = std::fs::read(&path).unwrap();
    assert!(!restore(&path).unwrap());
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_damaged_log_is_refused_and_kept_and_the_file_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = run_like_file(dir.path());
    save(&path).unwrap();
    seal_like_changes(&path);
    let sealed = std::fs::read(&path).unwrap();
    let log = undo_path(&path);
    let mut bytes = std::fs::read(&log).unwrap();
    bytes[40] ^= 1;
    std::fs::write(&log, &bytes).unwrap();
    let error = restore(&path).unwrap_err().to_string();
    assert!(error.contains("run.h5.partial.undo"), "{error}");
    assert!(error.contains("damaged"), "{error}");
    assert!(log.exists());
    assert_eq!(std::fs::read(&path).unwrap(), sealed);
}

#[test]
fn a_log_left_half_written_by_a_kill_is_dropped_without_touching_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = run_like_file(dir.path());
    let before = std::fs::read(&path).unwrap();
    let mut half = undo_path(&path).into_os_string();
    half.push(".tmp");
    std::fs::write(&half, b"macroscope-undo/1\n\x01\x02").unwrap();
    assert!(!restore(&path).unwrap());
    assert!(!Path::new(&half).exists());
    assert_eq!(std::fs::read(&path).unwrap(), before);
}
