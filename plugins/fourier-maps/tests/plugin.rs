//! `fourier-maps` driven through the `Plugin` trait with a hand-made schedule and camera.
// Reference computations: independent of the plugin's portable `libm`, so
// the platform's own functions are what a check should use (plugins/clippy.toml).
#![allow(clippy::disallowed_methods)]

use std::f64::consts::{PI, TAU};

use fourier_maps::FourierMaps;
use macroscope_plugin_api::{
    ColumnSpec, Element, ElementType, Emission, ErrorKind, InputPort, PluginError, PortSpec, Scalar,
};
use macroscope_plugin_harness::{HarnessError, OwnedItem, PluginUnderTest};
use serde_json::json;

const SWEEP_S: f64 = 4.0;
const SWEEPS: i32 = 3;
const BASELINE_S: f64 = 1.0;
const DISPLAY_HZ: f64 = 10.0;
const HEIGHT: usize = 2;
const WIDTH: usize = 3;

fn schedule_port() -> InputPort {
    let spec = PortSpec::stream("schedule", ElementType::F64, &[])
        .with_column(ColumnSpec::new("frame_index", ElementType::I64, "", ""))
        .with_column(ColumnSpec::new("direction", ElementType::I8, "", ""))
        .with_column(ColumnSpec::new("sweep", ElementType::I32, "", ""))
        .with_attributes(&json!({
            "directions": ["LR", "RL"],
            "display_rate_hz": DISPLAY_HZ,
            "sweep_duration_s": {"azimuth": SWEEP_S},
            "bar_start_deg": {"LR": -10.0, "RL": 110.0},
            "travel_deg": {"azimuth": 120.0},
        }));
    InputPort {
        source: "stim.schedule".into(),
        spec,
    }
}

fn frames_port() -> InputPort {
    let spec = PortSpec::stream("frames", ElementType::U16, &[HEIGHT as u64, WIDTH as u64])
        .with_column(ColumnSpec::new("frame_id", ElementType::U64, "", ""))
        .with_column(ColumnSpec::new("time_s", ElementType::F64, "s", ""));
    InputPort {
        source: "cam.frames".into(),
        spec,
    }
}

/// Schedule rows: (time, direction, sweep) with baseline before, between and after.
fn schedule_rows() -> Vec<(f64, i8, i32)> {
    let mut rows = Vec::new();
    let step = 1.0 / DISPLAY_HZ;
    let mut t = 0.0;
    let push =
        |rows: &mut Vec<(f64, i8, i32)>, duration: f64, direction: i8, sweep: i32, t: &mut f64| {
            let n = (duration * DISPLAY_HZ).round() as usize;
            for _ in 0..n {
                rows.push((*t, direction, sweep));
                *t += step;
            }
        };
    push(&mut rows, BASELINE_S, -1, -1, &mut t);
    for direction in 0..2 {
        for sweep in 0..SWEEPS {
            push(&mut rows, SWEEP_S, direction, sweep, &mut t);
        }
    }
    push(&mut rows, BASELINE_S, -1, -1, &mut t);
    rows
}

/// Lag (rad) of pixel p in direction d: distinct for every pixel and direction.
fn lag(d: usize, p: usize) -> f64 {
    -2.9 + 0.8 * p as f64 + 0.35 * d as f64
}

/// Camera frames at irregular times; inside sweeps pixel p of direction d is
/// 2000·(1 + 0.01·cos(ωτ − lag)) with τ the time into the sweep; baseline frames are 60000.
fn camera_frames(rows: &[(f64, i8, i32)]) -> Vec<(f64, Vec<u16>)> {
    let end = rows.last().unwrap().0 + 1.0 / DISPLAY_HZ;
    let sweep_start = |d: i8, s: i32| rows.iter().find(|r| r.1 == d && r.2 == s).unwrap().0;
    let mut frames = Vec::new();
    let mut k = 0;
    loop {
        let t = k as f64 * 0.071 + 0.013 * ((k * 7919) % 11) as f64 / 11.0;
        if t >= end {
            return frames;
        }
        let row = rows.iter().rev().find(|r| r.0 <= t).unwrap();
        let pixels = (0..HEIGHT * WIDTH)
            .map(|p| {
                if row.1 < 0 {
                    60000
                } else {
                    let tau = t - sweep_start(row.1, row.2);
                    let x = 1.0 + 0.01 * (TAU / SWEEP_S * tau - lag(row.1 as usize, p)).cos();
                    (2000.0 * x).round() as u16
                }
            })
            .collect();
        frames.push((t, pixels));
        k += 1;
    }
}

/// Runs the plugin (through its FFI descriptor, as the host does) with every
/// camera frame sent BEFORE the schedule, so each must wait.
fn run_frames_first() -> (Vec<PortSpec>, Vec<Emission>) {
    run_frames_first_with(json!({}))
}

fn run_frames_first_with(params: serde_json::Value) -> (Vec<PortSpec>, Vec<Emission>) {
    let (outputs, emitted, _) = run_frames_before(params, f64::INFINITY);
    (outputs, emitted)
}

/// [`run_frames_first_with`] for a movie whose frames end at `end_s`, also
/// returning the warnings the stage reported.
fn run_frames_before(
    params: serde_json::Value,
    end_s: f64,
) -> (Vec<PortSpec>, Vec<Emission>, Vec<String>) {
    let movie = camera_frames(&schedule_rows())
        .into_iter()
        .filter(|(t, _)| *t < end_s)
        .collect();
    run_frames_first_of(params, ElementType::U16, movie)
}

/// [`run_frames_before`] on `frames` (time, pixels) of `element`s.
fn run_frames_first_of<T: Element>(
    params: serde_json::Value,
    element: ElementType,
    frames: Vec<(f64, Vec<T>)>,
) -> (Vec<PortSpec>, Vec<Emission>, Vec<String>) {
    let mut frames_port = frames_port();
    frames_port.spec.element = element;
    let inputs = [frames_port, schedule_port()];
    let mut stage = PluginUnderTest::of::<FourierMaps>()
        .start_for(&params, &inputs)
        .unwrap();
    let rows = schedule_rows();
    let mut emitted = Vec::new();
    let shape = [HEIGHT as u64, WIDTH as u64];
    for (id, (t, pixels)) in frames.into_iter().enumerate() {
        let meta = vec![Scalar::Int(id as i64), Scalar::Float(t)];
        emitted.extend(
            stage
                .receive(0, &OwnedItem::new(pixels, &shape, meta))
                .unwrap(),
        );
    }
    for (index, &(t, direction, sweep)) in rows.iter().enumerate() {
        let meta = vec![
            Scalar::Int(index as i64),
            Scalar::Int(direction.into()),
            Scalar::Int(sweep.into()),
        ];
        emitted.extend(
            stage
                .receive(1, &OwnedItem::new(vec![t], &[], meta))
                .unwrap(),
        );
    }
    emitted.extend(stage.finish().unwrap());
    (stage.outputs.clone(), emitted, stage.warnings())
}

fn f64_data(e: &Emission) -> &[f64] {
    e.data
        .as_slice::<f64>()
        .unwrap_or_else(|| panic!("expected f64, got {}", e.data.element()))
}

fn refusal(inputs: &[InputPort]) -> PluginError {
    match PluginUnderTest::of::<FourierMaps>().outputs_for(&json!({}), inputs) {
        Err(HarnessError::Call { error, .. }) => error,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn phase_of_every_pixel_and_direction_is_its_known_lag() {
    let (_, emissions) = run_frames_first();
    let phase = f64_data(&emissions[0]);
    assert_eq!(phase.len(), 2 * HEIGHT * WIDTH);
    for d in 0..2 {
        for p in 0..HEIGHT * WIDTH {
            let expected = lag(d, p);
            let error = (phase[d * HEIGHT * WIDTH + p] - expected + PI).rem_euclid(TAU) - PI;
            assert!(
                error.abs() < 0.01,
                "direction {d} pixel {p}: phase {} vs {expected}",
                phase[d * 6 + p]
            );
        }
    }
}

#[test]
fn eight_bit_frames_give_the_maps_of_the_same_values_in_sixteen_bits() {
    // The camera's frames scaled into 8 bits: 20·(1 + 0.01·cos) rounds to
    // 20 ± 0, so use 200 ± 2 (the baseline 60000 becomes 250).
    let eight_bit: Vec<(f64, Vec<u8>)> = camera_frames(&schedule_rows())
        .into_iter()
        .map(|(t, pixels)| (t, pixels.iter().map(|&v| (v / 10).min(250) as u8).collect()))
        .collect();
    let widened: Vec<(f64, Vec<u16>)> = eight_bit
        .iter()
        .map(|(t, pixels)| (*t, pixels.iter().map(|&v| u16::from(v)).collect()))
        .collect();
    let (_, from_u8, _) = run_frames_first_of(json!({}), ElementType::U8, eight_bit);
    let (_, from_u16, _) = run_frames_first_of(json!({}), ElementType::U16, widened);
    assert_eq!(from_u8.len(), 3);
    for (a, b) in from_u8.iter().zip(&from_u16) {
        assert_eq!(f64_data(a), f64_data(b));
    }
    // And they are maps: the phase of every pixel is near its lag.
    for p in 0..HEIGHT * WIDTH {
        let error = (f64_data(&from_u8[0])[p] - lag(0, p) + PI).rem_euclid(TAU) - PI;
        assert!(error.abs() < 0.3, "pixel {p}: phase error {error}");
    }
}

#[test]
fn frames_on_a_clock_a_known_constant_behind_give_the_same_maps_with_that_clock_offset() {
    let behind: Vec<(f64, Vec<u16>)> = camera_frames(&schedule_rows())
        .into_iter()
        .map(|(t, pixels)| (t - 2.5, pixels))
        .collect();
    let (_, offset, _) =
        run_frames_first_of(json!({ "clock_offset_s": 2.5 }), ElementType::U16, behind);
    let (_, on_time) = run_frames_first();
    assert_eq!(offset.len(), on_time.len());
    for (a, b) in offset.iter().zip(&on_time) {
        for (x, y) in f64_data(a).iter().zip(f64_data(b)) {
            assert!((x - y).abs() < 1e-9, "{x} vs {y}");
        }
    }
}

#[test]
fn skipped_first_sweeps_leave_the_phase_unchanged() {
    let (_, emissions) = run_frames_first_with(json!({ "skip_sweeps": 2 }));
    let first_direction = &f64_data(&emissions[0])[..HEIGHT * WIDTH];
    for (p, &phase) in first_direction.iter().enumerate() {
        let error = (phase - lag(0, p) + PI).rem_euclid(TAU) - PI;
        // One sweep of ~56 irregularly timed frames: a looser bound than with all three.
        assert!(
            error.abs() < 0.03,
            "pixel {p}: phase {phase} from the last sweep only"
        );
    }
}

#[test]
fn skipping_every_sweep_leaves_no_frames() {
    let (_, emissions) = run_frames_first_with(json!({ "skip_sweeps": SWEEPS }));
    assert!(f64_data(&emissions[0]).iter().all(|v| v.is_nan()));
}

#[test]
fn a_movie_covering_every_direction_gives_no_warning() {
    let (_, _, warnings) = run_frames_before(json!({}), f64::INFINITY);
    assert_eq!(warnings, Vec::<String>::new());
}

#[test]
fn a_movie_that_stops_before_the_rl_sweeps_warns_that_rl_has_no_frames() {
    let rl_begins_s = BASELINE_S + f64::from(SWEEPS) * SWEEP_S;
    let (_, emissions, warnings) = run_frames_before(json!({}), rl_begins_s);
    assert!(f64_data(&emissions[0])[HEIGHT * WIDTH..]
        .iter()
        .all(|v| v.is_nan()));
    assert_eq!(
        warnings,
        [
            "the movie has no frames in the sweeps of RL, only in those of LR: their phase and \
          magnitude maps are NaN, and no azimuth map can be made (each axis needs both of its \
          opposite directions); record every direction of the schedule, or check that the \
          movie and the schedule are of the same session"
        ]
    );
}

#[test]
fn magnitude_is_the_dr_over_r_amplitude() {
    let (_, emissions) = run_frames_first();
    for (i, &m) in f64_data(&emissions[1]).iter().enumerate() {
        assert!((m - 0.01).abs() < 5e-4, "element {i}: magnitude {m}");
    }
}

#[test]
fn baseline_frames_are_left_out_of_the_mean() {
    let (_, emissions) = run_frames_first();
    for &m in f64_data(&emissions[2]) {
        assert!(
            (m - 2000.0).abs() < 1.0,
            "mean {m} (baseline frames are 60000)"
        );
    }
}

#[test]
fn outputs_carry_the_schedule_attributes_and_direction_order() {
    let (ports, _) = run_frames_first();
    let names: Vec<&str> = ports.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["phase", "magnitude", "mean_frame"]);
    assert_eq!(ports[0].shape.as_slice(), [2, HEIGHT as u64, WIDTH as u64]);
    let attributes = ports[0].attributes_json();
    assert_eq!(attributes["directions"], json!(["LR", "RL"]));
    assert_eq!(attributes["bar_start_deg"]["RL"], json!(110.0));
}

#[test]
fn a_missing_schedule_input_is_named() {
    let error = refusal(&[frames_port()]);
    assert_eq!(error.kind(), &ErrorKind::Failed);
    assert_eq!(
        error.message(),
        "fourier-maps: needs an input port named `schedule` (connect the camera's `frames` and the stimulus's `schedule`)"
    );
}

#[test]
fn stimulus_frames_instead_of_camera_frames_are_refused() {
    let mut frames = frames_port();
    frames.spec.element = ElementType::U8;
    frames.source = "stim.frames".into();
    let error = refusal(&[frames, schedule_port()]);
    assert_eq!(error.kind(), &ErrorKind::InputRejected { input: 0 });
    assert_eq!(
        error.message(),
        "fourier-maps: input `frames` from stim.frames comes from the stage that made the schedule (stim.schedule): \
         connect the camera's `frames`, not the stimulus's"
    );
}

#[test]
fn recorded_frames_beside_their_schedule_in_one_group_are_a_movie() {
    let mut frames = frames_port();
    frames.source = "file:movie.h5#/frames".into();
    let mut schedule = schedule_port();
    schedule.source = "file:movie.h5#/schedule".into();
    assert!(PluginUnderTest::of::<FourierMaps>()
        .outputs_for(&json!({}), &[frames, schedule])
        .is_ok());
}

#[test]
fn frames_of_floats_are_refused_naming_what_is_accepted() {
    let mut frames = frames_port();
    frames.spec.element = ElementType::F32;
    let error = refusal(&[frames, schedule_port()]);
    assert_eq!(error.kind(), &ErrorKind::InputRejected { input: 0 });
    assert_eq!(
        error.message(),
        "fourier-maps: input `frames` from cam.frames must be a stream of u8 or u16 [H, W] camera frames, found a \
         stream of f32 [2, 3]"
    );
}

#[test]
fn outputs_record_no_binning_by_default() {
    let (ports, _) = run_frames_first();
    for port in &ports {
        assert_eq!(port.attributes_json()["pixel_binning"], json!(1));
    }
}

#[test]
fn binned_maps_are_smaller_by_the_bin_and_record_it() {
    let (ports, emissions) = run_frames_first_with(json!({ "bin_px": 2 }));
    assert_eq!(ports[0].shape.as_slice(), [2, 1, 1]);
    assert_eq!(ports[1].shape.as_slice(), [2, 1, 1]);
    assert_eq!(ports[2].shape.as_slice(), [1, 1]);
    for port in &ports {
        assert_eq!(port.attributes_json()["pixel_binning"], json!(2));
    }
    assert_eq!(f64_data(&emissions[0]).len(), 2);
    assert_eq!(f64_data(&emissions[2]).len(), 1);
}

#[test]
fn a_binned_pixel_has_the_phase_and_magnitude_of_its_block_mean() {
    // The 2 × 2 block holds pixels 0, 1 (row 0) and 3, 4 (row 1); column 2 is dropped.
    // Their mean is 2000·(1 + 0.01·Re(e^{iωτ}·z̄)) with z the mean of e^{i·lag}.
    let (_, emissions) = run_frames_first_with(json!({ "bin_px": 2 }));
    let (phase, magnitude) = (f64_data(&emissions[0]), f64_data(&emissions[1]));
    for d in 0..2 {
        let (re, im) = [0, 1, 3, 4].iter().fold((0.0, 0.0), |(re, im), &p| {
            (re + lag(d, p).cos() / 4.0, im + lag(d, p).sin() / 4.0)
        });
        let expected = im.atan2(re);
        let error = (phase[d] - expected + PI).rem_euclid(TAU) - PI;
        assert!(
            error.abs() < 0.02,
            "direction {d}: phase {} vs {expected}",
            phase[d]
        );
        let amplitude = 0.01 * re.hypot(im);
        assert!(
            (magnitude[d] - amplitude).abs() < 5e-4,
            "direction {d}: magnitude {} vs {amplitude}",
            magnitude[d]
        );
    }
    assert!((f64_data(&emissions[2])[0] - 2000.0).abs() < 1.0);
}

#[test]
fn a_bin_larger_than_the_frames_is_refused_naming_the_parameter() {
    let inputs = [frames_port(), schedule_port()];
    let error =
        match PluginUnderTest::of::<FourierMaps>().outputs_for(&json!({ "bin_px": 3 }), &inputs) {
            Err(HarnessError::Call { error, .. }) => error,
            other => panic!("expected a refusal, got {other:?}"),
        };
    assert_eq!(
        error.kind(),
        &ErrorKind::InvalidParameter {
            field: "bin_px".into()
        }
    );
    assert_eq!(
        error.message(),
        "parameter `bin_px` = 3 is larger than the 2×3 frames: use at most 2"
    );
}
