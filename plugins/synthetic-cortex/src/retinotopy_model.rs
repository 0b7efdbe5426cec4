//! The hidden ground truth: which visual area each pixel belongs to and which
//! point of the visual field (azimuth, altitude) it prefers.
//!
//! V1 is an ellipse whose map is a smooth, gently non-linear function of the
//! ellipse's own coordinates (ξ, η). Every other area is a *mirror image* of a
//! neighbour: a point outside V1 is folded back into V1 along the elliptic radius
//! (r → 1 − k·(r − 1), angle kept), and takes the map of the point it lands on.
//! Folding reverses orientation, so each area has the opposite visual field sign
//! of the area it mirrors, and the maps are continuous across the shared border,
//! as at the vertical-meridian borders of mouse V1. A second fold beyond LM gives
//! an outer area (LI) with V1's sign again. See `docs/synthetic-cortex.md`.

use std::f64::consts::PI;

use rayon::prelude::*;

/// Names of the areas; label `i` (1-based) is `AREA_NAMES[i - 1]`.
pub const AREA_NAMES: [&str; 6] = ["V1", "LM", "AL", "AM", "PM", "LI"];

/// Visual field sign of V1 (Allen's convention: V1 is negative in their example maps).
pub const V1_SIGN: i8 = -1;

/// Where V1 lies, in window units (the window's shorter side is 1, its centre is 0;
/// `y` grows down the rows, `x` along the columns).
struct Ellipse {
    centre_y: f64,
    centre_x: f64,
    /// Semi-axis along ξ.
    semi_xi: f64,
    /// Semi-axis along η.
    semi_eta: f64,
    /// Angle of the ξ axis from the +y (row) axis toward +x (column), degrees.
    /// At 90° ξ points along the columns and η up the rows.
    rotation_deg: f64,
}

const V1_ELLIPSE: Ellipse = Ellipse {
    centre_y: 0.04,
    centre_x: -0.07,
    semi_xi: 0.27,
    semi_eta: 0.25,
    rotation_deg: 100.0,
};

/// Mild non-linearities of the V1 map (dimensionless, small enough that the
/// Jacobian never changes sign inside the unit disc).
const AZIMUTH_SHEAR: f64 = 0.15;
const ALTITUDE_BEND: f64 = 0.10;

/// An area folded out of V1 across the ellipse border: the angular sector
/// `centre ± half_width` (in the (ξ, η) plane) from r = 1 out to
/// `1 + depth · sqrt(1 − (Δθ/half_width)²)` (a rounded lens).
struct Fold {
    label: i32,
    centre_deg: f64,
    half_width_deg: f64,
    depth: f64,
    /// Mirror gain k: the area maps r ∈ (1, 1 + depth] onto V1's 1 − k·depth ..= 1,
    /// i.e. k times less cortex per degree than V1.
    gain: f64,
}

const FOLDS: [Fold; 4] = [
    Fold {
        label: 2,
        centre_deg: -15.0,
        half_width_deg: 35.0,
        depth: 0.50,
        gain: 1.4,
    },
    Fold {
        label: 3,
        centre_deg: 62.0,
        half_width_deg: 27.0,
        depth: 0.55,
        gain: 1.4,
    },
    Fold {
        label: 4,
        centre_deg: 134.0,
        half_width_deg: 27.0,
        depth: 0.55,
        gain: 1.4,
    },
    Fold {
        label: 5,
        centre_deg: 214.0,
        half_width_deg: 36.0,
        depth: 0.45,
        gain: 1.4,
    },
];

/// The outer area (LI) folded out of `FOLDS[OUTER_PARENT]` across its outer
/// edge with gain 1: a lens over the middle `OUTER_SPAN` of the parent's angles,
/// at most `OUTER_THICKNESS` times the parent's depth. Being narrower than its
/// parent keeps it from touching V1 (which has the same sign) at the parent's tips.
const OUTER_LABEL: i32 = 6;
const OUTER_PARENT: usize = 0;
const OUTER_SPAN: f64 = 0.75;
const OUTER_THICKNESS: f64 = 0.7;

/// The true maps, one value per pixel in row-major order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrueRetinotopy {
    /// Preferred azimuth (degrees); NaN outside every area.
    pub azimuth_deg: Vec<f64>,
    /// Preferred altitude (degrees); NaN outside every area.
    pub altitude_deg: Vec<f64>,
    /// Visual field sign: +1/−1 inside areas, 0 outside.
    pub sign: Vec<i8>,
    /// Area label: 0 outside, 1..=6 (see [`AREA_NAMES`]).
    pub areas: Vec<i32>,
}

/// The visual-field ranges the V1 map spans.
#[derive(Debug, Clone, Copy)]
pub struct FieldRanges {
    /// Azimuth `[min, max]`, degrees.
    pub azimuth_deg: [f64; 2],
    /// Altitude `[min, max]`, degrees.
    pub altitude_deg: [f64; 2],
}

/// What one pixel sees.
#[derive(Debug, Clone, Copy, PartialEq)]
struct PixelTruth {
    label: i32,
    sign: i8,
    azimuth_deg: f64,
    altitude_deg: f64,
}

impl TrueRetinotopy {
    /// Samples the model at the centres of a `width` × `height` pixel grid.
    pub fn sample(width: usize, height: usize, ranges: FieldRanges) -> Self {
        let n = width * height;
        let mut truth = TrueRetinotopy {
            azimuth_deg: vec![f64::NAN; n],
            altitude_deg: vec![f64::NAN; n],
            sign: vec![0; n],
            areas: vec![0; n],
        };
        let unit = width.min(height) as f64;
        truth
            .azimuth_deg
            .par_chunks_mut(width)
            .zip(truth.altitude_deg.par_chunks_mut(width))
            .zip(truth.sign.par_chunks_mut(width))
            .zip(truth.areas.par_chunks_mut(width))
            .enumerate()
            .for_each(|(row, (((az, alt), sign), area))| {
                let y = (row as f64 + 0.5 - height as f64 / 2.0) / unit;
                for col in 0..width {
                    let x = (col as f64 + 0.5 - width as f64 / 2.0) / unit;
                    if let Some(p) = pixel_truth(y, x, ranges) {
                        az[col] = p.azimuth_deg;
                        alt[col] = p.altitude_deg;
                        sign[col] = p.sign;
                        area[col] = p.label;
                    }
                }
            });
        truth
    }
}

/// The area and preferred position at window point (y, x), or `None` outside all areas.
fn pixel_truth(y: f64, x: f64, ranges: FieldRanges) -> Option<PixelTruth> {
    let e = &V1_ELLIPSE;
    let (sin, cos) = libm::sincos(e.rotation_deg.to_radians());
    let (dy, dx) = (y - e.centre_y, x - e.centre_x);
    // ξ along (cos, sin) and η along (−sin, cos) in (row, column) order: a
    // right-handed frame there, so orientation in (ξ, η) is orientation in (row, col).
    let xi = (dy * cos + dx * sin) / e.semi_xi;
    let eta = (-dy * sin + dx * cos) / e.semi_eta;
    let r = libm::hypot(xi, eta);
    let theta = libm::atan2(eta, xi);
    let (label, sign, v1_radius) = fold_into_v1(r, theta)?;
    let (azimuth_deg, altitude_deg) = v1_map(
        v1_radius * libm::cos(theta),
        v1_radius * libm::sin(theta),
        ranges,
    );
    Some(PixelTruth {
        label,
        sign,
        azimuth_deg,
        altitude_deg,
    })
}

/// Folds elliptic radius `r` at angle `theta` back into V1: the area label, its
/// sign (each fold flips it) and the V1 radius whose map the point takes.
fn fold_into_v1(r: f64, theta: f64) -> Option<(i32, i8, f64)> {
    if r <= 1.0 {
        return Some((1, V1_SIGN, r));
    }
    FOLDS.iter().enumerate().find_map(|(index, fold)| {
        let offset = wrap_angle(theta - fold.centre_deg.to_radians());
        let half_width = fold.half_width_deg.to_radians();
        if offset.abs() >= half_width {
            return None;
        }
        let outer_edge = 1.0 + fold.depth * lens(offset, half_width);
        let unfold = |radius: f64| 1.0 - fold.gain * (radius - 1.0);
        if r <= outer_edge {
            return Some((fold.label, -V1_SIGN, unfold(r)));
        }
        // lens(offset, OUTER_SPAN·w) ≤ lens(offset, w), so 2·edge − r stays above 1.
        let outer_thickness = OUTER_THICKNESS * fold.depth * lens(offset, OUTER_SPAN * half_width);
        (index == OUTER_PARENT && r <= outer_edge + outer_thickness)
            .then(|| (OUTER_LABEL, V1_SIGN, unfold(2.0 * outer_edge - r)))
    })
}

/// The V1 map at ellipse coordinates (ξ, η) in the unit disc. Azimuth grows
/// with ξ, altitude with V1_SIGN·η, so det ∂(az, alt)/∂(ξ, η) has V1's sign:
/// `az = mid + half·ξ·(1 + s·η)`, `alt = mid + half·(σ·η + b·(ξ² − ½))`.
fn v1_map(xi: f64, eta: f64, ranges: FieldRanges) -> (f64, f64) {
    let [az_lo, az_hi] = ranges.azimuth_deg;
    let [alt_lo, alt_hi] = ranges.altitude_deg;
    let parity = f64::from(V1_SIGN);
    let azimuth = (az_lo + az_hi) / 2.0 + (az_hi - az_lo) / 2.0 * xi * (1.0 + AZIMUTH_SHEAR * eta);
    let altitude = (alt_lo + alt_hi) / 2.0
        + (alt_hi - alt_lo) / 2.0 * (parity * eta + ALTITUDE_BEND * (xi * xi - 0.5));
    (azimuth, altitude)
}

/// Thickness profile of a lens of half-width `half_width`: `sqrt(1 − (offset/half_width)²)`, 0 beyond.
fn lens(offset: f64, half_width: f64) -> f64 {
    (1.0 - (offset / half_width) * (offset / half_width))
        .max(0.0)
        .sqrt()
}

/// `angle` wrapped into (−π, π].
fn wrap_angle(angle: f64) -> f64 {
    let wrapped = angle.rem_euclid(2.0 * PI);
    if wrapped > PI {
        wrapped - 2.0 * PI
    } else {
        wrapped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RANGES: FieldRanges = FieldRanges {
        azimuth_deg: [25.0, 95.0],
        altitude_deg: [-10.0, 30.0],
    };

    #[test]
    fn the_centre_of_v1_sees_the_middle_of_the_azimuth_range() {
        let e = &V1_ELLIPSE;
        let p = pixel_truth(e.centre_y, e.centre_x, RANGES).unwrap();
        assert_eq!((p.label, p.sign), (1, -1));
        assert!((p.azimuth_deg - 60.0).abs() < 1e-12);
        // alt = mid + half · b · (0 − ½) = 10 − 20 · 0.05
        assert!((p.altitude_deg - 9.0).abs() < 1e-12);
    }

    #[test]
    fn folds_stay_inside_v1_and_do_not_overlap() {
        for fold in &FOLDS {
            let innermost = 1.0 - fold.gain * fold.depth;
            assert!(
                innermost > 0.2,
                "fold {} reaches V1 radius {innermost}",
                fold.label
            );
        }
        let mut edges: Vec<(f64, f64)> = FOLDS
            .iter()
            .map(|f| {
                (
                    f.centre_deg - f.half_width_deg,
                    f.centre_deg + f.half_width_deg,
                )
            })
            .collect();
        edges.sort_by(|a, b| a.0.total_cmp(&b.0));
        for pair in edges.windows(2) {
            assert!(
                pair[1].0 - pair[0].1 >= 15.0,
                "sectors {pair:?} are less than 15° apart"
            );
        }
        assert!(edges.last().unwrap().1 - 360.0 <= edges[0].0 - 15.0);
    }

    #[test]
    fn maps_are_continuous_across_the_v1_border() {
        let theta = FOLDS[0].centre_deg.to_radians();
        let inside = fold_into_v1(1.0 - 1e-9, theta).unwrap();
        let outside = fold_into_v1(1.0 + 1e-9, theta).unwrap();
        assert_eq!((inside.0, outside.0), (1, 2));
        assert!((inside.2 - outside.2).abs() < 1e-8);
    }

    #[test]
    fn every_area_appears_in_a_128_pixel_window() {
        let truth = TrueRetinotopy::sample(128, 128, RANGES);
        for label in 1..=AREA_NAMES.len() as i32 {
            let count = truth.areas.iter().filter(|&&a| a == label).count();
            assert!(count > 300, "area {label} has only {count} px");
        }
        let border_labels = (0..128).flat_map(|i| {
            [
                truth.areas[i],
                truth.areas[127 * 128 + i],
                truth.areas[i * 128],
                truth.areas[i * 128 + 127],
            ]
        });
        assert!(
            border_labels.into_iter().all(|a| a == 0),
            "an area touches the window edge"
        );
    }
}
