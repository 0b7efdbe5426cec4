//! The timeline: for every displayed frame, its time, direction, sweep, bar centre, checker
//! polarity and photodiode value.
//!
//! Layout: `baseline_before` grey frames, then for each direction in order its sweeps back to
//! back, then `baseline_after` grey frames. A sweep of an axis lasts a whole number of frames,
//! n = ⌈(span + w) · rate / speed⌉, so its travel is speed · n / rate (≥ span + w: the bar starts
//! fully off one edge, its centre at the field's edge ∓ w/2, and leaves fully off the other),
//! and sweeps repeat with an exact period of n frames.

use macroscope_schedule::{Bar, PerAxis, PerDirection, ScheduleAttributes, ScheduleRow};
use serde_json::{json, Value};

use crate::geometry::Field;
use crate::params::{Axis, Direction, IndicatorFlips, Params};

/// Photodiode patch values.
const INDICATOR_DARK: u8 = 0;
const INDICATOR_LIGHT: u8 = 255;

/// Where the bar is during one frame of a sweep.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BarState {
    /// Direction of the sweep.
    pub direction: Direction,
    /// Sweep index within this direction, from 0.
    pub sweep: u32,
    /// Bar centre along the direction's axis (deg, visual-field coordinates).
    pub centre_deg: f64,
}

/// Everything about one displayed frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrameState {
    /// Frame index from 0.
    pub index: u64,
    /// Time from the start of the stimulus (s) = index / rate.
    pub time_s: f64,
    /// The bar, or `None` in a baseline.
    pub bar: Option<BarState>,
    /// Checker polarity, +1 or −1: flips `reversals_per_s` times per second of stimulus time.
    pub polarity: i8,
    /// Photodiode patch value, 0 or 255.
    pub indicator: u8,
}

impl FrameState {
    /// This frame's row of the schedule stream.
    pub fn schedule_row(&self) -> ScheduleRow {
        ScheduleRow {
            time_s: self.time_s,
            frame_index: self.index as i64,
            bar: self.bar.map(|bar| Bar {
                direction: bar.direction,
                sweep: bar.sweep as i32,
                centre_deg: bar.centre_deg,
            }),
            polarity: self.polarity,
            indicator: self.indicator,
        }
    }
}

/// Per-axis facts of a sweep.
#[derive(Debug, Clone, Copy, PartialEq)]
struct AxisSweep {
    frames: u64,
    travel_deg: f64,
}

/// The whole stimulus, frame by frame; cheap to query at any frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    rate_hz: f64,
    before_frames: u64,
    after_frames: u64,
    sweeps_per_direction: u32,
    directions: Vec<Direction>,
    azimuth: AxisSweep,
    altitude: AxisSweep,
    field: Field,
    bar_width_deg: f64,
    speed_deg_per_s: f64,
    reversals_per_s: f64,
    indicator_flips: IndicatorFlips,
}

impl Timeline {
    /// The timeline of validated `params` on a screen covering `field`.
    pub fn new(params: &Params, field: Field) -> Self {
        let rate = params.display_rate_hz;
        let speed = params.drift_speed_deg_per_s;
        let w = params.bar_width_deg;
        let sweep = |axis: Axis| {
            let span = field.along(axis);
            // The tolerance keeps an exact whole number of frames from rounding up by one.
            let frames = ((span.max - span.min + w) * rate / speed - 1e-9)
                .ceil()
                .max(1.0) as u64;
            AxisSweep {
                frames,
                travel_deg: speed * frames as f64 / rate,
            }
        };
        Timeline {
            rate_hz: rate,
            before_frames: (params.baseline_before_s * rate).round() as u64,
            after_frames: (params.baseline_after_s * rate).round() as u64,
            sweeps_per_direction: params.sweeps_per_direction,
            directions: params.directions.clone(),
            azimuth: sweep(Axis::Azimuth),
            altitude: sweep(Axis::Altitude),
            field,
            bar_width_deg: w,
            speed_deg_per_s: speed,
            reversals_per_s: params.reversals_per_s,
            indicator_flips: params.indicator_flips,
        }
    }

    fn sweep_of(&self, axis: Axis) -> AxisSweep {
        match axis {
            Axis::Azimuth => self.azimuth,
            Axis::Altitude => self.altitude,
        }
    }

    /// Frames in one sweep along `axis`.
    pub fn sweep_frames(&self, axis: Axis) -> u64 {
        self.sweep_of(axis).frames
    }

    /// Bar centre (deg) at the first frame of a sweep in `direction`: fully off the edge it starts from.
    pub fn bar_start_deg(&self, direction: Direction) -> f64 {
        let span = self.field.along(direction.axis());
        let half = self.bar_width_deg / 2.0;
        if direction.sign() > 0.0 {
            span.min - half
        } else {
            span.max + half
        }
    }

    /// Number of frames (= schedule rows) of the whole stimulus; saturates
    /// at `u64::MAX` (a bar wider than any screen, say), which the run's
    /// size check then refuses, instead of overflowing.
    pub fn len(&self) -> u64 {
        self.directions
            .iter()
            .map(|d| {
                u64::from(self.sweeps_per_direction).saturating_mul(self.sweep_frames(d.axis()))
            })
            .fold(self.before_frames, u64::saturating_add)
            .saturating_add(self.after_frames)
    }

    /// True when the stimulus has no frame at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The state of frame `index` (< [`Timeline::len`]).
    pub fn frame(&self, index: u64) -> FrameState {
        // `sweep_number` counts sweeps over all directions: −1 before the first, the total after the last.
        let (bar, sweep_number) = self.locate(index);
        let reversals = (index as f64 * self.reversals_per_s / self.rate_hz).floor() as i64;
        let indicator_on = match self.indicator_flips {
            IndicatorFlips::EveryFrame => index.is_multiple_of(2),
            IndicatorFlips::EverySweep => sweep_number.rem_euclid(2) == 0,
        };
        FrameState {
            index,
            time_s: index as f64 / self.rate_hz,
            bar,
            polarity: if reversals % 2 == 0 { 1 } else { -1 },
            indicator: if indicator_on {
                INDICATOR_LIGHT
            } else {
                INDICATOR_DARK
            },
        }
    }

    fn locate(&self, index: u64) -> (Option<BarState>, i64) {
        if index < self.before_frames {
            return (None, -1);
        }
        let mut offset = index - self.before_frames;
        let mut sweeps_done = 0_i64;
        for &direction in &self.directions {
            let per_sweep = self.sweep_frames(direction.axis());
            let block = per_sweep * u64::from(self.sweeps_per_direction);
            if offset < block {
                let sweep = offset / per_sweep;
                let frame_in_sweep = (offset % per_sweep) as f64;
                let centre_deg = self.bar_start_deg(direction)
                    + direction.sign() * self.speed_deg_per_s * frame_in_sweep / self.rate_hz;
                let bar = BarState {
                    direction,
                    sweep: sweep as u32,
                    centre_deg,
                };
                return (Some(bar), sweeps_done + sweep as i64);
            }
            offset -= block;
            sweeps_done += i64::from(self.sweeps_per_direction);
        }
        (None, sweeps_done)
    }

    /// The schedule contract's attributes: directions, rate and the sweep geometry.
    pub fn schedule_attributes(&self) -> ScheduleAttributes {
        let per_axis = |value: &dyn Fn(Axis) -> f64| PerAxis {
            azimuth: Some(value(Axis::Azimuth)),
            altitude: Some(value(Axis::Altitude)),
        };
        let start = |d: Direction| Some(self.bar_start_deg(d));
        ScheduleAttributes {
            directions: self.directions.clone(),
            display_rate_hz: self.rate_hz,
            sweep_duration_s: per_axis(&|axis| self.sweep_frames(axis) as f64 / self.rate_hz),
            bar_start_deg: PerDirection {
                lr: start(Direction::LR),
                rl: start(Direction::RL),
                bt: start(Direction::BT),
                tb: start(Direction::TB),
            },
            travel_deg: per_axis(&|axis| self.sweep_of(axis).travel_deg),
            bar_width_deg: Some(self.bar_width_deg),
        }
    }

    /// Descriptive attributes of the schedule port beyond the contract's.
    pub fn descriptive_attributes(&self) -> Vec<(&'static str, Value)> {
        let span = |axis: Axis| {
            let s = self.field.along(axis);
            json!([s.min, s.max])
        };
        vec![
            (
                "baseline_before_s",
                json!(self.before_frames as f64 / self.rate_hz),
            ),
            (
                "baseline_after_s",
                json!(self.after_frames as f64 / self.rate_hz),
            ),
            ("sweeps_per_direction", json!(self.sweeps_per_direction)),
            ("drift_speed_deg_per_s", json!(self.speed_deg_per_s)),
            ("reversals_per_s", json!(self.reversals_per_s)),
            (
                "field_deg",
                json!({"azimuth": span(Axis::Azimuth), "altitude": span(Axis::Altitude)}),
            ),
            ("total_frames", json!(self.len())),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::Monitor;

    /// A bar as wide as an `i64` (a fuzzed parameter) made `len` overflow
    /// and the plugin panic inside `validate`.
    #[test]
    fn the_length_of_an_endless_stimulus_saturates_instead_of_overflowing() {
        let params = Params {
            bar_width_deg: i64::MAX as f64,
            ..Params::default()
        };
        let timeline = Timeline::new(&params, Monitor::from_params(&params).field());
        assert_eq!(timeline.len(), u64::MAX);
    }
}
