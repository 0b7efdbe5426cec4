//! The stimulus facts the analysis needs, read from the schedule port's attributes with the schedule
//! contract's parser (`macroscope-schedule`).

use macroscope_schedule::{Axis, Direction, ScheduleAttributeError, ScheduleAttributes};
use serde_json::Value;

/// What the Fourier analysis needs to know about the stimulus.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepTiming {
    /// Directions in the order of the output's first axis.
    pub directions: Vec<Direction>,
    /// Sweep duration of the azimuth directions, seconds (NaN when none is listed).
    pub azimuth_sweep_s: f64,
    /// Sweep duration of the altitude directions, seconds (NaN when none is listed).
    pub altitude_sweep_s: f64,
    /// One display frame, seconds: how long the last schedule row holds.
    pub display_period_s: f64,
}

impl SweepTiming {
    /// Reads the timing from the schedule port's attributes; every problem with them is reported.
    pub fn from_attributes(attributes: &Value) -> Result<Self, ScheduleAttributeError> {
        let schedule = ScheduleAttributes::from_json(attributes)?;
        let sweep = |axis: Axis| schedule.sweep_duration_s.get(axis).unwrap_or(f64::NAN);
        Ok(SweepTiming {
            azimuth_sweep_s: sweep(Axis::Azimuth),
            altitude_sweep_s: sweep(Axis::Altitude),
            display_period_s: 1.0 / schedule.display_rate_hz,
            directions: schedule.directions,
        })
    }

    /// Sweep angular frequency ω = 2π/T of a direction, rad/s.
    pub fn omega(&self, direction: Direction) -> f64 {
        let period = match direction.axis() {
            Axis::Azimuth => self.azimuth_sweep_s,
            Axis::Altitude => self.altitude_sweep_s,
        };
        std::f64::consts::TAU / period
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn attributes() -> Value {
        json!({
            "directions": ["LR", "RL", "BT", "TB"],
            "display_rate_hz": 60.0,
            "sweep_duration_s": {"azimuth": 16.0, "altitude": 12.5},
            "bar_start_deg": {"LR": -20.0, "RL": 100.0, "BT": -40.0, "TB": 40.0},
            "travel_deg": {"azimuth": 120.0, "altitude": 80.0},
        })
    }

    #[test]
    fn sweep_frequency_comes_from_the_axis_duration() {
        let timing = SweepTiming::from_attributes(&attributes()).unwrap();
        assert_eq!(timing.omega(Direction::RL), std::f64::consts::TAU / 16.0);
        assert_eq!(timing.omega(Direction::TB), std::f64::consts::TAU / 12.5);
        assert_eq!(timing.display_period_s, 1.0 / 60.0);
    }

    #[test]
    fn missing_sweep_duration_names_the_field() {
        let mut a = attributes();
        a["sweep_duration_s"]
            .as_object_mut()
            .unwrap()
            .remove("altitude");
        assert_eq!(
            SweepTiming::from_attributes(&a).unwrap_err().to_string(),
            "attribute `sweep_duration_s.altitude` is missing (a stimulus schedule carries directions, \
             display_rate_hz, sweep_duration_s, bar_start_deg, travel_deg: see \"The schedule stream\" \
             in docs/FORMAT.md)"
        );
    }

    #[test]
    fn an_azimuth_only_stimulus_has_no_altitude_sweep() {
        let a = json!({
            "directions": ["LR", "RL"], "display_rate_hz": 60, "sweep_duration_s": {"azimuth": 10},
            "bar_start_deg": {"LR": -10.0, "RL": 110.0}, "travel_deg": {"azimuth": 120.0},
        });
        let timing = SweepTiming::from_attributes(&a).unwrap();
        assert_eq!(timing.directions, [Direction::LR, Direction::RL]);
        assert!(timing.altitude_sweep_s.is_nan());
    }
}
