//! Parameters of `retinotopy`, with the literature defaults of Allen's
//! `retinotopic_mapping` (Zhuang et al. 2017) as used on its example maps.

use macroscope_plugin_api::{schemars::JsonSchema, PluginError};
use serde::Deserialize;

use crate::patches::PatchRules;

/// Smoothing, threshold and patch-size settings. Every field is optional.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
#[schemars(crate = "macroscope_plugin_api::schemars")]
pub struct Params {
    /// Gaussian σ in pixels applied to the azimuth and altitude maps before
    /// their gradients (Allen: 0.5; 0 turns smoothing off).
    pub phase_sigma_px: f64,
    /// Gaussian σ in pixels applied to the raw sign map (Allen: 8, for maps
    /// ≈ 450 px across; scale it with the map).
    pub sign_sigma_px: f64,
    /// Pixels with |smoothed sign| ≥ this belong to a patch (Allen: 0.4).
    pub sign_threshold: f64,
    /// Iterations of the binary opening (cross structuring element) that
    /// cut thin bridges between patches (Allen: 3).
    pub open_iterations: u32,
    /// Patches with fewer pixels are dropped (Allen: 100).
    pub min_patch_px: u32,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            phase_sigma_px: 0.5,
            sign_sigma_px: 8.0,
            sign_threshold: 0.4,
            open_iterations: 3,
            min_patch_px: 100,
        }
    }
}

impl Params {
    /// Refuses values no analysis could mean.
    pub fn validate(&self) -> Result<(), PluginError> {
        for (name, sigma) in [
            ("phase_sigma_px", self.phase_sigma_px),
            ("sign_sigma_px", self.sign_sigma_px),
        ] {
            if !(sigma.is_finite() && sigma >= 0.0) {
                return Err(PluginError::parameter(
                    name,
                    format!("parameter `{name}` must be a finite σ ≥ 0 pixels, got {sigma}"),
                ));
            }
        }
        if !(self.sign_threshold > 0.0 && self.sign_threshold <= 1.0) {
            return Err(PluginError::parameter(
                "sign_threshold",
                format!(
                    "parameter `sign_threshold` must be in (0, 1] (the sign map lies in [−1, 1]), got {}",
                    self.sign_threshold
                ),
            ));
        }
        Ok(())
    }

    /// The patch rules these parameters describe.
    pub fn patch_rules(&self) -> PatchRules {
        PatchRules {
            threshold: self.sign_threshold,
            open_iterations: self.open_iterations,
            min_patch_px: self.min_patch_px as usize,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_parameters_give_allens_defaults() {
        let params: Params = serde_json::from_str("{}").unwrap();
        assert_eq!(params, Params::default());
        assert_eq!(
            (
                params.phase_sigma_px,
                params.sign_sigma_px,
                params.sign_threshold
            ),
            (0.5, 8.0, 0.4)
        );
        assert_eq!((params.open_iterations, params.min_patch_px), (3, 100));
    }

    #[test]
    fn a_single_parameter_can_be_overridden() {
        let params: Params = serde_json::from_str(r#"{"sign_sigma_px": 3}"#).unwrap();
        assert_eq!(
            params,
            Params {
                sign_sigma_px: 3.0,
                ..Params::default()
            }
        );
    }

    #[test]
    fn a_threshold_above_one_is_refused() {
        let params = Params {
            sign_threshold: 1.5,
            ..Params::default()
        };
        assert_eq!(
            params.validate().unwrap_err(),
            PluginError::parameter(
                "sign_threshold",
                "parameter `sign_threshold` must be in (0, 1] (the sign map lies in [−1, 1]), got 1.5"
            )
        );
    }

    #[test]
    fn unknown_parameters_are_refused() {
        assert!(serde_json::from_str::<Params>(r#"{"sigma": 3}"#).is_err());
    }
}
