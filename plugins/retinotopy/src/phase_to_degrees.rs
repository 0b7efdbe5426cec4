//! Position phase θ to visual-field degrees, from the stimulus geometry.
//!
//! The forward bar (LR or BT) starts at s_f and moves +travel over one sweep;
//! the reverse bar (RL or TB) starts at s_r and moves −travel. A pixel at
//! position a is crossed at u_f = (a − s_f)/travel and u_r = (s_r − a)/travel of
//! the way through each sweep, and delay removal gives θ = π(u_f − u_r)
//! (see [`crate::delay`]), so
//!
//! a = (s_f + s_r)/2 + (θ/2π)·travel.
//!
//! When the reverse bar starts where the forward one ends (s_r = s_f + travel),
//! this is a = s_f + (θ/2π + ½)·travel: θ = −π at the start of the forward sweep.

use fourier_maps::stimulus::{number_attribute, AttributeError, Axis};
use serde_json::Value;

/// Bar geometry of one axis, in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AxisGeometry {
    /// Where the forward (LR/BT) bar's centre starts.
    pub forward_start_deg: f64,
    /// Where the reverse (RL/TB) bar's centre starts.
    pub reverse_start_deg: f64,
    /// How far the bar's centre travels in one sweep.
    pub travel_deg: f64,
}

impl AxisGeometry {
    /// Reads `bar_start_deg.{LR,RL}` / `.{BT,TB}` and `travel_deg.{axis}` from the phase port's attributes.
    pub fn from_attributes(attributes: &Value, axis: Axis) -> Result<Self, AttributeError> {
        let (forward, reverse) = axis.forward_and_reverse();
        Ok(AxisGeometry {
            forward_start_deg: number_attribute(attributes, "bar_start_deg", Some(forward.name()))?,
            reverse_start_deg: number_attribute(attributes, "bar_start_deg", Some(reverse.name()))?,
            travel_deg: number_attribute(attributes, "travel_deg", Some(axis.name()))?,
        })
    }

    /// Visual-field position (degrees) of position phase `theta` (radians).
    pub fn degrees(&self, theta: f64) -> f64 {
        0.5 * (self.forward_start_deg + self.reverse_start_deg)
            + theta / std::f64::consts::TAU * self.travel_deg
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::f64::consts::PI;

    /// A 100° field (−10…90) and a 20° bar: the centre runs −20 → 100 (LR) and 100 → −20 (RL).
    fn geometry() -> AxisGeometry {
        let attributes = json!({
            "bar_start_deg": {"LR": -20.0, "RL": 100.0, "BT": 0.0, "TB": 0.0},
            "travel_deg": {"azimuth": 120.0, "altitude": 0.0},
        });
        AxisGeometry::from_attributes(&attributes, Axis::Azimuth).unwrap()
    }

    #[test]
    fn sweep_start_middle_and_end_map_to_the_bar_positions() {
        assert_eq!(geometry().degrees(-PI), -20.0);
        assert_eq!(geometry().degrees(0.0), 40.0);
        assert_eq!(geometry().degrees(PI), 100.0);
    }

    #[test]
    fn a_pixel_at_30_degrees_round_trips() {
        // Crossed (30 − (−20))/120 = 5/12 of the way through the forward sweep: θ = 2π·5/12 − π = −π/6.
        assert!((geometry().degrees(-PI / 6.0) - 30.0).abs() < 1e-12);
    }

    #[test]
    fn missing_travel_names_the_attribute() {
        let attributes = json!({"bar_start_deg": {"BT": -30.0, "TB": 30.0}});
        let error = AxisGeometry::from_attributes(&attributes, Axis::Altitude).unwrap_err();
        assert_eq!(
            error,
            AttributeError::Missing {
                field: "travel_deg.altitude".into()
            }
        );
    }
}
