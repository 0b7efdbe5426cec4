//! The scale bar's length: a round number of µm about a quarter of the map's width.

/// The lengths a scale bar may have, µm.
const ROUND_LENGTHS_UM: [f64; 11] = [
    10.0, 20.0, 50.0, 100.0, 200.0, 250.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0,
];

/// The longest round length no longer than a quarter of a map `width_px`
/// pixels wide at `um_per_pixel`, or `None` when even 10 µm is longer.
pub fn length_um(width_px: usize, um_per_pixel: f64) -> Option<f64> {
    let quarter = width_px as f64 * um_per_pixel / 4.0;
    ROUND_LENGTHS_UM
        .iter()
        .copied()
        .rev()
        .find(|&l| l <= quarter)
}

/// `1 mm`, `2 mm`, `500 µm`: whole millimetres in mm, the rest in µm.
pub fn label(length_um: f64) -> String {
    if length_um >= 1000.0 && length_um % 1000.0 == 0.0 {
        format!("{} mm", length_um / 1000.0)
    } else {
        format!("{length_um} µm")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_is_the_longest_round_length_within_a_quarter_of_the_map() {
        // 200 px at 20 µm = 4 mm wide: a quarter is 1 mm.
        assert_eq!(length_um(200, 20.0), Some(1000.0));
        // 450 px at 6.45 µm = 2.9 mm: a quarter is 726 µm.
        assert_eq!(length_um(450, 6.45), Some(500.0));
        assert_eq!(length_um(10, 1.0), None);
    }

    #[test]
    fn whole_millimetres_are_labelled_in_mm_the_rest_in_um() {
        assert_eq!(label(1000.0), "1 mm");
        assert_eq!(label(500.0), "500 µm");
    }
}
