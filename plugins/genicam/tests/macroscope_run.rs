//! `macroscope run pipelines/genicam-fake.toml` end to end, as the README says
//! to do it: the real binary loads `libgenicam.so` from a plugin directory,
//! records from the fake camera until the pipeline's duration is up, and the
//! file holds every frame with its columns and the camera's attributes.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{FakeCamera, CAMERA_ID};
use serde_json::Value;

/// The repository root.
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `target/<profile>`, where cargo put this test binary (`deps/` below it).
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary has a path");
    exe.parent()
        .and_then(Path::parent)
        .expect("test binaries live in target/<profile>/deps")
        .to_owned()
}

/// Builds the `macroscope` binary and this plugin's library with the cargo
/// running these tests (same target directory and profile); returns their paths.
fn build_binary_and_plugin() -> (PathBuf, PathBuf) {
    let profile_dir = profile_dir();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(workspace())
        .args([
            "build",
            "--quiet",
            "-p",
            "macroscope",
            "-p",
            "genicam",
            "--lib",
            "--bin",
            "macroscope",
        ])
        .arg("--target-dir")
        .arg(profile_dir.parent().expect("a profile dir has a parent"));
    if profile_dir.file_name().is_some_and(|n| n == "release") {
        command.arg("--release");
    }
    let output = command.output().expect("cargo runs");
    assert!(
        output.status.success(),
        "building macroscope and libgenicam failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let library = format!(
        "{}genicam{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    (profile_dir.join("macroscope"), profile_dir.join(library))
}

/// A Python with h5py: `MACROSCOPE_PYTHON` (CI makes a venv), else `python3`
/// if it has h5py; `None` (after saying so) when there is none.
fn python() -> Option<String> {
    if let Ok(python) = std::env::var("MACROSCOPE_PYTHON") {
        return Some(python);
    }
    let has_h5py = Command::new("python3")
        .args(["-c", "import h5py"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_h5py {
        eprintln!(
            "SKIPPED reading the file with h5py: set MACROSCOPE_PYTHON to a Python with h5py"
        );
    }
    has_h5py.then(|| "python3".to_owned())
}

/// What h5py reads from the run file: status, the frames' shape, the columns,
/// the attributes and whether every pixel is the fake camera's ramp of its
/// block id (`256 (x + y + id) mod 65535` in Mono16).
const READ_RUN_FILE: &str = r#"
import h5py, json, sys
import numpy as np
with h5py.File(sys.argv[1], "r") as f:
    group = f["acquisitions"][f.attrs["run_id"]]["camera"]
    frames = group["frames"]
    ids = group["frames.frame_id"][:]
    blocks = (ids.astype(np.int64) - 1) % 65535 + 1
    y, x = np.mgrid[0:frames.shape[1], 0:frames.shape[2]]
    ramp = all(
        np.array_equal(frames[i], (256 * (x + y + int(blocks[i]))) % 65535)
        for i in range(frames.shape[0])
    )
    print(json.dumps({
        "status": f.attrs["status"],
        "shape": list(frames.shape),
        "dtype": str(frames.dtype),
        "frame_id": ids.tolist(),
        "dropped_before": group["frames.dropped_before"][:].tolist(),
        "camera_timestamp_ns": group["frames.camera_timestamp_ns"][:].tolist(),
        "ramp": ramp,
        "attributes": json.loads(frames.attrs["port_attributes"]),
    }))
"#;

#[test]
fn the_fake_camera_pipeline_records_until_its_duration_and_h5py_reads_every_frame() {
    let Some(_camera) = FakeCamera::start("macroscope run genicam-fake.toml", &[]) else {
        return;
    };
    let (macroscope, library) = build_binary_and_plugin();
    let plugins = tempfile::tempdir().unwrap();
    std::fs::copy(&library, plugins.path().join(library.file_name().unwrap())).unwrap();
    let work = tempfile::tempdir().unwrap();
    let file_path = work.path().join("genicam-fake.h5");

    let output = Command::new(&macroscope)
        .env_remove("MACROSCOPE_PLUGIN_PATH")
        .env("XDG_DATA_HOME", work.path().join("data-home"))
        .args(["run", "--quiet", "--no-figures"])
        .arg(workspace().join("pipelines/genicam-fake.toml"))
        .arg("--output")
        .arg(&file_path)
        .arg("--plugin-path")
        .arg(plugins.path())
        .output()
        .expect("macroscope runs");
    assert!(
        output.status.success(),
        "macroscope run failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );

    let Some(python) = python() else { return };
    let read = Command::new(python)
        .args(["-c", READ_RUN_FILE])
        .arg(&file_path)
        .output()
        .expect("python runs");
    assert!(
        read.status.success(),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
    let file: Value = serde_json::from_slice(&read.stdout).unwrap();
    assert_eq!(file["status"], "complete");
    assert_eq!(file["dtype"], "uint16");
    let shape = file["shape"].as_array().unwrap();
    // 5 s at 25 frames/s.
    assert!(
        (123..=127).contains(&shape[0].as_u64().unwrap()),
        "{shape:?}"
    );
    assert_eq!(shape[1..], [512, 512]);
    let ids = numbers(&file["frame_id"]);
    assert!(ids.windows(2).all(|w| w[1] == w[0] + 1), "{ids:?}");
    assert!(numbers(&file["dropped_before"]).iter().all(|&d| d == 0));
    let stamps = numbers(&file["camera_timestamp_ns"]);
    assert!(stamps.windows(2).all(|w| w[1] > w[0]), "{stamps:?}");
    assert_eq!(file["ramp"], true, "every pixel is the fake camera's ramp");
    assert_eq!(file["attributes"]["camera"]["id"], CAMERA_ID);
    assert_eq!(
        file["attributes"]["settings"]["AcquisitionFrameRate"]["actual"],
        25.0
    );
}

fn numbers(array: &Value) -> Vec<u64> {
    array
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect()
}
