//! Bad conditions are refused before any stage runs, with messages that
//! name the file and say what to do; an existing output is never overwritten.

use std::path::Path;
use std::sync::Arc;

use macroscope::item::HostItem;
use macroscope::store::{Sink, StoreError};
use macroscope_integration::store_fixtures::{
    create_sink, options, run_stimulus_and_mean, stimulus_and_mean,
};
use macroscope_plugin_api::{ArrayData, Scalar};

/// Opens a sink for a default stimulus → mean run writing `output`.
fn create(output: &Path, store: &Path) -> Result<Sink, StoreError> {
    create_sink(
        &stimulus_and_mean(output, serde_json::json!({}), 1.0),
        &options(store),
    )
}

/// A frame of zeros shaped `height` × `width`, with the stimulus's
/// `frame_index` and `time_s` columns.
fn frame(height: usize, width: usize) -> Arc<HostItem> {
    Arc::new(HostItem {
        data: ArrayData::from_vec(vec![0u16; height * width]),
        shape: vec![height as u64, width as u64],
        meta: vec![Scalar::Int(0), Scalar::Float(0.0)],
    })
}

#[test]
fn a_missing_output_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("no-such-dir").join("run.h5");
    let error = create(&output, &dir.path().join("store")).err().unwrap();
    assert!(matches!(error, StoreError::OutputDirectory { .. }));
    assert_eq!(
        error.to_string(),
        format!(
            "cannot write to output directory {}: it does not exist; create it first",
            dir.path().join("no-such-dir").display()
        )
    );
}

#[test]
fn an_unwritable_output_directory_is_refused() {
    // sysfs refuses new files even to root.
    let error = create(
        Path::new("/sys/kernel/macroscope-run.h5"),
        &tempfile::tempdir().unwrap().path().join("store"),
    )
    .err()
    .unwrap();
    assert!(
        matches!(error, StoreError::OutputDirectory { .. }),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .starts_with("cannot write to output directory /sys/kernel: "),
        "{error}"
    );
}

#[test]
fn an_existing_output_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("run.h5");
    std::fs::write(&output, b"precious").unwrap();
    let error = create(&output, &dir.path().join("store")).err().unwrap();
    assert_eq!(
        error.to_string(),
        format!(
            "output file {} already exists; choose another `output` or move the old file away",
            output.display()
        )
    );
    assert_eq!(std::fs::read(&output).unwrap(), b"precious");
}

#[test]
fn a_leftover_partial_file_must_be_recovered_or_removed_first() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("run.h5");
    std::fs::write(dir.path().join("run.h5.partial"), b"earlier run").unwrap();
    let error = create(&output, &dir.path().join("store")).err().unwrap();
    let partial = dir.path().join("run.h5.partial");
    assert_eq!(
        error.to_string(),
        format!(
            "{0} exists: an earlier run was interrupted; run `macroscope recover {0}` or delete it, then run again",
            partial.display()
        )
    );
}

#[test]
fn an_item_of_the_wrong_shape_is_refused_with_the_stage_and_port() {
    let dir = tempfile::tempdir().unwrap();
    let mut sink = create(&dir.path().join("run.h5"), &dir.path().join("store")).unwrap();
    let error = sink.write(0, 0, &frame(3, 4)).err().unwrap();
    assert_eq!(
        error.to_string(),
        "stage `stimulus` port `frames`: item shape is [3, 4] but the port declares [8, 6]"
    );
}

#[test]
fn a_reused_stage_may_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let first = run_stimulus_and_mean(dir.path(), "first.h5", serde_json::json!({}), 1.0);
    assert_eq!(first.executed, [true, true]);
    let mut sink = create(&dir.path().join("second.h5"), &dir.path().join("store")).unwrap();
    assert!(sink.reused(0).is_some());
    let error = sink.write(0, 0, &frame(8, 6)).err().unwrap();
    assert_eq!(
        error.to_string(),
        "stage `stimulus` is reused from the store and must not run, but it wrote an item"
    );
}
