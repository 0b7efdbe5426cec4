//! The schedule port's attributes: the stimulus geometry every consumer may rely on, and their parser.
//!
//! Required (see [`REQUIRED`]): `directions`, `display_rate_hz`, `sweep_duration_s`, `bar_start_deg`,
//! `travel_deg`. Per-axis and per-direction entries are required for the axes and directions that
//! `directions` lists (an azimuth-only stimulus need not say anything about altitude). Optional:
//! `bar_width_deg`. A producer may add any other attribute (descriptive ones such as
//! `sweeps_per_direction`); consumers ignore what they do not know.

use std::fmt;

use macroscope_plugin_api::{schemars, PortSpec};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::direction::{Axis, Direction};

/// The required attributes, in the order problems are reported.
pub const REQUIRED: [&str; 5] = [
    "directions",
    "display_rate_hz",
    "sweep_duration_s",
    "bar_start_deg",
    "travel_deg",
];

/// A number per axis (`{"azimuth": …, "altitude": …}`); an axis no listed direction maps may be absent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[schemars(crate = "macroscope_plugin_api::schemars")]
pub struct PerAxis {
    /// The azimuth value (LR, RL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azimuth: Option<f64>,
    /// The altitude value (BT, TB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub altitude: Option<f64>,
}

impl PerAxis {
    /// The value of `axis`, if given.
    pub fn get(&self, axis: Axis) -> Option<f64> {
        match axis {
            Axis::Azimuth => self.azimuth,
            Axis::Altitude => self.altitude,
        }
    }

    fn set(&mut self, axis: Axis, value: f64) {
        match axis {
            Axis::Azimuth => self.azimuth = Some(value),
            Axis::Altitude => self.altitude = Some(value),
        }
    }
}

/// A number per direction (`{"LR": …, "RL": …, "BT": …, "TB": …}`); an unlisted direction may be absent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[schemars(crate = "macroscope_plugin_api::schemars")]
pub struct PerDirection {
    /// The LR value.
    #[serde(rename = "LR", default, skip_serializing_if = "Option::is_none")]
    pub lr: Option<f64>,
    /// The RL value.
    #[serde(rename = "RL", default, skip_serializing_if = "Option::is_none")]
    pub rl: Option<f64>,
    /// The BT value.
    #[serde(rename = "BT", default, skip_serializing_if = "Option::is_none")]
    pub bt: Option<f64>,
    /// The TB value.
    #[serde(rename = "TB", default, skip_serializing_if = "Option::is_none")]
    pub tb: Option<f64>,
}

impl PerDirection {
    /// The value of `direction`, if given.
    pub fn get(&self, direction: Direction) -> Option<f64> {
        match direction {
            Direction::LR => self.lr,
            Direction::RL => self.rl,
            Direction::BT => self.bt,
            Direction::TB => self.tb,
        }
    }

    fn set(&mut self, direction: Direction, value: f64) {
        let slot = match direction {
            Direction::LR => &mut self.lr,
            Direction::RL => &mut self.rl,
            Direction::BT => &mut self.bt,
            Direction::TB => &mut self.tb,
        };
        *slot = Some(value);
    }
}

/// The stimulus facts a schedule port's attributes carry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleAttributes {
    /// The directions shown, in the order they run (distinct, at least one).
    pub directions: Vec<Direction>,
    /// Display refresh rate (Hz): one schedule row per refresh.
    pub display_rate_hz: f64,
    /// Duration of one sweep of each mapped axis (s); sweeps of an axis repeat with this period.
    pub sweep_duration_s: PerAxis,
    /// Bar centre at the first frame of a sweep of each listed direction (deg).
    pub bar_start_deg: PerDirection,
    /// How far the bar centre travels in one sweep of each mapped axis (deg, > 0): forward directions
    /// move from their start by +travel, reverse ones by −travel.
    pub travel_deg: PerAxis,
    /// Bar width (deg), optional: consumers that model the response to the bar need it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bar_width_deg: Option<f64>,
}

impl ScheduleAttributes {
    /// Reads the attributes of `port` (a schedule port, or a port that carries a schedule's
    /// attributes along), reporting every missing or malformed one at once.
    pub fn from_port(port: &PortSpec) -> Result<Self, ScheduleAttributeError> {
        Self::from_json(&port.attributes_json())
    }

    /// Reads the attributes from their JSON object, reporting every missing or malformed one at once.
    pub fn from_json(attributes: &Value) -> Result<Self, ScheduleAttributeError> {
        let mut check = Check {
            attributes,
            problems: Vec::new(),
        };
        let directions = check.directions();
        let listed = directions.as_deref();
        let axes: Option<Vec<Axis>> = listed.map(|ds| {
            Axis::ALL
                .into_iter()
                .filter(|a| ds.iter().any(|d| d.axis() == *a))
                .collect()
        });
        let display_rate_hz = check.number(
            "display_rate_hz",
            None,
            Rule::Positive("a positive number of Hz"),
        );
        let sweep_duration_s = check.per_axis(
            "sweep_duration_s",
            axes.as_deref(),
            Rule::Positive("a positive number of seconds"),
        );
        let bar_start_deg = check.per_direction("bar_start_deg", listed);
        let travel_deg = check.per_axis(
            "travel_deg",
            axes.as_deref(),
            Rule::Positive("a positive number of degrees"),
        );
        let bar_width_deg = match attributes.get("bar_width_deg") {
            None => None,
            Some(_) => check.number(
                "bar_width_deg",
                None,
                Rule::NonNegative("a number of degrees ≥ 0"),
            ),
        };
        match (directions, display_rate_hz, check.problems.is_empty()) {
            (Some(directions), Some(display_rate_hz), true) => Ok(ScheduleAttributes {
                directions,
                display_rate_hz,
                sweep_duration_s,
                bar_start_deg,
                travel_deg,
                bar_width_deg,
            }),
            _ => Err(ScheduleAttributeError {
                problems: check.problems,
            }),
        }
    }

    /// The attributes as the JSON object a schedule port carries.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

/// What a number must be.
#[derive(Clone, Copy)]
enum Rule {
    /// Any finite number; says what it is.
    Finite(&'static str),
    /// A finite number > 0.
    Positive(&'static str),
    /// A finite number ≥ 0.
    NonNegative(&'static str),
}

impl Rule {
    fn accepts(self, value: f64) -> bool {
        value.is_finite()
            && match self {
                Rule::Finite(_) => true,
                Rule::Positive(_) => value > 0.0,
                Rule::NonNegative(_) => value >= 0.0,
            }
    }

    fn expected(self) -> &'static str {
        match self {
            Rule::Finite(e) | Rule::Positive(e) | Rule::NonNegative(e) => e,
        }
    }
}

/// Reads attributes and collects every problem instead of stopping at the first.
struct Check<'a> {
    attributes: &'a Value,
    problems: Vec<AttributeProblem>,
}

const DIRECTIONS_EXPECTED: &str =
    "a non-empty list of distinct direction names among \"LR\", \"RL\", \"BT\", \"TB\"";
const PER_AXIS_EXPECTED: &str = "an object keyed by axis (\"azimuth\", \"altitude\")";
const PER_DIRECTION_EXPECTED: &str =
    "an object keyed by direction (\"LR\", \"RL\", \"BT\", \"TB\")";

impl Check<'_> {
    fn missing(&mut self, field: String) {
        self.problems.push(AttributeProblem::Missing { field });
    }

    fn invalid(&mut self, field: String, expected: &'static str, found: &Value) {
        self.problems.push(AttributeProblem::Invalid {
            field,
            expected,
            found: found.to_string(),
        });
    }

    fn directions(&mut self) -> Option<Vec<Direction>> {
        let Some(list) = self.attributes.get("directions") else {
            self.missing("directions".into());
            return None;
        };
        let mut directions = Vec::new();
        for name in list.as_array().into_iter().flatten() {
            match name.as_str().and_then(Direction::from_name) {
                Some(d) if !directions.contains(&d) => directions.push(d),
                _ => directions.clear(),
            }
            if directions.is_empty() {
                break;
            }
        }
        if directions.is_empty() {
            self.invalid("directions".into(), DIRECTIONS_EXPECTED, list);
            return None;
        }
        Some(directions)
    }

    /// `attributes[key]` or, with `sub`, `attributes[key][sub]`, whose parent has been checked.
    fn number(&mut self, key: &str, sub: Option<&str>, rule: Rule) -> Option<f64> {
        let (field, value) = match sub {
            None => (key.to_owned(), self.attributes.get(key)),
            Some(sub) => (format!("{key}.{sub}"), self.attributes[key].get(sub)),
        };
        let Some(value) = value else {
            self.missing(field);
            return None;
        };
        match value.as_f64().filter(|v| rule.accepts(*v)) {
            Some(v) => Some(v),
            None => {
                self.invalid(field, rule.expected(), value);
                None
            }
        }
    }

    /// The object `attributes[key]`, or `None` (with the problem recorded) when absent or not an object.
    fn object(&mut self, key: &str, expected: &'static str) -> bool {
        match self.attributes.get(key) {
            None => self.missing(key.into()),
            Some(Value::Object(_)) => return true,
            Some(other) => self.invalid(key.into(), expected, other),
        }
        false
    }

    /// Entries of listed axes must be there; any entry there must be valid.
    fn per_axis(&mut self, key: &str, needed: Option<&[Axis]>, rule: Rule) -> PerAxis {
        let mut values = PerAxis::default();
        if !self.object(key, PER_AXIS_EXPECTED) {
            return values;
        }
        for axis in Axis::ALL {
            let present = self.attributes[key].get(axis.name()).is_some();
            if present || needed.is_some_and(|n| n.contains(&axis)) {
                if let Some(v) = self.number(key, Some(axis.name()), rule) {
                    values.set(axis, v);
                }
            }
        }
        values
    }

    /// Entries of listed directions must be there; any entry there must be valid.
    fn per_direction(&mut self, key: &str, listed: Option<&[Direction]>) -> PerDirection {
        let mut values = PerDirection::default();
        if !self.object(key, PER_DIRECTION_EXPECTED) {
            return values;
        }
        for direction in Direction::ALL {
            let present = self.attributes[key].get(direction.name()).is_some();
            if present || listed.is_some_and(|l| l.contains(&direction)) {
                let rule = Rule::Finite("a finite number of degrees");
                if let Some(v) = self.number(key, Some(direction.name()), rule) {
                    values.set(direction, v);
                }
            }
        }
        values
    }
}

/// One attribute that is missing or malformed.
#[derive(Debug, Clone, PartialEq)]
pub enum AttributeProblem {
    /// A required attribute is absent.
    Missing {
        /// Dotted path of the attribute (`sweep_duration_s.altitude`).
        field: String,
    },
    /// An attribute has the wrong form.
    Invalid {
        /// Dotted path of the attribute.
        field: String,
        /// What it must be.
        expected: &'static str,
        /// What was found (JSON text).
        found: String,
    },
}

impl fmt::Display for AttributeProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AttributeProblem::Missing { field } => write!(f, "attribute `{field}` is missing"),
            AttributeProblem::Invalid {
                field,
                expected,
                found,
            } => write!(f, "attribute `{field}` must be {expected}, found {found}"),
        }
    }
}

/// Every problem with a port's schedule attributes, in the order of [`REQUIRED`] (then `bar_width_deg`).
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleAttributeError {
    /// The problems, at least one.
    pub problems: Vec<AttributeProblem>,
}

impl fmt::Display for ScheduleAttributeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{problem}")?;
        }
        write!(
            f,
            " (a stimulus schedule carries {}: see \"The schedule stream\" in docs/FORMAT.md)",
            REQUIRED.join(", ")
        )
    }
}

impl std::error::Error for ScheduleAttributeError {}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn complete() -> Value {
        json!({
            "directions": ["LR", "RL", "BT", "TB"],
            "display_rate_hz": 60.0,
            "sweep_duration_s": {"azimuth": 16.0, "altitude": 12.5},
            "bar_start_deg": {"LR": -20.0, "RL": 100.0, "BT": -40.0, "TB": 40.0},
            "travel_deg": {"azimuth": 120.0, "altitude": 80.0},
            "sweeps_per_direction": 10,
        })
    }

    fn message(attributes: &Value) -> String {
        ScheduleAttributes::from_json(attributes)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn a_complete_schedule_is_read_with_its_geometry() {
        let a = ScheduleAttributes::from_json(&complete()).unwrap();
        assert_eq!(a.directions, Direction::ALL);
        assert_eq!(a.display_rate_hz, 60.0);
        assert_eq!(a.sweep_duration_s.get(Axis::Altitude), Some(12.5));
        assert_eq!(a.bar_start_deg.get(Direction::RL), Some(100.0));
        assert_eq!(a.travel_deg.get(Axis::Azimuth), Some(120.0));
        assert_eq!(a.bar_width_deg, None);
    }

    #[test]
    fn every_missing_required_attribute_is_reported_at_once() {
        assert_eq!(
            message(&json!({"sweeps_per_direction": 10})),
            "attribute `directions` is missing; attribute `display_rate_hz` is missing; \
             attribute `sweep_duration_s` is missing; attribute `bar_start_deg` is missing; \
             attribute `travel_deg` is missing (a stimulus schedule carries directions, \
             display_rate_hz, sweep_duration_s, bar_start_deg, travel_deg: see \"The schedule \
             stream\" in docs/FORMAT.md)"
        );
    }

    #[test]
    fn entries_of_listed_directions_and_their_axes_are_required() {
        let mut a = complete();
        a["sweep_duration_s"] = json!({"azimuth": 16.0});
        a["bar_start_deg"] = json!({"LR": -20.0, "BT": -40.0});
        a["travel_deg"] = json!({});
        assert_eq!(
            message(&a),
            "attribute `sweep_duration_s.altitude` is missing; attribute `bar_start_deg.RL` is missing; \
             attribute `bar_start_deg.TB` is missing; attribute `travel_deg.azimuth` is missing; \
             attribute `travel_deg.altitude` is missing (a stimulus schedule carries directions, \
             display_rate_hz, sweep_duration_s, bar_start_deg, travel_deg: see \"The schedule \
             stream\" in docs/FORMAT.md)"
        );
    }

    #[test]
    fn malformed_attributes_are_reported_with_what_they_must_be() {
        let mut a = complete();
        a["directions"] = json!(["LR", "UP"]);
        a["display_rate_hz"] = json!(0);
        a["sweep_duration_s"] = json!(16.0);
        a["bar_start_deg"]["TB"] = json!("40");
        a["travel_deg"]["altitude"] = json!(-80.0);
        a["bar_width_deg"] = json!(-1);
        let problems = ScheduleAttributes::from_json(&a).unwrap_err().problems;
        let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "attribute `directions` must be a non-empty list of distinct direction names among \
                 \"LR\", \"RL\", \"BT\", \"TB\", found [\"LR\",\"UP\"]",
                "attribute `display_rate_hz` must be a positive number of Hz, found 0",
                "attribute `sweep_duration_s` must be an object keyed by axis (\"azimuth\", \
                 \"altitude\"), found 16.0",
                "attribute `bar_start_deg.TB` must be a finite number of degrees, found \"40\"",
                "attribute `travel_deg.altitude` must be a positive number of degrees, found -80.0",
                "attribute `bar_width_deg` must be a number of degrees ≥ 0, found -1",
            ]
        );
    }

    #[test]
    fn a_repeated_or_empty_direction_list_is_malformed() {
        for directions in [json!(["LR", "LR"]), json!([]), json!("LR")] {
            let mut a = complete();
            a["directions"] = directions;
            let problems = ScheduleAttributes::from_json(&a).unwrap_err().problems;
            assert!(
                matches!(&problems[..], [AttributeProblem::Invalid { field, .. }] if field == "directions"),
                "{problems:?}"
            );
        }
    }

    #[test]
    fn an_azimuth_only_stimulus_needs_nothing_about_altitude() {
        let a = json!({
            "directions": ["LR", "RL"], "display_rate_hz": 60, "sweep_duration_s": {"azimuth": 10},
            "bar_start_deg": {"LR": -10.0, "RL": 110.0}, "travel_deg": {"azimuth": 120.0},
        });
        let a = ScheduleAttributes::from_json(&a).unwrap();
        assert_eq!(a.sweep_duration_s.get(Axis::Altitude), None);
    }

    #[test]
    fn the_json_round_trips_through_the_parser() {
        let a = ScheduleAttributes::from_json(&complete()).unwrap();
        assert_eq!(ScheduleAttributes::from_json(&a.to_json()), Ok(a));
    }
}
