//! A run written through the sink reads back with the documented layout,
//! exact values, and provenance.

use macroscope_integration::store_fixtures::{
    options, run, stimulus_and_mean, stimulus_direction, stimulus_pixel,
};
use sha2::{Digest, Sha256};

fn attr(location: &hdf5::Location, name: &str) -> String {
    location
        .attr(name)
        .unwrap()
        .read_scalar::<hdf5::types::VarLenUnicode>()
        .unwrap()
        .as_str()
        .to_owned()
}

fn written_run() -> (tempfile::TempDir, std::path::PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("run.h5");
    let stimulus = serde_json::json!({"frames": 12, "height": 8, "width": 6, "level": 1000});
    let ran = run(
        stimulus_and_mean(&output, stimulus, 0.5),
        &options(&dir.path().join("store")),
        |_| {},
    )
    .unwrap();
    assert_eq!(
        ran.summary.status.as_str(),
        "complete",
        "{:?}",
        ran.summary.error
    );
    let file = hdf5::File::open(&output).unwrap();
    let key = file
        .group("/stimuli")
        .unwrap()
        .member_names()
        .unwrap()
        .remove(0);
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
    let index = file
        .dataset(&format!("/stimuli/{key}/frames.frame_index"))
        .unwrap()
        .read_raw::<i64>()
        .unwrap();
    assert_eq!(index, (0..12).collect::<Vec<i64>>());
    let time = file
        .dataset(&format!("/stimuli/{key}/frames.time_s"))
        .unwrap()
        .read_raw::<f64>()
        .unwrap();
    assert_eq!(time[6], 0.1);
    let direction = file
        .dataset(&format!("/stimuli/{key}/schedule.direction"))
        .unwrap()
        .read_raw::<i8>()
        .unwrap();
    assert_eq!(
        direction,
        (0..12).map(stimulus_direction).collect::<Vec<i8>>()
    );
}

#[test]
fn a_dataset_port_holds_its_array() {
    let (_dir, output, key) = written_run();
    let file = hdf5::File::open(&output).unwrap();
    let mean = file
        .dataset(&format!("/stimuli/{key}/mean"))
        .unwrap()
        .read_raw::<f64>()
        .unwrap();
    // mean over i of (1000 + 3i + k) = 1000 + k + 3·5.5
    assert_eq!(mean[0], 1016.5);
    assert_eq!(mean[47], 1016.5 + 47.0);
    let run_id = attr(&file, "run_id");
    let total = file
        .dataset(&format!("/analysis/{run_id}/mean/total"))
        .unwrap()
        .read_raw::<f64>()
        .unwrap();
    // 0.5 × Σ_i (1000 + 3i + k) = 0.5 × (12 000 + 198 + 12 k)
    assert_eq!(total[0], 6099.0);
    assert_eq!(total[5], 6099.0 + 30.0);
}

#[test]
fn root_attributes_record_format_run_and_pipeline() {
    let (_dir, output, _key) = written_run();
    let file = hdf5::File::open(&output).unwrap();
    assert_eq!(attr(&file, "format"), "macroscope/1");
    assert_eq!(attr(&file, "status"), "complete");
    assert_eq!(attr(&file, "pipeline_name"), "store-test");
    let text = attr(&file, "pipeline_toml");
    assert_eq!(
        attr(&file, "pipeline_sha256"),
        hex::encode(Sha256::digest(text.as_bytes()))
    );
    assert_eq!(attr(&file, "host_version"), macroscope::HOST_VERSION);
}

#[test]
fn every_dataset_carries_provenance_and_its_content_hash() {
    let (_dir, output, key) = written_run();
    let file = hdf5::File::open(&output).unwrap();
    let frames = file.dataset(&format!("/stimuli/{key}/frames")).unwrap();
    assert_eq!(attr(&frames, "plugin"), "test-stimulus");
    assert_eq!(attr(&frames, "plugin_version"), "1.2.3");
    assert_eq!(attr(&frames, "plugin_origin"), "builtin");
    assert_eq!(attr(&frames, "stage"), "stimulus");
    assert_eq!(
        attr(&frames, "parameters"),
        r#"{"frames":12,"height":8,"level":1000,"width":6}"#
    );
    assert_eq!(
        attr(&frames, "parameters_sha256"),
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
        attr(&frames, "content_sha256"),
        hex::encode(Sha256::digest(&bytes))
    );
    assert_eq!(attr(&frames, "unit"), "counts");
}

#[test]
fn an_analysis_records_the_paths_and_hashes_of_its_inputs() {
    let (_dir, output, key) = written_run();
    let file = hdf5::File::open(&output).unwrap();
    let run_id = attr(&file, "run_id");
    let total = file
        .dataset(&format!("/analysis/{run_id}/mean/total"))
        .unwrap();
    let inputs: serde_json::Value = serde_json::from_str(&attr(&total, "inputs")).unwrap();
    let frames = file.dataset(&format!("/stimuli/{key}/frames")).unwrap();
    assert_eq!(inputs[0]["path"], format!("/stimuli/{key}/frames"));
    assert_eq!(inputs[0]["source"], "stimulus.frames");
    assert_eq!(inputs[0]["sha256"], attr(&frames, "content_sha256"));
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
    let mut sink =
        macroscope::store::Sink::create(&p, &options(&dir.path().join("store"))).unwrap();
    sink.record_dropped(0, 0, 2);
    sink.record_dropped(0, 0, 1);
    sink.finish(macroscope::store::RunStatus::Complete).unwrap();
    let file = hdf5::File::open(&output).unwrap();
    let frames = file
        .dataset(&format!(
            "/acquisitions/{}/camera/frames",
            attr(&file, "run_id")
        ))
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
