//! Parameters of `retinotopy`, with the literature defaults of Allen's
//! `retinotopic_mapping` (Zhuang et al. 2017) as used on its example maps.

use macroscope_plugin_api::{schemars::JsonSchema, PluginError};
use serde::Deserialize;

use crate::areas::AreaRules;
use crate::patches::PatchRules;

/// The largest iteration count or width in pixels the area refinement takes.
pub const MAX_PIXELS_PARAMETER: u32 = 1000;

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
    /// Closing iterations applied to each raw patch before it is grown
    /// (Allen's `closeIter`: 3).
    pub close_iterations: u32,
    /// Cross dilations that grow the raw patches towards each other (Allen's
    /// `dilationIter`: 15).
    pub dilation_iterations: u32,
    /// Width in pixels of the lines left between areas (Allen's `borderWidth`: 1).
    pub border_width_px: u32,
    /// Width in pixels of the box mean applied to each patch's eccentricity
    /// map (Allen's `eccMapFilterSigma`, which is a box width: 15).
    pub eccentricity_box_px: u32,
    /// Threshold step, degrees, when looking for two eccentricity basins in a
    /// patch (Allen's `splitLocalMinCutStep`: 5).
    pub split_cut_step_deg: f64,
    /// A patch whose repeated ÷ unique visual coverage reaches this is split
    /// (Allen's `splitOverlapThr`: 1.1).
    pub split_overlap_threshold: f64,
    /// Two same-sign neighbours merge when each shares at most this fraction
    /// of its visual coverage with the other (Allen's `mergeOverlapThr`: 0.1).
    pub merge_overlap_threshold: f64,
    /// Cell side of the visual-space grid, degrees (Allen's `visualSpacePixelSize`: 0.5).
    pub visual_space_pixel_deg: f64,
    /// Closing iterations of a patch's visual-space coverage (Allen's
    /// `visualSpaceCloseIter`: 15).
    pub visual_space_close_iterations: u32,
    /// An area is named when its centroid lies within this many V1 radii of
    /// the typical position of that area (macroscope's rule; Allen names by hand).
    pub name_distance_v1_radii: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            phase_sigma_px: 0.5,
            sign_sigma_px: 8.0,
            sign_threshold: 0.4,
            open_iterations: 3,
            min_patch_px: 100,
            close_iterations: 3,
            dilation_iterations: 15,
            border_width_px: 1,
            eccentricity_box_px: 15,
            split_cut_step_deg: 5.0,
            split_overlap_threshold: 1.1,
            merge_overlap_threshold: 0.1,
            visual_space_pixel_deg: 0.5,
            visual_space_close_iterations: 15,
            name_distance_v1_radii: 0.5,
        }
    }
}

impl Params {
    /// What the stage says when no patch of the smoothed sign map is large
    /// and strong enough: which thresholds were not reached, and what helps.
    pub fn no_patch_warning(&self) -> String {
        format!(
            "no visual area was found: no patch of the smoothed sign map reached |sign| ≥ {} over at least {} px; \
             on a noisy movie bin pixels (`fourier-maps` `bin_px`) and smooth more (`phase_sigma_px`, \
             `sign_sigma_px`), or lower `sign_threshold` (docs/science.md §8a)",
            self.sign_threshold, self.min_patch_px
        )
    }

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
        for (name, value) in [
            ("split_cut_step_deg", self.split_cut_step_deg),
            ("visual_space_pixel_deg", self.visual_space_pixel_deg),
            ("name_distance_v1_radii", self.name_distance_v1_radii),
        ] {
            if !(value.is_finite() && value > 0.0) {
                return Err(PluginError::parameter(
                    name,
                    format!("parameter `{name}` must be a finite number > 0, got {value}"),
                ));
            }
        }
        for (name, value, low, high, why) in [
            (
                "visual_space_pixel_deg",
                self.visual_space_pixel_deg,
                0.05,
                10.0,
                "the grid spans 100 × 140 degrees",
            ),
            (
                "split_cut_step_deg",
                self.split_cut_step_deg,
                0.01,
                180.0,
                "eccentricities lie within 0…180 degrees",
            ),
        ] {
            if !(low..=high).contains(&value) {
                return Err(PluginError::parameter(
                    name,
                    format!("parameter `{name}` must be in {low}…{high} ({why}), got {value:?}"),
                ));
            }
        }
        for (name, value) in [
            ("close_iterations", self.close_iterations),
            ("dilation_iterations", self.dilation_iterations),
            ("border_width_px", self.border_width_px),
            ("eccentricity_box_px", self.eccentricity_box_px),
            (
                "visual_space_close_iterations",
                self.visual_space_close_iterations,
            ),
        ] {
            if value > MAX_PIXELS_PARAMETER {
                return Err(PluginError::parameter(
                    name,
                    format!(
                        "parameter `{name}` must be at most {MAX_PIXELS_PARAMETER} (iterations and widths beyond a map's size change nothing but the time taken), got {value}"
                    ),
                ));
            }
        }
        for (name, value) in [
            ("split_overlap_threshold", self.split_overlap_threshold),
            ("merge_overlap_threshold", self.merge_overlap_threshold),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(PluginError::parameter(
                    name,
                    format!("parameter `{name}` must be a finite ratio ≥ 0, got {value}"),
                ));
            }
        }
        if self.border_width_px == 0 {
            return Err(PluginError::parameter(
                "border_width_px",
                "parameter `border_width_px` must be at least 1 (areas are parted by a line)",
            ));
        }
        Ok(())
    }

    /// Allen's refinement settings these parameters describe.
    pub fn area_rules(&self) -> AreaRules {
        AreaRules {
            close_iterations: self.close_iterations,
            dilation_iterations: self.dilation_iterations,
            border_width_px: self.border_width_px,
            eccentricity_box_px: self.eccentricity_box_px,
            split_cut_step_deg: self.split_cut_step_deg,
            split_overlap_threshold: self.split_overlap_threshold,
            merge_overlap_threshold: self.merge_overlap_threshold,
            visual_space_pixel_deg: self.visual_space_pixel_deg,
            visual_space_close_iterations: self.visual_space_close_iterations,
            name_distance_v1_radii: self.name_distance_v1_radii,
        }
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
    fn a_dilation_longer_than_any_map_is_refused() {
        let params = Params {
            dilation_iterations: 4_000_000_000,
            ..Params::default()
        };
        assert_eq!(
            params.validate().unwrap_err(),
            PluginError::parameter(
                "dilation_iterations",
                "parameter `dilation_iterations` must be at most 1000 (iterations and widths beyond a map's size change nothing but the time taken), got 4000000000"
            )
        );
    }

    #[test]
    fn a_split_step_too_fine_to_finish_is_refused() {
        let params = Params {
            split_cut_step_deg: 1e-300,
            ..Params::default()
        };
        assert_eq!(
            params.validate().unwrap_err(),
            PluginError::parameter(
                "split_cut_step_deg",
                "parameter `split_cut_step_deg` must be in 0.01…180 (eccentricities lie within 0…180 degrees), got 1e-300"
            )
        );
    }

    #[test]
    fn unknown_parameters_are_refused() {
        assert!(serde_json::from_str::<Params>(r#"{"sigma": 3}"#).is_err());
    }
}
