//! Image gradients with the semantics of `numpy.gradient` (unit spacing, `edge_order=1`).

use ndarray::{Array2, ArrayView1, ArrayViewMut1, Axis};

/// ∂map/∂row (axis 0) and ∂map/∂col (axis 1): central differences
/// `(f[i+1] − f[i−1])/2` inside, one-sided differences `f[1] − f[0]` and
/// `f[n−1] − f[n−2]` at the edges. An axis shorter than 2 has zero gradient
/// (numpy refuses it).
pub fn gradient(map: &Array2<f64>) -> (Array2<f64>, Array2<f64>) {
    let along = |axis: usize| {
        let mut out = Array2::zeros(map.raw_dim());
        for (line, result) in map
            .lanes(Axis(axis))
            .into_iter()
            .zip(out.lanes_mut(Axis(axis)))
        {
            difference_line(line, result);
        }
        out
    };
    (along(0), along(1))
}

fn difference_line(line: ArrayView1<f64>, mut out: ArrayViewMut1<f64>) {
    let n = line.len();
    if n < 2 {
        return;
    }
    out[0] = line[1] - line[0];
    out[n - 1] = line[n - 1] - line[n - 2];
    for i in 1..n - 1 {
        out[i] = (line[i + 1] - line[i - 1]) / 2.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn matches_numpy_gradient_on_a_small_map() {
        // np.gradient(np.array([[1, 2, 4, 7], [2, 4, 8, 16], [0, 0, 1, 3.]]))
        let map = array![
            [1.0, 2.0, 4.0, 7.0],
            [2.0, 4.0, 8.0, 16.0],
            [0.0, 0.0, 1.0, 3.0]
        ];
        let (d_row, d_col) = gradient(&map);
        assert_eq!(
            d_row,
            array![
                [1.0, 2.0, 4.0, 9.0],
                [-0.5, -1.0, -1.5, -2.0],
                [-2.0, -4.0, -7.0, -13.0]
            ]
        );
        assert_eq!(
            d_col,
            array![
                [1.0, 1.5, 2.5, 3.0],
                [2.0, 3.0, 6.0, 8.0],
                [0.0, 0.5, 1.5, 2.0]
            ]
        );
    }

    #[test]
    fn single_row_has_zero_row_gradient() {
        let (d_row, d_col) = gradient(&array![[1.0, 3.0]]);
        assert_eq!(d_row, array![[0.0, 0.0]]);
        assert_eq!(d_col, array![[2.0, 2.0]]);
    }
}
