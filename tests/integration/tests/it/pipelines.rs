//! `macroscope run` end to end with a third-party plugin library: its outputs
//! land in the run file with the right values, and its panic fails the run
//! cleanly, naming the stage and the plugin, with everything before it kept.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::built_plugins::{plugin_dir, EXAMPLE};
use crate::run_file::{stage_group, status};

/// A short stimulus -> synthetic cortex -> example-frame-stats pipeline.
fn pipeline(dir: &Path, stats_params: &str) -> PathBuf {
    let text = format!(
        r#"
[pipeline]
name = "stats-demo"
output = "{out}"
store = "{store}"

[stages.stimulus]
plugin = "drifting-bar"
params = {{ directions = ["LR"], sweeps_per_direction = 1, downsample = 40, baseline_before_s = 0.5, baseline_after_s = 0.5 }}

[stages.camera]
plugin = "synthetic-cortex"
inputs = ["stimulus.schedule"]
params = {{ width_px = 32, height_px = 24, frame_rate_hz = 5.0 }}

[stages.stats]
plugin = "example-frame-stats"
inputs = ["camera.frames"]
params = {stats_params}
"#,
        out = dir.join("run.h5").display(),
        store = dir.join("store").display(),
    );
    let path = dir.join("pipeline.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs `macroscope run PIPELINE` with the plugin libraries in `plugins`.
fn run(pipeline: &Path, plugins: &Path) -> Output {
    crate::cli::macroscope()
        .args(["run", "--quiet", "--no-figures"])
        .arg(pipeline)
        .arg("--plugin-path")
        .arg(plugins)
        .output()
        .expect("the macroscope binary runs")
}

#[test]
fn a_library_plugin_runs_in_a_pipeline_and_its_stats_match_the_stored_frames() {
    let work = tempfile::tempdir().unwrap();
    let plugins = plugin_dir(&[EXAMPLE]);
    let output = run(&pipeline(work.path(), "{}"), plugins.path());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let file = hdf5::File::open(work.path().join("run.h5")).unwrap();
    assert_eq!(status(&file), "complete");
    let frames = stage_group(&file, "acquisitions", "camera")
        .dataset("frames")
        .unwrap()
        .read_dyn::<u16>()
        .unwrap();
    let stats = stage_group(&file, "analysis", "stats")
        .dataset("stats")
        .unwrap()
        .read_2d::<f64>()
        .unwrap();
    let n = frames.shape()[0];
    assert!(
        n > 10,
        "a 1-sweep run at 5 frames/s has more than 10 frames, got {n}"
    );
    assert_eq!(stats.nrows(), n, "one stats row per stored frame");
    for (i, row) in stats.rows().into_iter().enumerate() {
        let frame: Vec<f64> = frames
            .index_axis(ndarray::Axis(0), i)
            .iter()
            .map(|&v| f64::from(v))
            .collect();
        let mean = frame.iter().sum::<f64>() / frame.len() as f64;
        let min = frame.iter().copied().fold(f64::INFINITY, f64::min);
        let max = frame.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        assert!(
            (row[0] - mean).abs() < 1e-9,
            "frame {i}: mean {} vs {mean}",
            row[0]
        );
        assert_eq!((row[1], row[2]), (min, max), "frame {i}: min/max");
    }
}

#[test]
fn a_plugin_panicking_mid_run_fails_the_run_naming_stage_and_plugin_and_keeps_earlier_data() {
    let work = tempfile::tempdir().unwrap();
    let plugins = plugin_dir(&[EXAMPLE]);
    let output = run(
        &pipeline(work.path(), "{ panic_at_frame = 5 }"),
        plugins.path(),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);

    assert_eq!(
        output.status.code(),
        Some(1),
        "a clean failure exit, not an abort: {stderr}"
    );
    assert!(
        stderr.contains("stage `stats` (plugin `example-frame-stats`) failed"),
        "names stage and plugin: {stderr}"
    );
    assert!(stderr.contains("panicked"), "says it panicked: {stderr}");

    let file = hdf5::File::open(work.path().join("run.h5")).unwrap();
    assert_eq!(status(&file), "failed");
    let error = crate::run_file::text_attr(&file, "error");
    assert!(
        error.starts_with("stage `stats` (plugin `example-frame-stats`) failed: ")
            && error.contains("panicked"),
        "the root `error` keeps the stage's message: {error:?}"
    );
    let stats = stage_group(&file, "analysis", "stats")
        .dataset("stats")
        .unwrap();
    assert_eq!(
        stats.shape()[0],
        5,
        "the five rows made before the panic are kept"
    );
}
