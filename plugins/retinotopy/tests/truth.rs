//! The truth test: drifting-bar → synthetic-cortex → fourier-maps → retinotopy, each driven
//! through the `Plugin` trait as the host does, and the recovered maps compared with the
//! maps the synthetic cortex hid in its movie.
//!
//! Acceptance (issue 4): median absolute position error < 0.1° on azimuth and altitude over
//! responsive pixels (95th percentile reported), visual-field-sign agreement > 98 % where
//! |true VFS| > 0.5, and every true area recovered as one patch of the right sign with
//! IoU > 0.7 — at hemodynamic delays of 0.5, 1.5 and 2.5 s.
//!
//! Sizes are kept small for debug builds: a 200 × 200 px cortex (the smallest area, LI, is
//! ≈ 13 px wide) at 10 frames/s with ±10 ms timestamp jitter, 4 sweeps per direction of the
//! default stimulus (≈ 15.6 s azimuth, 12.7 s altitude sweeps), displayed at 1/40 of the screen
//! resolution (the analysis needs only the schedule). `fourier-maps` leaves out the first sweep
//! of each direction, whose first seconds still show the response to what came before. The
//! response is strong (ΔR/R 5 %) and the camera deep-welled (1000 e⁻/count) so that photon
//! noise does not hide what is being tested: the phase, delay and geometry conventions of the
//! chain. The cortex's altitude range is narrowed to ±15° so that the stimulus field (±47°)
//! covers it with the margin of two response widths its model asks for.
//!
//! Sign-map parameters are Allen's scaled from 450 px to 200 px where that keeps the smallest
//! area: σ_phase 0.25 px (0.5 × 200/450), σ_sign 1.5 px (Allen's 8 × 200/450 = 3.6 px would
//! smooth LI away), threshold 0.3, one opening, patches ≥ 20 px. The true VFS is Allen's
//! formula on the true maps with the same σ_phase.

mod plugin_driver;

use drifting_bar::DriftingBar;
use fourier_maps::FourierMaps;
use macroscope_plugin_api::{Emission, Flow};
use ndarray::{Array2, Zip};
use plugin_driver::{dataset, input, Driven};
use retinotopy::sign_map::visual_field_sign;
use retinotopy::smoothing::gaussian_filter;
use retinotopy::Retinotopy;
use synthetic_cortex::SyntheticCortex;

const SIDE: usize = 200;
/// σ_phase used for both the recovered and the true sign map.
const PHASE_SIGMA_PX: f64 = 0.25;

/// What the chain recovered, next to the truth.
struct Outcome {
    true_azimuth: Array2<f64>,
    true_altitude: Array2<f64>,
    true_sign: Array2<i8>,
    true_areas: Array2<i32>,
    azimuth: Array2<f64>,
    altitude: Array2<f64>,
    sign_map: Array2<f64>,
    labels: Array2<i32>,
    patch_signs: Vec<i8>,
}

fn map<T: macroscope_plugin_api::Element>(emissions: &[Emission], port: u32) -> Array2<T> {
    Array2::from_shape_vec((SIDE, SIDE), dataset::<T>(emissions, port).to_vec())
        .expect("a SIDE × SIDE map")
}

fn run_chain(hemodynamic_delay_s: f64) -> Outcome {
    let stimulus_params = serde_json::from_value(serde_json::json!({
        "downsample": 40, "sweeps_per_direction": 4, "baseline_before_s": 2.0, "baseline_after_s": 3.0,
    }))
    .unwrap();
    let mut stimulus = Driven::<DriftingBar>::configure(stimulus_params, &[]);
    let schedule_port = stimulus.output("schedule").clone();
    let schedule_out = stimulus.output_index("schedule");

    let cortex_params = serde_json::from_value(serde_json::json!({
        "seed": 7, "width_px": SIDE, "height_px": SIDE, "frame_rate_hz": 10.0, "timestamp_jitter_s": 0.01,
        "hemodynamic_delay_s": hemodynamic_delay_s, "response_amplitude": 0.05, "electrons_per_count": 1000.0,
        "altitude_range_deg": [-15.0, 15.0],
    }))
    .unwrap();
    let mut cortex = Driven::<SyntheticCortex>::configure(
        cortex_params,
        &[input("stimulus.schedule", &schedule_port)],
    );
    let frames_port = cortex.output("frames").clone();
    let frames_out = cortex.output_index("frames");
    let frame_shape = frames_port.shape.to_vec();

    let mut fourier = Driven::<FourierMaps>::configure(
        fourier_maps::Params { skip_sweeps: 1 },
        &[
            input("camera.frames", &frames_port),
            input("stimulus.schedule", &schedule_port),
        ],
    );
    let to_fourier = |fourier: &mut Driven<FourierMaps>, camera_emissions: &[Emission]| {
        for frame in camera_emissions.iter().filter(|e| e.port == frames_out) {
            fourier.send(0, &frame.data, &frame_shape, &frame.meta);
        }
    };
    loop {
        let (emissions, flow) = stimulus.poll();
        for row in emissions.iter().filter(|e| e.port == schedule_out) {
            let camera = cortex.send(0, &row.data, &[], &row.meta);
            fourier.send(1, &row.data, &[], &row.meta);
            to_fourier(&mut fourier, &camera);
        }
        if flow == Flow::Finished {
            break;
        }
    }
    let truth = cortex.finish();
    to_fourier(&mut fourier, &truth);
    let maps = fourier.finish();

    let phase_port = fourier.output("phase").clone();
    let magnitude_port = fourier.output("magnitude").clone();
    let params = retinotopy::Params {
        phase_sigma_px: PHASE_SIGMA_PX,
        sign_sigma_px: 1.5,
        sign_threshold: 0.3,
        open_iterations: 1,
        min_patch_px: 20,
        ..retinotopy::Params::default()
    };
    let mut analysis = Driven::<Retinotopy>::configure(
        params,
        &[
            input("fourier.phase", &phase_port),
            input("fourier.magnitude", &magnitude_port),
        ],
    );
    analysis.send(0, &maps[0].data, &phase_port.shape, &[]);
    analysis.send(1, &maps[1].data, &magnitude_port.shape, &[]);
    let results = analysis.finish();

    let patches = analysis.output_index("patches");
    Outcome {
        true_azimuth: map(&truth, cortex.output_index("true_azimuth_deg")),
        true_altitude: map(&truth, cortex.output_index("true_altitude_deg")),
        true_sign: map(&truth, cortex.output_index("true_sign")),
        true_areas: map(&truth, cortex.output_index("true_areas")),
        azimuth: map(&results, analysis.output_index("azimuth_deg")),
        altitude: map(&results, analysis.output_index("altitude_deg")),
        sign_map: map(&results, analysis.output_index("sign_map")),
        labels: map(&results, analysis.output_index("area_labels")),
        patch_signs: results
            .iter()
            .filter(|e| e.port == patches)
            .map(|e| e.meta[0].as_i64() as i8)
            .collect(),
    }
}

/// Median and 95th percentile of |recovered − true| over responsive (area) pixels.
fn error_percentiles(
    recovered: &Array2<f64>,
    truth: &Array2<f64>,
    areas: &Array2<i32>,
) -> (f64, f64) {
    let mut errors: Vec<f64> =
        Zip::from(recovered)
            .and(truth)
            .and(areas)
            .fold(Vec::new(), |mut acc, &r, &t, &a| {
                if a > 0 {
                    acc.push((r - t).abs());
                }
                acc
            });
    errors.sort_by(f64::total_cmp);
    let at = |q: f64| errors[((errors.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.95))
}

/// Fraction of pixels with |true VFS| > 0.5 whose recovered sign-map sign is the true one.
fn sign_agreement(outcome: &Outcome) -> f64 {
    let true_vfs = visual_field_sign(
        &gaussian_filter(&outcome.true_azimuth, PHASE_SIGMA_PX),
        &gaussian_filter(&outcome.true_altitude, PHASE_SIGMA_PX),
    );
    let (agree, total) =
        Zip::from(&true_vfs)
            .and(&outcome.sign_map)
            .fold((0, 0), |(agree, total), &t, &s| {
                if t.abs() > 0.5 {
                    (agree + usize::from(t.signum() == s.signum()), total + 1)
                } else {
                    (agree, total)
                }
            });
    agree as f64 / total as f64
}

/// For each true area: (its sign, the best-overlapping patch, that patch's sign, IoU).
fn area_matches(outcome: &Outcome) -> Vec<(i32, i8, i32, i8, f64)> {
    let areas = outcome.true_areas.iter().copied().max().unwrap_or(0);
    (1..=areas)
        .map(|area| {
            let in_area = outcome.true_areas.mapv(|a| a == area);
            let true_sign = Zip::from(&in_area)
                .and(&outcome.true_sign)
                .fold(0i64, |s, &i, &t| s + if i { t as i64 } else { 0 });
            let overlap = |patch: i32| {
                Zip::from(&in_area)
                    .and(&outcome.labels)
                    .fold(0, |n, &i, &l| n + usize::from(i && l == patch))
            };
            let best = (1..=outcome.patch_signs.len() as i32)
                .max_by_key(|&p| overlap(p))
                .unwrap_or(0);
            let union = Zip::from(&in_area)
                .and(&outcome.labels)
                .fold(0, |n, &i, &l| n + usize::from(i || (best > 0 && l == best)));
            let iou = if best > 0 {
                overlap(best) as f64 / union as f64
            } else {
                0.0
            };
            let patch_sign = if best > 0 {
                outcome.patch_signs[best as usize - 1]
            } else {
                0
            };
            (area, true_sign.signum() as i8, best, patch_sign, iou)
        })
        .collect()
}

fn check(hemodynamic_delay_s: f64) {
    let outcome = run_chain(hemodynamic_delay_s);
    let azimuth = error_percentiles(&outcome.azimuth, &outcome.true_azimuth, &outcome.true_areas);
    let altitude = error_percentiles(
        &outcome.altitude,
        &outcome.true_altitude,
        &outcome.true_areas,
    );
    let agreement = sign_agreement(&outcome);
    let matches = area_matches(&outcome);
    println!(
        "delay {hemodynamic_delay_s} s: azimuth |error| median {:.4}° p95 {:.4}°, altitude median {:.4}° p95 {:.4}°, \
         VFS sign agreement {:.2} %, areas (label, sign, patch, patch sign, IoU) {matches:.3?}",
        azimuth.0, azimuth.1, altitude.0, altitude.1, 100.0 * agreement
    );
    assert!(azimuth.0 < 0.1, "azimuth median error {}°", azimuth.0);
    assert!(altitude.0 < 0.1, "altitude median error {}°", altitude.0);
    assert!(agreement > 0.98, "VFS sign agreement {agreement}");
    let mut patches: Vec<i32> = matches.iter().map(|m| m.2).collect();
    patches.sort_unstable();
    patches.dedup();
    assert_eq!(
        patches.len(),
        matches.len(),
        "each true area is its own patch: {matches:?}"
    );
    for (area, sign, patch, patch_sign, iou) in matches {
        assert_eq!(
            sign, patch_sign,
            "area {area}: patch {patch} has the wrong sign"
        );
        assert!(iou > 0.7, "area {area}: IoU {iou} with patch {patch}");
    }
}

#[test]
fn chain_recovers_the_hidden_maps_with_a_short_delay() {
    check(0.5);
}

#[test]
fn chain_recovers_the_hidden_maps_with_a_typical_delay() {
    check(1.5);
}

#[test]
fn chain_recovers_the_hidden_maps_with_a_long_delay() {
    check(2.5);
}
