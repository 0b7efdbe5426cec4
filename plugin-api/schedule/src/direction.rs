//! The sweep directions and their codes in the schedule's `direction` column.
//!
//! LR and RL move a vertical bar along azimuth, BT and TB a horizontal bar along altitude; LR and BT
//! move toward larger angles ("forward"), RL and TB back. A row shown outside every sweep (a grey
//! baseline) carries [`BASELINE_CODE`].

use macroscope_plugin_api::schemars;
use serde::{Deserialize, Serialize};

/// The `direction` code of a row outside every sweep (a baseline).
pub const BASELINE_CODE: i8 = -1;

/// A sweep direction. Its discriminant is its `direction` column code, its variant name the name used
/// in attributes and parameters (`"LR"`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[schemars(crate = "macroscope_plugin_api::schemars")]
#[repr(i8)]
pub enum Direction {
    /// Left to right: the bar moves toward larger azimuth (code 0).
    LR = 0,
    /// Right to left: toward smaller azimuth (code 1).
    RL = 1,
    /// Bottom to top: toward larger altitude (code 2).
    BT = 2,
    /// Top to bottom: toward smaller altitude (code 3).
    TB = 3,
}

/// The visual-field coordinate a direction maps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Axis {
    /// Horizontal angle; mapped by a vertical bar (LR, RL).
    Azimuth,
    /// Vertical angle; mapped by a horizontal bar (BT, TB).
    Altitude,
}

impl Direction {
    /// Every direction, in code order.
    pub const ALL: [Direction; 4] = [Direction::LR, Direction::RL, Direction::BT, Direction::TB];

    /// The `direction` column code (0 = LR, 1 = RL, 2 = BT, 3 = TB).
    pub const fn code(self) -> i8 {
        self as i8
    }

    /// The direction with `direction` column code `code`; `None` for the baseline and unknown codes.
    pub fn from_code(code: i64) -> Option<Direction> {
        Direction::ALL
            .into_iter()
            .find(|d| i64::from(d.code()) == code)
    }

    /// Its name in attributes and parameters (`"LR"`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            Direction::LR => "LR",
            Direction::RL => "RL",
            Direction::BT => "BT",
            Direction::TB => "TB",
        }
    }

    /// The direction named `name`, if any.
    pub fn from_name(name: &str) -> Option<Direction> {
        Direction::ALL.into_iter().find(|d| d.name() == name)
    }

    /// The coordinate this direction maps.
    pub const fn axis(self) -> Axis {
        match self {
            Direction::LR | Direction::RL => Axis::Azimuth,
            Direction::BT | Direction::TB => Axis::Altitude,
        }
    }

    /// +1 when the bar moves toward larger angles (LR, BT), −1 otherwise.
    pub const fn sign(self) -> f64 {
        match self {
            Direction::LR | Direction::BT => 1.0,
            Direction::RL | Direction::TB => -1.0,
        }
    }
}

impl Axis {
    /// Both axes, azimuth first.
    pub const ALL: [Axis; 2] = [Axis::Azimuth, Axis::Altitude];

    /// Its key in per-axis attributes (`"azimuth"`, `"altitude"`).
    pub const fn name(self) -> &'static str {
        match self {
            Axis::Azimuth => "azimuth",
            Axis::Altitude => "altitude",
        }
    }

    /// The direction moving toward larger angles and the one moving back.
    pub const fn forward_and_reverse(self) -> (Direction, Direction) {
        match self {
            Axis::Azimuth => (Direction::LR, Direction::RL),
            Axis::Altitude => (Direction::BT, Direction::TB),
        }
    }
}

/// What each `direction` code means, as the column's description says it: `0 = LR, 1 = RL, 2 = BT,
/// 3 = TB, -1 = baseline`.
pub fn code_table() -> String {
    let codes: Vec<String> = Direction::ALL
        .iter()
        .map(|d| format!("{} = {}", d.code(), d.name()))
        .collect();
    format!("{}, {BASELINE_CODE} = baseline", codes.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_the_contract_table() {
        let table: Vec<(i8, &str, Axis)> = Direction::ALL
            .iter()
            .map(|d| (d.code(), d.name(), d.axis()))
            .collect();
        assert_eq!(
            table,
            [
                (0, "LR", Axis::Azimuth),
                (1, "RL", Axis::Azimuth),
                (2, "BT", Axis::Altitude),
                (3, "TB", Axis::Altitude)
            ]
        );
        assert_eq!(
            code_table(),
            "0 = LR, 1 = RL, 2 = BT, 3 = TB, -1 = baseline"
        );
    }

    #[test]
    fn the_baseline_and_unknown_codes_are_no_direction() {
        assert_eq!(Direction::from_code(3), Some(Direction::TB));
        assert_eq!(Direction::from_code(i64::from(BASELINE_CODE)), None);
        assert_eq!(Direction::from_code(4), None);
    }

    #[test]
    fn names_serialise_as_written_in_attributes() {
        assert_eq!(serde_json::to_string(&Direction::BT).unwrap(), "\"BT\"");
        assert_eq!(Direction::from_name("RL"), Some(Direction::RL));
        assert_eq!(Direction::from_name("UP"), None);
    }
}
