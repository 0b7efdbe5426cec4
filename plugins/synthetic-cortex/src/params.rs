//! What the user sets: the camera, the hidden retinotopy, the response and the noise.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::error::CortexError;

/// Parameters of the `synthetic-cortex` camera. Every field has a default, so
/// `params = {}` films a realistic 160×160 px cortex at 10 frames/s.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// Seed of every random choice (vessel pattern, noise, timestamp jitter): the
    /// same seed and schedule give bit-identical frames.
    pub seed: u64,
    /// Image width in pixels (columns). The image always shows the same window
    /// of cortex; the size only changes how finely it is sampled. 16..=2048.
    #[schemars(range(min = 16, max = 2048))]
    pub width_px: u32,
    /// Image height in pixels (rows). 16..=2048.
    #[schemars(range(min = 16, max = 2048))]
    pub height_px: u32,
    /// Camera frame rate in frames per second: exposure k happens at
    /// `t0 + k / frame_rate_hz`, `t0` being the time of the first schedule row.
    #[schemars(range(max = 1000.0), extend("exclusiveMinimum" = 0.0))]
    pub frame_rate_hz: f64,
    /// Standard deviation (seconds) of the random offset of each exposure from
    /// its nominal time, truncated to ±0.45 frame periods. The timestamp reports
    /// the jittered (true) exposure time. Must be below a quarter period; 0 = none.
    #[schemars(range(min = 0.0))]
    pub timestamp_jitter_s: f64,
    /// Hemodynamic delay (seconds): a frame exposed at `t` shows the response to
    /// the stimulus shown at `t − hemodynamic_delay_s`.
    #[schemars(range(min = 0.0, max = 30.0))]
    pub hemodynamic_delay_s: f64,
    /// Peak fractional darkening `A` of a fully driven pixel: reflectance is
    /// `baseline · (1 − A · activation)`, so the peak ΔR/R is `−A`. 0 ≤ A < 1.
    #[schemars(range(min = 0.0), extend("exclusiveMaximum" = 1.0))]
    pub response_amplitude: f64,
    /// Receptive-field spread σ_rf in degrees of visual angle (a Gaussian
    /// receptive field); the response width also includes the bar width.
    #[schemars(extend("exclusiveMinimum" = 0.0))]
    pub receptive_field_sigma_deg: f64,
    /// Azimuth range `[min, max]` (degrees) spanned by the V1 map; the other
    /// areas map parts of the same range. The stimulus should cover it with a
    /// margin of about two response widths.
    pub azimuth_range_deg: [f64; 2],
    /// Altitude range `[min, max]` (degrees) spanned by the V1 map.
    pub altitude_range_deg: [f64; 2],
    /// Mean reflectance at the centre of the window, in camera counts (12-bit,
    /// so below 4095), before vignetting and vessels.
    #[schemars(extend("exclusiveMinimum" = 0.0, "exclusiveMaximum" = 4095.0))]
    pub baseline_counts: f64,
    /// Fractional fall-off of illumination from the centre to the corners of
    /// the window (0 = flat field). 0 ≤ v < 1.
    #[schemars(range(min = 0.0), extend("exclusiveMaximum" = 1.0))]
    pub vignetting: f64,
    /// Number of large surface vessels crossing the window (each with a few
    /// smaller branches). 0 = no vessels.
    pub vessel_count: u32,
    /// Fractional darkening at the centre line of the widest vessels (smaller
    /// vessels are proportionally lighter). 0 ≤ c < 1.
    #[schemars(range(min = 0.0), extend("exclusiveMaximum" = 1.0))]
    pub vessel_contrast: f64,
    /// Add photon shot noise (Gaussian with variance `counts / electrons_per_count`, in counts²).
    pub shot_noise: bool,
    /// Camera conversion gain in photo-electrons per count. 1 gives shot noise
    /// of √counts; larger values model binned or deep-well sensors.
    #[schemars(extend("exclusiveMinimum" = 0.0))]
    pub electrons_per_count: f64,
    /// Standard deviation of the read noise, in counts; 0 = none.
    #[schemars(range(min = 0.0))]
    pub read_noise_counts: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            seed: 1,
            width_px: 160,
            height_px: 160,
            frame_rate_hz: 10.0,
            timestamp_jitter_s: 0.0,
            hemodynamic_delay_s: 1.5,
            response_amplitude: 1e-3,
            receptive_field_sigma_deg: 12.0,
            azimuth_range_deg: [25.0, 95.0],
            altitude_range_deg: [-10.0, 30.0],
            baseline_counts: 2600.0,
            vignetting: 0.15,
            vessel_count: 5,
            vessel_contrast: 0.35,
            shot_noise: true,
            electrons_per_count: 1.0,
            read_noise_counts: 2.0,
        }
    }
}

/// Largest count a 12-bit camera reports.
pub const MAX_COUNT: f64 = 4095.0;

impl Params {
    /// Checks every value against its documented range.
    pub fn validate(&self) -> Result<(), CortexError> {
        let check = |ok: bool, field: &'static str, expected: &str, found: String| {
            if ok {
                Ok(())
            } else {
                Err(CortexError::InvalidParameter {
                    field,
                    expected: expected.to_owned(),
                    found,
                })
            }
        };
        for (field, px) in [("width_px", self.width_px), ("height_px", self.height_px)] {
            check(
                (16..=2048).contains(&px),
                field,
                "an integer from 16 to 2048",
                px.to_string(),
            )?;
        }
        let fps = self.frame_rate_hz;
        check(
            fps.is_finite() && fps > 0.0 && fps <= 1000.0,
            "frame_rate_hz",
            "a rate in (0, 1000]",
            fps.to_string(),
        )?;
        let jitter = self.timestamp_jitter_s;
        check(
            jitter.is_finite() && jitter >= 0.0 && jitter < 0.25 / fps,
            "timestamp_jitter_s",
            &format!(
                "a standard deviation in [0, {}) s (a quarter frame period)",
                0.25 / fps
            ),
            jitter.to_string(),
        )?;
        let delay = self.hemodynamic_delay_s;
        check(
            delay.is_finite() && (0.0..=30.0).contains(&delay),
            "hemodynamic_delay_s",
            "seconds in [0, 30]",
            delay.to_string(),
        )?;
        let a = self.response_amplitude;
        check(
            a.is_finite() && (0.0..1.0).contains(&a),
            "response_amplitude",
            "a fraction in [0, 1)",
            a.to_string(),
        )?;
        let sigma = self.receptive_field_sigma_deg;
        check(
            sigma.is_finite() && sigma > 0.0,
            "receptive_field_sigma_deg",
            "a positive number of degrees",
            sigma.to_string(),
        )?;
        for (field, [lo, hi]) in [
            ("azimuth_range_deg", self.azimuth_range_deg),
            ("altitude_range_deg", self.altitude_range_deg),
        ] {
            check(
                lo.is_finite() && hi.is_finite() && lo < hi,
                field,
                "[min, max] with min < max",
                format!("[{lo}, {hi}]"),
            )?;
        }
        let b = self.baseline_counts;
        check(
            b.is_finite() && b > 0.0 && b < MAX_COUNT,
            "baseline_counts",
            "counts in (0, 4095)",
            b.to_string(),
        )?;
        for (field, f) in [
            ("vignetting", self.vignetting),
            ("vessel_contrast", self.vessel_contrast),
        ] {
            check(
                f.is_finite() && (0.0..1.0).contains(&f),
                field,
                "a fraction in [0, 1)",
                f.to_string(),
            )?;
        }
        let gain = self.electrons_per_count;
        check(
            gain.is_finite() && gain > 0.0,
            "electrons_per_count",
            "a positive gain",
            gain.to_string(),
        )?;
        let read = self.read_noise_counts;
        check(
            read.is_finite() && read >= 0.0,
            "read_noise_counts",
            "a non-negative number of counts",
            read.to_string(),
        )?;
        Ok(())
    }

    /// Number of pixels in one frame.
    pub fn pixel_count(&self) -> usize {
        self.width_px as usize * self.height_px as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_parameters_give_the_documented_defaults() {
        let params: Params = serde_json::from_str("{}").unwrap();
        assert_eq!(params, Params::default());
        assert_eq!(
            (params.width_px, params.height_px, params.frame_rate_hz),
            (160, 160, 10.0)
        );
        assert_eq!(params.hemodynamic_delay_s, 1.5);
        assert_eq!(params.response_amplitude, 1e-3);
        params.validate().unwrap();
    }

    #[test]
    fn unknown_fields_are_refused() {
        let err = serde_json::from_str::<Params>(r#"{"frame_rate": 10}"#).unwrap_err();
        assert!(
            err.to_string().contains("unknown field `frame_rate`"),
            "{err}"
        );
    }

    #[test]
    fn out_of_range_values_name_the_field_and_the_range() {
        let params = Params {
            response_amplitude: 1.5,
            ..Params::default()
        };
        assert_eq!(
            params.validate().unwrap_err().to_string(),
            "parameter `response_amplitude` must be a fraction in [0, 1), found 1.5"
        );
        let params = Params {
            timestamp_jitter_s: 0.05,
            ..Params::default()
        };
        assert!(params
            .validate()
            .unwrap_err()
            .to_string()
            .starts_with("parameter `timestamp_jitter_s`"));
    }
}
