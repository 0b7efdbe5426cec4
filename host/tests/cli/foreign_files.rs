//! `file:` inputs written by other tools: a movie written with plain h5py
//! (`tests/python/write_foreign_movie.py`), every string attribute
//! fixed-length, is a stream input like one of ours; a compound table of
//! numbers is a stream of rows (what a `stimulus-log` stage reads), one with a
//! string field is refused naming its type and the way in.
//!
//! The file is written by a Python with h5py: `MACROSCOPE_PYTHON` (CI makes a
//! venv), else `python3` if it has h5py. Without one the tests are skipped with
//! a note, unless `MACROSCOPE_REQUIRE_H5PY=1` (set by `.ci/run`), which makes a
//! missing h5py a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A Python with h5py, or `None` (with a note) where there is none and none is required.
fn python() -> Option<String> {
    let python = std::env::var("MACROSCOPE_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let has_h5py = Command::new(&python)
        .args(["-c", "import h5py"])
        .status()
        .is_ok_and(|s| s.success());
    let required = std::env::var("MACROSCOPE_REQUIRE_H5PY").is_ok_and(|v| v == "1");
    match (has_h5py, required) {
        (true, _) => Some(python),
        (false, true) => panic!(
            "MACROSCOPE_REQUIRE_H5PY=1 but `{python}` has no h5py: set MACROSCOPE_PYTHON to a Python with h5py"
        ),
        (false, false) => {
            eprintln!("note: skipped: set MACROSCOPE_PYTHON to a Python with h5py");
            None
        }
    }
}

/// Writes `movie.h5` into `dir` with the h5py script; `None` if skipped.
fn write_movie(dir: &Path) -> Option<PathBuf> {
    let python = python()?;
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/python/write_foreign_movie.py");
    let movie = dir.join("movie.h5");
    let output = Command::new(python)
        .arg(script)
        .arg(&movie)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(movie)
}

/// Writes `pipeline.toml` in `dir` with one `fourier-maps` stage reading
/// `frames` and `schedule`, runs `macroscope validate pipeline.toml` there and
/// returns its exit code, stdout and stderr.
fn validate_maps(dir: &Path, frames: &str, schedule: &str) -> (i32, String, String) {
    let text = format!(
        "[pipeline]\nname = \"foreign\"\noutput = \"maps.h5\"\n\n[stages.maps]\nplugin = \"fourier-maps\"\n\
         inputs = [\"{frames}\", \"{schedule}\"]\n"
    );
    std::fs::write(dir.join("pipeline.toml"), text).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_macroscope"))
        .current_dir(dir)
        .env_remove("MACROSCOPE_PLUGIN_PATH")
        .env("XDG_DATA_HOME", dir.join("xdg"))
        .args(["validate", "pipeline.toml"])
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn an_h5py_movie_with_fixed_length_string_attributes_is_a_stream_input() {
    let dir = tempfile::tempdir().unwrap();
    if write_movie(dir.path()).is_none() {
        return;
    }
    let (code, stdout, stderr) = validate_maps(
        dir.path(),
        "file:movie.h5#/frames",
        "file:movie.h5#/schedule",
    );
    assert_eq!(code, 0, "stderr:\n{stderr}");
    assert!(
        stdout.contains("pipeline `foreign` (pipeline.toml) is valid: 1 stage, 2 connections"),
        "{stdout}"
    );
}

#[test]
fn a_compound_table_with_a_field_that_is_not_a_number_is_refused_naming_its_type_and_the_way_in() {
    let dir = tempfile::tempdir().unwrap();
    if write_movie(dir.path()).is_none() {
        return;
    }
    let (code, _, stderr) = validate_maps(
        dir.path(),
        "file:movie.h5#/frames",
        "file:movie.h5#/labelled",
    );
    assert_eq!(code, 1, "stderr:\n{stderr}");
    let expected = "pipeline.toml:7:36: error: stage `maps`: input `file:movie.h5#/labelled`: dataset `/labelled` \
        holds elements of type compound {time: f64, label: fixed-length string (8 bytes)}, which no port carries\n \
        7 | inputs = [\"file:movie.h5#/frames\", \"file:movie.h5#/labelled\"]\n   \
        |                                    ^^^^^^^^^^^^^^^^^^^^^^^^^\n  \
        help: a port carries arrays of numbers (u8, u16, u32, u64, i8, i16, i32, i64, f32, f64), and a 1-D table \
        (compound dataset) whose fields are all numbers is read as a stream of rows. A movie in another format \
        comes in through a `movie-file` stage (multi-page TIFF, frame times from a CSV: `macroscope inspect \
        movie-file`); a stimulus log through a `stimulus-log` stage (`macroscope inspect stimulus-log`); \
        docs/FORMAT.md, \"Files as inputs\", says what a stream needs\n";
    assert!(
        stderr.contains(expected),
        "expected\n{expected}\nin\n{stderr}"
    );
}

#[test]
fn a_compound_table_of_numbers_is_a_stream_of_rows_a_stimulus_log_stage_reads() {
    let dir = tempfile::tempdir().unwrap();
    if write_movie(dir.path()).is_none() {
        return;
    }
    let text = "[pipeline]\nname = \"foreign\"\noutput = \"maps.h5\"\n\n[stages.stimulus]\nplugin = \"stimulus-log\"\n\
        inputs = [\"file:movie.h5#/table\"]\nparams = { time_column = \"time\", bar_column = \"bar_deg\", \
        directions = [\"LR\"], display_rate_hz = 10.0, sweep_duration_s = { azimuth = 2.0 }, \
        bar_start_deg = { LR = -40.0 }, travel_deg = { azimuth = 80.0 } }\n\n[stages.maps]\n\
        plugin = \"fourier-maps\"\ninputs = [\"file:movie.h5#/frames\", \"stimulus.schedule\"]\n";
    std::fs::write(dir.path().join("pipeline.toml"), text).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_macroscope"))
        .current_dir(dir.path())
        .env_remove("MACROSCOPE_PLUGIN_PATH")
        .env("XDG_DATA_HOME", dir.path().join("xdg"))
        .args(["validate", "pipeline.toml"])
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("pipeline `foreign` (pipeline.toml) is valid: 2 stages, 3 connections"),
        "{stdout}"
    );
}

#[test]
fn a_stream_column_that_is_not_one_value_per_row_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    if write_movie(dir.path()).is_none() {
        return;
    }
    let (code, _, stderr) =
        validate_maps(dir.path(), "file:movie.h5#/frames", "file:movie.h5#/short");
    assert_eq!(code, 1, "stderr:\n{stderr}");
    let expected = "pipeline.toml:7:36: error: stage `maps`: input `file:movie.h5#/short`: movie.h5: column \
        /short.frame_index has shape [39], but the stream /short has 40 rows: a column holds one value per row, \
        shape [40]\n \
        7 | inputs = [\"file:movie.h5#/frames\", \"file:movie.h5#/short\"]\n   \
        |                                    ^^^^^^^^^^^^^^^^^^^^^^\n  \
        help: `macroscope show FILE` lists its datasets (a path starts with `/`); docs/FORMAT.md, \"Files as \
        inputs\", says what a stream input needs\n";
    assert!(
        stderr.contains(expected),
        "expected\n{expected}\nin\n{stderr}"
    );
}

#[test]
fn plain_frames_without_a_stream_role_are_refused_saying_how_a_dataset_becomes_a_stream() {
    let dir = tempfile::tempdir().unwrap();
    if write_movie(dir.path()).is_none() {
        return;
    }
    let (code, _, stderr) = validate_maps(
        dir.path(),
        "file:movie.h5#/plain/frames",
        "file:movie.h5#/schedule",
    );
    assert_eq!(code, 1, "stderr:\n{stderr}");
    let expected = "; a dataset of a file is read as a stream only if it has the attribute `role` = \"stream\" \
        (docs/FORMAT.md, \"Files as inputs\", lists what else a stream has), and a movie in another format comes \
        in through a `movie-file` stage\n";
    assert!(
        stderr.contains("pipeline.toml:7:11: error: stage `maps`: "),
        "{stderr}"
    );
    assert!(
        stderr.contains(expected),
        "expected\n{expected}\nin\n{stderr}"
    );
}
