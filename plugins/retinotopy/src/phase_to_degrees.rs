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

use macroscope_schedule::{Axis, Direction, ScheduleAttributes};

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
    /// The geometry of `axis` from the stimulus schedule's `bar_start_deg` and `travel_deg`, or the
    /// first of the axis's two directions the schedule does not list.
    pub fn from_schedule(schedule: &ScheduleAttributes, axis: Axis) -> Result<Self, Direction> {
        let (forward, reverse) = axis.forward_and_reverse();
        let start = |d: Direction| {
            schedule
                .bar_start_deg
                .get(d)
                .filter(|_| schedule.directions.contains(&d))
                .ok_or(d)
        };
        Ok(AxisGeometry {
            forward_start_deg: start(forward)?,
            reverse_start_deg: start(reverse)?,
            travel_deg: schedule.travel_deg.get(axis).ok_or(forward)?,
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

    fn schedule(directions: serde_json::Value) -> ScheduleAttributes {
        ScheduleAttributes::from_json(&json!({
            "directions": directions,
            "display_rate_hz": 60.0,
            "sweep_duration_s": {"azimuth": 10.0, "altitude": 10.0},
            "bar_start_deg": {"LR": -20.0, "RL": 100.0, "BT": 0.0, "TB": 0.0},
            "travel_deg": {"azimuth": 120.0, "altitude": 10.0},
        }))
        .unwrap()
    }

    /// A 100° field (−10…90) and a 20° bar: the centre runs −20 → 100 (LR) and 100 → −20 (RL).
    fn geometry() -> AxisGeometry {
        AxisGeometry::from_schedule(&schedule(json!(["LR", "RL"])), Axis::Azimuth).unwrap()
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
    fn an_axis_missing_a_direction_names_it() {
        let schedule = schedule(json!(["LR", "RL", "BT"]));
        assert_eq!(
            AxisGeometry::from_schedule(&schedule, Axis::Altitude),
            Err(Direction::TB)
        );
    }
}
