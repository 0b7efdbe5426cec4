//! A stage's warnings: a run whose movie covers one of the four directions of
//! the schedule given to `fourier-maps` completes, prints the warning once,
//! keeps it in the run file's root `warnings` attribute and `show` lists it.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::pipeline_files::{write_pipeline, SHORT_RECORDING};

/// What `fourier-maps` says of a movie with frames in the LR sweeps only.
const ONLY_LR: &str = "the movie has no frames in the sweeps of RL, BT, TB, only in those of LR: \
     their phase and magnitude maps are NaN, and no azimuth or altitude map can be made (each \
     axis needs both of its opposite directions); record every direction of the schedule, or \
     check that the movie and the schedule are of the same session";

/// The short recording (the bar once, left to right) analysed against a
/// four-direction protocol of two sweeps each: the movie ends inside the
/// protocol's LR sweeps, so RL, BT and TB get no frames.
fn one_direction_movie(dir: &Path) -> PathBuf {
    write_pipeline(
        dir,
        "one-direction",
        &format!(
            r#"{SHORT_RECORDING}
[stages.protocol]
plugin = "drifting-bar"
params = {{ directions = ["LR", "RL", "BT", "TB"], sweeps_per_direction = 2, downsample = 40, baseline_before_s = 0.5, baseline_after_s = 0.5 }}

[stages.fourier]
plugin = "fourier-maps"
inputs = ["camera.frames", "protocol.schedule"]
params = {{ skip_sweeps = 0 }}
"#
        ),
    )
}

/// Runs the one-direction pipeline in `dir` (quietly, without figures) and
/// asserts it completed; returns what it printed.
fn run_one_direction_movie(dir: &Path) -> Output {
    let output = crate::cli::macroscope()
        .args(["run", "-q", "--no-figures"])
        .arg(one_direction_movie(dir))
        .output()
        .expect("the macroscope binary runs");
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

#[test]
fn a_movie_covering_one_direction_is_warned_about_once_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let stderr = String::from_utf8(run_one_direction_movie(dir.path()).stderr).unwrap();
    let line = format!("warning: fourier (fourier-maps): {ONLY_LR}");
    assert_eq!(
        stderr.lines().filter(|l| *l == line).count(),
        1,
        "stderr:\n{stderr}"
    );
    assert_eq!(stderr.matches("warning: ").count(), 1, "stderr:\n{stderr}");
}

#[test]
fn the_warning_is_kept_in_the_root_warnings_attribute_of_a_complete_verified_file() {
    let dir = tempfile::tempdir().unwrap();
    run_one_direction_movie(dir.path());
    let path = dir.path().join("one-direction.h5");
    let file = hdf5::File::open(&path).unwrap();
    assert_eq!(crate::run_file::status(&file), "complete");
    let warnings: serde_json::Value =
        serde_json::from_str(&crate::run_file::text_attr(&file, "warnings")).unwrap();
    assert_eq!(
        warnings,
        serde_json::json!([{"stage": "fourier", "plugin": "fourier-maps", "message": ONLY_LR}])
    );
    drop(file);
    crate::cli::succeeds("verify", &path);
}

#[test]
fn show_lists_the_warning_in_its_own_section() {
    let dir = tempfile::tempdir().unwrap();
    run_one_direction_movie(dir.path());
    let shown = crate::cli::succeeds("show", dir.path().join("one-direction.h5"));
    assert!(
        shown.contains(&format!(
            "\n  warnings (1):\n    fourier (fourier-maps): {ONLY_LR}\n"
        )),
        "{shown}"
    );
}

#[test]
fn a_run_whose_movie_covers_every_direction_stores_an_empty_list_and_shows_none() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = write_pipeline(dir.path(), "maps", crate::pipeline_files::MAPS_RECORDING);
    crate::cli::runs(&pipeline);
    let path = dir.path().join("maps.h5");
    let file = hdf5::File::open(&path).unwrap();
    assert_eq!(crate::run_file::text_attr(&file, "warnings"), "[]");
    drop(file);
    assert!(!crate::cli::succeeds("show", &path).contains("warnings"));
}
