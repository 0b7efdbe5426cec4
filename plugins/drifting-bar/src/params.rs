//! What the user sets: [`Params`], with literature defaults, and its checks.
//!
//! Defaults follow Marshel et al. 2011, Zhuang et al. 2017 and the Allen Institute's
//! `retinotopic_mapping` package (monitor 52 × 32 cm at 1920 × 1200 px, eye 15 cm from the
//! screen with the perpendicular at the screen centre, monitor facing 60° azimuth, bar 20°,
//! checks 25°, 9°/s, 6 reversals/s, 60 Hz).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Sweep directions and the axes they map: the stimulus schedule contract's own types.
pub use macroscope_schedule::{Axis, Direction};

/// Which corner of the screen holds the photodiode patch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Corner {
    /// Top left.
    TopLeft,
    /// Top right (the default, Allen's "northeast").
    TopRight,
    /// Bottom left.
    BottomLeft,
    /// Bottom right.
    BottomRight,
}

/// When the photodiode patch changes between black (0) and white (255).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum IndicatorFlips {
    /// White on even frame indices, black on odd ones: every displayed frame can be timestamped
    /// and a dropped frame shows as a missing edge.
    EveryFrame,
    /// Black in the first baseline, then toggles at the start of every sweep and once more at
    /// the start of the final baseline: each edge marks a sweep onset.
    EverySweep,
}

/// Parameters of the drifting-bar stimulus. Angles in degrees, lengths in cm unless named `_px`.
///
/// Screen coordinates: `y` to the right and `z` up, in cm from the foot of the perpendicular from
/// the eye to the screen. Visual-field coordinates: azimuth = atan2(y, d) + `monitor_azimuth_deg`,
/// altitude = atan2(z, √(d² + y²)) + `monitor_altitude_deg` (see `docs/science.md`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// Width of the monitor's active area (cm). Default 52 (Allen/Zhuang 2017).
    pub monitor_width_cm: f64,
    /// Height of the monitor's active area (cm). Default 32.
    pub monitor_height_cm: f64,
    /// Horizontal display resolution (px). Default 1920.
    pub width_px: u32,
    /// Vertical display resolution (px). Default 1200.
    pub height_px: u32,
    /// Perpendicular distance from the eye to the screen plane, d (cm). Default 15 (Zhuang 2017).
    pub eye_distance_cm: f64,
    /// Where the perpendicular from the eye meets the screen: cm to the right of the screen
    /// centre (negative = left). Default 0.
    pub foot_right_cm: f64,
    /// Where the perpendicular from the eye meets the screen: cm above the screen centre
    /// (negative = below). Default 0.
    pub foot_up_cm: f64,
    /// Azimuth the monitor faces, az0: the visual-field azimuth of the perpendicular's foot.
    /// Default 60 (lateral, Marshel 2011 / Allen).
    pub monitor_azimuth_deg: f64,
    /// Altitude the monitor faces, alt0: the visual-field altitude of the perpendicular's foot.
    /// Default 0.
    pub monitor_altitude_deg: f64,
    /// Bar width w (deg). Default 20.
    pub bar_width_deg: f64,
    /// Checkerboard square size s (deg). Default 25.
    pub check_size_deg: f64,
    /// Bar drift speed (deg/s). Default 9 (0.15°/frame at 60 Hz, Allen).
    pub drift_speed_deg_per_s: f64,
    /// Checkerboard contrast reversals per second ("reversals/s": polarity flips this many
    /// times per second; 6 = every 10 frames at 60 Hz). 0 = never. Default 6.
    pub reversals_per_s: f64,
    /// Michelson contrast of the checks around the background, 0–1. Default 1 (black and white).
    pub contrast: f64,
    /// Mean grey level as a fraction of full scale, 0–1 (0.5 → pixel value 128). Default 0.5.
    pub background: f64,
    /// Display refresh rate (Hz): one frame and one schedule row per refresh. Default 60.
    pub display_rate_hz: f64,
    /// Grey baseline before the first sweep (s), rounded to whole frames. Default 5.
    pub baseline_before_s: f64,
    /// Grey baseline after the last sweep (s), rounded to whole frames. Default 5.
    pub baseline_after_s: f64,
    /// Sweeps of each direction, run back to back. Default 10.
    pub sweeps_per_direction: u32,
    /// Directions in the order they run. Default ["LR", "RL", "BT", "TB"].
    pub directions: Vec<Direction>,
    /// Spherical correction (Marshel 2011): bars and checks follow lines of constant
    /// azimuth/altitude on a sphere around the eye. Off: the horizontal bar is straight on the
    /// screen (altitude taken as atan(z/d)). Default true.
    pub spherical_correction: bool,
    /// Side of the square photodiode patch in display pixels; 0 = no patch. Default 110
    /// (≈ 3 cm on the default monitor, Allen's indicator size).
    pub indicator_size_px: u32,
    /// Corner of the photodiode patch. Default "top-right".
    pub indicator_corner: Corner,
    /// When the patch flips: "every-frame" (default) or "every-sweep".
    pub indicator_flips: IndicatorFlips,
    /// Stored frames are the display sampled every `downsample` pixels (at block centres);
    /// it must divide both resolutions. Default 1.
    pub downsample: u32,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            monitor_width_cm: 52.0,
            monitor_height_cm: 32.0,
            width_px: 1920,
            height_px: 1200,
            eye_distance_cm: 15.0,
            foot_right_cm: 0.0,
            foot_up_cm: 0.0,
            monitor_azimuth_deg: 60.0,
            monitor_altitude_deg: 0.0,
            bar_width_deg: 20.0,
            check_size_deg: 25.0,
            drift_speed_deg_per_s: 9.0,
            reversals_per_s: 6.0,
            contrast: 1.0,
            background: 0.5,
            display_rate_hz: 60.0,
            baseline_before_s: 5.0,
            baseline_after_s: 5.0,
            sweeps_per_direction: 10,
            directions: Direction::ALL.to_vec(),
            spherical_correction: true,
            indicator_size_px: 110,
            indicator_corner: Corner::TopRight,
            indicator_flips: IndicatorFlips::EveryFrame,
            downsample: 1,
        }
    }
}

/// A parameter value the stimulus cannot be built from.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParamsError {
    /// A quantity that must be a finite number above zero.
    #[error("parameter `{field}` must be a finite number > 0, got {value}")]
    NotPositive {
        /// The field.
        field: &'static str,
        /// What was given.
        value: f64,
    },
    /// A quantity outside its allowed closed range.
    #[error("parameter `{field}` must lie in [{min}, {max}], got {value}")]
    OutOfRange {
        /// The field.
        field: &'static str,
        /// What was given.
        value: f64,
        /// Lowest allowed.
        min: f64,
        /// Highest allowed.
        max: f64,
    },
    /// `directions` is empty.
    #[error(
        "parameter `directions` is empty: list at least one of \"LR\", \"RL\", \"BT\", \"TB\""
    )]
    NoDirections,
    /// A direction listed twice (the analysis keys its maps by direction).
    #[error("parameter `directions` lists \"{0}\" twice: each direction may appear once")]
    RepeatedDirection(&'static str),
    /// `downsample` does not divide the resolution.
    #[error("parameter `downsample` = {downsample} must be ≥ 1 and divide both width_px ({width}) and height_px ({height})")]
    BadDownsample {
        /// What was given.
        downsample: u32,
        /// `width_px`.
        width: u32,
        /// `height_px`.
        height: u32,
    },
    /// One stored frame would not fit in memory.
    #[error(
        "parameters `width_px` and `height_px` give frames of {width} x {height} stored pixels \
         ({bytes} bytes), more than the {MAX_FRAME_BYTES} bytes a frame may take: lower the \
         resolution or raise `downsample`"
    )]
    FrameTooLarge {
        /// Stored width (px).
        width: u64,
        /// Stored height (px).
        height: u64,
        /// Bytes of one frame.
        bytes: u64,
    },
    /// The stimulus (or one sweep of it) would last longer than any session.
    #[error(
        "parameter `{field}` = {value} makes {what} last {seconds:.3e} s, more than the \
         {MAX_STIMULUS_S} s (24 h) a stimulus may last"
    )]
    TooLong {
        /// The parameter that makes it long.
        field: &'static str,
        /// What was given.
        value: f64,
        /// "one sweep" or "the stimulus".
        what: &'static str,
        /// How long it would last (s).
        seconds: f64,
    },
}

/// The most one stored frame may take (1 GiB): far beyond any monitor, well
/// short of what makes an allocation fail.
pub const MAX_FRAME_BYTES: u64 = 1 << 30;

/// The longest a stimulus may last (24 h): an imaging session is hours long,
/// so a longer one is a mistaken parameter (a bar wider than the visual
/// field, a crawling drift, billions of sweeps), refused before it runs.
pub const MAX_STIMULUS_S: f64 = 86_400.0;

impl ParamsError {
    /// The parameter the error is about.
    pub fn field(&self) -> &'static str {
        match self {
            ParamsError::NotPositive { field, .. } | ParamsError::OutOfRange { field, .. } => field,
            ParamsError::NoDirections | ParamsError::RepeatedDirection(_) => "directions",
            ParamsError::BadDownsample { .. } => "downsample",
            ParamsError::FrameTooLarge { .. } => "width_px",
            ParamsError::TooLong { field, .. } => field,
        }
    }
}

impl Params {
    /// Stored frame size (width, height) in pixels: the display sampled every `downsample` pixels.
    pub fn stored_size(&self) -> (usize, usize) {
        let ds = self.downsample.max(1);
        (
            (self.width_px / ds) as usize,
            (self.height_px / ds) as usize,
        )
    }

    /// Checks every value; the first problem found is returned.
    pub fn validate(&self) -> Result<(), ParamsError> {
        let positive = [
            ("monitor_width_cm", self.monitor_width_cm),
            ("monitor_height_cm", self.monitor_height_cm),
            ("width_px", f64::from(self.width_px)),
            ("height_px", f64::from(self.height_px)),
            ("eye_distance_cm", self.eye_distance_cm),
            ("bar_width_deg", self.bar_width_deg),
            ("check_size_deg", self.check_size_deg),
            ("drift_speed_deg_per_s", self.drift_speed_deg_per_s),
            ("display_rate_hz", self.display_rate_hz),
            ("sweeps_per_direction", f64::from(self.sweeps_per_direction)),
        ];
        for (field, value) in positive {
            if !(value.is_finite() && value > 0.0) {
                return Err(ParamsError::NotPositive { field, value });
            }
        }
        let ranged = [
            ("contrast", self.contrast, 0.0, 1.0),
            ("background", self.background, 0.0, 1.0),
            (
                "reversals_per_s",
                self.reversals_per_s,
                0.0,
                self.display_rate_hz,
            ),
            (
                "baseline_before_s",
                self.baseline_before_s,
                0.0,
                MAX_STIMULUS_S,
            ),
            (
                "baseline_after_s",
                self.baseline_after_s,
                0.0,
                MAX_STIMULUS_S,
            ),
            ("foot_right_cm", self.foot_right_cm, -f64::MAX, f64::MAX),
            ("foot_up_cm", self.foot_up_cm, -f64::MAX, f64::MAX),
            (
                "monitor_azimuth_deg",
                self.monitor_azimuth_deg,
                -180.0,
                180.0,
            ),
            (
                "monitor_altitude_deg",
                self.monitor_altitude_deg,
                -90.0,
                90.0,
            ),
        ];
        for (field, value, min, max) in ranged {
            if !(value >= min && value <= max) {
                return Err(ParamsError::OutOfRange {
                    field,
                    value,
                    min,
                    max,
                });
            }
        }
        if self.directions.is_empty() {
            return Err(ParamsError::NoDirections);
        }
        for (i, d) in self.directions.iter().enumerate() {
            if self.directions[..i].contains(d) {
                return Err(ParamsError::RepeatedDirection(d.name()));
            }
        }
        let ds = self.downsample;
        if ds == 0 || !self.width_px.is_multiple_of(ds) || !self.height_px.is_multiple_of(ds) {
            return Err(ParamsError::BadDownsample {
                downsample: ds,
                width: self.width_px,
                height: self.height_px,
            });
        }
        self.check_duration()?;
        let (width, height) = self.stored_size();
        let bytes = width as u64 * height as u64;
        if bytes > MAX_FRAME_BYTES {
            return Err(ParamsError::FrameTooLarge {
                width: width as u64,
                height: height as u64,
                bytes,
            });
        }
        Ok(())
    }
}

impl Params {
    /// Refuses a sweep, or a whole stimulus, longer than [`MAX_STIMULUS_S`],
    /// naming the parameter that makes it so: the bar width or drift speed for
    /// one sweep (whichever is out of proportion), the sweep count for the whole.
    fn check_duration(&self) -> Result<(), ParamsError> {
        let field = crate::geometry::Monitor::from_params(self).field();
        let sweep_s = |axis: Axis| {
            let span = field.along(axis);
            (span.max - span.min + self.bar_width_deg) / self.drift_speed_deg_per_s
        };
        let longest = self
            .directions
            .iter()
            .map(|d| sweep_s(d.axis()))
            .fold(0.0, f64::max);
        if longest > MAX_STIMULUS_S {
            let widest_span = (field.azimuth.max - field.azimuth.min)
                .max(field.altitude.max - field.altitude.min);
            let (field, value) = if self.bar_width_deg > widest_span {
                ("bar_width_deg", self.bar_width_deg)
            } else {
                ("drift_speed_deg_per_s", self.drift_speed_deg_per_s)
            };
            return Err(ParamsError::TooLong {
                field,
                value,
                what: "one sweep",
                seconds: longest,
            });
        }
        let sweeps = f64::from(self.sweeps_per_direction);
        let seconds = self.baseline_before_s
            + self.baseline_after_s
            + self
                .directions
                .iter()
                .map(|d| sweeps * sweep_s(d.axis()))
                .sum::<f64>();
        if seconds > MAX_STIMULUS_S {
            return Err(ParamsError::TooLong {
                field: "sweeps_per_direction",
                value: sweeps,
                what: "the stimulus",
                seconds,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert_eq!(Params::default().validate(), Ok(()));
    }

    #[test]
    fn empty_toml_table_gives_the_defaults() {
        let parsed: Params = serde_json::from_str("{}").unwrap();
        assert_eq!(parsed, Params::default());
    }

    #[test]
    fn unknown_field_is_refused() {
        let err = serde_json::from_str::<Params>(r#"{"bar_widht_deg": 10}"#).unwrap_err();
        assert!(
            err.to_string().contains("unknown field `bar_widht_deg`"),
            "{err}"
        );
    }

    #[test]
    fn negative_eye_distance_names_the_field() {
        let params = Params {
            eye_distance_cm: -1.0,
            ..Params::default()
        };
        assert_eq!(
            params.validate().unwrap_err().to_string(),
            "parameter `eye_distance_cm` must be a finite number > 0, got -1"
        );
    }

    #[test]
    fn repeated_direction_is_refused() {
        let params = Params {
            directions: vec![Direction::LR, Direction::BT, Direction::LR],
            ..Params::default()
        };
        assert_eq!(params.validate(), Err(ParamsError::RepeatedDirection("LR")));
    }

    #[test]
    fn a_bar_wider_than_the_visual_field_makes_a_sweep_too_long() {
        let params = Params {
            bar_width_deg: 9.2e18,
            ..Params::default()
        };
        assert_eq!(
            params.validate().unwrap_err().to_string(),
            "parameter `bar_width_deg` = 9200000000000000000 makes one sweep last 1.022e18 s, more than \
             the 86400 s (24 h) a stimulus may last"
        );
    }

    #[test]
    fn billions_of_sweeps_make_the_stimulus_too_long() {
        let params = Params {
            sweeps_per_direction: 4_000_000_000,
            ..Params::default()
        };
        assert_eq!(
            params.validate().unwrap_err().to_string(),
            "parameter `sweeps_per_direction` = 4000000000 makes the stimulus last 2.255e11 s, more than \
             the 86400 s (24 h) a stimulus may last"
        );
    }

    #[test]
    fn downsample_must_divide_the_resolution() {
        let params = Params {
            downsample: 7,
            ..Params::default()
        };
        assert!(matches!(
            params.validate(),
            Err(ParamsError::BadDownsample { downsample: 7, .. })
        ));
    }

    #[test]
    fn schema_documents_every_parameter_with_its_default() {
        let schema = serde_json::to_value(schemars::schema_for!(Params)).unwrap();
        let properties = schema["properties"].as_object().unwrap();
        assert_eq!(properties.len(), 25);
        assert_eq!(properties["bar_width_deg"]["default"], 20.0);
        assert_eq!(
            properties["directions"]["default"],
            serde_json::json!(["LR", "RL", "BT", "TB"])
        );
        assert_eq!(properties["indicator_corner"]["default"], "top-right");
        assert!(properties.values().all(|p| p["description"].is_string()));
    }
}
