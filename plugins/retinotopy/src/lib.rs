//! `retinotopy`: azimuth and altitude maps, visual field sign and area patches.
//!
//! Two input modes, chosen by the connected port names:
//! - (a) `phase` and `magnitude` ([D, H, W], from `fourier-maps`): the
//!   hemodynamic delay is cancelled between opposite directions
//!   ([`delay`]), the position phase is converted to degrees with the bar
//!   geometry in the phase port's attributes ([`phase_to_degrees`]);
//! - (b) `azimuth_deg` and `altitude_deg` ([H, W] maps made elsewhere, e.g.
//!   Allen's published example): delay and power outputs are NaN.
//!
//! Then the visual field sign in Allen's form ([`sign_map`], with
//! [`smoothing`] and [`gradient`] matching scipy and numpy), its smoothed
//! version, and the area [`patches`] (threshold, [`morphology`] opening,
//! 4-connected labels, small patches dropped, a table per patch).
#![deny(missing_docs)]

pub mod areas;
pub mod axis_maps;
pub mod delay;
pub mod gradient;
pub mod morphology;
pub mod params;
pub mod patches;
pub mod phase_to_degrees;
pub mod ports;
pub mod sign_map;
pub mod smoothing;
mod stage;

use macroscope_plugin_api::{
    InputPort, Item, Outputs, Plugin, PluginError, PluginInfo, PluginKind, PortSpec,
};

pub use params::Params;

/// The `retinotopy` plugin.
pub struct Retinotopy {
    stage: stage::RetinotopyStage,
}

impl Plugin for Retinotopy {
    type Params = Params;

    const INFO: PluginInfo = PluginInfo {
        name: "retinotopy",
        version: env!("CARGO_PKG_VERSION"),
        kind: PluginKind::ANALYSIS,
        description: "Azimuth/altitude maps from opposite-direction Fourier phases (hemodynamic delay removed) or \
                      from maps made elsewhere; visual field sign (Allen's formula), smoothed sign map, and area \
                      patches with a label image and a table.",
        authors: &["macroscope developers"],
        deterministic: true,
    };

    fn outputs(params: &Params, inputs: &[InputPort]) -> Result<Vec<PortSpec>, PluginError> {
        params.validate()?;
        Ok(ports::output_ports(&resolve(inputs)?, params))
    }

    fn start(params: Params, inputs: &[InputPort]) -> Result<Self, PluginError> {
        let layout = resolve(inputs)?;
        Ok(Retinotopy {
            stage: stage::RetinotopyStage::new(params, layout, inputs.len()),
        })
    }

    fn receive(
        &mut self,
        input: usize,
        item: Item<'_>,
        _out: &mut Outputs,
    ) -> Result<(), PluginError> {
        self.stage.receive(input, item)
    }

    fn finish(&mut self, out: &mut Outputs) -> Result<(), PluginError> {
        self.stage.finish(out)
    }
}

/// Finds the inputs of one of the two modes (by port name); an error names the
/// input it is about.
fn resolve(inputs: &[InputPort]) -> Result<ports::InputLayout, PluginError> {
    ports::InputLayout::resolve(inputs).map_err(|e| {
        let message = format!("retinotopy: {e}");
        match e
            .port()
            .and_then(|name| inputs.iter().position(|p| p.spec.name == name))
        {
            Some(input) => PluginError::input(input, message),
            None => PluginError::new(message),
        }
    })
}

#[cfg(not(feature = "export"))]
macroscope_plugin_api::register_builtin!(Retinotopy);

#[cfg(feature = "export")]
macroscope_plugin_api::export_plugins!(Retinotopy);
