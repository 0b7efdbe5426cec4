//! Rendered frames against the schedule and against the geometry written out by hand.

use drifting_bar::geometry::{Monitor, SampleGrid};
use drifting_bar::params::{Corner, Direction, Params};
use drifting_bar::render::Renderer;
use drifting_bar::schedule::{BarState, FrameState};
use sha2::{Digest, Sha256};

use crate::run::{run, small};

const GREY: u8 = 128;
/// Angles closer than this to a bar or check edge may fall either way with rounding.
const EDGE_TOL_DEG: f64 = 1e-3;

/// SCIENCE.md §1 written out again, independently of the crate: (azimuth, altitude) of the
/// centre of display pixel (col, row); without spherical correction altitude is atan(z/d).
fn science_angle(p: &Params, col: usize, row: usize) -> (f64, f64) {
    let y = (col as f64 + 0.5) * p.monitor_width_cm / f64::from(p.width_px)
        - p.monitor_width_cm / 2.0
        - p.foot_right_cm;
    let z = p.monitor_height_cm / 2.0
        - (row as f64 + 0.5) * p.monitor_height_cm / f64::from(p.height_px)
        - p.foot_up_cm;
    let d = p.eye_distance_cm;
    let azimuth = y.atan2(d).to_degrees() + p.monitor_azimuth_deg;
    let altitude = if p.spherical_correction {
        (z / (d * d + y * y + z * z).sqrt()).asin()
    } else {
        (z / d).atan()
    };
    (azimuth, altitude.to_degrees() + p.monitor_altitude_deg)
}

fn frame_of(e: &macroscope_plugin_api::Emission) -> &[u8] {
    e.data.as_slice::<u8>().expect("frames are u8")
}

/// Runs `params` and checks every pixel of every frame: lit (not grey) exactly where the angle
/// along the scheduled direction's axis is within w/2 of the scheduled bar centre.
fn assert_lit_pixels_follow_the_schedule(params: Params) {
    let (w, h) = (params.width_px as usize, params.height_px as usize);
    let angles: Vec<(f64, f64)> = (0..h)
        .flat_map(|r| (0..w).map(move |c| (r, c)))
        .map(|(r, c)| science_angle(&params, c, r))
        .collect();
    let half = params.bar_width_deg / 2.0;
    let result = run(params);
    let mut lit_total = 0_usize;
    for (frame, row) in result.frames.iter().zip(&result.schedule) {
        let pixels = frame_of(frame);
        let direction = row.meta[1].as_i64();
        if direction < 0 {
            assert!(
                pixels.iter().all(|&v| v == GREY),
                "baseline frame {} is not all grey",
                row.meta[0].as_i64()
            );
            continue;
        }
        let centre = row.meta[3].as_f64();
        for (i, (&value, &(az, alt))) in pixels.iter().zip(&angles).enumerate() {
            let angle = if direction <= 1 { az } else { alt };
            let distance = (angle - centre).abs();
            let lit = value != GREY;
            lit_total += usize::from(lit);
            assert!(
                !lit || distance <= half + EDGE_TOL_DEG,
                "pixel {i} lit {distance}° from the bar centre"
            );
            assert!(
                lit || distance >= half - EDGE_TOL_DEG,
                "pixel {i} dark {distance}° from the bar centre"
            );
        }
    }
    assert!(
        lit_total > 100_000,
        "only {lit_total} lit pixels in the whole stimulus"
    );
}

#[test]
fn lit_pixels_lie_within_half_a_bar_width_of_the_scheduled_centre_and_the_bar_is_drawn() {
    assert_lit_pixels_follow_the_schedule(small());
}

#[test]
fn lit_pixels_follow_the_schedule_with_the_foot_off_centre_and_a_tilted_monitor() {
    // Foot 12 cm above and 20 cm left of the centre: most rows below it, the screen mostly right.
    assert_lit_pixels_follow_the_schedule(Params {
        foot_up_cm: 12.0,
        foot_right_cm: -20.0,
        monitor_altitude_deg: 15.0,
        monitor_azimuth_deg: 45.0,
        sweeps_per_direction: 1,
        ..small()
    });
}

#[test]
fn lit_pixels_follow_the_schedule_without_spherical_correction() {
    assert_lit_pixels_follow_the_schedule(Params {
        spherical_correction: false,
        sweeps_per_direction: 1,
        ..small()
    });
}

#[test]
fn inside_the_bar_even_checks_are_light_at_positive_polarity_and_dark_at_negative() {
    let params = Params {
        indicator_size_px: 0,
        ..small()
    };
    let monitor = Monitor::from_params(&params);
    let renderer = Renderer::new(SampleGrid::new(&monitor, 1), &params);
    let s = params.check_size_deg;
    // A wide bar at azimuth 60° covers the middle third of the screen.
    let bar = BarState {
        direction: Direction::LR,
        sweep: 0,
        centre_deg: 60.0,
    };
    let mut checked = 0;
    for polarity in [1_i8, -1] {
        let state = FrameState {
            index: 0,
            time_s: 0.0,
            bar: Some(bar),
            polarity,
            indicator: 0,
        };
        let frame = renderer.render(&state);
        for r in 0..params.height_px as usize {
            for c in 0..params.width_px as usize {
                let (az, alt) = science_angle(&params, c, r);
                let near_edge = |a: f64| ((a / s) - (a / s).round()).abs() * s < EDGE_TOL_DEG;
                if (az - 60.0).abs() > 9.0 || near_edge(az) || near_edge(alt) {
                    continue;
                }
                let even = ((az / s).floor() as i64 + (alt / s).floor() as i64).rem_euclid(2) == 0;
                let expected = if even == (polarity > 0) { 255 } else { 0 };
                assert_eq!(
                    frame[r * params.width_px as usize + c],
                    expected,
                    "pixel ({c}, {r}) polarity {polarity}"
                );
                checked += 1;
            }
        }
    }
    // |y| ≤ 15·tan 9° = 2.38 cm: 17 columns of 120 rows, for each polarity.
    assert!(checked > 3500, "only {checked} pixels checked");
}

#[test]
fn identical_parameters_give_an_identical_frames_hash() {
    let params = Params {
        sweeps_per_direction: 1,
        directions: vec![Direction::LR, Direction::TB],
        ..small()
    };
    let hash = |p: Params| {
        let mut sha = Sha256::new();
        for frame in run(p).frames {
            sha.update(frame.data.as_bytes());
        }
        hex::encode(sha.finalize())
    };
    let first = hash(params.clone());
    assert_eq!(first, hash(params.clone()));
    assert_ne!(
        first,
        hash(Params {
            check_size_deg: 20.0,
            ..params
        }),
        "the hash must see a changed parameter"
    );
}

/// The 40 × 30 cm, 400 × 300 px screen of the geometry tests (pixel (c, r) at y = 0.1·c − 19.9,
/// z = 14.9 − 0.1·r cm, d = 10 cm, foot on pixel (199, 149)), looking straight ahead.
fn tenth_cm_params(spherical_correction: bool) -> Params {
    Params {
        monitor_width_cm: 40.0,
        monitor_height_cm: 30.0,
        width_px: 400,
        height_px: 300,
        eye_distance_cm: 10.0,
        foot_right_cm: -0.05,
        foot_up_cm: 0.05,
        monitor_azimuth_deg: 0.0,
        monitor_altitude_deg: 0.0,
        bar_width_deg: 10.0,
        spherical_correction,
        indicator_size_px: 0,
        ..Params::default()
    }
}

fn render_bar(params: &Params, direction: Direction, centre_deg: f64) -> Vec<u8> {
    let renderer = Renderer::new(SampleGrid::new(&Monitor::from_params(params), 1), params);
    let bar = BarState {
        direction,
        sweep: 0,
        centre_deg,
    };
    renderer.render(&FrameState {
        index: 0,
        time_s: 0.0,
        bar: Some(bar),
        polarity: 1,
        indicator: 0,
    })
}

fn lit_rows(frame: &[u8], col: usize) -> Vec<usize> {
    (0..300).filter(|&r| frame[r * 400 + col] != GREY).collect()
}

#[test]
fn spherical_and_flat_horizontal_bars_coincide_on_the_vertical_line_through_the_foot() {
    // Bar at altitude 20° ± 5°, y = 0: z ∈ [10·tan 15°, 10·tan 25°] = [2.679, 4.663] cm,
    // rows (14.9 − z)/0.1 ∈ [102.4, 122.2] → rows 103..=122 in both projections.
    for spherical in [true, false] {
        let frame = render_bar(&tenth_cm_params(spherical), Direction::BT, 20.0);
        assert_eq!(
            lit_rows(&frame, 199),
            (103..=122).collect::<Vec<_>>(),
            "spherical = {spherical}"
        );
    }
}

#[test]
fn far_from_the_foot_the_spherical_horizontal_bar_bends_away_from_the_horizon() {
    // Column 399, y = 20 cm: the spherical bar needs z ∈ tan([15°, 25°])·√(10² + 20²)
    // = [5.992, 10.427] cm → rows [44.7, 89.1] → 45..=89, higher on the screen than the flat
    // bar, which stays on rows 103..=122 as on the midline.
    let spherical = render_bar(&tenth_cm_params(true), Direction::BT, 20.0);
    let flat = render_bar(&tenth_cm_params(false), Direction::BT, 20.0);
    assert_eq!(lit_rows(&spherical, 399), (45..=89).collect::<Vec<_>>());
    assert_eq!(lit_rows(&flat, 399), (103..=122).collect::<Vec<_>>());
}

#[test]
fn vertical_bars_cover_the_same_columns_in_both_projections_and_differ_only_in_their_checks() {
    // Azimuth = atan2(y, d) does not depend on z: a vertical bar is a straight band either way
    // (columns with |atan(y/10) − 30°| ≤ 5°: y ∈ [10·tan 25°, 10·tan 35°] = [4.663, 7.002] cm,
    // columns (y + 19.9)/0.1 ∈ [245.6, 269.02] → 246..=269 on every row). Checks follow altitude,
    // so they agree on the horizon row through the foot and differ far above it.
    let spherical = render_bar(&tenth_cm_params(true), Direction::LR, 30.0);
    let flat = render_bar(&tenth_cm_params(false), Direction::LR, 30.0);
    for r in 0..300 {
        let lit = |frame: &[u8]| {
            (0..400)
                .filter(|&c| frame[r * 400 + c] != GREY)
                .collect::<Vec<_>>()
        };
        assert_eq!(lit(&spherical), (246..=269).collect::<Vec<_>>(), "row {r}");
        assert_eq!(lit(&flat), (246..=269).collect::<Vec<_>>(), "row {r}");
    }
    let row = |frame: &[u8], r: usize| frame[r * 400..(r + 1) * 400].to_vec();
    assert_eq!(row(&spherical, 149), row(&flat, 149));
    // Row 20 (z = 12.9 cm), y ≈ 5.8 cm: flat altitude atan(12.9/10) = 52.2° lies in check row 2,
    // spherical atan(12.9/√(10² + 5.8²)) = 48.1° in check row 1, so the polarity of the checks flips.
    assert_ne!(row(&spherical, 20), row(&flat, 20));
}

#[test]
fn the_photodiode_patch_shows_the_indicator_value_in_its_corner() {
    let params = Params {
        indicator_size_px: 20,
        indicator_corner: Corner::BottomLeft,
        downsample: 2,
        ..small()
    };
    let result = run(params);
    let (w, h) = (96, 60);
    for (frame, row) in result.frames.iter().zip(&result.schedule).take(4) {
        let pixels = frame_of(frame);
        let indicator = row.meta[5].as_i64() as u8;
        for r in 0..h {
            for c in 0..w {
                let in_patch = r >= h - 10 && c < 10;
                let expected = if in_patch { indicator } else { GREY };
                assert_eq!(
                    pixels[r * w + c],
                    expected,
                    "baseline frame {} pixel ({c}, {r})",
                    row.meta[0].as_i64()
                );
            }
        }
    }
}

#[test]
fn downsampled_frames_have_the_declared_shape() {
    let result = run(Params {
        downsample: 4,
        sweeps_per_direction: 1,
        directions: vec![Direction::BT],
        ..small()
    });
    assert_eq!(result.ports[0].shape.as_slice(), &[30, 48]);
    assert!(result.frames.iter().all(|f| f.data.len() == 30 * 48));
}
