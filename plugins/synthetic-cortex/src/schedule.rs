//! The stimulus schedule as the camera reads it: the input port's checks, one
//! row per displayed frame, and a bounded history of recent rows.

use std::collections::VecDeque;

use macroscope_plugin_api::{ElementType, InputPort, Item, PortKind};
use macroscope_schedule::{columns, Axis, Column, Direction, ScheduleAttributes, BASELINE_CODE};

use crate::error::CortexError;
use crate::response::Drive;

/// Name of the one input port the camera accepts.
pub const SCHEDULE_PORT: &str = macroscope_schedule::port::NAME;

/// Where the camera finds what it reads in the `schedule` stream.
#[derive(Debug, Clone)]
pub struct ScheduleInput {
    frame_index: usize,
    direction: usize,
    sweep: usize,
    bar_centre_deg: usize,
    /// Width of the bar (degrees), from the port's attributes.
    pub bar_width_deg: f64,
    /// Rows per second the stimulus shows, from the attributes.
    pub display_rate_hz: f64,
}

impl ScheduleInput {
    /// Checks that `inputs` is exactly one `schedule` stream of the port
    /// contract and finds its columns (by name) and attributes.
    pub fn from_inputs(inputs: &[InputPort]) -> Result<Self, CortexError> {
        let port = match inputs {
            [port] => port,
            _ => {
                let names: Vec<&str> = inputs.iter().map(|p| p.source.as_str()).collect();
                return Err(CortexError::WrongInputs {
                    found: format!("got {} inputs {names:?}", inputs.len()),
                });
            }
        };
        let spec = &port.spec;
        let source = port.source.as_str();
        let is_schedule = spec.name.as_str() == SCHEDULE_PORT
            && spec.kind == PortKind::STREAM
            && spec.element == ElementType::F64
            && spec.shape.is_empty();
        if !is_schedule {
            return Err(CortexError::WrongInputs {
                found: format!(
                    "got `{source}`, a {} {} {} port of shape {:?} (expected a stream named `schedule` of f64 scalars)",
                    spec.kind.as_str(),
                    spec.element,
                    spec.name,
                    spec.shape.as_slice()
                ),
            });
        }
        let column = |column: Column| {
            spec.column_index(column.name)
                .ok_or_else(|| CortexError::MissingColumn {
                    input: source.to_owned(),
                    column: column.name,
                    element: column.element.as_str(),
                })
        };
        let frame_index = column(columns::FRAME_INDEX)?;
        let direction = column(columns::DIRECTION)?;
        let sweep = column(columns::SWEEP)?;
        let bar_centre_deg = column(columns::BAR_CENTRE_DEG)?;
        let attributes = ScheduleAttributes::from_port(spec).map_err(|error| {
            CortexError::ScheduleAttributes {
                input: source.to_owned(),
                error,
            }
        })?;
        let bar_width_deg =
            attributes
                .bar_width_deg
                .ok_or_else(|| CortexError::MissingAttribute {
                    input: source.to_owned(),
                    attribute: "bar_width_deg",
                    why: "the bar width in degrees sets the width of the response",
                })?;
        Ok(ScheduleInput {
            frame_index,
            direction,
            sweep,
            bar_centre_deg,
            bar_width_deg,
            display_rate_hz: attributes.display_rate_hz,
        })
    }

    /// Reads item number `index` of the stream as a row.
    pub fn row(&self, index: u64, item: Item<'_>) -> Result<ScheduleRow, CortexError> {
        let bad = |found: String| CortexError::BadScheduleItem { index, found };
        let time_s = match item.data::<f64>() {
            Ok([time]) if time.is_finite() => *time,
            Ok(values) => return Err(bad(format!("{values:?}"))),
            Err(e) => return Err(bad(e.to_string())),
        };
        let meta = item.meta();
        let value = |column: usize| {
            meta.get(column)
                .copied()
                .ok_or_else(|| bad(format!("{} metadata values", meta.len())))
        };
        let frame_index = value(self.frame_index)?.as_i64();
        let code = value(self.direction)?.as_i64();
        if code != i64::from(BASELINE_CODE) && Direction::from_code(code).is_none() {
            return Err(CortexError::UnknownDirection { frame_index, code });
        }
        Ok(ScheduleRow {
            time_ns: seconds_to_ns(time_s),
            frame_index,
            direction: code as i8,
            sweep: value(self.sweep)?.as_i64() as i32,
            bar_centre_deg: value(self.bar_centre_deg)?.as_f64(),
        })
    }
}

/// `seconds` as whole nanoseconds, rounded to nearest.
pub fn seconds_to_ns(seconds: f64) -> i64 {
    (seconds * 1e9).round() as i64
}

/// One displayed stimulus frame; it stays on screen until the next row's time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScheduleRow {
    /// When it appeared, ns on the stimulus clock.
    pub time_ns: i64,
    /// The stimulus frame's index.
    pub frame_index: i64,
    /// Direction code: −1 baseline, 0 LR, 1 RL, 2 BT, 3 TB.
    pub direction: i8,
    /// Sweep index, −1 in baseline.
    pub sweep: i32,
    /// Bar centre in degrees, NaN in baseline.
    pub bar_centre_deg: f64,
}

impl ScheduleRow {
    /// What this row drives in the cortex.
    pub fn drive(&self) -> Drive {
        let axis = Direction::from_code(self.direction.into()).map(Direction::axis);
        match axis {
            _ if self.bar_centre_deg.is_nan() => Drive::Rest,
            Some(Axis::Azimuth) => Drive::Azimuth(self.bar_centre_deg),
            Some(Axis::Altitude) => Drive::Altitude(self.bar_centre_deg),
            None => Drive::Rest,
        }
    }
}

/// The most recent schedule rows, in time order. Rows older than the oldest
/// time still to be looked up are dropped, so its length stays near
/// (hemodynamic delay + one frame period) × display rate.
#[derive(Debug, Clone, Default)]
pub struct StimulusHistory {
    rows: VecDeque<ScheduleRow>,
}

impl StimulusHistory {
    /// An empty history with room for `capacity` rows before it reallocates.
    pub fn with_capacity(capacity: usize) -> Self {
        StimulusHistory {
            rows: VecDeque::with_capacity(capacity),
        }
    }

    /// Appends a row; its time must come after the last one.
    pub fn push(&mut self, row: ScheduleRow) -> Result<(), CortexError> {
        if let Some(last) = self.rows.back() {
            if row.time_ns <= last.time_ns {
                return Err(CortexError::TimeNotIncreasing {
                    frame_index: row.frame_index,
                    time_s: row.time_ns as f64 * 1e-9,
                    previous_s: last.time_ns as f64 * 1e-9,
                });
            }
        }
        self.rows.push_back(row);
        Ok(())
    }

    /// The row on screen at `time_ns` (the last one at or before it), or
    /// `None` before the first row.
    pub fn on_screen_at(&self, time_ns: i64) -> Option<&ScheduleRow> {
        let after = self.rows.partition_point(|row| row.time_ns <= time_ns);
        after.checked_sub(1).map(|i| &self.rows[i])
    }

    /// Drops rows that can no longer be on screen at `time_ns` or later.
    pub fn forget_before(&mut self, time_ns: i64) {
        while self.rows.len() >= 2 && self.rows[1].time_ns <= time_ns {
            self.rows.pop_front();
        }
    }

    /// The latest row.
    pub fn last(&self) -> Option<&ScheduleRow> {
        self.rows.back()
    }

    /// Rows it has room for before it reallocates.
    #[cfg(test)]
    pub(crate) fn capacity(&self) -> usize {
        self.rows.capacity()
    }

    /// Number of rows held.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when no row is held.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(time_ns: i64, bar: f64) -> ScheduleRow {
        ScheduleRow {
            time_ns,
            frame_index: time_ns,
            direction: 0,
            sweep: 0,
            bar_centre_deg: bar,
        }
    }

    #[test]
    fn the_row_on_screen_is_the_last_one_shown_at_or_before_the_time() {
        let mut history = StimulusHistory::default();
        for t in [10, 20, 30] {
            history.push(row(t, t as f64)).unwrap();
        }
        assert_eq!(history.on_screen_at(9), None);
        assert_eq!(history.on_screen_at(10).unwrap().time_ns, 10);
        assert_eq!(history.on_screen_at(29).unwrap().time_ns, 20);
        assert_eq!(history.on_screen_at(1000).unwrap().time_ns, 30);
    }

    #[test]
    fn forgetting_keeps_the_row_still_on_screen() {
        let mut history = StimulusHistory::default();
        for t in [10, 20, 30, 40] {
            history.push(row(t, 0.0)).unwrap();
        }
        history.forget_before(25);
        assert_eq!(history.len(), 3);
        assert_eq!(history.on_screen_at(25).unwrap().time_ns, 20);
    }

    #[test]
    fn rows_out_of_time_order_are_refused() {
        let mut history = StimulusHistory::default();
        history.push(row(1_000_000_000, 0.0)).unwrap();
        let err = history.push(row(1_000_000_000, 0.0)).unwrap_err();
        assert!(
            err.to_string().contains("strictly increasing time"),
            "{err}"
        );
    }

    #[test]
    fn baseline_rows_do_not_drive_the_cortex() {
        let baseline = ScheduleRow {
            direction: -1,
            sweep: -1,
            bar_centre_deg: f64::NAN,
            ..row(0, 0.0)
        };
        assert_eq!(baseline.drive(), Drive::Rest);
        assert_eq!(
            ScheduleRow {
                direction: 1,
                ..row(0, 12.0)
            }
            .drive(),
            Drive::Azimuth(12.0)
        );
        assert_eq!(
            ScheduleRow {
                direction: 3,
                ..row(0, -5.0)
            }
            .drive(),
            Drive::Altitude(-5.0)
        );
    }
}
