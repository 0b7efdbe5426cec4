//! Binary morphology with a cross (4-neighbour) structuring element, as
//! `scipy.ndimage.binary_erosion`/`binary_dilation`/`binary_opening`/
//! `binary_closing(mask, iterations=n)` with their defaults: everything
//! outside the image counts as 0, so an erosion eats foreground at the edge.

use ndarray::Array2;

/// The four neighbours of (r, c) that lie inside a `rows × cols` image.
fn neighbours(
    r: usize,
    c: usize,
    rows: usize,
    cols: usize,
) -> impl Iterator<Item = (usize, usize)> {
    let up = r.checked_sub(1).map(|r| (r, c));
    let down = (r + 1 < rows).then_some((r + 1, c));
    let left = c.checked_sub(1).map(|c| (r, c));
    let right = (c + 1 < cols).then_some((r, c + 1));
    [up, down, left, right].into_iter().flatten()
}

/// One erosion: a pixel stays set only if it and its four neighbours are set;
/// a pixel on the border loses its outside neighbour (border value 0).
pub fn erode(mask: &Array2<bool>) -> Array2<bool> {
    let (rows, cols) = mask.dim();
    Array2::from_shape_fn((rows, cols), |(r, c)| {
        let on_border = r == 0 || c == 0 || r + 1 == rows || c + 1 == cols;
        mask[[r, c]] && !on_border && neighbours(r, c, rows, cols).all(|p| mask[p])
    })
}

/// One dilation: a pixel is set if it or any of its four neighbours is set.
pub fn dilate(mask: &Array2<bool>) -> Array2<bool> {
    let (rows, cols) = mask.dim();
    Array2::from_shape_fn((rows, cols), |(r, c)| {
        mask[[r, c]] || neighbours(r, c, rows, cols).any(|p| mask[p])
    })
}

/// `iterations` dilations (0 returns a copy).
pub fn dilate_n(mask: &Array2<bool>, iterations: u32) -> Array2<bool> {
    (0..iterations).fold(mask.clone(), |out, _| dilate(&out))
}

/// `iterations` erosions (0 returns a copy).
pub fn erode_n(mask: &Array2<bool>, iterations: u32) -> Array2<bool> {
    (0..iterations).fold(mask.clone(), |out, _| erode(&out))
}

/// `iterations` erosions followed by as many dilations.
pub fn binary_opening(mask: &Array2<bool>, iterations: u32) -> Array2<bool> {
    dilate_n(&erode_n(mask, iterations), iterations)
}

/// `iterations` dilations followed by as many erosions (scipy's closing: not
/// extensive at the image edge, where the outside counts as 0).
pub fn binary_closing(mask: &Array2<bool>, iterations: u32) -> Array2<bool> {
    erode_n(&dilate_n(mask, iterations), iterations)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A mask drawn as text, one string per row, `1` for set pixels (shared by the mask tests).
    pub(crate) fn from_rows(rows: &[&str]) -> Array2<bool> {
        let cols = rows[0].len();
        Array2::from_shape_fn((rows.len(), cols), |(r, c)| rows[r].as_bytes()[c] == b'1')
    }

    #[test]
    fn full_image_loses_its_corners_because_the_outside_is_zero() {
        // scipy.ndimage.binary_opening(np.ones((4, 4)), iterations=1)
        let expected = from_rows(&["0110", "1111", "1111", "0110"]);
        assert_eq!(
            binary_opening(&Array2::from_elem((4, 4), true), 1),
            expected
        );
    }

    #[test]
    fn two_iterations_round_a_square_into_a_diamond_edge() {
        // scipy.ndimage.binary_opening(np.ones((7, 7)), iterations=2)
        let expected = from_rows(&[
            "0011100", "0111110", "1111111", "1111111", "1111111", "0111110", "0011100",
        ]);
        assert_eq!(
            binary_opening(&Array2::from_elem((7, 7), true), 2),
            expected
        );
    }

    #[test]
    fn a_one_pixel_wide_line_disappears() {
        let mask = from_rows(&["00000", "11111", "00000"]);
        assert!(!binary_opening(&mask, 1).iter().any(|&v| v));
    }

    #[test]
    fn closing_fills_a_one_pixel_gap_except_at_its_ends() {
        // scipy.ndimage.binary_closing(m, iterations=1)
        let mask = from_rows(&["00000", "01010", "01010", "01010", "00000"]);
        assert_eq!(
            binary_closing(&mask, 1),
            from_rows(&["00000", "01010", "01110", "01010", "00000"])
        );
    }

    #[test]
    fn closing_removes_what_touches_the_image_edge() {
        let at_edge = from_rows(&["11011"]);
        assert_eq!(binary_closing(&at_edge, 1), from_rows(&["00000"]));
    }

    #[test]
    fn a_cross_survives_one_opening() {
        let mask = from_rows(&["00000", "00100", "01110", "00100", "00000"]);
        assert_eq!(binary_opening(&mask, 1), mask);
    }
}
