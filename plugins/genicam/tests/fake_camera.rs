//! The plugin against Aravis's fake GigE Vision camera on 127.0.0.1, driven
//! through the same FFI descriptor the host uses.
//!
//! The fake camera fills each frame with a diagonal ramp of its block id `b`
//! (Aravis, `arvfakecamera.c`, `arv_fake_camera_diagonal_ramp`): pixel (x, y)
//! is `(x + y + b) % 255` in Mono8 and `(256 (x + y + b)) % 65535` in Mono16,
//! times `1 + gain + log10(exposure_us / 10000)`, which is 1 at gain 0 and
//! exposure 10 ms.

mod common;

use common::{FakeCamera, CAMERA_ID};
use genicam::Genicam;
use macroscope_plugin_api::{Element, ErrorKind, Scalar};
use macroscope_plugin_harness::{
    conformance, HarnessError, PluginUnderTest, PortOutput, RunOutput,
};
use serde_json::{json, Value};

/// Params recording `frames` frames of 512×512 at 50 frames/s with the
/// pattern's scale exactly 1.
fn params(pixel_format: &str, frames: u64) -> Value {
    json!({
        "pixel_format": pixel_format,
        "width": 512, "height": 512,
        "exposure_us": 10000.0, "gain_db": 0.0, "frame_rate_hz": 50.0,
        "frames": frames,
    })
}

/// The kind of an error about parameter `field`.
fn parameter(field: &str) -> ErrorKind {
    ErrorKind::InvalidParameter {
        field: field.into(),
    }
}

fn record(params: &Value) -> Result<RunOutput, HarnessError> {
    PluginUnderTest::of::<Genicam>().run(params, &[])
}

/// Column `name` of every item, as integers.
fn column(frames: &PortOutput, name: &str) -> Vec<i64> {
    let index = frames
        .spec
        .column_index(name)
        .expect("the column is declared");
    frames
        .items
        .iter()
        .map(|item| match item.meta[index] {
            Scalar::Int(v) => v,
            Scalar::Float(v) => panic!("{name} is an integer column, got {v}"),
        })
        .collect()
}

/// The 16-bit block id the fake camera used for an unwrapped frame id.
fn block_id(frame_id: i64) -> u64 {
    (frame_id as u64 - 1) % 65535 + 1
}

fn assert_consecutive_and_lossless(frames: &PortOutput, count: usize) {
    assert_eq!(frames.items.len(), count);
    let ids = column(frames, "frame_id");
    assert!(
        ids.windows(2).all(|w| w[1] == w[0] + 1),
        "frame ids not consecutive: {ids:?}"
    );
    let dropped = column(frames, "dropped_before");
    assert!(
        dropped.iter().all(|&d| d == 0),
        "frames lost (dropped_before): {dropped:?}"
    );
    for name in ["camera_timestamp_ns", "host_time_ns"] {
        let times = column(frames, name);
        assert!(
            times.windows(2).all(|w| w[1] > w[0]),
            "{name} not increasing: {times:?}"
        );
    }
}

/// Checks every pixel of every frame against the fake camera's ramp.
fn assert_ramp<T: Element + Into<u64>>(frames: &PortOutput, ramp: impl Fn(u64) -> u64) {
    let ids = column(frames, "frame_id");
    for (pixels, &id) in frames.values::<T>().expect("typed frames").iter().zip(&ids) {
        let b = block_id(id);
        for (i, &value) in pixels.iter().enumerate() {
            let (y, x) = ((i / 512) as u64, (i % 512) as u64);
            assert_eq!(value.into(), ramp(x + y + b), "frame {id} pixel ({x}, {y})");
        }
    }
}

#[test]
fn discovery_lists_the_fake_camera() {
    let Some(_camera) = FakeCamera::start("discovery_lists_the_fake_camera", &[]) else {
        return;
    };
    let found = genicam::list_cameras();
    let fake = found
        .iter()
        .find(|c| c.id == CAMERA_ID)
        .expect("the fake camera is found");
    assert_eq!(
        (fake.serial.as_str(), fake.address.as_str()),
        ("GV01", "127.0.0.1")
    );
    assert_eq!(
        (fake.vendor.as_str(), fake.model.as_str()),
        ("Aravis", "Fake")
    );
}

#[test]
fn a_hundred_mono8_frames_are_the_fake_cameras_ramp_with_no_loss() {
    let Some(_camera) = FakeCamera::start("mono8", &[]) else {
        return;
    };
    let output = record(&params("Mono8", 100)).unwrap();
    let frames = output.port("frames").unwrap();
    assert_consecutive_and_lossless(frames, 100);
    assert_ramp::<u8>(frames, |s| s % 255);
}

#[test]
fn a_hundred_mono16_frames_are_the_fake_cameras_ramp_with_no_loss() {
    let Some(_camera) = FakeCamera::start("mono16", &[]) else {
        return;
    };
    let output = record(&params("Mono16", 100)).unwrap();
    let frames = output.port("frames").unwrap();
    assert_consecutive_and_lossless(frames, 100);
    assert_ramp::<u16>(frames, |s| (256 * s) % 65535);
}

#[test]
fn the_settings_read_back_and_the_camera_identity_are_port_attributes() {
    let Some(_camera) = FakeCamera::start("attributes", &[]) else {
        return;
    };
    let stage = PluginUnderTest::of::<Genicam>()
        .start(&params("Mono16", 1), &[])
        .unwrap();
    let attributes = stage.outputs[0].attributes_json();
    assert_eq!(attributes["camera"]["id"], CAMERA_ID);
    assert_eq!(attributes["camera"]["vendor"], "Aravis");
    assert_eq!(attributes["camera"]["serial"], "GV01");
    assert_eq!(
        attributes["settings"]["Width"],
        json!({"requested": 512, "actual": 512})
    );
    assert_eq!(
        attributes["settings"]["PixelFormat"],
        json!({"requested": "Mono16", "actual": "Mono16"})
    );
    assert_eq!(attributes["settings"]["ExposureTime"]["actual"], 10000.0);
    assert_eq!(
        attributes["settings"]["AcquisitionFrameRate"]["actual"],
        50.0
    );
    assert_eq!(attributes["receiver"]["packet_socket"], false);
    assert_eq!(attributes["genicam_features"]["Height"], "512");
}

#[test]
fn an_exposure_beyond_the_cameras_range_is_refused_naming_feature_and_range() {
    let Some(_camera) = FakeCamera::start("exposure range", &[]) else {
        return;
    };
    let mut params = params("Mono8", 1);
    params["exposure_us"] = json!(1e9);
    let error = record(&params).unwrap_err();
    assert_eq!(error.kind(), Some(&parameter("exposure_us")));
    assert_eq!(
        error.to_string(),
        format!(
            "plugin `genicam` failed in start: `exposure_us` = 1000000000 is outside the range \
             camera {CAMERA_ID} allows for ExposureTime: 10 to 10000000 µs"
        )
    );
}

#[test]
fn a_width_beyond_the_sensor_is_refused_naming_feature_and_range() {
    let Some(_camera) = FakeCamera::start("width range", &[]) else {
        return;
    };
    let mut params = params("Mono8", 1);
    params["width"] = json!(4096);
    let error = record(&params).unwrap_err();
    assert_eq!(error.kind(), Some(&parameter("width")));
    assert_eq!(
        error.to_string(),
        format!(
            "plugin `genicam` failed in start: `width` = 4096 is outside the range \
             camera {CAMERA_ID} allows for Width: 1 to 2048"
        )
    );
}

#[test]
fn an_unknown_camera_is_refused_listing_the_cameras_found() {
    let Some(_camera) = FakeCamera::start("unknown camera", &[]) else {
        return;
    };
    let mut params = params("Mono8", 1);
    params["camera"] = json!("GV99");
    let error = record(&params).unwrap_err();
    assert_eq!(error.kind(), Some(&parameter("camera")));
    assert_eq!(
        error.to_string(),
        format!(
            "plugin `genicam` failed in start: no camera matches `camera = \"GV99\"` (an id, \
             serial number or address). Found: {CAMERA_ID} (Aravis Fake, serial GV01, GigEVision at 127.0.0.1)"
        )
    );
}

#[test]
fn a_camera_killed_mid_run_is_an_error_naming_it_and_the_frames_before_are_kept() {
    let Some(mut camera) = FakeCamera::start("killed", &[]) else {
        return;
    };
    let mut stage = PluginUnderTest::of::<Genicam>()
        .start(&params("Mono8", 1000), &[])
        .unwrap();
    let mut received = 0;
    while received < 20 {
        received += stage.poll().unwrap().0.len();
    }
    camera.kill();
    let error = loop {
        match stage.poll() {
            Ok((items, _)) => received += items.len(),
            Err(error) => break error.to_string(),
        }
    };
    assert_eq!(
        error,
        format!(
            "plugin `genicam` failed in poll: camera {CAMERA_ID} stopped answering after {received} \
             frame(s): it was disconnected, powered off or its process ended. The frames received \
             before are kept"
        )
    );
}

#[test]
fn frames_lost_on_a_lossy_link_are_counted_in_dropped_before() {
    // 5 % of the packets are lost. A 64×64 Mono8 frame takes 5 packets
    // (leader, 3 data, trailer), so about one frame in four arrives incomplete.
    let Some(_camera) = FakeCamera::start("lossy link", &["-r", "50"]) else {
        return;
    };
    let output = record(&json!({
        "pixel_format": "Mono8", "width": 64, "height": 64, "frame_rate_hz": 100.0, "frames": 200,
    }))
    .unwrap();
    let frames = output.port("frames").unwrap();
    let ids = column(frames, "frame_id");
    let dropped = column(frames, "dropped_before");
    let sent = ids.last().unwrap() - ids.first().unwrap() + 1;
    assert_eq!(frames.items.len(), 200);
    assert_eq!(
        200 + dropped[1..].iter().sum::<i64>(),
        sent,
        "every id not stored is counted once"
    );
    assert!(
        dropped.iter().sum::<i64>() > 10,
        "a 5 % packet loss lost almost no frame: {dropped:?}"
    );
}

#[test]
fn the_plugin_passes_the_conformance_suite_against_the_fake_camera() {
    let Some(_camera) = FakeCamera::start("conformance", &[]) else {
        return;
    };
    let plugin = PluginUnderTest::of::<Genicam>();
    let scenario = conformance::Scenario::new(&plugin, params("Mono8", 10), vec![]);
    let report = conformance::check(&plugin, &scenario);
    let lines: Vec<String> = report.results.iter().map(ToString::to_string).collect();
    assert!(report.passed(), "{}", lines.join("\n"));
}

/// Jumbo packets: 8192-byte GigE Vision packets (the loopback's MTU is
/// 65536) are set, read back, stored with the stream, and every frame comes.
#[test]
fn a_jumbo_packet_size_is_set_read_back_and_every_frame_arrives() {
    let Some(_camera) = FakeCamera::start("packet size", &[]) else {
        return;
    };
    let mut params = params("Mono16", 10);
    params["packet_size"] = json!(8192);
    let output = record(&params).unwrap();
    let frames = output.port("frames").unwrap();
    assert_eq!(
        frames.spec.attributes_json()["settings"]["GevSCPSPacketSize"],
        json!({"requested": 8192, "actual": 8192})
    );
    assert_eq!(frames.items.len(), 10);
    assert!(column(frames, "dropped_before").iter().all(|&d| d == 0));
}

#[test]
fn an_unset_packet_size_is_read_back_as_the_cameras_own() {
    let Some(_camera) = FakeCamera::start("packet size unset", &[]) else {
        return;
    };
    let stage = PluginUnderTest::of::<Genicam>()
        .start(&params("Mono16", 1), &[])
        .unwrap();
    assert_eq!(
        stage.outputs[0].attributes_json()["settings"]["GevSCPSPacketSize"],
        json!({"requested": null, "actual": 1400})
    );
}

#[test]
fn a_packet_size_beyond_the_cameras_range_is_refused_naming_feature_and_range() {
    let Some(_camera) = FakeCamera::start("packet size range", &[]) else {
        return;
    };
    let mut params = params("Mono16", 1);
    params["packet_size"] = json!(100_000);
    let error = record(&params).unwrap_err();
    assert_eq!(error.kind(), Some(&parameter("packet_size")));
    assert_eq!(
        error.to_string(),
        format!(
            "plugin `genicam` failed in start: `packet_size` = 100000 is outside the range \
             camera {CAMERA_ID} allows for GevSCPSPacketSize: 220 to 16404"
        )
    );
}
