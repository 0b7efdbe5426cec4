//! The undo log: it saves what sealing may overwrite, not the compressed
//! chunks, and restoring it gives back the file byte for byte.

use std::path::{Path, PathBuf};

use super::{restore, save, undo_path};

/// `count` u16 values of deterministic noise.
fn noise(count: u32) -> Vec<u16> {
    (0..count)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 16) as u16)
        .collect()
}

/// An unfiltered `frames.frame_id` column holding `0..rows`.
fn write_frame_ids(file: &hdf5::File, rows: u64) {
    file.new_dataset::<u64>()
        .chunk(512)
        .shape(rows as usize..)
        .create("frames.frame_id")
        .unwrap()
        .write_raw(&(0..rows).collect::<Vec<u64>>())
        .unwrap();
}

/// 64 frames of 64 × 64 u16 noise in compressed one-frame chunks, their
/// frame ids in an unfiltered column, and an attribute: a run's stream just
/// after its writer closed the file (created as the sink creates files).
fn run_like_file(dir: &Path) -> PathBuf {
    let path = dir.join("run.h5.partial");
    let file = crate::store::open::create_file(&path).unwrap();
    let frames = noise(64 * 64 * 64);
    let data = file
        .new_dataset::<u16>()
        .chunk((1, 64, 64))
        .shuffle()
        .deflate(1)
        .shape((64, 64, 64))
        .create("frames")
        .unwrap();
    data.write_raw(&frames).unwrap();
    write_frame_ids(&file, 64);
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
    assert!(std::fs::read(&path).unwrap() != before);
    assert!(restore(&path).unwrap());
    assert!(std::fs::read(&path).unwrap() == before, "not byte for byte");
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
    assert!(std::fs::read(&path).unwrap() == before, "not byte for byte");
    let file = hdf5::File::open(&path).unwrap();
    assert_eq!(file.dataset("frames").unwrap().shape(), vec![64, 64, 64]);
    let ids = file
        .dataset("frames.frame_id")
        .unwrap()
        .read_raw::<u64>()
        .unwrap();
    assert_eq!(ids, (0..64).collect::<Vec<u64>>());
}

#[test]
fn the_log_holds_everything_but_the_compressed_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let path = run_like_file(dir.path());
    let size = std::fs::metadata(&path).unwrap().len();
    let compressed = hdf5::File::open(&path)
        .unwrap()
        .dataset("frames")
        .unwrap()
        .storage_size();
    let saved = save(&path).unwrap();
    assert_eq!(saved, size - compressed);
    assert!(std::fs::metadata(undo_path(&path)).unwrap().len() < saved + 1024);
}

#[test]
fn without_a_log_restore_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = run_like_file(dir.path());
    let before = std::fs::read(&path).unwrap();
    assert!(!restore(&path).unwrap());
    assert!(std::fs::read(&path).unwrap() == before, "not byte for byte");
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
    assert!(std::fs::read(&path).unwrap() == sealed, "the file changed");
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
    assert!(std::fs::read(&path).unwrap() == before, "not byte for byte");
}

/// A stream as a failed run leaves it: 10 frames in compressed chunks of 4,
/// the last thing written to the file, but its frame-id column reached the
/// disk for 6 rows only.
fn stream_cut_by_a_write_error(path: &Path) -> Vec<u16> {
    use crate::store::attributes::set_str;
    use crate::store::layout::{dataset as attr, role};
    let frames = noise(10 * 4096);
    let file = crate::store::open::create_file(path).unwrap();
    write_frame_ids(&file, 6);
    let data = file
        .new_dataset::<u16>()
        .chunk((4, 4096))
        .shuffle()
        .deflate(1)
        .shape((10.., 4096))
        .create("frames")
        .unwrap();
    set_str(&data, attr::ROLE, role::STREAM).unwrap();
    set_str(&data, attr::COLUMNS, r#"["frame_id"]"#).unwrap();
    file.flush().unwrap();
    data.write_raw(&frames).unwrap();
    file.close().unwrap();
    frames
}

#[test]
fn a_trim_cut_short_is_rolled_back_so_that_trimming_again_keeps_the_same_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trimmed.h5.partial");
    let frames = stream_cut_by_a_write_error(&path);
    save(&path).unwrap();

    // The trim rewrites frames 4..8 (their chunk now ends the stream) and
    // deletes frames 8..10 at the end of the file; new objects then take
    // that space and more.
    let trim = || {
        let file = hdf5::File::open_rw(&path).unwrap();
        let kept = crate::store::seal::trim_streams_to_disk(&file).unwrap();
        (file, kept)
    };
    let (file, kept) = trim();
    assert_eq!(kept, vec![("/frames".to_owned(), 6)]);
    for i in 0..8 {
        file.new_dataset::<u16>()
            .shape(4096)
            .create(format!("map{i}").as_str())
            .unwrap()
            .write_raw(&vec![0xFFFF; 4096])
            .unwrap();
    }
    file.close().unwrap();

    restore(&path).unwrap();
    let restored = hdf5::File::open(&path).unwrap();
    assert_eq!(restored.dataset("frames").unwrap().shape(), vec![10, 4096]);
    assert!(
        restored.dataset("map0").is_err(),
        "what sealing added is gone"
    );
    drop(restored);
    let (file, kept) = trim();
    assert_eq!(kept, vec![("/frames".to_owned(), 6)]);
    let back = file.dataset("frames").unwrap().read_raw::<u16>().unwrap();
    assert!(back == frames[..6 * 4096], "the kept frames differ");
}
