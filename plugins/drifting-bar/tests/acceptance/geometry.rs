//! Pixel → visual-field angle on hand-computed cases.

use drifting_bar::geometry::{Monitor, Projection, SampleGrid, Span};
use drifting_bar::params::Params;

const TOL_DEG: f64 = 1e-9;

/// A 40 × 30 cm screen at 400 × 300 px (0.1 cm per pixel), 10 cm from the eye, with the foot of
/// the perpendicular on the centre of pixel (col 199, row 149): pixel (c, r) lies at
/// y = 0.1·c − 19.9 cm, z = 14.9 − 0.1·r cm.
fn tenth_cm_monitor(projection: Projection) -> Monitor {
    Monitor {
        width_cm: 40.0,
        height_cm: 30.0,
        width_px: 400,
        height_px: 300,
        eye_distance_cm: 10.0,
        foot_right_cm: -0.05,
        foot_up_cm: 0.05,
        azimuth_deg: 60.0,
        altitude_deg: 10.0,
        projection,
    }
}

fn assert_close(actual: f64, expected: f64, what: &str) {
    assert!(
        (actual - expected).abs() < TOL_DEG,
        "{what}: {actual} != {expected}"
    );
}

#[test]
fn the_perpendicular_foot_maps_to_the_direction_the_monitor_faces() {
    for projection in [Projection::Spherical, Projection::Flat] {
        let angle = tenth_cm_monitor(projection).pixel_angle(199, 149);
        assert_close(angle.azimuth, 60.0, "azimuth of the foot");
        assert_close(angle.altitude, 10.0, "altitude of the foot");
    }
}

#[test]
fn mirror_pixels_about_a_centred_foot_have_opposite_azimuths_and_equal_altitudes() {
    let monitor = Monitor {
        foot_right_cm: 0.0,
        foot_up_cm: 0.0,
        ..tenth_cm_monitor(Projection::Spherical)
    };
    for (col, row) in [(0, 0), (37, 250), (150, 10), (199, 299)] {
        let a = monitor.pixel_angle(col, row);
        let b = monitor.pixel_angle(399 - col, row);
        assert_close(a.azimuth - 60.0, -(b.azimuth - 60.0), "mirrored azimuth");
        assert_close(a.altitude, b.altitude, "mirrored altitude");
    }
}

#[test]
fn a_pixel_one_eye_distance_right_of_the_foot_is_at_45_degrees_azimuth() {
    // Column 299: y = 29.9 − 19.9 = 10 cm = d, so azimuth = atan(1) = 45° (plus az0) on every row.
    let monitor = tenth_cm_monitor(Projection::Spherical);
    for row in [0, 149, 299] {
        assert_close(
            monitor.pixel_angle(299, row).azimuth,
            45.0 + 60.0,
            "azimuth at y = d",
        );
    }
    assert_close(
        monitor.pixel_angle(299, 149).altitude,
        10.0,
        "altitude on the horizon",
    );
}

#[test]
fn a_pixel_one_eye_distance_above_the_foot_is_at_45_degrees_altitude() {
    // Row 49: z = 14.9 − 4.9 = 10 cm = d on the vertical line through the foot (y = 0).
    for projection in [Projection::Spherical, Projection::Flat] {
        let angle = tenth_cm_monitor(projection).pixel_angle(199, 49);
        assert_close(angle.altitude, 45.0 + 10.0, "altitude at z = d");
        assert_close(angle.azimuth, 60.0, "azimuth above the foot");
    }
}

#[test]
fn spherical_altitude_off_the_vertical_midline_follows_the_distance_to_the_point() {
    // y = z = d: spherical altitude = atan(d / √(d² + d²)) = atan(1/√2) = 35.2643896828°;
    // flat altitude ignores y: atan(d / d) = 45°.
    let spherical = tenth_cm_monitor(Projection::Spherical).pixel_angle(299, 49);
    let flat = tenth_cm_monitor(Projection::Flat).pixel_angle(299, 49);
    assert_close(
        spherical.altitude,
        35.264_389_682_754_654 + 10.0,
        "spherical altitude",
    );
    assert_close(flat.altitude, 45.0 + 10.0, "flat altitude");
    assert_close(
        spherical.azimuth,
        flat.azimuth,
        "azimuth is the same in both projections",
    );
}

#[test]
fn the_default_monitor_spans_60_plus_minus_atan_26_over_15_in_azimuth() {
    // 52 × 32 cm, d = 15, foot at the centre: azimuth 60 ± atan(26/15) = 60 ± 60.0183606°,
    // altitude ± atan(16/15) = ± 46.8476103° (reached at the top and bottom of the vertical midline).
    let field = Monitor::from_params(&Params::default()).field();
    let half_az = 60.018_360_631_150_67;
    let half_alt = 46.847_610_265_994_6;
    assert_close(field.azimuth.min, 60.0 - half_az, "azimuth min");
    assert_close(field.azimuth.max, 60.0 + half_az, "azimuth max");
    assert_close(field.altitude.min, -half_alt, "altitude min");
    assert_close(field.altitude.max, half_alt, "altitude max");
}

#[test]
fn with_the_foot_above_the_screen_the_top_corners_are_highest() {
    // Foot 20 cm above the centre: the top edge is at z = 16 − 20 = −4 cm, below the horizon,
    // so its highest altitude is where the point is farthest away (the corners, |y| = 26):
    // atan2(−4, √(15² + 26²)); the lowest is the middle of the bottom edge: atan2(−36, 15).
    let params = Params {
        foot_up_cm: 20.0,
        monitor_altitude_deg: 0.0,
        ..Params::default()
    };
    let field = Monitor::from_params(&params).field();
    let expected = Span {
        min: (-36.0_f64).atan2(15.0).to_degrees(),
        max: (-4.0_f64).atan2(15.0_f64.hypot(26.0)).to_degrees(),
    };
    assert_close(field.altitude.min, expected.min, "altitude min");
    assert_close(field.altitude.max, expected.max, "altitude max");
}

#[test]
fn downsampled_pixels_sample_the_centre_of_each_block() {
    // Stored pixel (C, R) at downsample 2 covers display pixels 2C..2C+2 × 2R..2R+2, whose common
    // corner (2C + 1, 2R + 1) (in pixel-edge units) is the block centre. For (C, R) = (149, 24)
    // that is (299, 49): y = 0.1·299 − 20 + 0.05 = 9.95 cm, z = 15 − 0.1·49 − 0.05 = 10.05 cm.
    let grid = SampleGrid::new(&tenth_cm_monitor(Projection::Spherical), 2);
    assert_eq!((grid.width(), grid.height()), (200, 150));
    assert!((grid.ys[149] - 9.95).abs() < 1e-12);
    assert!((grid.zs[24] - 10.05).abs() < 1e-12);
    let angle = grid.angle(149, 24);
    assert_close(
        angle.azimuth,
        9.95_f64.atan2(10.0).to_degrees() + 60.0,
        "azimuth",
    );
    assert_close(
        angle.altitude,
        10.05_f64.atan2(10.0_f64.hypot(9.95)).to_degrees() + 10.0,
        "altitude",
    );
}

#[test]
fn the_foot_column_is_the_first_at_or_right_of_the_foot() {
    // Column c lies at y = 0.1·c − 19.9: columns 0..=198 are left of the foot, 199 is on it.
    assert_eq!(
        SampleGrid::new(&tenth_cm_monitor(Projection::Flat), 1).foot_column,
        199
    );
}
