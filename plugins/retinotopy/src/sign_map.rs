//! Visual field sign (Sereno et al. 1994) in the form of Allen's `retinotopic_mapping`
//! (Zhuang et al. 2017):
//!
//! 1. both maps smoothed with a Gaussian of σ_phase ([`crate::smoothing`]), by the caller,
//!    which reuses the smoothed maps for the area refinement;
//! 2. gradient direction g = atan2(∂map/∂col, ∂map/∂row) with `numpy.gradient` semantics;
//! 3. VFS = sin(angle(e^{i·g_alt}·e^{−i·g_azi})), computed as sin(g_alt − g_azi),
//!    which is the same number because sin has period 2π.
//!
//! With azimuth increasing along columns and altitude along rows (azi = col,
//! alt = row) the sign is −1 everywhere: g_azi = π/2, g_alt = 0, sin(−π/2) = −1.
//! In Allen's maps V1 comes out negative.

use ndarray::{Array2, Zip};

use crate::gradient::gradient;

/// Gradient direction atan2(∂/∂col, ∂/∂row) per pixel.
pub fn gradient_direction(map: &Array2<f64>) -> Array2<f64> {
    let (d_row, d_col) = gradient(map);
    Zip::from(&d_col)
        .and(&d_row)
        .map_collect(|&dc, &dr| libm::atan2(dc, dr))
}

/// Raw (not yet sign-smoothed) visual field sign of two position maps in degrees,
/// each already smoothed with σ_phase.
pub fn visual_field_sign(azimuth: &Array2<f64>, altitude: &Array2<f64>) -> Array2<f64> {
    let g_azi = gradient_direction(azimuth);
    let g_alt = gradient_direction(altitude);
    Zip::from(&g_alt)
        .and(&g_azi)
        .map_collect(|&alt, &azi| libm::sin(alt - azi))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smoothing::gaussian_filter;

    /// The sign of the two maps after smoothing both with `sigma`, as the stage does.
    fn smoothed_sign(azimuth: &Array2<f64>, altitude: &Array2<f64>, sigma: f64) -> Array2<f64> {
        visual_field_sign(
            &gaussian_filter(azimuth, sigma),
            &gaussian_filter(altitude, sigma),
        )
    }

    fn map(f: impl Fn(f64, f64) -> f64) -> Array2<f64> {
        Array2::from_shape_fn((12, 15), |(r, c)| f(r as f64, c as f64))
    }

    fn assert_everywhere(vfs: &Array2<f64>, expected: f64) {
        assert_inside(vfs, 0, expected);
    }

    /// Checks every pixel at least `margin` pixels from the border.
    fn assert_inside(vfs: &Array2<f64>, margin: usize, expected: f64) {
        let (rows, cols) = vfs.dim();
        for ((r, c), &v) in vfs.indexed_iter() {
            if r >= margin && c >= margin && r + margin < rows && c + margin < cols {
                assert!(
                    (v - expected).abs() < 1e-12,
                    "pixel {:?}: {v} vs {expected}",
                    (r, c)
                );
            }
        }
    }

    #[test]
    fn azimuth_along_columns_and_altitude_along_rows_is_minus_one() {
        // g_azi = atan2(1, 0) = π/2, g_alt = atan2(0, 1) = 0, sin(0 − π/2) = −1.
        assert_everywhere(&smoothed_sign(&map(|_, c| c), &map(|r, _| r), 0.5), -1.0);
    }

    #[test]
    fn altitude_increasing_upward_in_the_image_is_plus_one() {
        // g_alt = atan2(0, −1) = π, sin(π − π/2) = +1.
        assert_everywhere(&smoothed_sign(&map(|_, c| c), &map(|r, _| -r), 0.5), 1.0);
    }

    #[test]
    fn rotating_both_maps_keeps_the_sign() {
        // azi = c·cosθ − r·sinθ, alt = c·sinθ + r·cosθ: g_alt = θ, g_azi = θ + π/2 → −1.
        // Smoothing leaves a plane unchanged wherever the kernel (radius 4 for σ = 1)
        // does not reach the mirrored border.
        let theta = 0.7f64;
        let azi = map(|r, c| 3.0 * (c * libm::cos(theta) - r * libm::sin(theta)));
        let alt = map(|r, c| 3.0 * (c * libm::sin(theta) + r * libm::cos(theta)));
        assert_everywhere(&visual_field_sign(&azi, &alt), -1.0);
        assert_inside(&smoothed_sign(&azi, &alt, 1.0), 5, -1.0);
    }

    #[test]
    fn sheared_maps_give_the_sine_of_the_angle_between_gradients() {
        // alt = row + col: g_alt = atan2(1, 1) = π/4; azi = col: g_azi = π/2 → sin(−π/4).
        let vfs = visual_field_sign(&map(|_, c| 2.0 * c), &map(|r, c| r + c));
        assert_everywhere(&vfs, -libm::sin(std::f64::consts::FRAC_PI_4));
    }
}
