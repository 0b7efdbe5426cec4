//! How much of visual space a patch covers (Allen's `Patch.getVisualSpace`):
//! its pixels' (altitude, azimuth) marked on a fixed grid of altitude
//! −40…60° by azimuth −20…120° in cells of `pixel_deg`, then closed
//! (`close_iterations` cross dilations then erosions, the outside counting as
//! empty). Its area in deg² is the patch's unique coverage.

use ndarray::{Array2, Zip};

use crate::morphology::binary_closing;

/// Altitude range of the grid, degrees (rows).
pub const ALTITUDE_RANGE: (f64, f64) = (-40.0, 60.0);
/// Azimuth range of the grid, degrees (columns).
pub const AZIMUTH_RANGE: (f64, f64) = (-20.0, 120.0);

/// The grid a patch marks in visual space.
#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    /// Cells covered, [altitude, azimuth].
    pub cells: Array2<bool>,
    /// Cell side, degrees.
    pub pixel_deg: f64,
}

impl Coverage {
    /// The coverage of the pixels in `mask`.
    pub fn of(
        mask: &Array2<bool>,
        altitude: &Array2<f64>,
        azimuth: &Array2<f64>,
        pixel_deg: f64,
        close_iterations: u32,
    ) -> Coverage {
        let rows = ((ALTITUDE_RANGE.1 - ALTITUDE_RANGE.0) / pixel_deg).ceil() as usize;
        let cols = ((AZIMUTH_RANGE.1 - AZIMUTH_RANGE.0) / pixel_deg).ceil() as usize;
        let mut cells = Array2::from_elem((rows, cols), false);
        Zip::from(mask)
            .and(altitude)
            .and(azimuth)
            .for_each(|&m, &alt, &azi| {
                let inside = (ALTITUDE_RANGE.0..ALTITUDE_RANGE.1).contains(&alt)
                    && (AZIMUTH_RANGE.0..AZIMUTH_RANGE.1).contains(&azi);
                if m && inside {
                    let row = ((alt - ALTITUDE_RANGE.0) / pixel_deg).floor() as usize;
                    let col = ((azi - AZIMUTH_RANGE.0) / pixel_deg).floor() as usize;
                    cells[[row.min(rows - 1), col.min(cols - 1)]] = true;
                }
            });
        Coverage {
            cells: binary_closing(&cells, close_iterations),
            pixel_deg,
        }
    }

    /// Covered area, deg².
    pub fn area_deg2(&self) -> f64 {
        self.count(&self.cells)
    }

    /// Area covered by both, deg².
    pub fn overlap_deg2(&self, other: &Coverage) -> f64 {
        self.count(
            &Zip::from(&self.cells)
                .and(&other.cells)
                .map_collect(|&a, &b| a && b),
        )
    }

    fn count(&self, cells: &Array2<bool>) -> f64 {
        cells.iter().filter(|&&c| c).count() as f64 * self.pixel_deg * self.pixel_deg
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn pixels_fall_in_cells_by_floor_and_outside_the_grid_is_ignored() {
        let mask = array![[true, true, true]];
        let altitude = array![[-40.0, 0.74, 61.0]];
        let azimuth = array![[-20.0, 0.26, 0.0]];
        let coverage = Coverage::of(&mask, &altitude, &azimuth, 0.5, 0);
        assert_eq!(coverage.cells.dim(), (200, 280));
        assert!(coverage.cells[[0, 0]]);
        assert!(coverage.cells[[81, 40]]);
        assert_eq!(coverage.area_deg2(), 0.5);
    }

    #[test]
    fn overlap_counts_shared_cells() {
        let mask = array![[true, true]];
        let a = Coverage::of(&mask, &array![[0.0, 10.0]], &array![[0.0, 10.0]], 1.0, 0);
        let b = Coverage::of(&mask, &array![[0.0, 20.0]], &array![[0.0, 20.0]], 1.0, 0);
        assert_eq!(a.overlap_deg2(&b), 1.0);
    }
}
