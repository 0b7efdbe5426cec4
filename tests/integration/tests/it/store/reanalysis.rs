//! Recorded data as pipeline input (`file:PATH#/dataset`): the store
//! describes and replays it, and a deterministic analysis run live behind a
//! camera is filed under its key, so re-analysing the recording with the
//! same parameters reuses it.

use std::path::{Path, PathBuf};

use macroscope::store::{describe_dataset, replay_dataset, StoreError};
use macroscope_integration::store_fixtures::{
    camera_pixel, options, pipeline, run, Input, StageDef, TestCamera, TestMean,
};
use macroscope_plugin_api::{ElementType, PortKind};

const FRAMES: u64 = 5;

fn record(dir: &Path) -> (PathBuf, String) {
    let output = dir.join("recording.h5");
    let camera = serde_json::json!({"frames": FRAMES, "height": 48, "width": 64});
    let p = pipeline(
        &output,
        vec![
            StageDef::of::<TestCamera>("camera", camera, vec![]),
            StageDef::of::<TestMean>(
                "mean",
                serde_json::json!({"scale": 1.0}),
                vec![Input::Stage(0, 0)],
            ),
        ],
    );
    let ran = run(p, &options(&dir.join("store")), |_| {}).unwrap();
    assert!(
        ran.summary.stored.iter().any(|(stage, _)| stage == "mean"),
        "the live analysis is filed: {:?}",
        ran.summary.stored
    );
    let file = hdf5::File::open(&output).unwrap();
    let run_id = file
        .attr("run_id")
        .unwrap()
        .read_scalar::<hdf5::types::VarLenUnicode>()
        .unwrap()
        .to_string();
    (output, format!("/acquisitions/{run_id}/camera/frames"))
}

fn reanalyse(
    dir: &Path,
    recording: &Path,
    frames: &str,
    scale: f64,
    name: &str,
) -> (Vec<bool>, Vec<f64>) {
    let output = dir.join(name);
    let p = pipeline(
        &output,
        vec![StageDef::of::<TestMean>(
            "mean",
            serde_json::json!({"scale": scale}),
            vec![Input::File(recording.to_owned(), frames.to_owned())],
        )],
    );
    let ran = run(p, &options(&dir.join("store")), |_| {}).unwrap();
    let file = hdf5::File::open(&output).unwrap();
    let run_id = file
        .attr("run_id")
        .unwrap()
        .read_scalar::<hdf5::types::VarLenUnicode>()
        .unwrap()
        .to_string();
    let total = file
        .dataset(&format!("/analysis/{run_id}/mean/total"))
        .unwrap()
        .read_raw::<f64>()
        .unwrap();
    (ran.executed, total)
}

fn expected_total(scale: f64) -> Vec<f64> {
    (0..48u64)
        .flat_map(|r| {
            (0..64u64).map(move |c| {
                scale
                    * (0..FRAMES)
                        .map(|i| f64::from(camera_pixel(i, r, c)))
                        .sum::<f64>()
            })
        })
        .collect()
}

#[test]
fn a_recorded_stream_describes_itself_as_the_port_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let (recording, frames) = record(dir.path());
    let spec = describe_dataset(&recording, &frames).unwrap();
    assert_eq!(spec.name.as_str(), "frames");
    assert_eq!(spec.kind, PortKind::Stream);
    assert_eq!(spec.element, ElementType::U16);
    assert_eq!(spec.shape.as_slice(), [48, 64]);
    let columns: Vec<(&str, ElementType, &str)> = spec
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.element, c.unit.as_str()))
        .collect();
    assert_eq!(
        columns,
        [
            ("frame_id", ElementType::U64, ""),
            ("timestamp_ns", ElementType::I64, "ns")
        ]
    );
}

#[test]
fn a_recorded_stream_replays_item_by_item_with_its_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let (recording, frames) = record(dir.path());
    let items: Vec<_> = replay_dataset(&recording, &frames)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(items.len(), FRAMES as usize);
    let (port, third) = &items[2];
    assert_eq!(*port, 0);
    assert_eq!(third.shape, [48, 64]);
    assert_eq!(
        third.data.as_slice::<u16>().unwrap()[64 + 1],
        camera_pixel(2, 1, 1)
    );
    assert_eq!(
        third.meta.as_slice(),
        [
            macroscope_plugin_api::Scalar::Int(2),
            macroscope_plugin_api::Scalar::Int(2_000_000)
        ]
    );
}

#[test]
fn reanalysis_with_the_same_parameters_reuses_the_live_result() {
    let dir = tempfile::tempdir().unwrap();
    let (recording, frames) = record(dir.path());
    let (executed, total) = reanalyse(dir.path(), &recording, &frames, 1.0, "again.h5");
    assert_eq!(executed, [false]);
    assert_eq!(total, expected_total(1.0));
}

#[test]
fn reanalysis_with_other_parameters_runs_on_the_replayed_recording() {
    let dir = tempfile::tempdir().unwrap();
    let (recording, frames) = record(dir.path());
    let (executed, total) = reanalyse(dir.path(), &recording, &frames, 2.0, "scaled.h5");
    assert_eq!(executed, [true]);
    assert_eq!(total, expected_total(2.0));
}

#[test]
fn replaying_data_changed_after_recording_reports_the_hash_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    let (recording, frames) = record(dir.path());
    {
        let file = hdf5::File::open_rw(&recording).unwrap();
        let data = file.dataset(&frames).unwrap();
        let mut values = data.read_raw::<u16>().unwrap();
        values[0] += 1;
        data.write_raw(&values).unwrap();
    }
    let last = replay_dataset(&recording, &frames).unwrap().last().unwrap();
    assert!(
        matches!(last, Err(StoreError::HashMismatch { .. })),
        "{last:?}"
    );
}
