//! Schedule rows and port declarations against the port contract.

use drifting_bar::params::{Direction, IndicatorFlips, Params};
use drifting_bar::DriftingBar;
use macroscope_plugin_api::{ElementType, InputPort, PluginError, PortKind, PortSpec};
use macroscope_plugin_harness::{HarnessError, PluginUnderTest};

use crate::run::{run, small};

/// Rows as (frame_index, time_s, direction, sweep, bar_centre_deg, polarity, indicator).
type Row = (i64, f64, i64, i64, f64, i64, i64);

fn rows(params: Params) -> (Vec<Row>, serde_json::Value) {
    let result = run(params);
    let attributes = result.ports[1].attributes_json();
    let rows = result
        .schedule
        .iter()
        .map(|e| {
            let m = &e.meta;
            let time = e.data.as_slice::<f64>().expect("schedule items are f64")[0];
            (
                m[0].as_i64(),
                time,
                m[1].as_i64(),
                m[2].as_i64(),
                m[3].as_f64(),
                m[4].as_i64(),
                m[5].as_i64(),
            )
        })
        .collect();
    (rows, attributes)
}

#[test]
fn row_count_is_the_display_rate_times_the_total_duration() {
    let (rows, a) = rows(small());
    let durations = &a["sweep_duration_s"];
    let sweeps = a["sweeps_per_direction"].as_f64().unwrap();
    // LR, RL on the azimuth sweep; BT, TB on the altitude sweep.
    let total = a["baseline_before_s"].as_f64().unwrap()
        + sweeps
            * 2.0
            * (durations["azimuth"].as_f64().unwrap() + durations["altitude"].as_f64().unwrap())
        + a["baseline_after_s"].as_f64().unwrap();
    let expected = 60.0 * total;
    assert!(
        (expected - expected.round()).abs() < 1e-6,
        "{expected} frames is not whole"
    );
    assert_eq!(rows.len(), expected.round() as usize);
    assert_eq!(a["total_frames"].as_u64().unwrap() as usize, rows.len());
}

#[test]
fn times_step_by_one_display_period() {
    let (rows, _) = rows(small());
    for (k, row) in rows.iter().enumerate() {
        assert_eq!(row.0, k as i64);
        assert!(
            (row.1 - k as f64 / 60.0).abs() < 1e-12,
            "row {k} at {} s",
            row.1
        );
    }
}

#[test]
fn baseline_rows_have_no_direction_no_sweep_and_no_bar() {
    // 0.5 s before = 30 rows, 0.25 s after = 15 rows.
    let (rows, _) = rows(small());
    let baseline: Vec<&Row> = rows[..30].iter().chain(&rows[rows.len() - 15..]).collect();
    for row in baseline {
        assert_eq!((row.2, row.3), (-1, -1), "row {}", row.0);
        assert!(row.4.is_nan(), "row {} has a bar centre", row.0);
    }
    assert_ne!(rows[30].2, -1, "the first sweep starts right after 0.5 s");
    assert_ne!(
        rows[rows.len() - 16].2,
        -1,
        "the last sweep ends 0.25 s before the end"
    );
}

#[test]
fn the_bar_centre_moves_by_speed_over_rate_each_frame_from_the_documented_start() {
    // 120°/s at 60 Hz: 2° per frame, + for LR and BT, − for RL and TB.
    let (rows, a) = rows(small());
    for pair in rows.windows(2) {
        let (prev, next) = (pair[0], pair[1]);
        if next.2 < 0 || prev.2 != next.2 || prev.3 != next.3 {
            if next.2 >= 0 {
                let name = ["LR", "RL", "BT", "TB"][next.2 as usize];
                let start = a["bar_start_deg"][name].as_f64().unwrap();
                assert!(
                    (next.4 - start).abs() < 1e-9,
                    "sweep starting at row {} is not at {start}°",
                    next.0
                );
            }
            continue;
        }
        let step = if next.2 == 0 || next.2 == 2 {
            2.0
        } else {
            -2.0
        };
        assert!(
            (next.4 - prev.4 - step).abs() < 1e-9,
            "row {}: {} → {}",
            next.0,
            prev.4,
            next.4
        );
    }
}

#[test]
fn directions_run_in_order_with_their_sweeps_back_to_back() {
    let params = Params {
        directions: vec![Direction::TB, Direction::LR],
        ..small()
    };
    let (rows, a) = rows(params);
    let azimuth_frames =
        (a["sweep_duration_s"]["azimuth"].as_f64().unwrap() * 60.0).round() as usize;
    let altitude_frames =
        (a["sweep_duration_s"]["altitude"].as_f64().unwrap() * 60.0).round() as usize;
    let mut expected = vec![(-1, -1); 30];
    for (code, frames) in [(3, altitude_frames), (0, azimuth_frames)] {
        for sweep in 0..2 {
            expected.extend(std::iter::repeat_n((code, sweep), frames));
        }
    }
    expected.extend(std::iter::repeat_n((-1, -1), 15));
    let actual: Vec<(i64, i64)> = rows.iter().map(|r| (r.2, r.3)).collect();
    assert_eq!(actual, expected);
    assert_eq!(a["directions"], serde_json::json!(["TB", "LR"]));
}

#[test]
fn a_sweep_starts_and_ends_with_the_bar_fully_off_the_field() {
    // The default monitor spans azimuth 60 ± 60.018°: LR starts at −0.018 − 10 and RL at
    // 120.018 + 10; travel covers span + w and is speed × sweep duration.
    let (_, a) = rows(small());
    let w = 20.0;
    let field = &a["field_deg"]["azimuth"];
    let (min, max) = (field[0].as_f64().unwrap(), field[1].as_f64().unwrap());
    assert!((min - (60.0 - 60.018_360_631_150_67)).abs() < 1e-9);
    assert!((a["bar_start_deg"]["LR"].as_f64().unwrap() - (min - w / 2.0)).abs() < 1e-12);
    assert!((a["bar_start_deg"]["RL"].as_f64().unwrap() - (max + w / 2.0)).abs() < 1e-12);
    let travel = a["travel_deg"]["azimuth"].as_f64().unwrap();
    let duration = a["sweep_duration_s"]["azimuth"].as_f64().unwrap();
    assert!((travel - 120.0 * duration).abs() < 1e-9);
    // ⌈(120.0367 + 20) / 2⌉ = 71 frames of 2°.
    assert!((duration - 71.0 / 60.0).abs() < 1e-12, "{duration}");
    assert!(travel >= max - min + w);
}

#[test]
fn polarity_reverses_six_times_per_second() {
    // 6 reversals/s at 60 Hz: +1 for frames 0..10, −1 for 10..20, +1 for 20..30, ...
    let (rows, _) = rows(small());
    for row in &rows {
        let expected = if (row.0 / 10) % 2 == 0 { 1 } else { -1 };
        assert_eq!(row.5, expected, "row {}", row.0);
    }
}

#[test]
fn the_indicator_flips_every_frame_by_default() {
    let (rows, _) = rows(small());
    for row in &rows {
        assert_eq!(row.6, if row.0 % 2 == 0 { 255 } else { 0 }, "row {}", row.0);
    }
}

#[test]
fn the_indicator_can_flip_at_every_sweep_onset_instead() {
    let params = Params {
        indicator_flips: IndicatorFlips::EverySweep,
        directions: vec![Direction::BT],
        ..small()
    };
    let (rows, _) = rows(params);
    // Dark before, light in sweep 0, dark in sweep 1, light after (2 sweeps done).
    for row in &rows {
        let expected = match (row.2, row.3) {
            (-1, _) if row.0 < 30 => 0,
            (-1, _) => 255,
            (_, sweep) => {
                if sweep % 2 == 0 {
                    255
                } else {
                    0
                }
            }
        };
        assert_eq!(row.6, expected, "row {}", row.0);
    }
}

fn column_names(port: &PortSpec) -> Vec<(&str, ElementType)> {
    port.columns
        .iter()
        .map(|c| (c.name.as_str(), c.element))
        .collect()
}

#[test]
fn ports_are_exactly_those_of_the_port_contract() {
    let ports = refusal_or_ports(small(), &[]).unwrap();
    assert_eq!(ports.len(), 2);
    let (frames, schedule) = (&ports[0], &ports[1]);
    assert_eq!(
        (frames.name.as_str(), frames.kind, frames.element),
        ("frames", PortKind::STREAM, ElementType::U8)
    );
    assert_eq!(frames.shape.as_slice(), &[120, 192]);
    assert_eq!(
        column_names(frames),
        [
            ("frame_index", ElementType::I64),
            ("time_s", ElementType::F64)
        ]
    );
    assert_eq!(
        (
            schedule.name.as_str(),
            schedule.kind,
            schedule.element,
            schedule.unit.as_str()
        ),
        ("schedule", PortKind::STREAM, ElementType::F64, "s")
    );
    assert!(schedule.shape.is_empty());
    assert_eq!(
        column_names(schedule),
        [
            ("frame_index", ElementType::I64),
            ("direction", ElementType::I8),
            ("sweep", ElementType::I32),
            ("bar_centre_deg", ElementType::F64),
            ("polarity", ElementType::I8),
            ("indicator", ElementType::U8),
        ]
    );
    let a = schedule.attributes_json();
    for key in [
        "directions",
        "display_rate_hz",
        "baseline_before_s",
        "baseline_after_s",
        "sweeps_per_direction",
        "sweep_duration_s",
        "bar_start_deg",
        "travel_deg",
        "bar_width_deg",
    ] {
        assert!(a.get(key).is_some(), "attribute `{key}` missing");
    }
    assert_eq!(a["display_rate_hz"], 60.0);
    assert_eq!(a["bar_width_deg"], 20.0);
    assert_eq!(a["sweeps_per_direction"], 2);
}

#[test]
fn every_poll_emits_a_bounded_batch() {
    let result = run(small());
    let bound = 2 * 2 * rayon::current_num_threads();
    assert!(result.per_poll.len() > 10);
    assert!(
        result.per_poll.iter().all(|&n| n <= bound),
        "{:?}",
        result.per_poll
    );
}

#[test]
fn an_input_is_refused_with_a_message_saying_what_to_do() {
    let input = InputPort {
        source: "camera.frames".into(),
        spec: PortSpec::stream("frames", ElementType::U16, &[4, 4]),
    };
    let err = refusal_or_ports(small(), &[input]).expect_err("an input is refused");
    assert_eq!(
        err.message(),
        "drifting-bar takes no inputs, but 1 were connected: remove `inputs` from its stage"
    );
}

#[test]
fn invalid_parameters_are_refused_with_the_field_name() {
    let err = refusal_or_ports(
        Params {
            bar_width_deg: 0.0,
            ..small()
        },
        &[],
    )
    .expect_err("refused");
    assert_eq!(
        err,
        PluginError::parameter(
            "bar_width_deg",
            "parameter `bar_width_deg` must be a finite number > 0, got 0"
        )
    );
}

/// The ports `outputs` declares (through the FFI), or the plugin's refusal.
fn refusal_or_ports(params: Params, inputs: &[InputPort]) -> Result<Vec<PortSpec>, PluginError> {
    let params = serde_json::to_value(params).expect("parameters serialise");
    match PluginUnderTest::of::<DriftingBar>().outputs_for(&params, inputs) {
        Ok(ports) => Ok(ports),
        Err(HarnessError::Call { error, .. }) => Err(error),
        Err(other) => panic!("{other}"),
    }
}
