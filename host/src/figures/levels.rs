//! Which pixels a map shows and over what colour range: the low-response mask
//! (Fourier magnitude below a fraction of its 99th percentile) and the colour
//! limits (1st–99th percentile of the shown pixels). Both are documented in
//! docs/science.md "Figures".

use ndarray::{Array2, Array3, Axis};

/// The percentile of the response magnitude the mask threshold is a fraction of:
/// the 99th, a peak that one hot pixel cannot move.
pub const MASK_REFERENCE_PERCENTILE: f64 = 0.99;
/// The colour range of a position map: these percentiles of its unmasked finite pixels.
pub const COLOUR_PERCENTILES: (f64, f64) = (0.01, 0.99);

/// The response of each pixel: its Fourier magnitude [D, H, W] averaged over
/// the directions that have one (NaN where none does).
pub fn response(magnitude: &Array3<f64>) -> Array2<f64> {
    magnitude.map_axis(Axis(0), |per_direction| {
        let finite: Vec<f64> = per_direction
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .collect();
        if finite.is_empty() {
            f64::NAN
        } else {
            finite.iter().sum::<f64>() / finite.len() as f64
        }
    })
}

/// `true` where a pixel is masked: its response is not finite or is below
/// `fraction` × the 99th percentile of the finite responses. A fraction of 0
/// masks only pixels without a response.
pub fn low_response_mask(response: &Array2<f64>, fraction: f64) -> Array2<bool> {
    let finite: Vec<f64> = response.iter().copied().filter(|v| v.is_finite()).collect();
    let threshold = percentile(finite, MASK_REFERENCE_PERCENTILE).map_or(0.0, |p| fraction * p);
    response.mapv(|v| !v.is_finite() || v < threshold)
}

/// The colour limits of `map`: its [`COLOUR_PERCENTILES`] over the finite
/// pixels `mask` leaves shown, or `None` when no pixel is shown.
pub fn colour_limits(map: &Array2<f64>, mask: Option<&Array2<bool>>) -> Option<(f64, f64)> {
    let shown: Vec<f64> = map
        .indexed_iter()
        .filter(|&(at, v)| v.is_finite() && !mask.is_some_and(|m| m[at]))
        .map(|(_, v)| *v)
        .collect();
    percentile_pair(shown, COLOUR_PERCENTILES)
}

/// The `(low, high)` percentiles (fractions 0..=1) of `values`, nearest rank:
/// element round((n − 1)·q) of the sorted values; `None` when empty.
pub fn percentile_pair(mut values: Vec<f64>, (low, high): (f64, f64)) -> Option<(f64, f64)> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    Some((at(low), at(high)))
}

fn percentile(values: Vec<f64>, q: f64) -> Option<f64> {
    percentile_pair(values, (q, q)).map(|(p, _)| p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_colour_limits_are_the_1st_and_99th_percentiles_of_the_unmasked_pixels() {
        // 0, 1, ..., 100 shown; two masked outliers that would otherwise set the range.
        let mut map = Array2::from_shape_fn((1, 103), |(_, c)| c as f64);
        map[(0, 101)] = -1e6;
        map[(0, 102)] = 1e6;
        let mask = Array2::from_shape_fn((1, 103), |(_, c)| c > 100);
        assert_eq!(colour_limits(&map, Some(&mask)), Some((1.0, 99.0)));
    }

    #[test]
    fn pixels_below_the_fraction_of_the_99th_percentile_response_are_masked() {
        // Responses 1..=100: the 99th percentile (nearest rank) is 99, 0.2 × 99 = 19.8.
        let response = Array2::from_shape_fn((10, 10), |(r, c)| (r * 10 + c + 1) as f64);
        let mask = low_response_mask(&response, 0.2);
        assert!(mask[(1, 8)], "19 < 19.8 is masked");
        assert!(!mask[(1, 9)], "20 ≥ 19.8 is shown");
        assert_eq!(mask.iter().filter(|m| **m).count(), 19);
    }

    #[test]
    fn the_response_is_the_mean_magnitude_over_the_directions_that_have_one() {
        let magnitude =
            Array3::from_shape_vec((3, 1, 2), vec![1.0, f64::NAN, 3.0, f64::NAN, 5.0, f64::NAN])
                .unwrap();
        let r = response(&magnitude);
        assert_eq!(r[(0, 0)], 3.0);
        assert!(r[(0, 1)].is_nan());
    }
}
