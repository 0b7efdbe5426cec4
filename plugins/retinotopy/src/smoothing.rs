//! Gaussian smoothing with the semantics of `scipy.ndimage.gaussian_filter`
//! (mode `reflect`, truncate 4.0), which Allen's and most published sign-map code use.
//!
//! The 2-D filter is two 1-D correlations, along rows (axis 0) first and then
//! columns (axis 1), with the kernel `exp(−x²/2σ²)` on x = −r..r, r =
//! ⌊4σ + ½⌋, normalised to sum 1. Outside the map the values are mirrored
//! about the edge *of the last pixel* (`d c b a | a b c d | d c b a`), repeatedly
//! if the kernel is longer than the map.

use ndarray::{Array2, ArrayView1, ArrayViewMut1, Axis};

/// Kernel half-width in units of σ (scipy's default `truncate`).
pub const TRUNCATE: f64 = 4.0;

/// The normalised 1-D Gaussian kernel of scipy for `sigma` (empty for σ ≤ 0).
pub fn gaussian_kernel(sigma: f64) -> Vec<f64> {
    if sigma <= 0.0 {
        return Vec::new();
    }
    let radius = (TRUNCATE * sigma + 0.5) as i64;
    let weights: Vec<f64> = (-radius..=radius)
        .map(|x| libm::exp(-0.5 / (sigma * sigma) * (x * x) as f64))
        .collect();
    let total: f64 = weights.iter().sum();
    weights.into_iter().map(|w| w / total).collect()
}

/// Index into a line of length `n` for position `i` (any integer) in scipy's `reflect` mode.
pub fn reflect_index(i: i64, n: usize) -> usize {
    let n = n as i64;
    let m = i.rem_euclid(2 * n);
    (if m < n { m } else { 2 * n - 1 - m }) as usize
}

/// `map` smoothed with a Gaussian of standard deviation `sigma` pixels; σ ≤ 0 returns a copy.
pub fn gaussian_filter(map: &Array2<f64>, sigma: f64) -> Array2<f64> {
    let kernel = gaussian_kernel(sigma);
    if kernel.is_empty() || map.is_empty() {
        return map.clone();
    }
    let mut rows_done = Array2::zeros(map.raw_dim());
    for (input, output) in map
        .lanes(Axis(0))
        .into_iter()
        .zip(rows_done.lanes_mut(Axis(0)))
    {
        correlate_line(input, output, &kernel);
    }
    let mut out = Array2::zeros(map.raw_dim());
    for (input, output) in rows_done
        .lanes(Axis(1))
        .into_iter()
        .zip(out.lanes_mut(Axis(1)))
    {
        correlate_line(input, output, &kernel);
    }
    out
}

/// out[i] = Σ_j kernel[j]·line[reflect(i + j − r)].
fn correlate_line(line: ArrayView1<f64>, mut out: ArrayViewMut1<f64>, kernel: &[f64]) {
    let n = line.len();
    let radius = (kernel.len() / 2) as i64;
    let extended: Vec<f64> = (-radius..n as i64 + radius)
        .map(|i| line[reflect_index(i, n)])
        .collect();
    for (i, value) in out.iter_mut().enumerate() {
        *value = extended[i..i + kernel.len()]
            .iter()
            .zip(kernel)
            .map(|(x, w)| x * w)
            .sum();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn kernel_radius_and_weights_follow_scipy() {
        // scipy: radius = int(4·0.5 + 0.5) = 2; weights exp(-2x²) normalised.
        let k = gaussian_kernel(0.5);
        let raw = [
            libm::exp(-8.0),
            libm::exp(-2.0),
            1.0,
            libm::exp(-2.0),
            libm::exp(-8.0),
        ];
        let total: f64 = raw.iter().sum();
        assert_eq!(k.len(), 5);
        for (w, r) in k.iter().zip(raw) {
            assert!((w - r / total).abs() < 1e-15);
        }
        assert_eq!(gaussian_kernel(8.0).len(), 65);
    }

    #[test]
    fn reflect_mirrors_about_the_edge_of_the_last_pixel() {
        // d c b a | a b c d | d c b a for n = 4.
        let idx: Vec<usize> = (-5..9).map(|i| reflect_index(i, 4)).collect();
        assert_eq!(idx, [3, 3, 2, 1, 0, 0, 1, 2, 3, 3, 2, 1, 0, 0]);
    }

    #[test]
    fn constant_map_stays_constant() {
        let map = Array2::from_elem((7, 5), 3.25);
        let smoothed = gaussian_filter(&map, 8.0);
        assert!(smoothed.iter().all(|&v| (v - 3.25).abs() < 1e-12));
    }

    #[test]
    fn linear_ramp_is_unchanged_away_from_the_edges() {
        // A symmetric kernel leaves a ramp unchanged where it does not reach the border.
        let map = Array2::from_shape_fn((20, 20), |(r, c)| 2.0 * r as f64 - 0.5 * c as f64);
        let smoothed = gaussian_filter(&map, 1.0);
        for r in 5..15 {
            for c in 5..15 {
                assert!((smoothed[[r, c]] - map[[r, c]]).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn small_map_matches_scipy() {
        // scipy 1.x: gaussian_filter(np.array([[0,1,2],[3,4,5.]]), 1.0), each value printed with repr();
        // the kernel (radius 4) is longer than both axes, so reflection repeats.
        let map = array![[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]];
        let expected = array![
            [1.4852304526268054, 2.0631566863541226, 2.6410829200814394],
            [2.358917079918561, 2.936843313645878, 3.5147695473731946]
        ];
        let smoothed = gaussian_filter(&map, 1.0);
        for (a, b) in smoothed.iter().zip(&expected) {
            assert!((a - b).abs() < 1e-12, "{a} vs {b}");
        }
    }
}
