//! `macroscope verify` recomputes every content hash: zero exit on an intact
//! file, non-zero when one data byte changed.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use macroscope_integration::store_fixtures::run_stimulus_and_mean;

use crate::cli;
use crate::run_file::{stage_group, stimulus_key};

/// A 6-frame stimulus → mean run in `dir`: its file and the path of its frames.
fn written(dir: &Path) -> (PathBuf, String) {
    let stimulus = serde_json::json!({"frames": 6, "height": 48, "width": 64});
    run_stimulus_and_mean(dir, "run.h5", stimulus, 1.0);
    let output = dir.join("run.h5");
    let key = stimulus_key(&hdf5::File::open(&output).unwrap());
    (output, format!("/stimuli/{key}/frames"))
}

/// Runs `macroscope verify FILE` and asserts it fails, printing a `MISMATCH`
/// line that names `what`.
fn assert_verify_reports_mismatch(file: &Path, what: &str) {
    let result = cli::output("verify", file);
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(
        !result.status.success(),
        "verify accepted a changed file:\n{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("MISMATCH") && l.contains(what)),
        "no MISMATCH line names {what} ({:?}):\n{stdout}\n{}",
        result.status,
        String::from_utf8_lossy(&result.stderr)
    );
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
    let stdout = cli::succeeds("verify", &output);
    assert!(stdout.contains("content hashes match"), "{stdout}");
}

#[test]
fn verify_fails_a_file_with_one_flipped_data_byte() {
    let dir = tempfile::tempdir().unwrap();
    let (output, frames) = written(dir.path());
    flip_byte_in_chunk(&output, &frames, 3, |size| size / 2);
    let result = cli::output("verify", &output);
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
        let total = stage_group(&file, "analysis", "mean")
            .dataset("total")
            .unwrap();
        let mut values = total.read_raw::<f64>().unwrap();
        values[7] += 1.0;
        total.write_raw(&values).unwrap();
    }
    assert_verify_reports_mismatch(&output, "/mean/total");
}

#[test]
fn verify_reports_a_flipped_byte_in_an_uncompressed_column_as_a_hash_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    let (output, frames) = written(dir.path());
    let column = format!("{frames}.frame_index");
    // Byte 0 of row 0: the chunk is padded past the 6 rows it holds.
    flip_byte_in_chunk(&output, &column, 0, |_| 0);
    assert_verify_reports_mismatch(&output, &column);
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
    assert_verify_reports_mismatch(&output, "pipeline_sha256");
}
