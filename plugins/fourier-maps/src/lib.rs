//! `fourier-maps`: per-direction first Fourier component of a camera movie at the stimulus sweep frequency
//! (Kalatsky & Stryker 2003).
//!
//! Inputs (matched by port name): `frames` (u8 or u16 [H, W] stream with `time_s` or
//! `timestamp_ns`, not from the stage that made the schedule) and `schedule` (the stimulus schedule stream). Each frame is
//! placed in its direction and sweep by time, normalised as ΔR/R with the
//! per-direction mean, and added to running sums (O(pixels) memory). Outputs
//! `phase` and `magnitude` [D, H, W] and `mean_frame` [H, W]; with `bin_px` > 1
//! each frame's `bin_px` × `bin_px` blocks are averaged first and the maps are
//! [H / `bin_px`, W / `bin_px`]. A movie with no frames in some directions of
//! the schedule still gives maps (NaN for those directions), with a warning
//! naming them ([`coverage`]).
//!
//! Phase convention: `phase = angle(Σ_k ΔR/R(t_k)·e^{+iωt_k})` = −angle(F1) with
//! F1 = Σ ΔR/R·e^{−iωt}, t_k in seconds since the start of the frame's sweep.
//! A response peaking at time t0 into the sweep has phase ω·t0 (a lag); a
//! reflectance dip, as intrinsic signals are, has phase ω·t0 + π.
#![deny(missing_docs)]

pub mod accumulator;
pub mod binning;
pub mod coverage;
mod kernel;
pub mod params;
pub mod ports;
mod stage;
pub mod stimulus;
pub mod timeline;

use macroscope_plugin_api::{
    InputPort, Item, Outputs, Plugin, PluginError, PluginInfo, PluginKind, PortSpec,
};

pub use params::Params;

/// The `fourier-maps` plugin.
pub struct FourierMaps {
    stage: stage::FourierStage,
}

impl Plugin for FourierMaps {
    type Params = Params;

    const INFO: PluginInfo = PluginInfo {
        name: "fourier-maps",
        version: env!("CARGO_PKG_VERSION"),
        kind: PluginKind::ANALYSIS,
        description: "Per-direction phase and magnitude of the first Fourier component of dR/R at the sweep \
                      frequency, from camera frames and the stimulus schedule (real timestamps, baseline excluded).",
        authors: &["macroscope developers"],
        deterministic: true,
    };

    fn outputs(params: &Params, inputs: &[InputPort]) -> Result<Vec<PortSpec>, PluginError> {
        let (layout, timing) = resolve(params, inputs)?;
        Ok(ports::output_ports(&layout, &timing, params.bin_px))
    }

    fn start(params: Params, inputs: &[InputPort]) -> Result<Self, PluginError> {
        let (layout, timing) = resolve(&params, inputs)?;
        Ok(FourierMaps {
            stage: stage::FourierStage::new(layout, timing, &params),
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

/// Finds the `frames` and `schedule` inputs (by port name) and the sweep
/// timing, and checks `params` against the frame size; an error names the
/// input or the parameter it is about.
fn resolve(
    params: &Params,
    inputs: &[InputPort],
) -> Result<(ports::InputLayout, stimulus::SweepTiming), PluginError> {
    let refuse = |e: ports::PortError| {
        let message = format!("fourier-maps: {e}");
        match e
            .port()
            .and_then(|name| inputs.iter().position(|p| p.spec.name == name))
        {
            Some(input) => PluginError::input(input, message),
            None => PluginError::new(message),
        }
    };
    let layout = ports::InputLayout::resolve(inputs).map_err(refuse)?;
    let timing = stimulus::SweepTiming::from_attributes(&layout.schedule_attributes)
        .map_err(|e| refuse(e.into()))?;
    params.validate(layout.height, layout.width)?;
    Ok((layout, timing))
}

#[cfg(not(feature = "export"))]
macroscope_plugin_api::register_builtin!(FourierMaps);

#[cfg(feature = "export")]
macroscope_plugin_api::export_plugins!(FourierMaps);
