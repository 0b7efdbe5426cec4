//! `synthetic-cortex`: a camera that films a simulated mouse visual cortex with
//! a known retinotopy, driven by a stimulus `schedule` stream.
//!
//! The model is described precisely in `docs/synthetic-cortex.md`. Modules:
//! - [`params`]: what the user sets, with documented defaults;
//! - [`retinotopy_model`]: the hidden truth (areas, maps, visual field sign);
//! - [`baseline`]: mean reflectance with vignetting and vessels;
//! - [`response`]: activation by the bar and rendering of a frame;
//! - [`noise`]: shot and read noise, 12-bit digitisation, seeded streams;
//! - [`schedule`]: the input port and a bounded history of schedule rows;
//! - [`exposure_clock`]: when frames are exposed;
//! - [`camera`]: the running stage; [`ports`]: its declared outputs;
//! - [`error`]: what can go wrong.
#![deny(missing_docs)]

pub mod baseline;
pub mod camera;
pub mod error;
pub mod exposure_clock;
pub mod noise;
pub mod params;
pub mod ports;
pub mod response;
pub mod retinotopy_model;
pub mod schedule;

use macroscope_plugin_api::{
    InputPort, Item, Outputs, Plugin, PluginError, PluginInfo, PluginKind, PortSpec,
};

pub use camera::Camera;
pub use params::Params;

/// The `synthetic-cortex` plugin.
#[derive(Debug)]
pub struct SyntheticCortex {
    camera: Camera,
}

impl Plugin for SyntheticCortex {
    type Params = Params;

    const INFO: PluginInfo = PluginInfo {
        name: "synthetic-cortex",
        version: env!("CARGO_PKG_VERSION"),
        kind: PluginKind::CAMERA,
        description: "Films a simulated mouse visual cortex (V1 and five mirror-image areas of alternating \
                      visual field sign, vessels, hemodynamic delay, shot and read noise, 12-bit counts) \
                      while a stimulus schedule plays, and emits the true maps for checking an analysis.",
        authors: &["macroscope developers"],
        deterministic: true,
    };

    fn outputs(params: &Params, inputs: &[InputPort]) -> Result<Vec<PortSpec>, PluginError> {
        params.validate()?;
        let schedule = schedule::ScheduleInput::from_inputs(inputs)?;
        let mut ports = ports::output_ports(
            params,
            &schedule,
            Camera::response_sigma_deg(params, &schedule),
        );
        // About one frame per 1 / frame rate of the stimulus's duration (for progress only).
        if let Some(rows) = inputs[0].spec.expected_items() {
            let seconds = rows as f64 / schedule.display_rate_hz;
            let frames = &mut ports[ports::FRAMES];
            *frames = frames
                .clone()
                .with_expected_items((seconds * params.frame_rate_hz).round() as u64);
        }
        Ok(ports)
    }

    fn start(params: Params, inputs: &[InputPort]) -> Result<Self, PluginError> {
        let schedule = schedule::ScheduleInput::from_inputs(inputs)?;
        Ok(SyntheticCortex {
            camera: Camera::new(&params, schedule),
        })
    }

    fn receive(
        &mut self,
        input: usize,
        item: Item<'_>,
        out: &mut Outputs,
    ) -> Result<(), PluginError> {
        if input != 0 {
            return Err(PluginError::input(
                input,
                format!("synthetic-cortex has one input (schedule), got an item on input {input}"),
            ));
        }
        Ok(self.camera.receive(item, out)?)
    }

    fn finish(&mut self, out: &mut Outputs) -> Result<(), PluginError> {
        self.camera.finish(out);
        Ok(())
    }
}

macroscope_plugin_api::register_builtin!(SyntheticCortex);

#[cfg(feature = "export")]
macroscope_plugin_api::export_plugins!(SyntheticCortex);
