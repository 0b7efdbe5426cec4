//! `drifting-bar`: the periodic drifting-bar stimulus of ISI retinotopy (Kalatsky & Stryker 2003),
//! spherically corrected as in Marshel et al. 2011, with a contrast-reversing checkerboard inside
//! the bar and a photodiode patch. Streams the displayed `frames` and a `schedule` row per frame.
//!
//! - [`params`]: what the user sets, with literature defaults.
//! - [`geometry`]: monitor geometry, pixel → (azimuth, altitude).
//! - [`footprint`]: which pixels a bar covers, row by row.
//! - [`schedule`]: the timeline of directions, sweeps, bar centre, polarity and indicator.
//! - [`render`]: frame rendering, in parallel.
//! - [`ports`]: the output port specs.
#![deny(missing_docs)]

pub mod footprint;
pub mod geometry;
pub mod params;
pub mod ports;
pub mod render;
pub mod schedule;

use macroscope_plugin_api::{
    Flow, InputPort, InputSpec, Outputs, Plugin, PluginError, PluginInfo, PluginKind, PortSpec,
    Scalar,
};

use crate::geometry::{Monitor, SampleGrid};
use crate::params::Params;
use crate::render::Renderer;
use crate::schedule::{FrameState, Timeline};

/// A configured drifting-bar stage: its timeline, its renderer and how far it got.
pub struct DriftingBar {
    timeline: Timeline,
    renderer: Renderer,
    next_frame: u64,
    batch_frames: u64,
}

impl Plugin for DriftingBar {
    type Params = Params;

    const INFO: PluginInfo = PluginInfo {
        name: "drifting-bar",
        version: env!("CARGO_PKG_VERSION"),
        kind: PluginKind::STIMULUS,
        description: "Periodic drifting bar for ISI retinotopy: a spherically corrected, contrast-reversing \
            checkered bar sweeps across a monitor in the directions listed (LR, RL map azimuth; BT, TB map \
            altitude), with grey baselines and a photodiode patch. Outputs the frames (u8) and a schedule \
            row per displayed frame.",
        authors: &["macroscope developers"],
        deterministic: true,
    };

    fn inputs() -> Option<Vec<InputSpec>> {
        Some(Vec::new())
    }

    fn outputs(params: &Params, inputs: &[InputPort]) -> Result<Vec<PortSpec>, PluginError> {
        if !inputs.is_empty() {
            return Err(PluginError::new(format!(
                "drifting-bar takes no inputs, but {} were connected: remove `inputs` from its stage",
                inputs.len()
            )));
        }
        params
            .validate()
            .map_err(|e| PluginError::parameter(e.field(), e.to_string()))?;
        let (width, height) = params.stored_size();
        let monitor = Monitor::from_params(params);
        let timeline = Timeline::new(params, monitor.field());
        let frames = timeline.len();
        Ok(vec![
            ports::frames_port(width, height, params.downsample).with_expected_items(frames),
            ports::schedule_port(&timeline).with_expected_items(frames),
        ])
    }

    fn start(params: Params, _inputs: &[InputPort]) -> Result<Self, PluginError> {
        let monitor = Monitor::from_params(&params);
        let timeline = Timeline::new(&params, monitor.field());
        let renderer = Renderer::new(SampleGrid::new(&monitor, params.downsample), &params);
        Ok(DriftingBar {
            timeline,
            renderer,
            next_frame: 0,
            // Enough frames to keep every worker busy; memory stays bounded by this batch.
            batch_frames: 2 * rayon::current_num_threads() as u64,
        })
    }

    /// Emits the next batch of frames and their schedule rows.
    fn poll(&mut self, out: &mut Outputs) -> Result<Flow, PluginError> {
        let end = (self.next_frame + self.batch_frames).min(self.timeline.len());
        let states: Vec<FrameState> = (self.next_frame..end)
            .map(|k| self.timeline.frame(k))
            .collect();
        let frames = self.renderer.render_batch(&states);
        for (state, frame) in states.iter().zip(frames) {
            out.emit(
                ports::FRAMES,
                frame,
                &[Scalar::Int(state.index as i64), Scalar::Float(state.time_s)],
            );
            out.emit(ports::SCHEDULE, vec![state.time_s], &schedule_row(state));
        }
        self.next_frame = end;
        Ok(if end == self.timeline.len() {
            Flow::Finished
        } else {
            Flow::Continue
        })
    }
}

/// The schedule port's metadata for one frame, in column order.
fn schedule_row(state: &FrameState) -> [Scalar; 6] {
    state.schedule_row().meta()
}

macroscope_plugin_api::register_builtin!(DriftingBar);

#[cfg(feature = "export")]
macroscope_plugin_api::export_plugins!(DriftingBar);
