//! Files the sink writes are read bit-exact by independent readers: h5py
//! (through `tests/python/check_layout.py`) and HDF5's own `h5dump`, both with
//! nothing but HDF5's standard shuffle and deflate filters.
//!
//! `MACROSCOPE_PYTHON` names a Python with h5py (CI makes a venv); without it
//! `python3` is tried and the h5py check is skipped, with a note, if it has
//! no h5py. `h5dump` comes from Debian's `hdf5-tools`; the h5dump check is
//! skipped, with a note, when it is not installed, unless `MACROSCOPE_REQUIRE_H5DUMP=1`.

use macroscope_integration::{child, tools};
use std::path::{Path, PathBuf};

use macroscope_integration::store_fixtures::{
    camera_pixel, run_stimulus_and_mean, stimulus_direction, stimulus_pixel,
};
use sha2::{Digest, Sha256};

use crate::run_file::{run_id, stimulus_key};

const FRAMES: u64 = 10;
const HEIGHT: u32 = 48;
const WIDTH: u32 = 64;
const LEVEL: u16 = 1200;

/// The SHA-256, in hex, of `values` laid out little-endian.
fn sha256_le<T: Copy>(values: &[T], to_le: impl Fn(T) -> Vec<u8>) -> String {
    let bytes: Vec<u8> = values.iter().flat_map(|&v| to_le(v)).collect();
    hex::encode(Sha256::digest(&bytes))
}

/// The frames exactly as the test stimulus defines them.
fn expected_frames() -> Vec<u16> {
    (0..FRAMES)
        .flat_map(|i| {
            (0..HEIGHT)
                .flat_map(move |r| (0..WIDTH).map(move |c| stimulus_pixel(LEVEL, WIDTH, i, r, c)))
        })
        .collect()
}

/// Writes the test run into `dir`: its file, its stimulus's store key and its run id.
fn write_file(dir: &Path) -> (PathBuf, String, String) {
    let stimulus =
        serde_json::json!({"frames": FRAMES, "height": HEIGHT, "width": WIDTH, "level": LEVEL});
    run_stimulus_and_mean(dir, "run.h5", stimulus, 1.0);
    let output = dir.join("run.h5");
    let file = hdf5::File::open(&output).unwrap();
    (output, stimulus_key(&file), run_id(&file))
}

/// What `check_layout.py` must find in the file: layout, attributes,
/// hashes and sample values, all from the stimulus's closed form.
fn expected_json(key: &str, run_id: &str) -> serde_json::Value {
    let frames = expected_frames();
    let index: Vec<i64> = (0..FRAMES as i64).collect();
    let time: Vec<f64> = (0..FRAMES).map(|i| i as f64 / 60.0).collect();
    let direction: Vec<i8> = (0..FRAMES).map(stimulus_direction).collect();
    let pixels = (HEIGHT * WIDTH) as usize;
    let total: Vec<f64> = (0..pixels)
        .map(|k| {
            (0..FRAMES as usize)
                .map(|i| f64::from(frames[i * pixels + k]))
                .sum()
        })
        .collect();
    let g = format!("/stimuli/{key}");
    serde_json::json!({
        "root": {"format": "macroscope/1", "status": "complete", "pipeline_name": "store-test", "run_id": run_id},
        "groups": {
            g.clone(): {"stage": "stimulus", "plugin": "test-stimulus", "kind": "stimulus", "deterministic": 1, "reused": 0, "store_key": key},
        },
        "datasets": {
            format!("{g}/frames"): {
                "dtype": "<u2", "shape": [FRAMES, HEIGHT, WIDTH], "chunks": [1, HEIGHT, WIDTH],
                "filters": ["shuffle", "gzip"],
                "sha256": sha256_le(&frames, |v| v.to_le_bytes().to_vec()),
                "samples": [[[0, 0, 0], LEVEL], [[9, 47, 63], stimulus_pixel(LEVEL, WIDTH, 9, 47, 63)]],
                "attrs": {"plugin": "test-stimulus", "plugin_version": "1.2.3", "stage": "stimulus", "role": "stream",
                          "port": "frames", "unit": "counts", "columns": "[\"frame_index\",\"time_s\"]",
                          "port_attributes": "{\"display_rate_hz\":60}"},
            },
            format!("{g}/frames.frame_index"): {
                "dtype": "<i8", "shape": [FRAMES], "filters": [],
                "sha256": sha256_le(&index, |v| v.to_le_bytes().to_vec()),
                "samples": [[[3], 3]],
                "attrs": {"role": "column", "column": "frame_index", "port": "frames"},
            },
            format!("{g}/frames.time_s"): {
                "dtype": "<f8", "shape": [FRAMES],
                "sha256": sha256_le(&time, |v| v.to_le_bytes().to_vec()),
                "attrs": {"unit": "s"},
            },
            format!("{g}/schedule"): {
                "dtype": "<f8", "shape": [FRAMES],
                "sha256": sha256_le(&time, |v| v.to_le_bytes().to_vec()),
            },
            format!("{g}/schedule.direction"): {
                "dtype": "|i1", "shape": [FRAMES],
                "sha256": sha256_le(&direction, |v| v.to_le_bytes().to_vec()),
                "samples": [[[0], -1], [[1], 1]],
            },
            format!("/analysis/{run_id}/mean/total"): {
                "dtype": "<f8", "shape": [HEIGHT, WIDTH], "filters": ["shuffle", "gzip"],
                "sha256": sha256_le(&total, |v| v.to_le_bytes().to_vec()),
                "attrs": {"plugin": "test-mean", "role": "dataset", "port": "total"},
            },
        },
    })
}

#[test]
fn h5py_reads_layout_attributes_and_values_bit_exact() {
    let dir = tempfile::tempdir().unwrap();
    let (output, key, run_id) = write_file(dir.path());
    let Some(python) = tools::python_with(&["h5py"], "MACROSCOPE_REQUIRE_H5PY") else {
        return;
    };
    let report = h5py_check(&python, &output, &expected_json(&key, &run_id));
    assert!(
        report.contains("6 datasets checked, 0 problems"),
        "{report}"
    );
}

/// The values of dataset `path` in `file` as `h5dump` prints them, or `None`
/// (with a note) where h5dump is not installed and not required.
fn h5dump_values(file: &Path, path: &str) -> Option<Vec<u16>> {
    let h5dump = tools::program(&["h5dump"], "MACROSCOPE_REQUIRE_H5DUMP", "hdf5-tools")?;
    let whole = child::command(&h5dump)
        .arg("-H")
        .arg(file)
        .output()
        .unwrap();
    assert!(
        whole.status.success(),
        "h5dump -H failed: {}",
        String::from_utf8_lossy(&whole.stderr)
    );
    let dataset = child::command(&h5dump)
        .args(["-y", "-w", "0", "-d", path])
        .arg(file)
        .output()
        .unwrap();
    assert!(
        dataset.status.success(),
        "h5dump -d failed: {}",
        String::from_utf8_lossy(&dataset.stderr)
    );
    let text = String::from_utf8_lossy(&dataset.stdout);
    let data = &text[text.find("DATA {").expect("h5dump prints a DATA block") + 6..];
    let data = &data[..data.find('}').expect("the DATA block ends")];
    Some(
        data.split(|c: char| !c.is_ascii_digit())
            .filter(|t| !t.is_empty())
            .map(|t| t.parse().unwrap())
            .collect(),
    )
}

/// Runs `check_layout.py` on `file` against `expected`; returns its report.
fn h5py_check(python: &str, file: &Path, expected: &serde_json::Value) -> String {
    let expected_path = file.with_extension("expected.json");
    std::fs::write(
        &expected_path,
        serde_json::to_string_pretty(expected).unwrap(),
    )
    .unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../python/check_layout.py");
    let result = child::command(python)
        .arg(&script)
        .arg(file)
        .arg(&expected_path)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&result.stdout).into_owned();
    assert!(
        result.status.success(),
        "check_layout.py found problems:\n{report}{}",
        String::from_utf8_lossy(&result.stderr)
    );
    report
}

#[test]
fn h5dump_opens_the_file_and_decodes_the_frames() {
    let dir = tempfile::tempdir().unwrap();
    let (output, key, _) = write_file(dir.path());
    if let Some(values) = h5dump_values(&output, &format!("/stimuli/{key}/frames")) {
        assert_eq!(values, expected_frames());
    }
}

/// Camera frames with shot noise in their low byte: the sink writes that
/// byte plane as deflate stored blocks, and both independent readers must
/// decode such chunks bit-exact with their stock filters.
#[test]
fn h5py_and_h5dump_decode_camera_frames_whose_noisy_low_bytes_are_stored() {
    const SIDE: u64 = 64;
    const COUNT: u64 = 6;
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("camera.h5");
    let wrote = child::command(env!("CARGO_BIN_EXE_store-writer"))
        .arg(&output)
        .arg(dir.path().join("store"))
        .args([COUNT, SIDE, SIDE, 0].map(|n| n.to_string()))
        .output()
        .unwrap();
    assert!(
        wrote.status.success(),
        "{}",
        String::from_utf8_lossy(&wrote.stdout)
    );
    let frames: Vec<u16> = (0..COUNT)
        .flat_map(|i| (0..SIDE).flat_map(move |r| (0..SIDE).map(move |c| camera_pixel(i, r, c))))
        .collect();
    let path = format!(
        "/acquisitions/{}/camera/frames",
        run_id(&hdf5::File::open(&output).unwrap())
    );
    if let Some(python) = tools::python_with(&["h5py"], "MACROSCOPE_REQUIRE_H5PY") {
        let expected = serde_json::json!({
            "root": {"status": "complete"},
            "groups": {},
            "datasets": {path.clone(): {
                "dtype": "<u2", "shape": [COUNT, SIDE, SIDE], "filters": ["shuffle", "gzip"],
                "sha256": sha256_le(&frames, |v| v.to_le_bytes().to_vec()),
                "samples": [[[5, 63, 63], camera_pixel(5, 63, 63)]],
            }},
        });
        let report = h5py_check(&python, &output, &expected);
        assert!(
            report.contains("1 datasets checked, 0 problems"),
            "{report}"
        );
    }
    if let Some(values) = h5dump_values(&output, &path) {
        assert!(values == frames, "h5dump decodes other values");
    }
}
