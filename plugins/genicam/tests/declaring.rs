//! Declaring the ports looks at the parameters alone: `validate`,
//! `inspect` and `plugin check` call it on machines with no camera, so it
//! neither discovers nor opens one. These tests need no camera.

use genicam::Genicam;
use macroscope_plugin_api::{ElementType, ErrorKind, PortKind};
use macroscope_plugin_harness::PluginUnderTest;
use serde_json::json;

#[test]
fn the_frames_port_and_the_clock_fit_are_declared_for_a_camera_that_is_not_there() {
    let ports = PluginUnderTest::of::<Genicam>()
        .outputs(
            &json!({"camera": "GV99", "pixel_format": "Mono8", "width": 640, "height": 480}),
            &[],
        )
        .unwrap();
    assert_eq!(ports.len(), 2);
    assert_eq!(ports[0].name.as_str(), "frames");
    assert_eq!(ports[0].element, ElementType::U8);
    assert_eq!(ports[0].shape.as_slice(), [480, 640]);
    assert_eq!(ports[1].name.as_str(), "clock_fit");
    assert_eq!(ports[1].kind, PortKind::DATASET);
    assert_eq!(
        (ports[1].element, ports[1].shape.as_slice()),
        (ElementType::F64, &[5][..])
    );
}

#[test]
fn too_few_buffers_are_a_parameter_error_naming_the_field() {
    let error = PluginUnderTest::of::<Genicam>()
        .outputs(&json!({"width": 64, "height": 64, "buffers": 1}), &[])
        .unwrap_err();
    assert_eq!(
        error.kind(),
        Some(&ErrorKind::InvalidParameter {
            field: "buffers".into()
        })
    );
    assert_eq!(
        error.to_string(),
        "plugin `genicam` failed in outputs: `buffers` = 1 is outside 2..=1024"
    );
}
