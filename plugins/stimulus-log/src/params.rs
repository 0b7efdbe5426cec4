//! What the user sets: where the log comes from, the names of its columns, the
//! offset from the log's clock to the stimulus clock, and the stimulus
//! geometry the schedule contract requires (checked by the contract's own
//! parser, `ScheduleAttributes::from_json`).

use macroscope_plugin_api::{InputPort, PluginError};
use macroscope_schedule::{
    AttributeProblem, Direction, PerAxis, PerDirection, ScheduleAttributeError, ScheduleAttributes,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Parameters of `stimulus-log`. The log is either a CSV file (`log_csv`) or
/// a table connected as the stage's one input (a `file:` input, e.g. a
/// compound dataset of an HDF5 file), never both.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// The stimulus log as a CSV file: a header row, then one row per
    /// displayed frame in display order. A relative path is taken from the
    /// working directory. Leave it out when the log is the stage's input.
    #[serde(default)]
    pub log_csv: Option<String>,
    /// The column with each displayed frame's time (s, the log's clock).
    #[serde(default = "default_time_column")]
    pub time_column: String,
    /// The column with the sweep's direction: a code (0 = LR, 1 = RL, 2 = BT,
    /// 3 = TB, -1 = baseline) or a name (LR, RL, BT, TB).
    #[serde(default = "default_direction_column")]
    pub direction_column: String,
    /// The column with the sweep's index within its direction, from 0
    /// (ignored in baseline rows).
    #[serde(default = "default_sweep_column")]
    pub sweep_column: String,
    /// The column with the bar centre (deg) along the direction's axis
    /// (ignored in baseline rows).
    #[serde(default = "default_bar_column")]
    pub bar_column: String,
    /// The column with the checker polarity (+1 or -1), used if the log has
    /// it; every row is +1 otherwise.
    #[serde(default = "default_polarity_column")]
    pub polarity_column: String,
    /// The column with the photodiode patch value (0 or 255), used if the log
    /// has it; every row is 0 otherwise.
    #[serde(default = "default_indicator_column")]
    pub indicator_column: String,
    /// Added to every time: where the log's clock's zero lies on the stimulus
    /// clock (s). 0 when the log's times are the stimulus clock.
    #[serde(default)]
    pub clock_offset_s: f64,
    /// The directions shown, in the order they ran, e.g. ["LR", "RL"].
    pub directions: Vec<Direction>,
    /// Display refresh rate (Hz): the log has one row per refresh.
    pub display_rate_hz: f64,
    /// One sweep's duration (s) of each axis the directions map, e.g.
    /// { azimuth = 10.0 }.
    pub sweep_duration_s: PerAxis,
    /// The bar centre (deg) at the first frame of a sweep of each direction,
    /// e.g. { LR = -60.0, RL = 60.0 }.
    pub bar_start_deg: PerDirection,
    /// How far the bar centre travels in one sweep (deg, > 0) along each axis
    /// the directions map, e.g. { azimuth = 120.0 }.
    pub travel_deg: PerAxis,
    /// The bar's width (deg), if known (a model of the response needs it).
    #[serde(default)]
    pub bar_width_deg: Option<f64>,
}

fn default_time_column() -> String {
    "time_s".to_owned()
}

fn default_direction_column() -> String {
    "direction".to_owned()
}

fn default_sweep_column() -> String {
    "sweep".to_owned()
}

fn default_bar_column() -> String {
    "bar_centre_deg".to_owned()
}

fn default_polarity_column() -> String {
    "polarity".to_owned()
}

fn default_indicator_column() -> String {
    "indicator".to_owned()
}

/// Where the log's rows come from.
#[derive(Debug, Clone, PartialEq)]
pub enum LogSource {
    /// A CSV file (the path as given).
    Csv(String),
    /// The stage's one input, a stream whose columns are the log's.
    Input,
}

impl Params {
    /// Where the rows come from given the connected `inputs`, or the
    /// parameter that is wrong.
    pub fn source(&self, inputs: &[InputPort]) -> Result<LogSource, PluginError> {
        if !self.clock_offset_s.is_finite() {
            return Err(PluginError::parameter(
                "clock_offset_s",
                format!(
                    "must be a finite number of seconds, got {}",
                    self.clock_offset_s
                ),
            ));
        }
        match (&self.log_csv, inputs.len()) {
            (Some(path), 0) => Ok(LogSource::Csv(path.clone())),
            (None, 1) => Ok(LogSource::Input),
            (Some(_), _) => Err(PluginError::parameter(
                "log_csv",
                format!(
                    "give the stimulus log once: either `log_csv` or the stage's input ({}), not both",
                    inputs[0].source
                ),
            )),
            (None, _) => Err(PluginError::parameter(
                "log_csv",
                "the stimulus log is missing: set `log_csv` (a CSV file, one row per displayed frame) \
                 or connect a table as the stage's input (`inputs = [\"file:movie.h5#/stimulus_log\"]`)",
            )),
        }
    }

    /// The schedule port's attributes, checked by the schedule contract;
    /// every problem is reported at once, at the first one's parameter.
    pub fn attributes(&self) -> Result<ScheduleAttributes, PluginError> {
        let mut json = serde_json::json!({
            "directions": self.directions,
            "display_rate_hz": self.display_rate_hz,
            "sweep_duration_s": self.sweep_duration_s,
            "bar_start_deg": self.bar_start_deg,
            "travel_deg": self.travel_deg,
        });
        if let Some(width) = self.bar_width_deg {
            json["bar_width_deg"] = width.into();
        }
        ScheduleAttributes::from_json(&json).map_err(geometry_error)
    }
}

/// The contract's problems with the geometry, as a parameter error: the
/// parameter is the first problem's (its top-level key), the message lists
/// them all.
fn geometry_error(error: ScheduleAttributeError) -> PluginError {
    let field = |problem: &AttributeProblem| match problem {
        AttributeProblem::Missing { field } | AttributeProblem::Invalid { field, .. } => {
            field.clone()
        }
    };
    let parameter = error
        .problems
        .first()
        .map(|p| field(p).split('.').next().unwrap_or_default().to_owned())
        .unwrap_or_default();
    let said: Vec<String> = error
        .problems
        .iter()
        .map(|problem| match problem {
            AttributeProblem::Missing { field } => format!("`{field}` is missing"),
            AttributeProblem::Invalid {
                field,
                expected,
                found,
            } => format!("`{field}` must be {expected}, found {found}"),
        })
        .collect();
    PluginError::parameter(
        parameter,
        format!(
            "{} (the stimulus geometry a schedule carries: docs/FORMAT.md, \"The schedule stream\")",
            said.join("; ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use macroscope_plugin_api::ErrorKind;
    use serde_json::json;

    fn params(extra: serde_json::Value) -> Params {
        let mut p = json!({
            "log_csv": "log.csv",
            "directions": ["LR", "RL"],
            "display_rate_hz": 60.0,
            "sweep_duration_s": {"azimuth": 10.0},
            "bar_start_deg": {"LR": -60.0, "RL": 60.0},
            "travel_deg": {"azimuth": 120.0},
        });
        for (k, v) in extra.as_object().unwrap() {
            p[k] = v.clone();
        }
        serde_json::from_value(p).unwrap()
    }

    fn said(error: &PluginError) -> (String, String) {
        match error.kind() {
            ErrorKind::InvalidParameter { field } => (field.clone(), error.message().to_owned()),
            other => panic!("not a parameter error: {other:?}"),
        }
    }

    #[test]
    fn the_column_names_default_to_the_schedule_columns() {
        let p = params(json!({}));
        assert_eq!(
            [
                p.time_column.as_str(),
                &p.direction_column,
                &p.sweep_column,
                &p.bar_column,
                &p.polarity_column,
                &p.indicator_column
            ],
            [
                "time_s",
                "direction",
                "sweep",
                "bar_centre_deg",
                "polarity",
                "indicator"
            ]
        );
    }

    #[test]
    fn a_complete_geometry_becomes_the_schedule_attributes() {
        let a = params(json!({"bar_width_deg": 20.0})).attributes().unwrap();
        assert_eq!(a.directions, [Direction::LR, Direction::RL]);
        assert_eq!(a.travel_deg.azimuth, Some(120.0));
        assert_eq!(a.bar_width_deg, Some(20.0));
    }

    #[test]
    fn every_geometry_problem_is_reported_at_once_at_the_first_ones_parameter() {
        let p = params(json!({
            "display_rate_hz": 0.0,
            "sweep_duration_s": {},
            "bar_start_deg": {"LR": -60.0},
        }));
        assert_eq!(
            said(&p.attributes().unwrap_err()),
            (
                "display_rate_hz".to_owned(),
                "`display_rate_hz` must be a positive number of Hz, found 0.0; \
                 `sweep_duration_s.azimuth` is missing; `bar_start_deg.RL` is missing (the stimulus \
                 geometry a schedule carries: docs/FORMAT.md, \"The schedule stream\")"
                    .to_owned()
            )
        );
    }

    #[test]
    fn a_log_given_neither_as_a_file_nor_as_an_input_is_refused_at_log_csv() {
        let p = Params {
            log_csv: None,
            ..params(json!({}))
        };
        assert_eq!(
            said(&p.source(&[]).unwrap_err()),
            (
                "log_csv".to_owned(),
                "the stimulus log is missing: set `log_csv` (a CSV file, one row per displayed frame) \
                 or connect a table as the stage's input (`inputs = [\"file:movie.h5#/stimulus_log\"]`)"
                    .to_owned()
            )
        );
    }

    #[test]
    fn a_log_given_both_as_a_file_and_as_an_input_is_refused_at_log_csv() {
        let input = InputPort {
            source: "file:movie.h5#/log".into(),
            spec: macroscope_plugin_api::PortSpec::stream(
                "log",
                macroscope_plugin_api::ElementType::U64,
                &[],
            ),
        };
        assert_eq!(
            said(&params(json!({})).source(&[input]).unwrap_err()),
            (
                "log_csv".to_owned(),
                "give the stimulus log once: either `log_csv` or the stage's input \
                 (file:movie.h5#/log), not both"
                    .to_owned()
            )
        );
    }

    #[test]
    fn an_infinite_clock_offset_is_refused() {
        let p = Params {
            clock_offset_s: f64::INFINITY,
            ..params(json!({}))
        };
        assert_eq!(said(&p.source(&[]).unwrap_err()).0, "clock_offset_s");
    }
}
