//! Parameters of `fourier-maps`.
//!
//! The sweep frequency, the direction order and the sweep timing all come
//! from the stimulus schedule, so the analysis cannot disagree with the
//! stimulus that was shown; what is left to choose is which sweeps to use and
//! how many camera pixels make one map pixel.

use macroscope_plugin_api::schemars::JsonSchema;
use macroscope_plugin_api::PluginError;
use serde::Deserialize;

/// The largest `bin_px`: a block of 16 × 16 pixels of up to 65535 counts still
/// sums exactly in `f32` (< 2^24), and real rigs bin 2 to 4 (docs/science.md).
pub const MAX_BIN_PX: u32 = 16;

/// Which sweeps enter the Fourier sums, and the spatial binning.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
#[schemars(crate = "macroscope_plugin_api::schemars")]
pub struct Params {
    /// Leave out the first `skip_sweeps` sweeps of every direction (default 0:
    /// use them all). During the first sweep the camera still shows the
    /// response to whatever came before (grey, or the previous direction)
    /// for one hemodynamic delay; skipping it leaves only the periodic
    /// steady state, at the cost of one sweep's worth of signal.
    pub skip_sweeps: u32,
    /// Spatial binning before the Fourier sums (default 1: none, the maps
    /// have the camera's size and are unchanged bit for bit). Each frame's
    /// non-overlapping `bin_px` × `bin_px` blocks are averaged into one pixel,
    /// as ISI analyses do to lift a ≈ 1e-3 response out of per-pixel noise
    /// (the noise falls by `bin_px`); the maps are then
    /// [H / `bin_px`, W / `bin_px`] (rounded down: edge rows and columns that
    /// do not fill a block are dropped) and each map pixel is `bin_px` camera
    /// pixels wide, which the outputs record as the port attribute
    /// `pixel_binning`. 1..=16, and at most the frame's height and width.
    #[schemars(range(min = 1, max = 16))]
    pub bin_px: u32,
    /// Seconds added to every frame's time before it is placed in the
    /// schedule (default 0): where the camera clock's zero lies on the
    /// stimulus clock, for a recording whose two clocks differ by a known
    /// constant. Frames from a camera plugin on the run clock (docs/science.md
    /// §1) need none.
    pub clock_offset_s: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            skip_sweeps: 0,
            bin_px: 1,
            clock_offset_s: 0.0,
        }
    }
}

impl Params {
    /// Refuses a `clock_offset_s` that is not finite, and a `bin_px`
    /// outside 1..=[`MAX_BIN_PX`] or larger than a `height` × `width` frame.
    pub fn validate(&self, height: usize, width: usize) -> Result<(), PluginError> {
        if !self.clock_offset_s.is_finite() {
            return Err(PluginError::parameter(
                "clock_offset_s",
                format!(
                    "parameter `clock_offset_s` must be a finite number of seconds, got {}",
                    self.clock_offset_s
                ),
            ));
        }
        let bin = self.bin_px;
        if !(1..=MAX_BIN_PX).contains(&bin) {
            return Err(PluginError::parameter(
                "bin_px",
                format!(
                    "parameter `bin_px` must be a whole number of pixels from 1 (no binning) to {MAX_BIN_PX}, got {bin}"
                ),
            ));
        }
        if bin as usize > height.min(width) {
            return Err(PluginError::parameter(
                "bin_px",
                format!(
                    "parameter `bin_px` = {bin} is larger than the {height}×{width} frames: use at most {}",
                    height.min(width)
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_bin(bin_px: u32) -> Params {
        Params {
            bin_px,
            ..Params::default()
        }
    }

    #[test]
    fn empty_parameters_mean_every_sweep_and_no_binning() {
        let params: Params = serde_json::from_str("{}").unwrap();
        assert_eq!(
            params,
            Params {
                skip_sweeps: 0,
                bin_px: 1,
                clock_offset_s: 0.0
            }
        );
    }

    #[test]
    fn a_clock_offset_that_is_not_finite_is_refused_naming_the_parameter() {
        let params = Params {
            clock_offset_s: f64::NAN,
            ..Params::default()
        };
        assert_eq!(
            params.validate(4, 5).unwrap_err().to_string(),
            "parameter `clock_offset_s` must be a finite number of seconds, got NaN"
        );
    }

    #[test]
    fn a_bin_from_1_to_16_within_the_frame_is_accepted() {
        assert!(with_bin(1).validate(4, 5).is_ok());
        assert!(with_bin(4).validate(4, 5).is_ok());
        assert!(with_bin(16).validate(480, 640).is_ok());
    }

    #[test]
    fn a_zero_bin_is_refused_naming_the_parameter_and_the_range() {
        let error = with_bin(0).validate(100, 100).unwrap_err();
        assert_eq!(
            error.to_string(),
            "parameter `bin_px` must be a whole number of pixels from 1 (no binning) to 16, got 0"
        );
    }

    #[test]
    fn a_bin_above_16_is_refused() {
        let error = with_bin(17).validate(480, 640).unwrap_err();
        assert_eq!(
            error.to_string(),
            "parameter `bin_px` must be a whole number of pixels from 1 (no binning) to 16, got 17"
        );
    }

    #[test]
    fn a_bin_larger_than_the_frame_is_refused_naming_the_frame_size() {
        let error = with_bin(6).validate(5, 40).unwrap_err();
        assert_eq!(
            error.to_string(),
            "parameter `bin_px` = 6 is larger than the 5×40 frames: use at most 5"
        );
    }
}
