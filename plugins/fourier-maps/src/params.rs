//! Parameters of `fourier-maps`.

use macroscope_plugin_api::schemars::JsonSchema;
use serde::Deserialize;

/// `fourier-maps` takes no parameters: the sweep frequency, the direction
/// order and the sweep timing all come from the stimulus schedule, so the
/// analysis cannot disagree with the stimulus that was shown.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "macroscope_plugin_api::schemars")]
pub struct Params {}
