//! Crash safety: a writer killed mid-run, or while sealing its file, leaves a
//! `.partial` file that `macroscope recover` turns into a normal file marked
//! `interrupted`, holding every item that had been flushed, bit-exact.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use macroscope_integration::child;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use macroscope_integration::store_fixtures::camera_pixel;
use sha2::{Digest, Sha256};

use crate::run_file::{dataset_values, stage_group, status, text_attr};

const HEIGHT: u64 = 128;
const WIDTH: u64 = 128;

#[test]
fn every_flushed_item_survives_sigkill_and_recover() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("killed.h5");
    let partial = dir.path().join("killed.h5.partial");
    let mut child = child::command(env!("CARGO_BIN_EXE_store-writer"))
        .arg(&output)
        .arg(dir.path().join("store"))
        .args(["1000000", &HEIGHT.to_string(), &WIDTH.to_string(), "4"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let flushed = Arc::new(AtomicU64::new(0));
    let seen = Arc::clone(&flushed);
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(n) = line.strip_prefix("flushed ") {
                seen.store(n.parse().unwrap(), Ordering::SeqCst);
            }
        }
    });
    std::thread::sleep(Duration::from_millis(2500));
    let flushed_before_kill = flushed.load(Ordering::SeqCst);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    reader.join().unwrap();
    assert!(
        flushed_before_kill > 0,
        "the writer reported no flush in 2.5 s"
    );
    assert!(partial.exists() && !output.exists());

    crate::cli::succeeds("recover", &partial);
    assert!(!partial.exists());

    let file = hdf5::File::open(&output).unwrap();
    assert_eq!(status(&file), "interrupted");
    let rows = exact_camera_rows(&file);
    assert!(
        rows >= flushed_before_kill,
        "{rows} rows kept, but {flushed_before_kill} had been flushed"
    );
    eprintln!("kept {rows} rows; {flushed_before_kill} were flushed before the kill");
    drop(file);

    crate::cli::succeeds("verify", &output);
}

/// Asserts that the test camera's stream in `file` holds exactly the frames,
/// frame ids and timestamps the camera made, with the right content hash;
/// returns how many rows it holds.
pub(super) fn exact_camera_rows(file: &hdf5::File) -> u64 {
    let camera = stage_group(file, "acquisitions", "camera");
    let frames = camera.dataset("frames").unwrap();
    let rows = frames.shape()[0] as u64;
    let values = frames.read_raw::<u16>().unwrap();
    let per_frame = (HEIGHT * WIDTH) as usize;
    for i in 0..rows {
        let frame = &values[i as usize * per_frame..(i as usize + 1) * per_frame];
        let expected = (0..HEIGHT).flat_map(|r| (0..WIDTH).map(move |c| camera_pixel(i, r, c)));
        assert!(frame.iter().copied().eq(expected), "frame {i} differs");
    }
    assert_eq!(
        dataset_values::<u64>(&camera, "frames.frame_id"),
        (0..rows).collect::<Vec<u64>>()
    );
    assert_eq!(
        dataset_values::<i64>(&camera, "frames.timestamp_ns"),
        (0..rows as i64)
            .map(|i| i * 1_000_000)
            .collect::<Vec<i64>>()
    );
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    assert_eq!(
        text_attr(&frames, "content_sha256"),
        hex::encode(Sha256::digest(&bytes))
    );
    rows
}

/// Runs the store writer for `frames` frames with the fail point `point`
/// set to abort the process there (as a kill would); returns the `.partial`.
fn writer_aborted_at(dir: &Path, point: &str, frames: u64) -> PathBuf {
    let status = child::command(env!("CARGO_BIN_EXE_store-writer"))
        .arg(dir.join("sealed.h5"))
        .arg(dir.join("store"))
        .args([frames, HEIGHT, WIDTH, 0].map(|n| n.to_string()))
        .env("FAILPOINTS", format!("{point}=return"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(!status.success(), "the writer must die at `{point}`");
    assert!(!dir.join("sealed.h5").exists());
    dir.join("sealed.h5.partial")
}

/// Runs `macroscope recover` on `partial` and asserts what it said, the
/// status and exact frames of the file it made, and that `verify` passes.
fn recover_and_expect(partial: &Path, said: &str, expected_status: &str, rows: u64) {
    let printed = crate::cli::succeeds("recover", partial);
    assert!(printed.contains(said), "{printed}");
    let output = partial.with_extension("");
    let file = hdf5::File::open(&output).unwrap();
    assert_eq!(status(&file), expected_status);
    assert_eq!(exact_camera_rows(&file), rows);
    drop(file);
    crate::cli::succeeds("verify", &output);
}

#[test]
fn a_run_killed_while_sealing_is_rolled_back_and_keeps_every_frame() {
    let dir = tempfile::tempdir().unwrap();
    let partial = writer_aborted_at(dir.path(), "store::mid-seal", 40);
    assert!(dir.path().join("sealed.h5.partial.undo").exists());

    recover_and_expect(&partial, "rolled the file back", "interrupted", 40);
    assert!(!dir.path().join("sealed.h5.partial.undo").exists());
}

#[test]
fn a_run_killed_after_sealing_but_before_its_rename_is_only_renamed() {
    let dir = tempfile::tempdir().unwrap();
    let partial = writer_aborted_at(dir.path(), "store::before-rename", 40);
    assert!(!dir.path().join("sealed.h5.partial.undo").exists());

    recover_and_expect(&partial, "only its rename was missing", "complete", 40);
}

/// The same through the real command: `macroscope run` on a long pipeline,
/// SIGKILLed after 2.5 s, then `macroscope recover`. The stimulus schedule is
/// known in closed form (row k at k/60 s), so every recovered row is checked
/// against it, and `verify` recomputes the content hash of every dataset.
#[test]
fn macroscope_run_killed_mid_run_recovers_as_interrupted_with_exact_rows() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = long_pipeline(dir.path());
    let mut child = crate::cli::macroscope()
        .args(["run", "--quiet", "--no-figures"])
        .arg(&pipeline)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the pipeline must still be running when killed"
    );
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let partial = dir.path().join("long.h5.partial");
    crate::cli::succeeds("recover", &partial);

    let file = hdf5::File::open(dir.path().join("long.h5")).unwrap();
    assert_eq!(status(&file), "interrupted");
    let stimulus = file.group("stimuli").unwrap().groups().unwrap().remove(0);
    let times = dataset_values::<f64>(&stimulus, "schedule");
    let indices = dataset_values::<i64>(&stimulus, "schedule.frame_index");
    assert!(
        times.len() > 60,
        "more than a second of schedule was flushed, got {} rows",
        times.len()
    );
    for (k, (&t, &index)) in times.iter().zip(indices.iter()).enumerate() {
        assert_eq!(index, k as i64, "row {k}: frame index");
        assert!(
            (t - k as f64 / 60.0).abs() < 1e-9,
            "row {k}: time {t} s, expected {} s",
            k as f64 / 60.0
        );
    }
    crate::cli::succeeds("verify", dir.path().join("long.h5"));
}

/// A pipeline writing `dir/long.h5` (store `dir/store`) that runs for
/// minutes: a 20-sweep drifting bar filmed by a 256×256 synthetic cortex.
pub(super) fn long_pipeline(dir: &Path) -> PathBuf {
    let pipeline = dir.join("long.toml");
    std::fs::write(
        &pipeline,
        format!(
            r#"
[pipeline]
name = "long"
output = "{out}"
store = "{store}"

[stages.stimulus]
plugin = "drifting-bar"
params = {{ sweeps_per_direction = 20, downsample = 4 }}

[stages.camera]
plugin = "synthetic-cortex"
inputs = ["stimulus.schedule"]
params = {{ width_px = 256, height_px = 256 }}
"#,
            out = dir.join("long.h5").display(),
            store = dir.join("store").display(),
        ),
    )
    .unwrap();
    pipeline
}
