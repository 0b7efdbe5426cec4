//! Recorded data as pipeline input (`file:PATH#/dataset`): the store
//! describes and replays it, and a deterministic analysis run live behind a
//! camera is filed under its key, so re-analysing the recording with the
//! same parameters reuses it.

use std::path::PathBuf;

use macroscope::store::{describe_dataset, replay_dataset, StoreError};
use macroscope_integration::store_fixtures::{
    camera_pixel, options, pipeline, run, Input, StageDef, TestCamera, TestMean,
};
use macroscope_plugin_api::{ElementType, PortKind};

use crate::run_file::{dataset_values, run_id, stage_group};

const FRAMES: u64 = 5;

/// A recorded camera run, in a directory of its own with its store.
struct Recording {
    /// Holds the run file and the store (`store/`); removed with the recording.
    dir: tempfile::TempDir,
    /// The run file.
    file: PathBuf,
    /// The path of the camera frames inside it.
    frames: String,
}

impl Recording {
    /// Records `FRAMES` 48 × 64 camera frames with `test-mean` (scale 1) run
    /// live behind the camera, and asserts that analysis was filed in the store.
    fn made() -> Recording {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("recording.h5");
        let camera = serde_json::json!({"frames": FRAMES, "height": 48, "width": 64});
        let p = pipeline(
            &file,
            vec![
                StageDef::of::<TestCamera>("camera", camera, vec![]),
                StageDef::of::<TestMean>(
                    "mean",
                    serde_json::json!({"scale": 1.0}),
                    vec![Input::Stage(0, 0)],
                ),
            ],
        );
        let ran = run(p, &options(&dir.path().join("store")), |_| {}).unwrap();
        assert!(
            ran.summary.stored.iter().any(|(stage, _)| stage == "mean"),
            "the live analysis is filed: {:?}",
            ran.summary.stored
        );
        let recorded = run_id(&hdf5::File::open(&file).unwrap());
        let frames = format!("/acquisitions/{recorded}/camera/frames");
        Recording { dir, file, frames }
    }

    /// Runs `test-mean` at `scale` on the recorded frames into run file
    /// `name`: whether its one stage ran (or was reused), and the total it stored.
    fn reanalysed(&self, scale: f64, name: &str) -> (Vec<bool>, Vec<f64>) {
        let output = self.dir.path().join(name);
        let p = pipeline(
            &output,
            vec![StageDef::of::<TestMean>(
                "mean",
                serde_json::json!({"scale": scale}),
                vec![Input::File(self.file.clone(), self.frames.clone())],
            )],
        );
        let ran = run(p, &options(&self.dir.path().join("store")), |_| {}).unwrap();
        let file = hdf5::File::open(&output).unwrap();
        let total = dataset_values(&stage_group(&file, "analysis", "mean"), "total");
        (ran.executed, total)
    }
}

/// The per-pixel sum of the recorded frames, times `scale`.
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
    let recording = Recording::made();
    let spec = describe_dataset(&recording.file, &recording.frames).unwrap();
    assert_eq!(spec.name.as_str(), "frames");
    assert_eq!(spec.kind, PortKind::STREAM);
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
    let recording = Recording::made();
    let items: Vec<_> = replay_dataset(&recording.file, &recording.frames)
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
    let recording = Recording::made();
    let (executed, total) = recording.reanalysed(1.0, "again.h5");
    assert_eq!(executed, [false]);
    assert_eq!(total, expected_total(1.0));
}

#[test]
fn reanalysis_with_other_parameters_runs_on_the_replayed_recording() {
    let recording = Recording::made();
    let (executed, total) = recording.reanalysed(2.0, "scaled.h5");
    assert_eq!(executed, [true]);
    assert_eq!(total, expected_total(2.0));
}

#[test]
fn replaying_data_changed_after_recording_reports_the_hash_mismatch() {
    let recording = Recording::made();
    {
        let file = hdf5::File::open_rw(&recording.file).unwrap();
        let data = file.dataset(&recording.frames).unwrap();
        let mut values = data.read_raw::<u16>().unwrap();
        values[0] += 1;
        data.write_raw(&values).unwrap();
    }
    let last = replay_dataset(&recording.file, &recording.frames)
        .unwrap()
        .last()
        .unwrap();
    assert!(
        matches!(last, Err(StoreError::HashMismatch { .. })),
        "{last:?}"
    );
}
