//! A stage's warnings: a run whose movie covers one of the four directions of
//! the schedule given to `fourier-maps` completes, prints the warning once,
//! keeps it in the run file's root `warnings` attribute and `show` lists it;
//! a run reusing those maps from the store repeats it.

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
    run_one_direction_movie_into(dir, "one-direction.h5")
}

/// [`run_one_direction_movie`] writing `dir/output`.
fn run_one_direction_movie_into(dir: &Path, output: &str) -> Output {
    crate::cli::run_succeeds(|run| {
        run.args(["-q", "--no-figures", "--output"])
            .arg(dir.join(output))
            .arg(one_direction_movie(dir))
    })
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

#[test]
fn a_run_that_reuses_the_maps_from_the_store_repeats_their_warning() {
    let dir = tempfile::tempdir().unwrap();
    run_one_direction_movie(dir.path());
    let again = run_one_direction_movie_into(dir.path(), "again.h5");
    let stdout = String::from_utf8(again.stdout).unwrap();
    assert!(stdout.contains("(reused from the store)"), "{stdout}");
    let stderr = String::from_utf8(again.stderr).unwrap();
    let line = format!("warning: fourier (fourier-maps): {ONLY_LR}");
    assert_eq!(
        stderr.lines().filter(|l| *l == line).count(),
        1,
        "stderr:\n{stderr}"
    );
    let file = hdf5::File::open(dir.path().join("again.h5")).unwrap();
    let maps = crate::run_file::stage_group(&file, "analysis", "fourier");
    assert_eq!(maps.attr("reused").unwrap().read_scalar::<u8>().unwrap(), 1);
    assert_eq!(
        crate::run_file::text_attr(&maps, "warnings"),
        serde_json::json!([ONLY_LR]).to_string()
    );
    let warnings: serde_json::Value =
        serde_json::from_str(&crate::run_file::text_attr(&file, "warnings")).unwrap();
    assert_eq!(
        warnings,
        serde_json::json!([{"stage": "fourier", "plugin": "fourier-maps", "message": ONLY_LR}])
    );
}

#[test]
fn a_file_with_warnings_and_its_store_entries_match_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    run_one_direction_movie(dir.path());
    crate::store::schema::assert_valid(&dir.path().join("one-direction.h5"));
    let entries: Vec<PathBuf> = std::fs::read_dir(dir.path().join("store"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "h5"))
        .collect();
    assert_eq!(entries.len(), 4, "{entries:?}");
    for entry in entries {
        crate::store::schema::assert_valid(&entry);
    }
}

#[test]
fn the_report_lists_the_warning() {
    let dir = tempfile::tempdir().unwrap();
    run_one_direction_movie(dir.path());
    let run = dir.path().join("one-direction.h5");
    let page = dir.path().join("one-direction-report.html");
    let made = crate::cli::macroscope()
        .arg("report")
        .arg(&run)
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let page = std::fs::read_to_string(page).unwrap();
    let only_lr = ONLY_LR.replace('\'', "&#39;");
    assert!(
        page.contains(&format!(
            "<li class=\"warning\"><strong>fourier (fourier-maps)</strong>: {only_lr}</li>"
        )),
        "{page}"
    );
    // The directions without frames are named in the quality checks too.
    assert_eq!(page.matches("<td>none: no frames</td>").count(), 3);
}
