//! `webcam`: a camera plugin for UVC webcams through nokhwa, for rig development.
//!
//! Webcams give 8-bit colour; frames are converted to 8-bit luminance and
//! stored as `u8` (no fake 16-bit). The device runs on its own thread so a
//! slow consumer never stalls the driver: frames the host cannot take are
//! counted by the host's camera drop policy.
#![deny(missing_docs)]

mod device;
mod params;

use std::time::Duration;

use macroscope_plugin_api::{
    ColumnSpec, ElementType, Flow, InputPort, InputSpec, Outputs, Plugin, PluginError, PluginInfo,
    PluginKind, PortSpec, RunClock, Scalar, DROPPED_BEFORE,
};

pub use params::Params;

/// The webcam stage: owns the capture thread's receiving end.
pub struct Webcam {
    device: device::Capture,
    frames_left: u64,
    next_frame_id: u64,
    /// The run clock the frame times are on (the host tells it right after
    /// `start`; until then, zero at `start`).
    clock: RunClock,
}

impl Plugin for Webcam {
    type Params = Params;

    const INFO: PluginInfo = PluginInfo {
        name: "webcam",
        version: env!("CARGO_PKG_VERSION"),
        kind: PluginKind::CAMERA,
        description:
            "Films from a UVC webcam (nokhwa) as 8-bit luminance frames timed on the run clock at the host. \
                      For developing rigs without a scientific camera.",
        authors: &["macroscope developers"],
        deterministic: false,
    };

    fn inputs() -> Option<Vec<InputSpec>> {
        Some(Vec::new())
    }

    /// The frames port at the requested size; the device is opened only by `start`.
    fn outputs(params: &Params, _inputs: &[InputPort]) -> Result<Vec<PortSpec>, PluginError> {
        let (height, width) = (u64::from(params.height), u64::from(params.width));
        Ok(vec![PortSpec::stream(
            "frames",
            ElementType::U8,
            &[height, width],
        )
        .with_unit("counts")
        .with_description("8-bit luminance frames (BT.601 from the camera's RGB)")
        .with_column(ColumnSpec::new(
            "frame_id",
            ElementType::U64,
            "",
            "frame counter since the stream opened",
        ))
        .with_column(ColumnSpec::new(
            "timestamp_ns",
            ElementType::I64,
            "ns",
            "host receive time on the run clock (docs/science.md §1)",
        ))
        .with_column(ColumnSpec::new(
            "time_s",
            ElementType::F64,
            "s",
            "host receive time on the run clock (docs/science.md §1)",
        ))
        .with_column(ColumnSpec::new(
            DROPPED_BEFORE,
            ElementType::U64,
            "",
            "frames dropped by the host just before this one (its sink's queue was full); \
             UVC does not report frames the camera itself lost",
        ))])
    }

    fn start(params: Params, _inputs: &[InputPort]) -> Result<Self, PluginError> {
        Ok(Webcam {
            device: device::Capture::open(&params)?,
            frames_left: (params.duration_s * params.fps as f64).ceil() as u64,
            next_frame_id: 0,
            clock: RunClock::starting_now(),
        })
    }

    fn run_clock(&mut self, clock: RunClock) {
        self.clock = clock;
    }

    fn poll(&mut self, out: &mut Outputs) -> Result<Flow, PluginError> {
        if self.frames_left == 0 {
            return Ok(Flow::Finished);
        }
        let Some(frame) = self.device.next(Duration::from_secs(5))? else {
            return Ok(Flow::Continue);
        };
        let time_s = self.clock.seconds_at(frame.received_ns);
        out.emit(
            0,
            frame.luma,
            &[
                Scalar::Int(self.next_frame_id as i64),
                Scalar::Int(frame.received_ns - self.clock.origin_ns()),
                Scalar::Float(time_s),
                Scalar::Int(0),
            ],
        );
        self.next_frame_id += 1;
        self.frames_left -= 1;
        Ok(Flow::Continue)
    }
}

macroscope_plugin_api::register_builtin!(Webcam);
#[cfg(feature = "export")]
macroscope_plugin_api::export_plugins!(Webcam);
