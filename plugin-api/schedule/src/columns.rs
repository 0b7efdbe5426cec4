//! The schedule stream's columns: one row per displayed frame, the item itself being the frame's time
//! in seconds (an f64 scalar). Consumers find columns by name; producers declare them in this order.

use macroscope_plugin_api::{ColumnSpec, ElementType, Scalar};

use crate::direction::{Direction, BASELINE_CODE};

/// One column of the schedule stream.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Column {
    /// Its name.
    pub name: &'static str,
    /// Its element type.
    pub element: ElementType,
    /// Its unit (empty if none).
    pub unit: &'static str,
    /// What it holds (the description stored with it; the `direction` codes are listed in the docs of
    /// [`DIRECTION`]).
    pub description: &'static str,
    /// Whether every schedule stream must carry it (consumers may rely on it).
    pub required: bool,
}

impl Column {
    /// Its spec as a port declares it.
    pub fn spec(&self) -> ColumnSpec {
        ColumnSpec::new(self.name, self.element, self.unit, self.description)
    }
}

/// `frame_index` (i64, required): the displayed frame's number from 0.
pub const FRAME_INDEX: Column = Column {
    name: "frame_index",
    element: ElementType::I64,
    unit: "",
    description: "displayed frame number from 0",
    required: true,
};

/// `direction` (i8, required): the [`Direction`] code of the sweep being shown, 0 = LR, 1 = RL,
/// 2 = BT, 3 = TB, or [`BASELINE_CODE`] (−1) outside every sweep.
pub const DIRECTION: Column = Column {
    name: "direction",
    element: ElementType::I8,
    unit: "",
    description: "0 = LR, 1 = RL, 2 = BT, 3 = TB, -1 = baseline",
    required: true,
};

/// `sweep` (i32, required): the sweep's index within its direction from 0, −1 in a baseline.
pub const SWEEP: Column = Column {
    name: "sweep",
    element: ElementType::I32,
    unit: "",
    description: "sweep index within its direction from 0, -1 in baseline",
    required: true,
};

/// `bar_centre_deg` (f64, deg, required): the bar centre along the direction's axis, NaN in a baseline.
pub const BAR_CENTRE_DEG: Column = Column {
    name: "bar_centre_deg",
    element: ElementType::F64,
    unit: "deg",
    description: "bar centre along the direction's axis (azimuth for LR/RL, altitude for BT/TB), NaN in baseline",
    required: true,
};

/// `polarity` (i8, optional): the checkerboard's polarity, +1 or −1.
pub const POLARITY: Column = Column {
    name: "polarity",
    element: ElementType::I8,
    unit: "",
    description: "checker polarity, +1 or -1",
    required: false,
};

/// `indicator` (u8, optional): the photodiode patch's value, 0 or 255.
pub const INDICATOR: Column = Column {
    name: "indicator",
    element: ElementType::U8,
    unit: "",
    description: "photodiode patch value, 0 or 255",
    required: false,
};

/// Every column, in the order [`crate::SchedulePort`] declares them and [`ScheduleRow::meta`] fills them.
pub const ALL: [Column; 6] = [
    FRAME_INDEX,
    DIRECTION,
    SWEEP,
    BAR_CENTRE_DEG,
    POLARITY,
    INDICATOR,
];

/// The bar shown in one frame of a sweep.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bar {
    /// Direction of the sweep.
    pub direction: Direction,
    /// Sweep index within its direction, from 0.
    pub sweep: i32,
    /// Bar centre along the direction's axis (deg).
    pub centre_deg: f64,
}

/// The stimulus state of one displayed frame: the item (`time_s`) and its columns.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScheduleRow {
    /// Seconds from the start of the stimulus: the stream's item.
    pub time_s: f64,
    /// Displayed frame number from 0.
    pub frame_index: i64,
    /// The bar being shown, or `None` in a baseline.
    pub bar: Option<Bar>,
    /// Checker polarity, +1 or −1.
    pub polarity: i8,
    /// Photodiode patch value, 0 or 255.
    pub indicator: u8,
}

impl ScheduleRow {
    /// The row's metadata, in the order of [`ALL`].
    pub fn meta(&self) -> [Scalar; 6] {
        let (direction, sweep, centre) = match self.bar {
            Some(bar) => (bar.direction.code(), bar.sweep, bar.centre_deg),
            None => (BASELINE_CODE, -1, f64::NAN),
        };
        [
            Scalar::Int(self.frame_index),
            Scalar::Int(i64::from(direction)),
            Scalar::Int(i64::from(sweep)),
            Scalar::Float(centre),
            Scalar::Int(i64::from(self.polarity)),
            Scalar::Int(i64::from(self.indicator)),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_direction_column_describes_the_code_table() {
        assert_eq!(DIRECTION.description, crate::direction::code_table());
    }

    #[test]
    fn the_required_columns_are_the_four_consumers_read() {
        let required: Vec<&str> = ALL.iter().filter(|c| c.required).map(|c| c.name).collect();
        assert_eq!(
            required,
            ["frame_index", "direction", "sweep", "bar_centre_deg"]
        );
    }

    #[test]
    fn a_baseline_row_has_code_minus_one_sweep_minus_one_and_no_bar() {
        let row = ScheduleRow {
            time_s: 0.5,
            frame_index: 30,
            bar: None,
            polarity: 1,
            indicator: 255,
        };
        let meta = row.meta();
        assert_eq!(
            meta[..3],
            [Scalar::Int(30), Scalar::Int(-1), Scalar::Int(-1)]
        );
        assert!(meta[3].as_f64().is_nan());
        assert_eq!(meta[4..], [Scalar::Int(1), Scalar::Int(255)]);
    }

    #[test]
    fn a_sweep_row_carries_its_direction_code_sweep_and_centre() {
        let row = ScheduleRow {
            time_s: 1.0,
            frame_index: 60,
            bar: Some(Bar {
                direction: Direction::TB,
                sweep: 2,
                centre_deg: -12.5,
            }),
            polarity: -1,
            indicator: 0,
        };
        assert_eq!(
            row.meta(),
            [
                Scalar::Int(60),
                Scalar::Int(3),
                Scalar::Int(2),
                Scalar::Float(-12.5),
                Scalar::Int(-1),
                Scalar::Int(0)
            ]
        );
    }
}
