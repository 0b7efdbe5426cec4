//! Deterministic outputs are filed in the content-addressed store and reused:
//! identical parameters → not run again, reuse recorded; a changed parameter
//! → regenerated; a tampered store entry → reported, not trusted, regenerated.

use std::path::Path;

use macroscope_integration::store_fixtures::{run_stimulus_and_mean, stimulus_frames_made, Ran};

use crate::run_file::{dataset_values, stage_group, stimulus_key, text_attr};

/// The stimulus level only the reuse test uses, so its frame count is its own.
const LEVEL: u16 = 1700;

/// A 5-frame stimulus at `level` → mean (× 2) run into `dir/NAME`, sharing `dir`'s store.
fn run_once(dir: &Path, name: &str, level: u16) -> Ran {
    let stimulus = serde_json::json!({"frames": 5, "height": 48, "width": 64, "level": level});
    run_stimulus_and_mean(dir, name, stimulus, 2.0)
}

/// The `u8` flag attribute `name` of a group or dataset.
fn flag(location: &hdf5::Location, name: &str) -> u8 {
    location.attr(name).unwrap().read_scalar::<u8>().unwrap()
}

/// The path of the stimulus group of run file `path`.
fn stimulus_group(path: &Path) -> String {
    format!(
        "/stimuli/{}",
        stimulus_key(&hdf5::File::open(path).unwrap())
    )
}

/// The names of the entries in `dir`'s store, sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("store"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".h5"))
        .collect();
    names.sort();
    names
}

#[test]
fn identical_parameters_reuse_the_stored_output_without_running_the_stage() {
    let dir = tempfile::tempdir().unwrap();
    let first = run_once(dir.path(), "first.h5", LEVEL);
    assert_eq!(first.executed, [true, true]);
    assert_eq!(
        first.summary.stored.len(),
        2,
        "stimulus and analysis are both filed: {:?}",
        first.summary.stored
    );

    let made = stimulus_frames_made(LEVEL);
    let second = run_once(dir.path(), "second.h5", LEVEL);
    assert_eq!(
        second.executed,
        [false, false],
        "both stages come from the store"
    );
    assert_eq!(
        stimulus_frames_made(LEVEL),
        made,
        "the stimulus plugin produced no frame"
    );
    assert_eq!(second.summary.reused, ["stimulus", "mean"]);

    let group = stimulus_group(&dir.path().join("second.h5"));
    let file = hdf5::File::open(dir.path().join("second.h5")).unwrap();
    let g = file.group(&group).unwrap();
    assert_eq!(flag(&g, "reused"), 1);
    assert_eq!(
        text_attr(&g, "store_entry"),
        first.summary.stored[0].1.display().to_string()
    );
    let earlier = hdf5::File::open(dir.path().join("first.h5")).unwrap();
    let frames = format!("{group}/frames");
    assert_eq!(
        dataset_values::<u16>(&file, &frames),
        dataset_values::<u16>(&earlier, &frames),
        "the copy holds the stored frames"
    );
}

#[test]
fn show_displays_the_reuse() {
    let dir = tempfile::tempdir().unwrap();
    run_once(dir.path(), "first.h5", 1000);
    run_once(dir.path(), "second.h5", 1000);
    let text = crate::cli::succeeds("show", dir.path().join("second.h5"));
    assert_eq!(
        text.matches("REUSED: copied from verified store entry")
            .count(),
        2,
        "{text}"
    );
}

#[test]
fn a_changed_parameter_regenerates_the_output() {
    let dir = tempfile::tempdir().unwrap();
    run_once(dir.path(), "first.h5", 1000);
    let changed = run_once(dir.path(), "changed.h5", 1001);
    assert_eq!(changed.executed, [true, true]);
    assert_ne!(
        stimulus_group(&dir.path().join("first.h5")),
        stimulus_group(&dir.path().join("changed.h5"))
    );
    assert_eq!(
        entries(dir.path()).len(),
        4,
        "two stimulus and two analysis entries: {:?}",
        entries(dir.path())
    );
}

#[test]
fn a_tampered_store_entry_is_detected_and_regenerated() {
    let dir = tempfile::tempdir().unwrap();
    let first = run_once(dir.path(), "first.h5", 1000);
    let (_, entry) = first
        .summary
        .stored
        .iter()
        .find(|(stage, _)| stage == "stimulus")
        .unwrap()
        .clone();
    {
        let file = hdf5::File::open_rw(&entry).unwrap();
        let frames = file.dataset("/output/frames").unwrap();
        let mut values = frames.read_raw::<u16>().unwrap();
        values[100] ^= 1;
        frames.write_raw(&values).unwrap();
    }
    let again = run_once(dir.path(), "again.h5", 1000);
    assert!(again.executed[0], "the tampered entry is not trusted");
    assert!(
        again
            .summary
            .stored
            .iter()
            .any(|(stage, path)| stage == "stimulus" && *path == entry),
        "{:?}",
        again.summary.stored
    );
    crate::cli::succeeds("verify", &entry);
    let third = run_once(dir.path(), "third.h5", 1000);
    assert_eq!(
        third.executed,
        [false, false],
        "the regenerated entry is trusted again"
    );
}

#[test]
fn a_downstream_stage_runs_on_the_replayed_stored_output() {
    let dir = tempfile::tempdir().unwrap();
    run_once(dir.path(), "first.h5", 1000);
    let stimulus = serde_json::json!({"frames": 5, "height": 48, "width": 64, "level": 1000});
    let ran = run_stimulus_and_mean(dir.path(), "rescaled.h5", stimulus, 3.0);
    assert_eq!(ran.executed, [false, true]);
    let file = hdf5::File::open(dir.path().join("rescaled.h5")).unwrap();
    let total: Vec<f64> = dataset_values(&stage_group(&file, "analysis", "mean"), "total");
    // 3 × Σ_{i<5} (1000 + 3i + k) = 3 × (5000 + 30 + 5k)
    assert_eq!(total[0], 15090.0);
    assert_eq!(total[10], 15090.0 + 150.0);
}
