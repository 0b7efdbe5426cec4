//! The stage's inputs (found by port name) and the outputs it declares.

use macroscope_plugin_api::{ElementType, InputPort, PortKind, PortSpec};
use serde_json::{json, Value};

use macroscope_schedule::{columns, ScheduleAttributeError};

use crate::stimulus::SweepTiming;

/// Name of the camera input port.
pub const FRAMES: &str = "frames";
/// Name of the stimulus schedule input port.
pub const SCHEDULE: &str = "schedule";

/// Why the inputs cannot be analysed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PortError {
    /// A required input is not connected.
    #[error("needs an input port named `{0}` (connect the camera's `frames` and the stimulus's `schedule`)")]
    MissingInput(&'static str),
    /// An input has the wrong element type, kind or shape.
    #[error("input `{port}` from {from} must be {expected}, found {found}")]
    WrongSpec {
        /// Port name.
        port: &'static str,
        /// Where it comes from.
        from: String,
        /// What is required.
        expected: &'static str,
        /// What was found.
        found: String,
    },
    /// A required metadata column is absent.
    #[error("input `{port}` from {from} has no `{column}` column ({why})")]
    MissingColumn {
        /// Port name.
        port: &'static str,
        /// Where it comes from.
        from: String,
        /// Column name.
        column: &'static str,
        /// What it is needed for.
        why: &'static str,
    },
    /// The frames come from the stage of this run that made the schedule:
    /// the stimulus's own frames, not the camera's.
    #[error(
        "input `frames` from {from} comes from the stage that made the schedule ({schedule}): connect the camera's \
         `frames`, not the stimulus's"
    )]
    StimulusFrames {
        /// Where the frames come from.
        from: String,
        /// Where the schedule comes from.
        schedule: String,
    },
    /// The schedule's attributes lack something.
    #[error("input `schedule`: {0}")]
    Attribute(#[from] ScheduleAttributeError),
}

impl PortError {
    /// The input port the error is about, if it is about one.
    pub fn port(&self) -> Option<&'static str> {
        match self {
            PortError::MissingInput(_) => None,
            PortError::WrongSpec { port, .. } | PortError::MissingColumn { port, .. } => Some(port),
            PortError::StimulusFrames { .. } => Some(FRAMES),
            PortError::Attribute(_) => Some(SCHEDULE),
        }
    }
}

/// The pixel type of the camera frames: 8-bit (Mono8 cameras, webcams) or
/// 16-bit counts. 8-bit values are widened to 16 bits, exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pixel {
    /// `u8` frames.
    U8,
    /// `u16` frames.
    U16,
}

/// The stage a port of this run comes from (`stage` of `stage.port`), or
/// `None` for recorded data (`file:…`), where a movie and its schedule may
/// well sit side by side in one group.
fn stage_of(source: &str) -> Option<&str> {
    if source.starts_with("file:") {
        return None;
    }
    source.rsplit_once('.').map(|(stage, _)| stage)
}

/// Where a frame's time is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameClock {
    /// Column index of `time_s` (seconds).
    Seconds(usize),
    /// Column index of `timestamp_ns` (nanoseconds).
    Nanoseconds(usize),
}

impl FrameClock {
    /// The frame's time in seconds from its metadata row.
    pub fn seconds(self, meta: &[macroscope_plugin_api::Scalar]) -> Option<f64> {
        match self {
            FrameClock::Seconds(i) => meta.get(i).map(|v| v.as_f64()),
            FrameClock::Nanoseconds(i) => meta.get(i).map(|v| v.as_i64() as f64 * 1e-9),
        }
    }
}

/// The inputs, resolved once at configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct InputLayout {
    /// Index of the `frames` input.
    pub frames: usize,
    /// Index of the `schedule` input.
    pub schedule: usize,
    /// The frames' pixel type.
    pub pixel: Pixel,
    /// Frame height in pixels.
    pub height: usize,
    /// Frame width in pixels.
    pub width: usize,
    /// Where each frame's time is.
    pub clock: FrameClock,
    /// Schedule column of the direction code.
    pub direction_column: usize,
    /// Schedule column of the sweep index.
    pub sweep_column: usize,
    /// The schedule port's attributes, copied to the outputs.
    pub schedule_attributes: Value,
}

fn find<'a>(
    inputs: &'a [InputPort],
    name: &'static str,
) -> Result<(usize, &'a InputPort), PortError> {
    inputs
        .iter()
        .enumerate()
        .find(|(_, p)| p.spec.name.as_str() == name)
        .ok_or(PortError::MissingInput(name))
}

impl InputLayout {
    /// Finds and checks the `frames` and `schedule` inputs.
    pub fn resolve(inputs: &[InputPort]) -> Result<Self, PortError> {
        let (frames, frame_port) = find(inputs, FRAMES)?;
        let (schedule, schedule_port) = find(inputs, SCHEDULE)?;
        let f = &frame_port.spec;
        let pixel = match f.element {
            ElementType::U8 => Some(Pixel::U8),
            ElementType::U16 => Some(Pixel::U16),
            _ => None,
        };
        let Some(pixel) = pixel.filter(|_| f.kind == PortKind::STREAM && f.shape.len() == 2) else {
            return Err(PortError::WrongSpec {
                port: FRAMES,
                from: frame_port.source.to_string(),
                expected: "a stream of u8 or u16 [H, W] camera frames",
                found: format!(
                    "a {} of {} {:?}",
                    f.kind.as_str(),
                    f.element,
                    f.shape.as_slice()
                ),
            });
        };
        if stage_of(&frame_port.source).is_some()
            && stage_of(&frame_port.source) == stage_of(&schedule_port.source)
        {
            return Err(PortError::StimulusFrames {
                from: frame_port.source.to_string(),
                schedule: schedule_port.source.to_string(),
            });
        }
        let clock = match (f.column_index("time_s"), f.column_index("timestamp_ns")) {
            (Some(i), _) => FrameClock::Seconds(i),
            (None, Some(i)) => FrameClock::Nanoseconds(i),
            (None, None) => {
                return Err(PortError::MissingColumn {
                    port: FRAMES,
                    from: frame_port.source.to_string(),
                    column: "time_s",
                    why: "each frame's time on the stimulus clock; `timestamp_ns` would also do",
                })
            }
        };
        let s = &schedule_port.spec;
        if s.kind != PortKind::STREAM || s.element != ElementType::F64 || !s.shape.is_empty() {
            return Err(PortError::WrongSpec {
                port: SCHEDULE,
                from: schedule_port.source.to_string(),
                expected: "a stream of f64 scalars (each row's time_s)",
                found: format!(
                    "a {} of {} {:?}",
                    s.kind.as_str(),
                    s.element,
                    s.shape.as_slice()
                ),
            });
        }
        let column = |column: &'static str, why: &'static str| {
            s.column_index(column)
                .ok_or_else(|| PortError::MissingColumn {
                    port: SCHEDULE,
                    from: schedule_port.source.to_string(),
                    column,
                    why,
                })
        };
        Ok(InputLayout {
            frames,
            schedule,
            pixel,
            height: f.shape[0] as usize,
            width: f.shape[1] as usize,
            clock,
            direction_column: column(
                columns::DIRECTION.name,
                "which direction each row belongs to",
            )?,
            sweep_column: column(columns::SWEEP.name, "which sweep each row belongs to")?,
            schedule_attributes: s.attributes_json(),
        })
    }

    /// Pixels per frame.
    pub fn pixels(&self) -> usize {
        self.height * self.width
    }
}

/// Output port indices, in declaration order.
pub mod output {
    /// `phase` f64 [D, H, W].
    pub const PHASE: usize = 0;
    /// `magnitude` f64 [D, H, W].
    pub const MAGNITUDE: usize = 1;
    /// `mean_frame` f64 [H, W].
    pub const MEAN_FRAME: usize = 2;
}

/// The port attribute saying how many camera pixels per side make one map pixel.
pub const PIXEL_BINNING: &str = "pixel_binning";

/// Declares `phase`, `magnitude` and `mean_frame` of frames binned by
/// `bin_px`, with the schedule's attributes plus the direction order, the
/// phase convention and the binning ([`PIXEL_BINNING`]).
pub fn output_ports(layout: &InputLayout, timing: &SweepTiming, bin_px: u32) -> Vec<PortSpec> {
    let mut attributes = match &layout.schedule_attributes {
        Value::Object(map) => map.clone(),
        _ => serde_json::Map::new(),
    };
    let names: Vec<&str> = timing.directions.iter().map(|d| d.name()).collect();
    attributes.insert("directions".into(), json!(names));
    attributes.insert(
        "phase_convention".into(),
        json!("phase = angle(sum_k dR/R(t_k) exp(+i 2 pi f t_k)) = -angle(F1), t_k seconds into the frame's sweep: the phase lag of the first harmonic"),
    );
    attributes.insert(PIXEL_BINNING.into(), json!(bin_px));
    let attributes = Value::Object(attributes);
    let bin = u64::from(bin_px.max(1));
    let (d, h, w) = (
        timing.directions.len() as u64,
        layout.height as u64 / bin,
        layout.width as u64 / bin,
    );
    vec![
        PortSpec::dataset("phase", ElementType::F64, &[d, h, w])
            .with_unit("rad")
            .with_description("Phase lag of the first harmonic of dR/R at the sweep frequency, per direction, in (-pi, pi]")
            .with_attributes(&attributes),
        PortSpec::dataset("magnitude", ElementType::F64, &[d, h, w])
            .with_description("Amplitude 2|F1|/N of the dR/R oscillation at the sweep frequency, per direction")
            .with_attributes(&attributes),
        PortSpec::dataset("mean_frame", ElementType::F64, &[h, w])
            .with_unit("counts")
            .with_description("Mean camera frame over every frame inside a sweep")
            .with_attributes(&attributes),
    ]
}
