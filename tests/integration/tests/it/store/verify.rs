//! `macroscope verify` recomputes every content hash: zero exit on an intact
//! file, non-zero when one data byte changed.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use macroscope_integration::store_fixtures::{options, run, stimulus_and_mean};

fn written(dir: &Path) -> (PathBuf, String) {
    let output = dir.join("run.h5");
    let stimulus = serde_json::json!({"frames": 6, "height": 48, "width": 64});
    run(
        stimulus_and_mean(&output, stimulus, 1.0),
        &options(&dir.join("store")),
        |_| {},
    )
    .unwrap();
    let file = hdf5::File::open(&output).unwrap();
    let key = file
        .group("/stimuli")
        .unwrap()
        .member_names()
        .unwrap()
        .remove(0);
    (output, format!("/stimuli/{key}/frames"))
}

/// Flips one bit of byte `at(chunk size)` of stored chunk `chunk` of `dataset`.
fn flip_byte_in_chunk(path: &Path, dataset: &str, chunk: usize, at: impl Fn(u64) -> u64) {
    let (addr, size) = {
        let file = hdf5::File::open(path).unwrap();
        let info = file.dataset(dataset).unwrap().chunk_info(chunk).unwrap();
        (info.addr, info.size)
    };
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .unwrap();
    let at = addr + at(size);
    let mut byte = [0u8];
    file.seek(SeekFrom::Start(at)).unwrap();
    file.read_exact(&mut byte).unwrap();
    byte[0] ^= 0x10;
    file.seek(SeekFrom::Start(at)).unwrap();
    file.write_all(&byte).unwrap();
}

#[test]
fn verify_passes_an_intact_file() {
    let dir = tempfile::tempdir().unwrap();
    let (output, _) = written(dir.path());
    let result = crate::cli::output("verify", &output);
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(
        result.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&result.stderr)
    );
    assert!(stdout.contains("content hashes match"), "{stdout}");
}

#[test]
fn verify_fails_a_file_with_one_flipped_data_byte() {
    let dir = tempfile::tempdir().unwrap();
    let (output, frames) = written(dir.path());
    flip_byte_in_chunk(&output, &frames, 3, |size| size / 2);
    let result = crate::cli::output("verify", &output);
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(
        !result.status.success(),
        "verify accepted a corrupted file:\n{stdout}"
    );
    let bad: Vec<&str> = stdout
        .lines()
        .filter(|l| !l.starts_with("ok ") && l.contains("/stimuli/"))
        .collect();
    assert_eq!(
        bad.len(),
        1,
        "exactly the corrupted dataset is reported:\n{stdout}"
    );
    assert!(bad[0].contains(&frames), "{stdout}");
}

#[test]
fn verify_reports_data_rewritten_without_its_hash() {
    let dir = tempfile::tempdir().unwrap();
    let (output, _) = written(dir.path());
    {
        let file = hdf5::File::open_rw(&output).unwrap();
        let run_id = file
            .attr("run_id")
            .unwrap()
            .read_scalar::<hdf5::types::VarLenUnicode>()
            .unwrap()
            .to_string();
        let total = file
            .dataset(&format!("/analysis/{run_id}/mean/total"))
            .unwrap();
        let mut values = total.read_raw::<f64>().unwrap();
        values[7] += 1.0;
        total.write_raw(&values).unwrap();
    }
    let result = crate::cli::output("verify", &output);
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(!result.status.success());
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("MISMATCH") && l.contains("/mean/total")),
        "{stdout}"
    );
}

#[test]
fn verify_reports_a_flipped_byte_in_an_uncompressed_column_as_a_hash_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    let (output, frames) = written(dir.path());
    let column = format!("{frames}.frame_index");
    // Byte 0 of row 0: the chunk is padded past the 6 rows it holds.
    flip_byte_in_chunk(&output, &column, 0, |_| 0);
    let result = crate::cli::output("verify", &output);
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(!result.status.success());
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("MISMATCH") && l.contains(&column)),
        "{stdout}"
    );
}

#[test]
fn verify_reports_an_edited_pipeline_text() {
    let dir = tempfile::tempdir().unwrap();
    let (output, _) = written(dir.path());
    {
        let file = hdf5::File::open_rw(&output).unwrap();
        file.delete_attr("pipeline_toml").unwrap();
        let edited: hdf5::types::VarLenUnicode = "[pipeline]\nname = \"edited\"\n".parse().unwrap();
        file.new_attr::<hdf5::types::VarLenUnicode>()
            .create("pipeline_toml")
            .unwrap()
            .write_scalar(&edited)
            .unwrap();
    }
    let result = crate::cli::output("verify", &output);
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(!result.status.success());
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("MISMATCH") && l.contains("pipeline_sha256")),
        "{stdout}"
    );
}
