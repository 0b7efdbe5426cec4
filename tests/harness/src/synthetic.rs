//! Synthetic inputs with the columns of the port contract: a camera-like u16
//! `frames` stream and a stimulus `schedule` stream that agree frame by frame.

use macroscope_plugin_api::{
    ArrayData, ColumnSpec, Element, ElementType, InputPort, ItemRef, PortSpec, Scalar,
};
use macroscope_schedule::{
    Bar, Direction, PerAxis, PerDirection, ScheduleAttributes, SchedulePort, ScheduleRow,
};

/// One item owned by the harness and lent to a plugin by reference.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnedItem {
    /// The array.
    pub data: ArrayData,
    /// Shape of this item.
    pub shape: Vec<u64>,
    /// Metadata values, in the order of the port's columns.
    pub meta: Vec<Scalar>,
}

impl OwnedItem {
    /// An item holding `values` with `shape` and `meta`.
    pub fn new<T: Element>(values: Vec<T>, shape: &[u64], meta: Vec<Scalar>) -> Self {
        OwnedItem {
            data: T::into_array(values),
            shape: shape.to_vec(),
            meta,
        }
    }

    /// The FFI view lent to the plugin: this very buffer, not a copy.
    pub fn as_ref(&self) -> ItemRef<'_> {
        ItemRef {
            element: self.data.element(),
            shape: self.shape.as_slice().into(),
            bytes: self.data.as_bytes().into(),
            meta: self.meta.as_slice().into(),
        }
    }
}

/// One input of a stage: what the plugin is told about it and the items it will receive.
#[derive(Debug, Clone)]
pub struct InputStream {
    /// The upstream port as the plugin sees it in `configure`.
    pub port: InputPort,
    /// The items, in order.
    pub items: Vec<OwnedItem>,
}

/// Where the bar starts for each direction (in the order of [`Direction::ALL`]), in degrees.
const BAR_START_DEG: [f64; 4] = [-60.0, 60.0, -40.0, 40.0];
/// How far the bar travels in one sweep: azimuth (LR, RL) and altitude (BT, TB).
const TRAVEL_DEG: [f64; 2] = [120.0, 80.0];

/// A stimulus timeline without baseline: `sweeps_per_direction` sweeps of each
/// of LR, RL, BT, TB in turn, `frames_per_sweep` frames each, at `rate_hz`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timeline {
    /// Display (and camera) frame rate.
    pub rate_hz: f64,
    /// Frames in one sweep.
    pub frames_per_sweep: usize,
    /// Sweeps of each direction.
    pub sweeps_per_direction: usize,
}

/// The stimulus state while one frame is shown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrameState {
    /// Seconds from the start of the stimulus.
    pub time_s: f64,
    /// Direction code (0 = LR, 1 = RL, 2 = BT, 3 = TB).
    pub direction: i8,
    /// Sweep number within the direction.
    pub sweep: i32,
    /// Bar centre in degrees.
    pub bar_centre_deg: f64,
}

impl Timeline {
    /// Number of frames in the whole timeline.
    pub fn frame_count(&self) -> usize {
        Direction::ALL.len() * self.sweeps_per_direction * self.frames_per_sweep
    }

    fn sweep_duration_s(&self) -> f64 {
        self.frames_per_sweep as f64 / self.rate_hz
    }

    /// The stimulus state during frame `frame`.
    pub fn state(&self, frame: usize) -> FrameState {
        let per_direction = self.sweeps_per_direction * self.frames_per_sweep;
        let direction = frame / per_direction;
        let sweep = (frame % per_direction) / self.frames_per_sweep;
        let tau = (frame % self.frames_per_sweep) as f64 / self.rate_hz;
        let speed = TRAVEL_DEG[direction / 2] / self.sweep_duration_s();
        let sign = Direction::ALL[direction].sign();
        FrameState {
            time_s: frame as f64 / self.rate_hz,
            direction: Direction::ALL[direction].code(),
            sweep: sweep as i32,
            bar_centre_deg: BAR_START_DEG[direction] + sign * speed * tau,
        }
    }

    /// The stimulus `schedule` stream (source `stimulus.schedule`): one f64
    /// scalar per frame (its `time_s`) with the contract's columns and attributes.
    pub fn schedule(&self) -> InputStream {
        let spec = SchedulePort::new(self.schedule_attributes())
            .with_attribute("baseline_before_s", 0.0.into())
            .with_attribute("baseline_after_s", 0.0.into())
            .with_attribute("sweeps_per_direction", self.sweeps_per_direction.into())
            .spec();
        let items = (0..self.frame_count())
            .map(|frame| {
                let s = self.state(frame);
                let row = ScheduleRow {
                    time_s: s.time_s,
                    frame_index: frame as i64,
                    bar: Direction::from_code(s.direction.into()).map(|direction| Bar {
                        direction,
                        sweep: s.sweep,
                        centre_deg: s.bar_centre_deg,
                    }),
                    polarity: 1,
                    indicator: if frame % 2 == 0 { 255 } else { 0 },
                };
                OwnedItem::new(vec![row.time_s], &[], row.meta().to_vec())
            })
            .collect();
        InputStream {
            port: InputPort {
                source: "stimulus.schedule".into(),
                spec,
            },
            items,
        }
    }

    fn schedule_attributes(&self) -> ScheduleAttributes {
        let duration = Some(self.sweep_duration_s());
        ScheduleAttributes {
            directions: Direction::ALL.to_vec(),
            display_rate_hz: self.rate_hz,
            sweep_duration_s: PerAxis {
                azimuth: duration,
                altitude: duration,
            },
            bar_start_deg: PerDirection {
                lr: Some(BAR_START_DEG[0]),
                rl: Some(BAR_START_DEG[1]),
                bt: Some(BAR_START_DEG[2]),
                tb: Some(BAR_START_DEG[3]),
            },
            travel_deg: PerAxis {
                azimuth: Some(TRAVEL_DEG[0]),
                altitude: Some(TRAVEL_DEG[1]),
            },
            bar_width_deg: Some(20.0),
        }
    }

    /// A camera `frames` stream (source `camera.frames`): one u16 `[height, width]`
    /// frame per timeline frame with the contract's columns; pixel values come
    /// from `pixel(frame, row, col)`.
    pub fn camera_frames(
        &self,
        height: usize,
        width: usize,
        pixel: impl Fn(usize, usize, usize) -> u16,
    ) -> InputStream {
        let spec = PortSpec::stream("frames", ElementType::U16, &[height as u64, width as u64])
            .with_unit("counts")
            .with_column(ColumnSpec::new(
                "frame_id",
                ElementType::U64,
                "",
                "camera frame number",
            ))
            .with_column(ColumnSpec::new(
                "timestamp_ns",
                ElementType::I64,
                "ns",
                "exposure time",
            ))
            .with_column(ColumnSpec::new(
                "time_s",
                ElementType::F64,
                "s",
                "exposure time",
            ))
            .with_column(ColumnSpec::new(
                "direction",
                ElementType::I8,
                "",
                "stimulus direction at exposure",
            ))
            .with_column(ColumnSpec::new(
                "sweep",
                ElementType::I32,
                "",
                "stimulus sweep at exposure",
            ))
            .with_column(ColumnSpec::new(
                "bar_centre_deg",
                ElementType::F64,
                "deg",
                "bar centre at exposure",
            ));
        let items = (0..self.frame_count())
            .map(|frame| {
                let s = self.state(frame);
                let pixels = (0..height * width)
                    .map(|i| pixel(frame, i / width, i % width))
                    .collect();
                let meta = vec![
                    Scalar::Int(frame as i64),
                    Scalar::Int((s.time_s * 1e9).round() as i64),
                    Scalar::Float(s.time_s),
                    Scalar::Int(s.direction.into()),
                    Scalar::Int(s.sweep.into()),
                    Scalar::Float(s.bar_centre_deg),
                ];
                OwnedItem::new::<u16>(pixels, &[height as u64, width as u64], meta)
            })
            .collect();
        InputStream {
            port: InputPort {
                source: "camera.frames".into(),
                spec,
            },
            items,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIMELINE: Timeline = Timeline {
        rate_hz: 8.0,
        frames_per_sweep: 4,
        sweeps_per_direction: 2,
    };

    #[test]
    fn directions_run_in_contract_order_with_their_sweeps_back_to_back() {
        let directions: Vec<(i8, i32)> = (0..TIMELINE.frame_count())
            .step_by(4)
            .map(|f| (TIMELINE.state(f).direction, TIMELINE.state(f).sweep))
            .collect();
        assert_eq!(
            directions,
            [
                (0, 0),
                (0, 1),
                (1, 0),
                (1, 1),
                (2, 0),
                (2, 1),
                (3, 0),
                (3, 1)
            ]
        );
    }

    #[test]
    fn the_bar_moves_at_travel_over_duration() {
        // LR: starts at -60 and moves 120 deg in 0.5 s, so 240 deg/s; frame 1 is 0.125 s in.
        assert_eq!(TIMELINE.state(1).bar_centre_deg, -30.0);
        // RL (frames 8..): starts at +60 and moves toward smaller angles.
        assert_eq!(TIMELINE.state(9).bar_centre_deg, 30.0);
        // TB (frames 24..): 160 deg/s from +40 down; frame 26 is 0.25 s in.
        assert_eq!(TIMELINE.state(26).bar_centre_deg, 0.0);
    }

    #[test]
    fn camera_frames_carry_the_pixels_and_columns_asked_for() {
        let frames = TIMELINE.camera_frames(2, 3, |f, r, c| (100 * f + 10 * r + c) as u16);
        let third = &frames.items[2];
        assert_eq!(
            third.data.as_slice::<u16>().unwrap(),
            &[200, 201, 202, 210, 211, 212]
        );
        assert_eq!(third.meta[0], Scalar::Int(2));
        assert_eq!(third.meta[1], Scalar::Int(250_000_000));
        assert_eq!(frames.port.spec.column_index("bar_centre_deg"), Some(5));
    }

    #[test]
    fn the_schedule_item_is_the_frame_time() {
        let schedule = TIMELINE.schedule();
        assert_eq!(schedule.items.len(), 32);
        assert_eq!(schedule.items[5].data.as_slice::<f64>().unwrap(), &[0.625]);
        assert_eq!(
            schedule.port.spec.attributes_json()["sweeps_per_direction"],
            2
        );
    }
}
