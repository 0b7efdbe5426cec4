//! `retinotopy` in mode (a) on hand-built phase maps: the phases a reflectance dip of known
//! delay gives for a known linear map, written with the formulas of docs/science.md §4 —
//! φf = 2πu + ωd + π, φr = 2π(1 − u) + ωd + π, u = (position − forward start)/travel.

mod plugin_driver;

use std::f64::consts::{PI, TAU};

use macroscope_plugin_api::{ElementType, Emission, PortSpec};
use macroscope_schedule::{Direction, PerAxis, PerDirection, ScheduleAttributes};
use plugin_driver::{dataset, input, Driven};
use retinotopy::phase_to_degrees::AxisGeometry;
use retinotopy::{Params, Retinotopy};

const ROWS: usize = 40;
const COLS: usize = 50;
/// Planes in a deliberately unusual order: the plugin must follow the `directions` attribute.
const ORDER: [Direction; 4] = [Direction::BT, Direction::LR, Direction::TB, Direction::RL];
const AZIMUTH: AxisGeometry = AxisGeometry {
    forward_start_deg: -20.0,
    reverse_start_deg: 130.0,
    travel_deg: 150.0,
};
const ALTITUDE: AxisGeometry = AxisGeometry {
    forward_start_deg: -50.0,
    reverse_start_deg: 60.0,
    travel_deg: 110.0,
};
const AZIMUTH_DELAY: f64 = 0.6;
const ALTITUDE_DELAY: f64 = 0.9;

/// Azimuth grows to the right, altitude grows up the image (rows grow down).
fn true_azimuth(_row: usize, col: usize) -> f64 {
    20.0 + 0.8 * col as f64
}

fn true_altitude(row: usize, _col: usize) -> f64 {
    30.0 - 0.6 * row as f64
}

fn wrap(x: f64) -> f64 {
    (x + PI).rem_euclid(TAU) - PI
}

fn phases_and_magnitudes() -> (Vec<f64>, Vec<f64>) {
    let mut phase = Vec::new();
    let mut magnitude = Vec::new();
    for direction in ORDER {
        for row in 0..ROWS {
            for col in 0..COLS {
                let (position, geometry, delay, amplitude) = match direction {
                    Direction::LR | Direction::RL => {
                        (true_azimuth(row, col), AZIMUTH, AZIMUTH_DELAY, 0.002)
                    }
                    Direction::BT | Direction::TB => {
                        (true_altitude(row, col), ALTITUDE, ALTITUDE_DELAY, 0.004)
                    }
                };
                let u = (position - geometry.forward_start_deg) / geometry.travel_deg;
                let crossing = match direction {
                    Direction::LR | Direction::BT => u,
                    Direction::RL | Direction::TB => 1.0 - u,
                };
                phase.push(wrap(TAU * crossing + delay + PI));
                magnitude.push(amplitude);
            }
        }
    }
    (phase, magnitude)
}

/// The stimulus schedule's attributes, carried by the phase maps: ORDER with the bar geometry above.
fn schedule_attributes() -> serde_json::Value {
    let per_axis = |azimuth, altitude| PerAxis {
        azimuth: Some(azimuth),
        altitude: Some(altitude),
    };
    ScheduleAttributes {
        directions: ORDER.to_vec(),
        display_rate_hz: 60.0,
        sweep_duration_s: per_axis(16.0, 12.0),
        bar_start_deg: PerDirection {
            lr: Some(AZIMUTH.forward_start_deg),
            rl: Some(AZIMUTH.reverse_start_deg),
            bt: Some(ALTITUDE.forward_start_deg),
            tb: Some(ALTITUDE.reverse_start_deg),
        },
        travel_deg: per_axis(AZIMUTH.travel_deg, ALTITUDE.travel_deg),
        bar_width_deg: None,
    }
    .to_json()
}

fn run() -> (Driven<Retinotopy>, Vec<Emission>) {
    run_with(Params::default())
}

fn run_with(params: Params) -> (Driven<Retinotopy>, Vec<Emission>) {
    let shape = [ORDER.len() as u64, ROWS as u64, COLS as u64];
    let attributes = schedule_attributes();
    let phase_port =
        PortSpec::dataset("phase", ElementType::F64, &shape).with_attributes(&attributes);
    let magnitude_port =
        PortSpec::dataset("magnitude", ElementType::F64, &shape).with_attributes(&attributes);
    let mut stage = Driven::<Retinotopy>::configure(
        params,
        &[
            input("fourier.magnitude", &magnitude_port),
            input("fourier.phase", &phase_port),
        ],
    );
    let (phase, magnitude) = phases_and_magnitudes();
    stage.send_slice(0, &magnitude, &shape);
    stage.send_slice(1, &phase, &shape);
    let emissions = stage.finish();
    (stage, emissions)
}

fn output<'a>(stage: &Driven<Retinotopy>, emissions: &'a [Emission], name: &str) -> &'a [f64] {
    dataset::<f64>(emissions, stage.output_index(name))
}

#[test]
fn positions_are_recovered_in_degrees() {
    let (stage, emissions) = run();
    let azimuth = output(&stage, &emissions, "azimuth_deg");
    let altitude = output(&stage, &emissions, "altitude_deg");
    for row in 0..ROWS {
        for col in 0..COLS {
            let p = row * COLS + col;
            assert!(
                (azimuth[p] - true_azimuth(row, col)).abs() < 1e-9,
                "azimuth at {row},{col}: {}",
                azimuth[p]
            );
            assert!(
                (altitude[p] - true_altitude(row, col)).abs() < 1e-9,
                "altitude at {row},{col}: {}",
                altitude[p]
            );
        }
    }
}

#[test]
fn delay_and_power_maps_hold_the_built_in_values() {
    let (stage, emissions) = run();
    let close = |name: &str, value: f64| {
        assert!(
            output(&stage, &emissions, name)
                .iter()
                .all(|v| (v - value).abs() < 1e-12),
            "{name} is not {value}"
        );
    };
    close("azimuth_delay", AZIMUTH_DELAY);
    close("altitude_delay", ALTITUDE_DELAY);
    close("azimuth_power", 0.002);
    close("altitude_power", 0.004);
}

#[test]
fn altitude_growing_up_the_image_gives_sign_plus_one_everywhere() {
    let (stage, emissions) = run();
    assert!(output(&stage, &emissions, "sign_map")
        .iter()
        .all(|v| (v - 1.0).abs() < 1e-12));
}

#[test]
fn the_whole_map_is_one_positive_patch_without_the_corners_the_opening_cuts() {
    // Three openings of a full 40 × 50 mask (outside counts as 0) lose the 6 pixels with
    // row + col < 3 at each corner: 2000 − 24 = 1976 (scipy.ndimage.binary_opening agrees).
    let (stage, emissions) = run();
    let patches: Vec<&Emission> = emissions
        .iter()
        .filter(|e| e.port == stage.output_index("patches"))
        .collect();
    assert_eq!(patches.len(), 1);
    let meta = &patches[0].meta;
    assert_eq!((meta[0].as_i64(), meta[1].as_i64()), (1, 1976));
    assert_eq!(
        (meta[2].as_f64(), meta[3].as_f64()),
        (19.5, 24.5),
        "centroid of a symmetric shape"
    );
}

#[test]
fn a_map_with_one_patch_gives_no_warning() {
    let (mut stage, _) = run();
    assert_eq!(stage.warnings(), Vec::<String>::new());
}

#[test]
fn no_patch_large_enough_is_warned_about_with_the_thresholds() {
    let (mut stage, _) = run_with(Params {
        min_patch_px: (ROWS * COLS) as u32 + 1,
        ..Params::default()
    });
    assert_eq!(
        stage.warnings(),
        [format!(
            "no visual area was found: no patch of the smoothed sign map reached |sign| ≥ 0.4 over at least {} px; \
             on a noisy movie bin pixels (`fourier-maps` `bin_px`) and smooth more (`phase_sigma_px`, \
             `sign_sigma_px`), or lower `sign_threshold` (docs/science.md §8a)",
            ROWS * COLS + 1
        )]
    );
}
