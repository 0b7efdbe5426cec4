//! The chain drifting-bar → synthetic-cortex → fourier-maps → retinotopy, each driven
//! through the `Plugin` trait as the host does, and the measures that compare what it
//! recovered with the maps the synthetic cortex hid in its movie.

use drifting_bar::DriftingBar;
use fourier_maps::FourierMaps;
use macroscope_plugin_api::{Emission, Flow};
use ndarray::{Array2, Zip};
use retinotopy::sign_map::visual_field_sign;
use retinotopy::smoothing::gaussian_filter;
use retinotopy::Retinotopy;
use synthetic_cortex::retinotopy_model::AREA_NAMES;
use synthetic_cortex::SyntheticCortex;

use crate::plugin_driver::{dataset, input, Driven};

/// What is filmed and how it is analysed.
pub struct Setup {
    /// The cortex's side in camera pixels (square frames); a multiple of `fourier.bin_px`.
    pub side: usize,
    /// `drifting-bar` parameters.
    pub stimulus: serde_json::Value,
    /// `synthetic-cortex` parameters (`width_px` and `height_px` are set to `side`).
    pub cortex: serde_json::Value,
    /// `fourier-maps` parameters.
    pub fourier: fourier_maps::Params,
    /// `retinotopy` parameters.
    pub retinotopy: retinotopy::Params,
}

/// What the chain recovered, next to the truth, all at the camera's resolution (a
/// binned map pixel is repeated over the `bin × bin` camera pixels it stands for).
pub struct Outcome {
    pub true_azimuth: Array2<f64>,
    pub true_altitude: Array2<f64>,
    pub true_sign: Array2<i8>,
    pub true_areas: Array2<i32>,
    pub azimuth: Array2<f64>,
    pub altitude: Array2<f64>,
    pub sign_map: Array2<f64>,
    /// The sign-map patches (`area_labels`).
    pub labels: Array2<i32>,
    /// The refined areas (`areas`, after Allen's split/merge and dilation).
    pub areas: Array2<i32>,
    pub patch_signs: Vec<i8>,
    /// The sign of refined area `label` at `label - 1` (from `area_table`).
    pub area_signs: Vec<i8>,
    /// σ_phase of the analysis in camera pixels, for the true sign map.
    pub phase_sigma_camera_px: f64,
}

fn map<T: macroscope_plugin_api::Element>(
    emissions: &[Emission],
    port: u32,
    side: usize,
    bin: usize,
) -> Array2<T> {
    let binned = Array2::from_shape_vec(
        (side / bin, side / bin),
        dataset::<T>(emissions, port).to_vec(),
    )
    .expect("a side/bin × side/bin map");
    Array2::from_shape_fn((side, side), |(r, c)| binned[(r / bin, c / bin)])
}

/// Runs the chain of `setup` to its end.
pub fn run_chain(setup: &Setup) -> Outcome {
    let side = setup.side;
    let bin = setup.fourier.bin_px as usize;
    assert_eq!(side % bin, 0, "the side is a multiple of the bin");
    let mut stimulus = Driven::<DriftingBar>::configure(
        serde_json::from_value(setup.stimulus.clone()).unwrap(),
        &[],
    );
    let schedule_port = stimulus.output("schedule").clone();
    let schedule_out = stimulus.output_index("schedule");

    let mut cortex_params = setup.cortex.clone();
    cortex_params["width_px"] = side.into();
    cortex_params["height_px"] = side.into();
    let mut cortex = Driven::<SyntheticCortex>::configure(
        serde_json::from_value(cortex_params).unwrap(),
        &[input("stimulus.schedule", &schedule_port)],
    );
    let frames_port = cortex.output("frames").clone();
    let frames_out = cortex.output_index("frames");
    let frame_shape = frames_port.shape.to_vec();

    let mut fourier = Driven::<FourierMaps>::configure(
        setup.fourier.clone(),
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
    let mut analysis = Driven::<Retinotopy>::configure(
        setup.retinotopy.clone(),
        &[
            input("fourier.phase", &phase_port),
            input("fourier.magnitude", &magnitude_port),
        ],
    );
    analysis.send(0, &maps[0].data, &phase_port.shape, &[]);
    analysis.send(1, &maps[1].data, &magnitude_port.shape, &[]);
    let results = analysis.finish();

    let patches = analysis.output_index("patches");
    let area_table = analysis.output_index("area_table");
    let mut area_signs: Vec<(i32, i8)> = results
        .iter()
        .filter(|e| e.port == area_table)
        .map(|e| {
            let label = e.data.as_slice::<i32>().expect("an i32 label")[0];
            (label, e.meta[1].as_i64() as i8)
        })
        .collect();
    area_signs.sort_unstable();
    let camera = |port: &str| cortex.output_index(port);
    let recovered = |port: &str| analysis.output_index(port);
    Outcome {
        true_azimuth: map(&truth, camera("true_azimuth_deg"), side, 1),
        true_altitude: map(&truth, camera("true_altitude_deg"), side, 1),
        true_sign: map(&truth, camera("true_sign"), side, 1),
        true_areas: map(&truth, camera("true_areas"), side, 1),
        azimuth: map(&results, recovered("azimuth_deg"), side, bin),
        altitude: map(&results, recovered("altitude_deg"), side, bin),
        sign_map: map(&results, recovered("sign_map"), side, bin),
        labels: map(&results, recovered("area_labels"), side, bin),
        areas: map(&results, recovered("areas"), side, bin),
        patch_signs: results
            .iter()
            .filter(|e| e.port == patches)
            .map(|e| e.meta[0].as_i64() as i8)
            .collect(),
        area_signs: area_signs.into_iter().map(|(_, sign)| sign).collect(),
        phase_sigma_camera_px: setup.retinotopy.phase_sigma_px * bin as f64,
    }
}

/// Median and 95th percentile of |recovered − true| over responsive (area) pixels.
pub fn error_percentiles(
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
pub fn sign_agreement(outcome: &Outcome) -> f64 {
    let true_vfs = visual_field_sign(
        &gaussian_filter(&outcome.true_azimuth, outcome.phase_sigma_camera_px),
        &gaussian_filter(&outcome.true_altitude, outcome.phase_sigma_camera_px),
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

/// One true area and the patch that overlaps it most.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AreaMatch {
    /// The true area's label.
    pub area: i32,
    /// Its visual field sign.
    pub sign: i8,
    /// The best-overlapping patch (0 = none overlaps).
    pub patch: i32,
    /// That patch's sign.
    pub patch_sign: i8,
    /// Intersection over union of the area and the patch.
    pub iou: f64,
}

/// For each true area: the sign-map patch that overlaps it most, and their IoU.
pub fn area_matches(outcome: &Outcome) -> Vec<AreaMatch> {
    best_matches(outcome, &outcome.labels, &outcome.patch_signs)
}

/// For each true area: the refined area that overlaps it most, and their IoU.
pub fn refined_area_matches(outcome: &Outcome) -> Vec<AreaMatch> {
    best_matches(outcome, &outcome.areas, &outcome.area_signs)
}

/// For each true area: the region of `labels` (whose signs `signs` gives,
/// label `l` at `l - 1`) that overlaps it most, and their IoU.
fn best_matches(outcome: &Outcome, labels: &Array2<i32>, signs: &[i8]) -> Vec<AreaMatch> {
    let areas = outcome.true_areas.iter().copied().max().unwrap_or(0);
    (1..=areas)
        .map(|area| {
            let in_area = outcome.true_areas.mapv(|a| a == area);
            let true_sign = Zip::from(&in_area)
                .and(&outcome.true_sign)
                .fold(0i64, |s, &i, &t| s + if i { t as i64 } else { 0 });
            let overlap = |patch: i32| {
                Zip::from(&in_area)
                    .and(labels)
                    .fold(0, |n, &i, &l| n + usize::from(i && l == patch))
            };
            let best = (1..=signs.len() as i32)
                .max_by_key(|&p| overlap(p))
                .unwrap_or(0);
            let union = Zip::from(&in_area)
                .and(labels)
                .fold(0, |n, &i, &l| n + usize::from(i || (best > 0 && l == best)));
            let iou = if best > 0 {
                overlap(best) as f64 / union as f64
            } else {
                0.0
            };
            let patch_sign = if best > 0 {
                signs[best as usize - 1]
            } else {
                0
            };
            AreaMatch {
                area,
                sign: true_sign.signum() as i8,
                patch: best,
                patch_sign,
                iou,
            }
        })
        .collect()
}

/// Asserts every true area is its own region of `matches` (a patch or a
/// refined area: `what`), of the right sign, with IoU at least `min_iou`.
pub fn assert_every_area_found(matches: &[AreaMatch], what: &str, min_iou: f64) {
    let mut regions: Vec<i32> = matches.iter().map(|m| m.patch).collect();
    regions.sort_unstable();
    regions.dedup();
    assert_eq!(
        regions.len(),
        matches.len(),
        "each true area is its own {what}: {matches:?}"
    );
    for m in matches {
        let name = AREA_NAMES[m.area as usize - 1];
        assert_eq!(
            m.sign, m.patch_sign,
            "{name}: {what} {} has the wrong sign",
            m.patch
        );
        assert!(
            m.iou >= min_iou,
            "{name}: IoU {} with {what} {}",
            m.iou,
            m.patch
        );
    }
}
