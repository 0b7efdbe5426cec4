//! Which stored pixels a bar covers: the pixels whose angle along the bar's axis lies in
//! [lo, hi], found row by row by inverting the angle formulas instead of testing every pixel.
//!
//! - Azimuth = atan2(y, d) + az0 depends on y only: y ∈ d·tan([lo, hi] − az0), the same
//!   columns on every row (both projections).
//! - Flat altitude = atan2(z, d) + alt0 depends on z only: a row is wholly in or out.
//! - Spherical altitude = atan(z / √(d² + y²)) + alt0 moves toward the horizon as |y| grows,
//!   so on a row it is in range for |y| in one interval [y_min, y_max]: up to two column ranges,
//!   mirror images about the foot.
//!
//! Each row costs a few divisions, square roots and binary searches in the (cache-resident)
//! per-column y table, whatever the resolution.

use std::ops::Range;

use crate::geometry::{Projection, SampleGrid};
use crate::params::Axis;

/// The columns a bar covers on one row: left of the foot, then at or right of it (either may be empty).
pub type RowCover = [Range<usize>; 2];

/// A bar's footprint on the sample grid, ready to be asked row by row.
#[derive(Debug, Clone)]
pub struct Footprint<'g> {
    grid: &'g SampleGrid,
    shape: Shape,
}

#[derive(Debug, Clone)]
enum Shape {
    /// The same columns on every row.
    Columns(Range<usize>),
    /// Whole rows whose z lies in [min, max].
    Rows { z_min: f64, z_max: f64 },
    /// Spherical altitude band: atan(z/ρ) ∈ [a, b] (radians, relative to alt0), ρ = √(d² + y²).
    Spherical { a: f64, b: f64 },
}

impl<'g> Footprint<'g> {
    /// The pixels of `grid` whose angle along `axis` lies in [`lo_deg`, `hi_deg`].
    pub fn new(grid: &'g SampleGrid, axis: Axis, lo_deg: f64, hi_deg: f64) -> Self {
        let monitor = &grid.monitor;
        let d = monitor.eye_distance_cm;
        let offset = match axis {
            Axis::Azimuth => monitor.azimuth_deg,
            Axis::Altitude => monitor.altitude_deg,
        };
        // Relative to the foot's direction; every relative angle lies in (−90°, 90°).
        let a = (lo_deg - offset).max(-90.0).to_radians();
        let b = (hi_deg - offset).min(90.0).to_radians();
        let shape = match (axis, monitor.projection) {
            _ if a > b => Shape::Columns(0..0),
            (Axis::Azimuth, _) => {
                let (y_min, y_max) = (d * tan_or_infinite(a), d * tan_or_infinite(b));
                Shape::Columns(band(&grid.ys, y_min, y_max))
            }
            (Axis::Altitude, Projection::Flat) => Shape::Rows {
                z_min: d * tan_or_infinite(a),
                z_max: d * tan_or_infinite(b),
            },
            (Axis::Altitude, Projection::Spherical) => Shape::Spherical { a, b },
        };
        Footprint { grid, shape }
    }

    /// The columns covered on stored row `row`.
    pub fn row(&self, row: usize) -> RowCover {
        let width = self.grid.width();
        match &self.shape {
            Shape::Columns(cols) => [cols.clone(), width..width],
            Shape::Rows { z_min, z_max } => {
                let z = self.grid.zs[row];
                if *z_min <= z && z <= *z_max {
                    [0..width, width..width]
                } else {
                    [0..0, width..width]
                }
            }
            &Shape::Spherical { a, b } => self.spherical_row(self.grid.zs[row], a, b),
        }
    }

    /// Columns where atan(z / √(d² + y²)) ∈ [a, b] on the row at height `z`.
    fn spherical_row(&self, z: f64, a: f64, b: f64) -> RowCover {
        let grid = self.grid;
        let (width, foot) = (grid.width(), grid.foot_column);
        // Below the horizon the picture is the mirror image: flip z and the band.
        let (z, a, b) = if z < 0.0 { (-z, -b, -a) } else { (z, a, b) };
        let everything = [0..foot, foot..width];
        let nothing = [0..0, width..width];
        if z == 0.0 {
            return if a <= 0.0 && 0.0 <= b {
                everything
            } else {
                nothing
            };
        }
        // Now z > 0 and t = z/ρ ∈ (0, z/d] falls as |y| grows: t ≤ tan b ⇔ |y| ≥ y_min,
        // t ≥ tan a ⇔ |y| ≤ y_max.
        if b <= 0.0 {
            return nothing;
        }
        let d = grid.monitor.eye_distance_cm;
        let distance_to = |tan: f64| z / tan; // ρ at which atan(z/ρ) equals the angle
        let y_min = if b >= std::f64::consts::FRAC_PI_2 {
            0.0
        } else {
            let rho = distance_to(libm::tan(b));
            (rho * rho - d * d).max(0.0).sqrt()
        };
        let y_max = if a <= 0.0 {
            f64::INFINITY
        } else {
            let rho = distance_to(libm::tan(a));
            if rho < d {
                return nothing;
            }
            (rho * rho - d * d).sqrt()
        };
        let left = band(&grid.ys[..foot], -y_max, -y_min);
        let right = band(&grid.ys[foot..], y_min, y_max);
        [left, right.start + foot..right.end + foot]
    }
}

/// tan(x), with ±90° mapped to ±∞ (tan(π/2) is finite in floating point).
fn tan_or_infinite(x: f64) -> f64 {
    if x >= std::f64::consts::FRAC_PI_2 {
        f64::INFINITY
    } else if x <= -std::f64::consts::FRAC_PI_2 {
        f64::NEG_INFINITY
    } else {
        libm::tan(x)
    }
}

/// The indices of increasing `values` that lie in [min, max].
fn band(values: &[f64], min: f64, max: f64) -> Range<usize> {
    let start = values.partition_point(|&v| v < min);
    let end = values.partition_point(|&v| v <= max);
    start..end.max(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn band_of_increasing_values() {
        assert_eq!(band(&[0.0, 1.0, 2.0, 3.0, 4.0, 5.0], 1.5, 4.0), 2..5);
    }

    #[test]
    fn band_outside_the_values_is_empty() {
        assert!(band(&[0.0, 1.0, 2.0], 5.0, 6.0).is_empty());
        assert!(band(&[0.0, 1.0, 2.0], -6.0, -5.0).is_empty());
    }

    #[test]
    fn tan_of_a_right_angle_is_infinite() {
        assert_eq!(tan_or_infinite(std::f64::consts::FRAC_PI_2), f64::INFINITY);
        assert_eq!(
            tan_or_infinite(-std::f64::consts::FRAC_PI_2),
            f64::NEG_INFINITY
        );
        assert!((tan_or_infinite(std::f64::consts::FRAC_PI_4) - 1.0).abs() < 1e-15);
    }
}
