//! Parameters of `fourier-maps`.
//!
//! The sweep frequency, the direction order and the sweep timing all come
//! from the stimulus schedule, so the analysis cannot disagree with the
//! stimulus that was shown; the only choice left is which sweeps to use.

use macroscope_plugin_api::schemars::JsonSchema;
use serde::Deserialize;

/// Which sweeps enter the Fourier sums.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
#[schemars(crate = "macroscope_plugin_api::schemars")]
pub struct Params {
    /// Leave out the first `skip_sweeps` sweeps of every direction (default 0:
    /// use them all). During the first sweep the camera still shows the
    /// response to whatever came before (grey, or the previous direction)
    /// for one hemodynamic delay; skipping it leaves only the periodic
    /// steady state, at the cost of one sweep's worth of signal.
    pub skip_sweeps: u32,
}
