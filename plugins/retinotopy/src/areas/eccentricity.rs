//! Each patch's eccentricity map (Allen's `_getEccentricityMap`): the angle in
//! visual space between every pixel's position and the patch's centre, then
//! a box mean (`scipy.ndimage.uniform_filter`, mode `reflect`) over the whole
//! map before it is cut to the patch.

use ndarray::{Array2, Zip};

use crate::smoothing::reflect_index;

/// The patch's visual-space centre as Allen computes it: the mean altitude
/// and the mean azimuth of its pixels, each leaving out values that are
/// exactly 0 (and NaN).
pub fn centre(mask: &Array2<bool>, altitude: &Array2<f64>, azimuth: &Array2<f64>) -> (f64, f64) {
    let mean = |map: &Array2<f64>| {
        let (sum, n) = Zip::from(mask)
            .and(map)
            .fold((0.0, 0usize), |(sum, n), &m, &v| {
                if m && v != 0.0 && v.is_finite() {
                    (sum + v, n + 1)
                } else {
                    (sum, n)
                }
            });
        sum / n as f64
    };
    (mean(altitude), mean(azimuth))
}

/// Eccentricity in degrees of (altitude, azimuth) from the centre:
/// atan(√(tan²Δalt + tan²Δazi / cos²Δalt)).
pub fn eccentricity_deg(altitude: f64, azimuth: f64, centre: (f64, f64)) -> f64 {
    let d_alt = (altitude - centre.0).to_radians();
    let d_azi = (azimuth - centre.1).to_radians();
    let (t_alt, t_azi, c_alt) = (libm::tan(d_alt), libm::tan(d_azi), libm::cos(d_alt));
    libm::atan(libm::sqrt(t_alt * t_alt + t_azi * t_azi / (c_alt * c_alt))).to_degrees()
}

/// The eccentricity of every pixel from `centre`, box-filtered with a
/// `size`-pixel window; NaN outside `mask`.
pub fn patch_eccentricity(
    mask: &Array2<bool>,
    altitude: &Array2<f64>,
    azimuth: &Array2<f64>,
    size: usize,
) -> Array2<f64> {
    let centre = centre(mask, altitude, azimuth);
    let whole = Zip::from(altitude)
        .and(azimuth)
        .map_collect(|&alt, &azi| eccentricity_deg(alt, azi, centre));
    let smoothed = uniform_filter(&whole, size);
    Zip::from(&smoothed)
        .and(mask)
        .map_collect(|&e, &m| if m { e } else { f64::NAN })
}

/// Mean over a `size × size` window as `scipy.ndimage.uniform_filter`: along
/// rows, then columns; window [i − size/2, i + size/2 − (1 if size is even)],
/// mirrored at the edges; size ≤ 1 returns a copy.
pub fn uniform_filter(map: &Array2<f64>, size: usize) -> Array2<f64> {
    if size <= 1 || map.is_empty() {
        return map.clone();
    }
    let start = -((size / 2) as i64);
    let along = |input: &Array2<f64>, axis: usize| {
        let n = input.shape()[axis];
        Array2::from_shape_fn(input.raw_dim(), |(r, c)| {
            let at = if axis == 0 { r } else { c } as i64;
            (0..size as i64)
                .map(|k| {
                    let i = reflect_index(at + start + k, n);
                    if axis == 0 {
                        input[[i, c]]
                    } else {
                        input[[r, i]]
                    }
                })
                .sum::<f64>()
                / size as f64
        })
    };
    along(&along(map, 0), 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn eccentricity_along_one_axis_is_the_angle() {
        assert!((eccentricity_deg(0.0, 30.0, (0.0, 0.0)) - 30.0).abs() < 1e-12);
        assert!((eccentricity_deg(-20.0, 5.0, (0.0, 5.0)) - 20.0).abs() < 1e-12);
    }

    #[test]
    fn eccentricity_of_a_diagonal_point_follows_the_sphere() {
        // atan(sqrt(tan²30° + tan²40°/cos²30°)) = 48.4392…° (a flat sum would say 50°)
        let e = eccentricity_deg(30.0, 40.0, (0.0, 0.0));
        assert!((e - 48.439_237_429_840_66).abs() < 1e-12, "{e}");
    }

    #[test]
    fn the_centre_leaves_out_exact_zeros() {
        let mask = array![[true, true, true]];
        let altitude = array![[0.0, 10.0, 20.0]];
        let azimuth = array![[30.0, 0.0, 60.0]];
        assert_eq!(centre(&mask, &altitude, &azimuth), (15.0, 45.0));
    }

    #[test]
    fn uniform_filter_matches_scipy_with_reflected_edges() {
        // scipy.ndimage.uniform_filter(np.array([[1., 2, 3, 4]]), 3)
        let out = uniform_filter(&array![[1.0, 2.0, 3.0, 4.0]], 3);
        let expected = [4.0 / 3.0, 2.0, 3.0, 11.0 / 3.0];
        for (o, e) in out.iter().zip(expected) {
            assert!((o - e).abs() < 1e-12, "{out:?}");
        }
    }

    #[test]
    fn an_even_window_reaches_one_pixel_further_back() {
        // scipy.ndimage.uniform_filter(np.array([[1., 2, 3, 4]]), 2): window [i−1, i]
        let out = uniform_filter(&array![[1.0, 2.0, 3.0, 4.0]], 2);
        assert_eq!(out, array![[1.0, 1.5, 2.5, 3.5]]);
    }
}
