//! `frame-mean` through its real FFI descriptor, on the harness's synthetic inputs.

use frame_mean::FrameMean;
use macroscope_plugin_api::ErrorKind;
use macroscope_plugin_harness::{conformance, InputStream, PluginUnderTest, Timeline};
use serde_json::json;

/// Four 2 x 3 frames (one sweep of each direction); every pixel of frame f is 10 * f.
fn frames() -> InputStream {
    let timeline = Timeline {
        rate_hz: 10.0,
        frames_per_sweep: 1,
        sweeps_per_direction: 1,
    };
    timeline.camera_frames(2, 3, |frame, _row, _col| 10 * frame as u16)
}

#[test]
fn the_mean_stream_has_one_value_per_frame_numbered_by_frame_id() {
    let output = PluginUnderTest::of::<FrameMean>()
        .run(&json!({"gain": 2.0}), &[frames()])
        .unwrap();
    let mean = output.port("mean").unwrap();
    assert_eq!(
        mean.values::<f64>().unwrap(),
        [[0.0], [20.0], [40.0], [60.0]]
    );
    let frame_index: Vec<i64> = mean.items.iter().map(|e| e.meta[0].as_i64()).collect();
    assert_eq!(frame_index, [0, 1, 2, 3]);
}

#[test]
fn finish_emits_the_mean_image_once() {
    let output = PluginUnderTest::of::<FrameMean>()
        .run(&json!({}), &[frames()])
        .unwrap();
    let image = output.port("mean_image").unwrap();
    assert_eq!(image.values::<f64>().unwrap(), [[15.0; 6]]);
}

#[test]
fn a_negative_gain_is_refused_at_that_parameter() {
    let error = PluginUnderTest::of::<FrameMean>()
        .outputs(&json!({"gain": -1.0}), &[frames()])
        .unwrap_err();
    assert_eq!(
        error.kind(),
        Some(&ErrorKind::InvalidParameter {
            field: "gain".to_owned()
        })
    );
    assert_eq!(
        error.to_string(),
        "plugin `frame-mean` failed in outputs: must be 0 or more, got -1"
    );
}

#[test]
fn passes_the_conformance_suite_on_the_standard_synthetic_inputs() {
    let plugin = PluginUnderTest::of::<FrameMean>();
    let report = conformance::check_probing(&plugin, json!({}));
    assert!(report.passed(), "{:#?}", report.results);
}

#[test]
fn passes_the_conformance_suite_on_inputs_of_its_own() {
    let plugin = PluginUnderTest::of::<FrameMean>();
    let scenario = conformance::Scenario::new(&plugin, json!({"gain": 0.5}), vec![frames()]);
    let report = conformance::check(&plugin, &scenario);
    assert!(report.passed(), "{:#?}", report.results);
}

#[test]
fn a_single_frame_is_averaged_with_a_warning() {
    let mut one_frame = frames();
    one_frame.items.truncate(1);
    let mut stage = PluginUnderTest::of::<FrameMean>()
        .start(&json!({}), &[one_frame.clone()])
        .unwrap();
    stage.receive(0, &one_frame.items[0]).unwrap();
    stage.finish().unwrap();
    assert_eq!(
        stage.warnings(),
        ["only one frame arrived: the mean image is that frame, not an average"]
    );
}
