//! A stimulus shown by another program, brought in with `stimulus-log`: the
//! log of a native run's drifting bar, as a CSV or as a compound table of an
//! h5py-written movie file, gives the schedule the drifting bar stored, bit
//! for bit, and (with the movie) the same maps; a log lacking columns is
//! refused by `validate` in one error naming them all.
//!
//! The h5py file is written by `MACROSCOPE_PYTHON` (CI makes a venv), else
//! `python3` if it has h5py; without one that test is skipped with a note,
//! unless `MACROSCOPE_REQUIRE_H5PY=1` (set by `.ci/run`), which makes a
//! missing h5py a failure.

use macroscope_integration::{child, tools};
use std::path::Path;

use crate::pipeline_files::{write_pipeline, MAPS_RECORDING};
use crate::run_file::{content_hashes, dataset_values, stimulus_key, text_attr};

/// The geometry parameters of a `stimulus-log` stage that say what the
/// schedule of `file`'s one stimulus says, as a TOML inline-table body.
fn geometry_params(file: &hdf5::File) -> String {
    let schedule = file
        .dataset(&format!("/stimuli/{}/schedule", stimulus_key(file)))
        .unwrap();
    let attributes: serde_json::Value =
        serde_json::from_str(&text_attr(&schedule, "port_attributes")).unwrap();
    let keys = [
        "directions",
        "display_rate_hz",
        "sweep_duration_s",
        "bar_start_deg",
        "travel_deg",
        "bar_width_deg",
    ];
    let table: toml::Table = keys
        .iter()
        .map(|k| {
            let value: toml::Value = serde_json::from_value(attributes[k].clone()).unwrap();
            (k.to_string(), value)
        })
        .collect();
    // An inline table's body: `a = 1, b = { c = 2 }`.
    let inline = toml::Value::Table(table).to_string();
    inline
        .trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .trim()
        .to_owned()
}

/// `content_sha256` of the schedule's data and every column in `file`.
fn schedule_hashes(file: &Path) -> Vec<(String, String)> {
    content_hashes(file)
        .into_iter()
        .filter(|(path, _)| path.starts_with("/stimuli/") && path.contains("/schedule"))
        .map(|(path, hash)| (path.rsplit('/').next().unwrap().to_owned(), hash))
        .collect()
}

const ANALYSIS: &str = r#"
[stages.fourier]
plugin = "fourier-maps"
inputs = ["FRAMES", "stimulus.schedule"]
params = { skip_sweeps = 0 }

[stages.retinotopy]
plugin = "retinotopy"
inputs = ["fourier.phase", "fourier.magnitude"]
params = { phase_sigma_px = 0.25, sign_sigma_px = 1.5, min_patch_px = 4 }
"#;

#[test]
fn a_csv_log_of_a_drifting_bar_stores_its_schedule_bit_for_bit() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    crate::cli::runs(&write_pipeline(dir, "native", MAPS_RECORDING));
    let native = hdf5::File::open(dir.join("native.h5")).unwrap();
    let group = native
        .group(&format!("/stimuli/{}", stimulus_key(&native)))
        .unwrap();
    let times: Vec<f64> = dataset_values(&group, "schedule");
    let directions: Vec<i8> = dataset_values(&group, "schedule.direction");
    let sweeps: Vec<i32> = dataset_values(&group, "schedule.sweep");
    let bars: Vec<f64> = dataset_values(&group, "schedule.bar_centre_deg");
    let polarities: Vec<i8> = dataset_values(&group, "schedule.polarity");
    let indicators: Vec<u8> = dataset_values(&group, "schedule.indicator");
    let mut csv = String::from("time_s,direction,sweep,bar_centre_deg,polarity,indicator\n");
    for k in 0..times.len() {
        csv.push_str(&format!(
            "{},{},{},{},{},{}\n",
            times[k], directions[k], sweeps[k], bars[k], polarities[k], indicators[k]
        ));
    }
    std::fs::write(dir.join("log.csv"), csv).unwrap();

    let imported = write_pipeline(
        dir,
        "imported",
        &format!(
            "[stages.stimulus]\nplugin = \"stimulus-log\"\nparams = {{ log_csv = \"{}\", {} }}\n",
            dir.join("log.csv").display(),
            geometry_params(&native)
        ),
    );
    crate::cli::runs(&imported);

    let native_hashes = schedule_hashes(&dir.join("native.h5"));
    assert_eq!(native_hashes.len(), 7, "the data and six columns");
    assert_eq!(schedule_hashes(&dir.join("imported.h5")), native_hashes);
}

#[test]
fn a_stimulus_log_missing_two_columns_is_refused_in_one_error_naming_both() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let log = dir.join("log.csv");
    std::fs::write(&log, "time_s,sweep\n0.0,-1\n").unwrap();
    let pipeline = write_pipeline(
        dir,
        "imported",
        &format!(
            "[stages.stimulus]\nplugin = \"stimulus-log\"\nparams = {{ log_csv = \"{}\", directions = [\"LR\"], \
             display_rate_hz = 60.0, sweep_duration_s = {{ azimuth = 10.0 }}, bar_start_deg = {{ LR = -60.0 }}, \
             travel_deg = {{ azimuth = 120.0 }} }}\n",
            log.display()
        ),
    );
    let output = crate::cli::output("validate", &pipeline);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let expected = format!(
        "{}:7:22: error: stage `stimulus`: plugin `stimulus-log` refused parameter `log_csv`: {}: line 1: \
         missing columns `direction` (set by `direction_column`) and `bar_centre_deg` (set by `bar_column`); the \
         log's columns are `time_s`, `sweep`\n",
        pipeline.display(),
        log.display()
    );
    assert!(
        stderr.contains(&expected),
        "expected\n{expected}\nin\n{stderr}"
    );
    assert!(
        stderr.contains("is not a valid pipeline (1 problem)"),
        "{stderr}"
    );
}

#[test]
fn an_h5py_movie_with_a_compound_stimulus_log_gives_the_maps_of_the_same_movie_stored_natively() {
    let Some(python) = tools::python_with(&["h5py"], "MACROSCOPE_REQUIRE_H5PY") else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    crate::cli::runs(&write_pipeline(dir, "native", MAPS_RECORDING));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../python/write_plain_movie.py");
    let written = child::command(python)
        .arg(script)
        .arg(dir.join("native.h5"))
        .arg(dir.join("movie.h5"))
        .output()
        .unwrap();
    assert!(
        written.status.success(),
        "{}",
        String::from_utf8_lossy(&written.stderr)
    );

    let native = hdf5::File::open(dir.join("native.h5")).unwrap();
    let imported = write_pipeline(
        dir,
        "imported",
        &format!(
            "[stages.stimulus]\nplugin = \"stimulus-log\"\ninputs = [\"file:movie.h5#/stimulus_log\"]\n\
             params = {{ time_column = \"time\", bar_column = \"bar_deg\", {} }}\n{}",
            geometry_params(&native),
            ANALYSIS.replace("FRAMES", "file:movie.h5#/frames")
        ),
    );
    crate::cli::runs(&imported);

    let native_hashes = content_hashes(&dir.join("native.h5"));
    let imported_hashes = content_hashes(&dir.join("imported.h5"));
    let of_stage = |hashes: &std::collections::BTreeMap<String, String>, stage: &str| {
        let mut found: Vec<(String, String)> = hashes
            .iter()
            .filter(|(path, _)| path.contains(&format!("/{stage}/")))
            .map(|(path, hash)| (path.rsplit('/').next().unwrap().to_owned(), hash.clone()))
            .collect();
        found.sort();
        found
    };
    assert_eq!(
        schedule_hashes(&dir.join("imported.h5")),
        schedule_hashes(&dir.join("native.h5")),
        "the schedule"
    );
    for stage in ["fourier", "retinotopy"] {
        let maps = of_stage(&imported_hashes, stage);
        assert!(!maps.is_empty(), "stage `{stage}`");
        assert_eq!(maps, of_stage(&native_hashes, stage), "stage `{stage}`");
    }
    let file = hdf5::File::open(dir.join("imported.h5")).unwrap();
    let azimuth: Vec<f64> = dataset_values(
        &crate::run_file::stage_group(&file, "analysis", "retinotopy"),
        "azimuth_deg",
    );
    assert!(azimuth.iter().all(|v| v.is_finite()));
}
