//! What the user sets: the movie file, where its frame times come from, and
//! the offset from the movie's clock to the stimulus clock.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use macroscope_plugin_api::PluginError;

/// Parameters of `movie-file`. Give the frame times either as a CSV column
/// (`times_csv`, `times_column`) or as a constant rate (`rate_hz`, `start_s`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// The movie: a multi-page grey TIFF or BigTIFF, one page per frame, u8 or
    /// u16 pixels, every page the same size; or a NumPy `.npy` file holding
    /// one uint8 or uint16 array [frames, height, width] (`numpy.save`). A
    /// relative path is taken from the working directory.
    pub movie: String,
    /// A CSV file with a header row and one row per frame, in page order,
    /// holding each frame's time in seconds (the movie's clock).
    #[serde(default)]
    pub times_csv: Option<String>,
    /// The column of `times_csv` with the times.
    #[serde(default = "default_times_column")]
    pub times_column: String,
    /// Without `times_csv`: frames are `1 / rate_hz` seconds apart.
    #[serde(default)]
    #[schemars(extend("exclusiveMinimum" = 0.0))]
    pub rate_hz: Option<f64>,
    /// Without `times_csv`: the time of the first frame (s, the movie's clock).
    #[serde(default)]
    pub start_s: f64,
    /// Added to every frame time: where the movie's clock's zero lies on the
    /// stimulus clock (s). 0 when both were recorded on one clock.
    #[serde(default)]
    pub clock_offset_s: f64,
}

fn default_times_column() -> String {
    "time_s".to_owned()
}

/// Where the frame times come from.
#[derive(Debug, Clone, PartialEq)]
pub enum TimesSource {
    /// A column of a CSV file.
    Csv {
        /// The file.
        path: String,
        /// The column's header.
        column: String,
    },
    /// Evenly spaced from a start time.
    Rate {
        /// Frames per second.
        rate_hz: f64,
        /// Time of the first frame (s).
        start_s: f64,
    },
}

impl Params {
    /// Where the times come from, or the parameter that is wrong.
    pub fn times_source(&self) -> Result<TimesSource, PluginError> {
        if !self.clock_offset_s.is_finite() {
            return Err(PluginError::parameter(
                "clock_offset_s",
                format!(
                    "must be a finite number of seconds, got {}",
                    self.clock_offset_s
                ),
            ));
        }
        match (&self.times_csv, self.rate_hz) {
            (Some(path), None) => Ok(TimesSource::Csv {
                path: path.clone(),
                column: self.times_column.clone(),
            }),
            (None, Some(rate_hz))
                if rate_hz.is_finite() && rate_hz > 0.0 && self.start_s.is_finite() =>
            {
                Ok(TimesSource::Rate {
                    rate_hz,
                    start_s: self.start_s,
                })
            }
            (None, Some(rate_hz)) if !(rate_hz.is_finite() && rate_hz > 0.0) => {
                Err(PluginError::parameter(
                    "rate_hz",
                    format!("must be above 0 frames/s, got {rate_hz}"),
                ))
            }
            (None, Some(_)) => Err(PluginError::parameter(
                "start_s",
                format!("must be a finite number of seconds, got {}", self.start_s),
            )),
            (Some(_), Some(_)) => Err(PluginError::parameter(
                "rate_hz",
                "give the frame times once: either `times_csv` or `rate_hz`, not both",
            )),
            (None, None) => Err(PluginError::parameter(
                "times_csv",
                "the frame times are missing: set `times_csv` (a CSV with a `time_s` column, \
                 one row per frame) or `rate_hz` (and `start_s`) for a constant rate",
            )),
        }
    }
}
