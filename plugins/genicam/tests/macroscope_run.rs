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
        "time_s": group["frames.time_s"][:].tolist(),
        "clock_fit": group["clock_fit"][:].tolist(),
        "clock_fit_fields": json.loads(group["clock_fit"].attrs["port_attributes"])["fields"],
        "run_clock_origin_ns": int(f.attrs["run_clock_origin_ns"]),
        "host_time_ns": group["frames.host_time_ns"][:].tolist(),
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
    // 5 s at 25 frames/s is 125 frames: never more (the run ends at its
    // duration), and fewer only where the fake camera, which draws and sends
    // each frame on one thread of this machine's CPUs, skips frame periods
    // (118 seen under CI's load; benches/README.md). Its frame ids stay
    // consecutive, so no frame it sent was lost.
    assert!(
        (63..=127).contains(&shape[0].as_u64().unwrap()),
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
    assert_frames_are_on_the_run_clock(&file);
}

/// Every frame's `time_s` is on the run clock: spaced as the camera's
/// timestamps are, frame to frame and on average over the recording, within a few
/// ms of its host time on the run clock; and the clock fit says the camera's
/// clock runs at the host's rate.
fn assert_frames_are_on_the_run_clock(file: &Value) {
    let times = floats(&file["time_s"]);
    let stamps = numbers(&file["camera_timestamp_ns"]);
    let origin = file["run_clock_origin_ns"].as_i64().unwrap();
    assert!(
        times[0] > 0.0 && times[0] < 5.0,
        "first frame at {} s",
        times[0]
    );
    for (t, d) in times.windows(2).zip(stamps.windows(2)) {
        let camera_s = (d[1] - d[0]) as f64 * 1e-9;
        assert!(
            (t[1] - t[0] - camera_s).abs() < 0.003,
            "{t:?} for {camera_s} s"
        );
    }
    let intervals = (times.len() - 1) as f64;
    let mean_period = (times[times.len() - 1] - times[0]) / intervals;
    let camera_period = (stamps[stamps.len() - 1] - stamps[0]) as f64 * 1e-9 / intervals;
    assert!(
        (mean_period - camera_period).abs() < 0.001,
        "{mean_period} s a frame for the camera's {camera_period} s"
    );
    let host: Vec<f64> = file["host_time_ns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h.as_i64().unwrap() - origin) as f64 * 1e-9)
        .collect();
    for (time, host) in times.iter().zip(&host) {
        assert!(
            (host - time).abs() < 0.05,
            "frame at {time} s taken by the host at {host} s"
        );
    }
    assert_eq!(
        file["clock_fit_fields"],
        serde_json::json!([
            "rate_ratio",
            "offset_ns",
            "residual_rms_ns",
            "residual_max_ns",
            "frames"
        ])
    );
    let fit = floats(&file["clock_fit"]);
    assert!((fit[0] - 1.0).abs() < 1e-3, "rate ratio {}", fit[0]);
    assert!(fit[2] < 10e6 && fit[3] < 50e6, "residuals {fit:?}");
    assert_eq!(fit[4], times.len() as f64);
}

fn floats(array: &Value) -> Vec<f64> {
    array
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
}

fn numbers(array: &Value) -> Vec<u64> {
    array
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect()
}

/// A pipeline of the fake camera's 128 × 128 Mono16 frames at 25 frames/s for
/// `duration` (a `duration_s = …` parameter, or none), the camera stage named
/// `camera`, written to `output`; `more` is appended (further stages).
fn camera_pipeline(output: &Path, duration: &str, more: &str) -> String {
    format!(
        "[pipeline]\nname = \"genicam-clock\"\noutput = {output:?}\n\n\
         [stages.camera]\nplugin = \"genicam\"\n\
         params = {{ camera = \"127.0.0.1\", pixel_format = \"Mono16\", width = 128, height = 128, \
         frame_rate_hz = 25.0{duration} }}\n{more}",
        output = output.display().to_string(),
    )
}

/// `macroscope run PIPELINE` with the plugin library in a plugin directory of
/// its own, the store in `work`; the child is returned running.
fn spawn_run(work: &Path, pipeline: &str) -> std::process::Child {
    let (macroscope, library) = build_binary_and_plugin();
    let plugins = work.join("plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    std::fs::copy(&library, plugins.join(library.file_name().unwrap())).unwrap();
    let path = work.join("pipeline.toml");
    std::fs::write(&path, pipeline).unwrap();
    Command::new(macroscope)
        .env_remove("MACROSCOPE_PLUGIN_PATH")
        .env("XDG_DATA_HOME", work.join("data-home"))
        .args(["run", "--quiet", "--no-figures"])
        .arg(&path)
        .arg("--plugin-path")
        .arg(&plugins)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("macroscope runs")
}

/// Runs `script` (Python with h5py) on `file`; its stdout as JSON.
fn read_with_h5py(script: &str, file: &Path) -> Option<Value> {
    let python = python()?;
    let read = Command::new(python)
        .args(["-c", script])
        .arg(file)
        .output()
        .expect("python runs");
    assert!(
        read.status.success(),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
    Some(serde_json::from_slice(&read.stdout).unwrap())
}

/// What h5py reads of a drifting bar + fake camera → fourier-maps run.
const READ_MAPS: &str = r#"
import h5py, json, sys
import numpy as np
with h5py.File(sys.argv[1], "r") as f:
    run = f.attrs["run_id"]
    fourier = f["analysis"][run]["fourier"]
    camera = f["acquisitions"][run]["camera"]
    print(json.dumps({
        "status": f.attrs["status"],
        "phase": list(fourier["phase"].shape),
        "magnitude": list(fourier["magnitude"].shape),
        "finite": bool(np.isfinite(fourier["phase"][:]).all() and np.isfinite(fourier["magnitude"][:]).all()),
        "mean_frame_max": float(np.max(fourier["mean_frame"][:])),
        "first_frame_s": float(camera["frames.time_s"][0]),
        "frames": int(camera["frames"].shape[0]),
    }))
"#;

/// The fake camera's frames, on the run clock, and a drifting bar's schedule,
/// on the same clock, go through fourier-maps to the end. The fake camera's
/// ramp has no retinotopy: this shows the wiring and the clocks, not science.
#[test]
fn fake_camera_frames_and_a_drifting_bar_schedule_make_fourier_maps_to_the_end() {
    let Some(_camera) = FakeCamera::start("fake camera → fourier-maps", &[]) else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let output = work.path().join("maps.h5");
    // Sweeps of 1.6 s (LR then RL) from 3 s to about 6.2 s; the camera records 8 s.
    let stages = "\n[stages.stimulus]\nplugin = \"drifting-bar\"\n\
        params = { directions = [\"LR\", \"RL\"], sweeps_per_direction = 1, drift_speed_deg_per_s = 90.0, \
        baseline_before_s = 3.0, baseline_after_s = 0.5, downsample = 40 }\n\n\
        [stages.fourier]\nplugin = \"fourier-maps\"\ninputs = [\"camera.frames\", \"stimulus.schedule\"]\n";
    let pipeline = camera_pipeline(&output, ", duration_s = 8.0", stages);
    let run = spawn_run(work.path(), &pipeline)
        .wait_with_output()
        .unwrap();
    assert!(
        run.status.success(),
        "macroscope run failed:\n{}\n{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    let Some(file) = read_with_h5py(READ_MAPS, &output) else {
        return;
    };
    assert_eq!(file["status"], "complete");
    assert_eq!(file["phase"], serde_json::json!([2, 128, 128]));
    assert_eq!(file["magnitude"], serde_json::json!([2, 128, 128]));
    assert_eq!(file["finite"], true);
    // The mean of the frames inside the sweeps: frames were placed in them.
    assert!(file["mean_frame_max"].as_f64().unwrap() > 0.0, "{file}");
    assert!(file["first_frame_s"].as_f64().unwrap() < 3.0, "{file}");
}

/// What h5py reads of an interrupted recording.
const READ_INTERRUPTED: &str = r#"
import h5py, json, sys
with h5py.File(sys.argv[1], "r") as f:
    camera = f["acquisitions"][f.attrs["run_id"]]["camera"]
    print(json.dumps({
        "status": f.attrs["status"],
        "frames": int(camera["frames"].shape[0]),
        "time_s": int(camera["frames.time_s"].shape[0]),
    }))
"#;

/// A recording with no end, stopped by Ctrl-C (SIGINT): `interrupted`, every
/// frame the camera stage emitted is in the file, and the file verifies.
#[test]
fn ctrl_c_ends_an_endless_recording_as_interrupted_with_every_frame_kept() {
    let Some(_camera) = FakeCamera::start("Ctrl-C on a recording", &[]) else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let output = work.path().join("endless.h5");
    let child = spawn_run(work.path(), &camera_pipeline(&output, "", ""));
    // Recording: the file exists once the camera is open; let frames come.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !work.path().join("endless.h5.partial").exists() && !output.exists() {
        assert!(std::time::Instant::now() < deadline, "no file after 60 s");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    std::thread::sleep(std::time::Duration::from_secs(3));
    // SAFETY: signalling our own child by its pid.
    let signalled = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    assert_eq!(signalled, 0);
    let run = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success(), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("error: the run was interrupted"),
        "{stderr}"
    );

    let (macroscope, _) = build_binary_and_plugin();
    let verify = Command::new(macroscope)
        .arg("verify")
        .arg(&output)
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );
    let Some(file) = read_with_h5py(READ_INTERRUPTED, &output) else {
        return;
    };
    assert_eq!(file["status"], "interrupted");
    let emitted: u64 = stdout
        .lines()
        .find_map(|line| {
            let rest = line.trim().strip_prefix("camera")?;
            rest.trim()
                .strip_suffix("items")?
                .trim()
                .replace(',', "")
                .parse()
                .ok()
        })
        .unwrap_or_else(|| panic!("no item count for `camera` in:\n{stdout}"));
    assert!(emitted >= 25, "{emitted} frames in 3 s at 25 frames/s");
    assert_eq!(file["frames"], emitted);
    assert_eq!(file["time_s"], emitted);
}

/// `macroscope plugin check libgenicam.so`, no `--params`: the conformance
/// suite runs with the example in genicam's schema (the only camera found,
/// 512 × 512, 50 frames), and every check passes against the fake camera.
#[test]
fn plugin_check_with_its_default_parameters_passes_against_the_fake_camera() {
    let Some(_camera) = FakeCamera::start("macroscope plugin check", &[]) else {
        return;
    };
    let (macroscope, library) = build_binary_and_plugin();
    let check = Command::new(macroscope)
        .args(["plugin", "check"])
        .arg(&library)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert!(
        check.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(
        stdout.contains(
            "  parameters: {\"frames\":50,\"height\":512,\"width\":512} (the example in its parameter schema)\n"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("  PASS  runs-to-completion: 51 item(s) on 0 input(s)\n"),
        "{stdout}"
    );
    assert!(stdout.contains("  all checks passed\n"), "{stdout}");
}
