//! Position, delay and power maps of one axis from its two opposite directions.

use ndarray::{Array2, ArrayView2, Zip};

use crate::delay::{hemodynamic_delay, position_phase};
use crate::phase_to_degrees::AxisGeometry;

/// The maps of one axis (azimuth or altitude).
#[derive(Debug, Clone, PartialEq)]
pub struct AxisMaps {
    /// Visual-field position, degrees.
    pub position_deg: Array2<f64>,
    /// Hemodynamic delay as a phase, radians in (0, π].
    pub delay: Array2<f64>,
    /// Response amplitude: the mean of the two directions' magnitudes (ΔR/R).
    pub power: Array2<f64>,
}

/// Phases and magnitudes of one direction.
#[derive(Debug, Clone, Copy)]
pub struct DirectionMaps<'a> {
    /// Phase lag, radians.
    pub phase: ArrayView2<'a, f64>,
    /// 2|F1|/N.
    pub magnitude: ArrayView2<'a, f64>,
}

/// Delay removal and conversion to degrees, pixel by pixel.
pub fn axis_maps(
    forward: DirectionMaps<'_>,
    reverse: DirectionMaps<'_>,
    geometry: &AxisGeometry,
) -> AxisMaps {
    let delay = Zip::from(forward.phase)
        .and(reverse.phase)
        .map_collect(|&f, &r| hemodynamic_delay(f, r));
    let position_deg = Zip::from(forward.phase)
        .and(reverse.phase)
        .and(&delay)
        .map_collect(|&f, &r, &d| geometry.degrees(position_phase(f, r, d)));
    let power = Zip::from(forward.magnitude)
        .and(reverse.magnitude)
        .map_collect(|&f, &r| 0.5 * (f + r));
    AxisMaps {
        position_deg,
        delay,
        power,
    }
}
