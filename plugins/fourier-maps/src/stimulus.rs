//! The stimulus facts the analysis needs, read from the schedule port's JSON attributes.
//!
//! Direction codes follow the port contract: 0 = LR, 1 = RL, 2 = BT, 3 = TB
//! (−1 = baseline). LR and RL map azimuth, BT and TB altitude; LR and BT move
//! toward larger angles ("forward"), RL and TB toward smaller ones.

use serde_json::Value;

/// A bar drift direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Left to right (azimuth increasing), code 0.
    LeftRight,
    /// Right to left (azimuth decreasing), code 1.
    RightLeft,
    /// Bottom to top (altitude increasing), code 2.
    BottomTop,
    /// Top to bottom (altitude decreasing), code 3.
    TopBottom,
}

/// Which visual-field coordinate a direction maps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Axis {
    /// Horizontal position (LR, RL).
    Azimuth,
    /// Vertical position (BT, TB).
    Altitude,
}

impl Axis {
    /// Key used in the attributes (`azimuth`, `altitude`).
    pub fn name(self) -> &'static str {
        match self {
            Axis::Azimuth => "azimuth",
            Axis::Altitude => "altitude",
        }
    }

    /// The direction moving toward larger angles and the one moving back.
    pub fn forward_and_reverse(self) -> (Direction, Direction) {
        match self {
            Axis::Azimuth => (Direction::LeftRight, Direction::RightLeft),
            Axis::Altitude => (Direction::BottomTop, Direction::TopBottom),
        }
    }
}

const ALL_DIRECTIONS: [Direction; 4] = [
    Direction::LeftRight,
    Direction::RightLeft,
    Direction::BottomTop,
    Direction::TopBottom,
];

impl Direction {
    /// The `direction` column code.
    pub fn code(self) -> i8 {
        match self {
            Direction::LeftRight => 0,
            Direction::RightLeft => 1,
            Direction::BottomTop => 2,
            Direction::TopBottom => 3,
        }
    }

    /// The direction with a `direction` column code, if any.
    pub fn from_code(code: i8) -> Option<Self> {
        ALL_DIRECTIONS.iter().copied().find(|d| d.code() == code)
    }

    /// Short name as in the attributes (`LR`, `RL`, `BT`, `TB`).
    pub fn name(self) -> &'static str {
        match self {
            Direction::LeftRight => "LR",
            Direction::RightLeft => "RL",
            Direction::BottomTop => "BT",
            Direction::TopBottom => "TB",
        }
    }

    /// Parses a short name.
    pub fn parse(name: &str) -> Option<Self> {
        ALL_DIRECTIONS.iter().copied().find(|d| d.name() == name)
    }

    /// The coordinate this direction maps.
    pub fn axis(self) -> Axis {
        match self {
            Direction::LeftRight | Direction::RightLeft => Axis::Azimuth,
            Direction::BottomTop | Direction::TopBottom => Axis::Altitude,
        }
    }
}

/// A port attribute that is missing or malformed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AttributeError {
    /// A required attribute is absent.
    #[error("attribute `{field}` is missing from the port's attributes (the stimulus schedule must provide it)")]
    Missing {
        /// Dotted path of the attribute.
        field: String,
    },
    /// An attribute has the wrong form.
    #[error("attribute `{field}` must be {expected}, found {found}")]
    Invalid {
        /// Dotted path of the attribute.
        field: String,
        /// What was expected.
        expected: &'static str,
        /// What was found (JSON text).
        found: String,
    },
}

/// Reads `attributes[key]` (or `attributes[key][sub]`) as a finite number.
pub fn number_attribute(
    attributes: &Value,
    key: &str,
    sub: Option<&str>,
) -> Result<f64, AttributeError> {
    let field = match sub {
        Some(sub) => format!("{key}.{sub}"),
        None => key.to_owned(),
    };
    let value = attributes.get(key).and_then(|v| match sub {
        Some(sub) => v.get(sub),
        None => Some(v),
    });
    let value = value.ok_or_else(|| AttributeError::Missing {
        field: field.clone(),
    })?;
    value
        .as_f64()
        .filter(|v| v.is_finite())
        .ok_or_else(|| AttributeError::Invalid {
            field,
            expected: "a finite number",
            found: value.to_string(),
        })
}

/// Reads the `directions` attribute: a list of distinct direction names.
pub fn directions_attribute(attributes: &Value) -> Result<Vec<Direction>, AttributeError> {
    let invalid = |found: &Value| AttributeError::Invalid {
        field: "directions".into(),
        expected: "a list of distinct direction names among \"LR\", \"RL\", \"BT\", \"TB\"",
        found: found.to_string(),
    };
    let list = attributes
        .get("directions")
        .ok_or_else(|| AttributeError::Missing {
            field: "directions".into(),
        })?;
    let names = list.as_array().ok_or_else(|| invalid(list))?;
    let mut directions = Vec::with_capacity(names.len());
    for name in names {
        let direction = name
            .as_str()
            .and_then(Direction::parse)
            .ok_or_else(|| invalid(list))?;
        if directions.contains(&direction) {
            return Err(invalid(list));
        }
        directions.push(direction);
    }
    Ok(directions)
}

/// What the Fourier analysis needs to know about the stimulus.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepTiming {
    /// Directions in the order of the output's first axis.
    pub directions: Vec<Direction>,
    /// Sweep duration of the azimuth directions, seconds.
    pub azimuth_sweep_s: f64,
    /// Sweep duration of the altitude directions, seconds.
    pub altitude_sweep_s: f64,
    /// One display frame, seconds: how long the last schedule row holds.
    pub display_period_s: f64,
}

impl SweepTiming {
    /// Reads the timing from the schedule port's attributes.
    pub fn from_attributes(attributes: &Value) -> Result<Self, AttributeError> {
        let directions = directions_attribute(attributes)?;
        let sweep = |axis: Axis| -> Result<f64, AttributeError> {
            let needed = directions.iter().any(|d| d.axis() == axis);
            if !needed {
                return Ok(f64::NAN);
            }
            let seconds = number_attribute(attributes, "sweep_duration_s", Some(axis.name()))?;
            if seconds > 0.0 {
                Ok(seconds)
            } else {
                Err(AttributeError::Invalid {
                    field: format!("sweep_duration_s.{}", axis.name()),
                    expected: "a positive number of seconds",
                    found: seconds.to_string(),
                })
            }
        };
        let rate = number_attribute(attributes, "display_rate_hz", None)?;
        if rate <= 0.0 {
            return Err(AttributeError::Invalid {
                field: "display_rate_hz".into(),
                expected: "a positive rate in Hz",
                found: rate.to_string(),
            });
        }
        Ok(SweepTiming {
            azimuth_sweep_s: sweep(Axis::Azimuth)?,
            altitude_sweep_s: sweep(Axis::Altitude)?,
            display_period_s: 1.0 / rate,
            directions,
        })
    }

    /// Sweep angular frequency ω = 2π/T of a direction, rad/s.
    pub fn omega(&self, direction: Direction) -> f64 {
        let period = match direction.axis() {
            Axis::Azimuth => self.azimuth_sweep_s,
            Axis::Altitude => self.altitude_sweep_s,
        };
        std::f64::consts::TAU / period
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn attributes() -> Value {
        json!({
            "directions": ["LR", "RL", "BT", "TB"],
            "display_rate_hz": 60.0,
            "sweep_duration_s": {"azimuth": 16.0, "altitude": 12.5},
        })
    }

    #[test]
    fn direction_codes_follow_the_port_contract() {
        let codes: Vec<(i8, &str)> = ALL_DIRECTIONS
            .iter()
            .map(|d| (d.code(), d.name()))
            .collect();
        assert_eq!(codes, [(0, "LR"), (1, "RL"), (2, "BT"), (3, "TB")]);
    }

    #[test]
    fn sweep_frequency_comes_from_the_axis_duration() {
        let timing = SweepTiming::from_attributes(&attributes()).unwrap();
        assert_eq!(
            timing.omega(Direction::RightLeft),
            std::f64::consts::TAU / 16.0
        );
        assert_eq!(
            timing.omega(Direction::TopBottom),
            std::f64::consts::TAU / 12.5
        );
        assert_eq!(timing.display_period_s, 1.0 / 60.0);
    }

    #[test]
    fn missing_sweep_duration_names_the_field() {
        let mut a = attributes();
        a["sweep_duration_s"]
            .as_object_mut()
            .unwrap()
            .remove("altitude");
        assert_eq!(
            SweepTiming::from_attributes(&a).unwrap_err().to_string(),
            "attribute `sweep_duration_s.altitude` is missing from the port's attributes (the stimulus schedule must provide it)"
        );
    }

    #[test]
    fn unknown_direction_name_is_refused() {
        let mut a = attributes();
        a["directions"] = json!(["LR", "UP"]);
        assert!(matches!(
            SweepTiming::from_attributes(&a),
            Err(AttributeError::Invalid { .. })
        ));
    }

    #[test]
    fn azimuth_only_stimulus_needs_no_altitude_duration() {
        let a = json!({"directions": ["LR", "RL"], "display_rate_hz": 60, "sweep_duration_s": {"azimuth": 10}});
        assert_eq!(
            SweepTiming::from_attributes(&a).unwrap().directions.len(),
            2
        );
    }
}
