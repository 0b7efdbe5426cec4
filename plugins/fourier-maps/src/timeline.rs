//! Which direction and sweep a camera frame belongs to, from the stimulus schedule rows.
//!
//! Every schedule row holds from its own time until the next row's time, so a
//! frame at time t belongs to the last row at or before t. That row is known
//! for certain only once the schedule has reached t: frames from later times
//! must wait ([`Placement::Pending`]). Rows are folded into segments (one per
//! run of equal direction and sweep), so memory stays tiny whatever the length.

/// A frame's place in the stimulus.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Placement {
    /// The schedule has not reached this time yet.
    Pending,
    /// Baseline, between directions, or outside the schedule.
    Outside,
    /// Inside sweep `sweep` of direction code `direction`, `into_sweep_s` after the sweep began.
    Sweep {
        /// Direction code (0 = LR, 1 = RL, 2 = BT, 3 = TB).
        direction: i8,
        /// Sweep index within its direction.
        sweep: i32,
        /// Seconds since the first schedule row of this sweep.
        into_sweep_s: f64,
    },
}

/// A run of schedule rows with the same direction and sweep.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Segment {
    start_s: f64,
    direction: i8,
    sweep: i32,
}

impl Segment {
    fn is_sweep(&self) -> bool {
        self.direction >= 0 && self.sweep >= 0
    }
}

/// Why a schedule row was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TimelineError {
    /// Rows must come in increasing time.
    #[error("schedule row at {time_s} s comes after a row at {previous_s} s: schedule rows must be in increasing time")]
    OutOfOrder {
        /// The offending row's time.
        time_s: f64,
        /// The previous row's time.
        previous_s: f64,
    },
    /// The time is NaN or infinite.
    #[error("schedule row has a non-finite time ({0})")]
    NonFinite(f64),
}

/// The schedule seen so far.
#[derive(Debug, Clone, Default)]
pub struct Timeline {
    segments: Vec<Segment>,
    last_row_s: Option<f64>,
}

impl Timeline {
    /// Appends one schedule row.
    pub fn push_row(
        &mut self,
        time_s: f64,
        direction: i8,
        sweep: i32,
    ) -> Result<(), TimelineError> {
        if !time_s.is_finite() {
            return Err(TimelineError::NonFinite(time_s));
        }
        if let Some(previous_s) = self.last_row_s {
            if time_s <= previous_s {
                return Err(TimelineError::OutOfOrder { time_s, previous_s });
            }
        }
        self.last_row_s = Some(time_s);
        let continues = self
            .segments
            .last()
            .is_some_and(|s| s.direction == direction && s.sweep == sweep);
        if !continues {
            self.segments.push(Segment {
                start_s: time_s,
                direction,
                sweep,
            });
        }
        Ok(())
    }

    /// Where a frame at `time_s` belongs, given the rows received so far.
    pub fn place(&self, time_s: f64) -> Placement {
        match self.last_row_s {
            Some(last) if time_s <= last => self.covering(time_s),
            _ => Placement::Pending,
        }
    }

    /// Where a frame at `time_s` belongs once the schedule has ended: the
    /// last row holds for one display period after its own time.
    pub fn place_after_end(&self, time_s: f64, display_period_s: f64) -> Placement {
        match self.last_row_s {
            Some(last) if time_s <= last => self.covering(time_s),
            Some(last) if time_s < last + display_period_s => self.covering(time_s),
            _ => Placement::Outside,
        }
    }

    fn covering(&self, time_s: f64) -> Placement {
        let after = self.segments.partition_point(|s| s.start_s <= time_s);
        match after.checked_sub(1).map(|i| self.segments[i]) {
            Some(segment) if segment.is_sweep() => Placement::Sweep {
                direction: segment.direction,
                sweep: segment.sweep,
                into_sweep_s: time_s - segment.start_s,
            },
            _ => Placement::Outside,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Baseline at 0 and 0.5 s, direction 0 sweep 0 from 1 s, sweep 1 from 2 s, baseline from 3 s.
    fn timeline() -> Timeline {
        let mut t = Timeline::default();
        for (time, direction, sweep) in [
            (0.0, -1, -1),
            (0.5, -1, -1),
            (1.0, 0, 0),
            (1.5, 0, 0),
            (2.0, 0, 1),
            (2.5, 0, 1),
            (3.0, -1, -1),
        ] {
            t.push_row(time, direction, sweep).unwrap();
        }
        t
    }

    #[test]
    fn frame_inside_a_sweep_gets_its_time_since_the_sweep_start() {
        assert_eq!(
            timeline().place(2.7),
            Placement::Sweep {
                direction: 0,
                sweep: 1,
                into_sweep_s: 2.7 - 2.0
            }
        );
    }

    #[test]
    fn frame_exactly_at_a_row_time_belongs_to_that_row() {
        assert_eq!(
            timeline().place(1.0),
            Placement::Sweep {
                direction: 0,
                sweep: 0,
                into_sweep_s: 0.0
            }
        );
    }

    #[test]
    fn baseline_frames_are_outside() {
        assert_eq!(timeline().place(0.7), Placement::Outside);
        assert_eq!(timeline().place(3.0), Placement::Outside);
    }

    #[test]
    fn frame_before_the_first_row_is_outside() {
        let mut t = Timeline::default();
        t.push_row(1.0, 0, 0).unwrap();
        assert_eq!(t.place(0.2), Placement::Outside);
    }

    #[test]
    fn frame_later_than_the_last_row_waits() {
        let mut t = Timeline::default();
        t.push_row(1.0, 0, 0).unwrap();
        assert_eq!(t.place(1.01), Placement::Pending);
        t.push_row(1.02, 0, 0).unwrap();
        assert_eq!(
            t.place(1.01),
            Placement::Sweep {
                direction: 0,
                sweep: 0,
                into_sweep_s: 1.01 - 1.0
            }
        );
    }

    #[test]
    fn after_the_end_the_last_row_holds_for_one_display_period() {
        let mut t = Timeline::default();
        t.push_row(1.0, 2, 4).unwrap();
        assert!(matches!(
            t.place_after_end(1.01, 1.0 / 60.0),
            Placement::Sweep {
                direction: 2,
                sweep: 4,
                ..
            }
        ));
        assert_eq!(t.place_after_end(1.1, 1.0 / 60.0), Placement::Outside);
    }

    #[test]
    fn rows_out_of_order_are_refused() {
        let mut t = Timeline::default();
        t.push_row(1.0, 0, 0).unwrap();
        assert_eq!(
            t.push_row(0.5, 0, 0),
            Err(TimelineError::OutOfOrder {
                time_s: 0.5,
                previous_s: 1.0
            })
        );
    }
}
