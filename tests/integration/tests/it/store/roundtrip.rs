//! A run written through the sink reads back with the documented layout,
//! exact values, and provenance.

use macroscope_integration::store_fixtures::{
    create_sink, options, run_stimulus_and_mean, stimulus_direction, stimulus_pixel,
};
use sha2::{Digest, Sha256};

use crate::run_file::{dataset_values, stage_group, stimulus_key, text_attr};

/// A 12-frame 8 × 6 stimulus → mean (× 0.5) run: its directory, file and stimulus key.
fn written_run() -> (tempfile::TempDir, std::path::PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let stimulus = serde_json::json!({"frames": 12, "height": 8, "width": 6, "level": 1000});
    run_stimulus_and_mean(dir.path(), "run.h5", stimulus, 0.5);
    let output = dir.path().join("run.h5");
    let key = stimulus_key(&hdf5::File::open(&output).unwrap());
    (dir, output, key)
}

#[test]
fn stream_frames_read_back_exactly_with_one_row_per_item() {
    let (_dir, output, key) = written_run();
    let file = hdf5::File::open(&output).unwrap();
    let frames = file.dataset(&format!("/stimuli/{key}/frames")).unwrap();
    assert_eq!(frames.shape(), vec![12, 8, 6]);
    let values = frames.read_raw::<u16>().unwrap();
    for i in 0..12u64 {
        for r in 0..8u32 {
            for c in 0..6u32 {
                let at = (i as usize * 8 + r as usize) * 6 + c as usize;
                assert_eq!(
                    values[at],
                    stimulus_pixel(1000, 6, i, r, c),
                    "frame {i} pixel ({r},{c})"
                );
            }
        }
    }
}

#[test]
fn metadata_columns_sit_beside_the_stream() {
    let (_dir, output, key) = written_run();
    let file = hdf5::File::open(&output).unwrap();
    let stimulus = file.group(&format!("/stimuli/{key}")).unwrap();
    let index: Vec<i64> = dataset_values(&stimulus, "frames.frame_index");
    assert_eq!(index, (0..12).collect::<Vec<i64>>());
    let time: Vec<f64> = dataset_values(&stimulus, "frames.time_s");
    assert_eq!(time[6], 0.1);
    let direction: Vec<i8> = dataset_values(&stimulus, "schedule.direction");
    assert_eq!(
        direction,
        (0..12).map(stimulus_direction).collect::<Vec<i8>>()
    );
}

#[test]
fn a_dataset_port_holds_its_array() {
    let (_dir, output, key) = written_run();
    let file = hdf5::File::open(&output).unwrap();
    let mean: Vec<f64> = dataset_values(&file, &format!("/stimuli/{key}/mean"));
    // mean over i of (1000 + 3i + k) = 1000 + k + 3·5.5
    assert_eq!(mean[0], 1016.5);
    assert_eq!(mean[47], 1016.5 + 47.0);
    let total: Vec<f64> = dataset_values(&stage_group(&file, "analysis", "mean"), "total");
    // 0.5 × Σ_i (1000 + 3i + k) = 0.5 × (12 000 + 198 + 12 k)
    assert_eq!(total[0], 6099.0);
    assert_eq!(total[5], 6099.0 + 30.0);
}

#[test]
fn root_attributes_record_format_run_and_pipeline() {
    let (_dir, output, _key) = written_run();
    let file = hdf5::File::open(&output).unwrap();
    assert_eq!(text_attr(&file, "format"), "macroscope/1");
    assert_eq!(text_attr(&file, "status"), "complete");
    assert_eq!(text_attr(&file, "pipeline_name"), "store-test");
    let text = text_attr(&file, "pipeline_toml");
    assert_eq!(
        text_attr(&file, "pipeline_sha256"),
        hex::encode(Sha256::digest(text.as_bytes()))
    );
    assert_eq!(text_attr(&file, "host_version"), macroscope::HOST_VERSION);
}

#[test]
fn every_dataset_carries_provenance_and_its_content_hash() {
    let (_dir, output, key) = written_run();
    let file = hdf5::File::open(&output).unwrap();
    let frames = file.dataset(&format!("/stimuli/{key}/frames")).unwrap();
    assert_eq!(text_attr(&frames, "plugin"), "test-stimulus");
    assert_eq!(text_attr(&frames, "plugin_version"), "1.2.3");
    assert_eq!(text_attr(&frames, "plugin_origin"), "builtin");
    assert_eq!(text_attr(&frames, "stage"), "stimulus");
    assert_eq!(
        text_attr(&frames, "parameters"),
        r#"{"frames":12,"height":8,"level":1000,"width":6}"#
    );
    assert_eq!(
        text_attr(&frames, "parameters_sha256"),
        hex::encode(Sha256::digest(
            br#"{"frames":12,"height":8,"level":1000,"width":6}"#
        ))
    );
    let bytes: Vec<u8> = frames
        .read_raw::<u16>()
        .unwrap()
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    assert_eq!(
        text_attr(&frames, "content_sha256"),
        hex::encode(Sha256::digest(&bytes))
    );
    assert_eq!(text_attr(&frames, "unit"), "counts");
}

#[test]
fn an_analysis_records_the_paths_and_hashes_of_its_inputs() {
    let (_dir, output, key) = written_run();
    let file = hdf5::File::open(&output).unwrap();
    let total = stage_group(&file, "analysis", "mean")
        .dataset("total")
        .unwrap();
    let inputs: serde_json::Value = serde_json::from_str(&text_attr(&total, "inputs")).unwrap();
    let frames = file.dataset(&format!("/stimuli/{key}/frames")).unwrap();
    assert_eq!(inputs[0]["path"], format!("/stimuli/{key}/frames"));
    assert_eq!(inputs[0]["source"], "stimulus.frames");
    assert_eq!(inputs[0]["sha256"], text_attr(&frames, "content_sha256"));
}

#[test]
fn dropped_camera_frames_are_counted_in_the_file_and_shown() {
    use macroscope_integration::store_fixtures::{pipeline, StageDef, TestCamera};
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("drops.h5");
    let camera = serde_json::json!({"frames": 2, "height": 4, "width": 4});
    let p = pipeline(
        &output,
        vec![StageDef::of::<TestCamera>("camera", camera, vec![])],
    );
    let mut sink = create_sink(&p, &options(&dir.path().join("store"))).unwrap();
    sink.record_dropped(0, 0, 2);
    sink.record_dropped(0, 0, 1);
    sink.finish(macroscope::store::RunStatus::Complete, None)
        .unwrap();
    let file = hdf5::File::open(&output).unwrap();
    let frames = stage_group(&file, "acquisitions", "camera")
        .dataset("frames")
        .unwrap();
    assert_eq!(
        frames
            .attr("dropped_items")
            .unwrap()
            .read_scalar::<u64>()
            .unwrap(),
        3
    );
    let shown = macroscope::store::show::render(&output).unwrap();
    assert!(shown.contains("DROPPED 3"), "{shown}");
}

#[test]
fn frames_the_host_dropped_are_counted_in_the_next_stored_frames_dropped_before() {
    use macroscope::item::HostItem;
    use macroscope_integration::store_fixtures::{pipeline, StageDef, TestCamera};
    use macroscope_plugin_api::{ArrayData, Scalar};
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("drops.h5");
    let camera = serde_json::json!({"frames": 3, "height": 2, "width": 2, "counts_drops": true});
    let p = pipeline(
        &output,
        vec![StageDef::of::<TestCamera>("camera", camera, vec![])],
    );
    let mut sink = create_sink(&p, &options(&dir.path().join("store"))).unwrap();
    // The camera lost 1 frame before the second; the host dropped 4 before it
    // and 2 after the last.
    for (id, lost_by_camera, dropped_by_host) in [(0, 0, 0), (6, 1, 4), (7, 0, 0)] {
        let item = std::sync::Arc::new(HostItem {
            data: ArrayData::from_vec(vec![7u16; 4]),
            shape: vec![2, 2],
            meta: vec![
                Scalar::Int(id),
                Scalar::Int(id),
                Scalar::Int(lost_by_camera),
            ],
        });
        sink.write_after_drops(0, 0, &item, dropped_by_host)
            .unwrap();
    }
    sink.record_dropped(0, 0, 2);
    sink.finish(macroscope::store::RunStatus::Complete, None)
        .unwrap();
    let file = hdf5::File::open(&output).unwrap();
    let camera = stage_group(&file, "acquisitions", "camera");
    assert_eq!(
        dataset_values::<u64>(&camera, "frames.dropped_before"),
        [0, 5, 0]
    );
    let frames = camera.dataset("frames").unwrap();
    let tail = frames.attr("dropped_items").unwrap().read_scalar::<u64>();
    assert_eq!(tail.unwrap(), 2);
    let outcome = macroscope::store::read_outcome(&output).unwrap();
    assert_eq!(outcome.dropped, 7, "every lost frame counted once");
}
