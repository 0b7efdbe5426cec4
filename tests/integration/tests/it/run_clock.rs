//! The run clock's origin is recorded once per run, at its start, and kept in
//! the run file (docs/science.md §1, docs/FORMAT.md "Root attributes").

use macroscope_plugin_api::clock::monotonic_ns;

/// A drifting bar of one short sweep (a run of a second or so), written to
/// `OUTPUT` (replaced by the run file's path).
const PIPELINE: &str = r#"
[pipeline]
name = "run-clock"
output = "OUTPUT"

[stages.stimulus]
plugin = "drifting-bar"
params = { directions = ["LR"], sweeps_per_direction = 1, drift_speed_deg_per_s = 90.0, baseline_before_s = 0.0, baseline_after_s = 0.0, downsample = 40 }
"#;

#[test]
fn the_run_file_records_the_run_clocks_origin_on_the_hosts_monotonic_clock() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = dir.path().join("run-clock.toml");
    let output = dir.path().join("run.h5");
    let text = PIPELINE.replace("OUTPUT", &output.display().to_string());
    std::fs::write(&pipeline, text).unwrap();
    let before = monotonic_ns();
    crate::cli::runs(&pipeline);
    let after = monotonic_ns();
    let file = hdf5::File::open(&output).unwrap();
    let origin: i64 = file
        .attr("run_clock_origin_ns")
        .unwrap()
        .read_scalar()
        .unwrap();
    assert!(
        (before..=after).contains(&origin),
        "{before} ≤ {origin} ≤ {after}"
    );
}
