//! The log's rows turned into schedule rows, every malformed value collected
//! (located at its row and column, saying what was expected) instead of
//! stopping at the first.

use macroscope_plugin_api::Scalar;
use macroscope_schedule::direction::code_table;
use macroscope_schedule::{Bar, Direction, ScheduleRow, BASELINE_CODE};

use crate::columns::Layout;
use crate::params::Params;

/// Problems listed in one error; the rest are counted.
const MAX_LISTED: usize = 20;

/// One value of a row, as the log holds it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    /// A CSV field (trimmed).
    Text(&'a str),
    /// A number of a table's row.
    Number(Scalar),
}

impl Cell<'_> {
    /// The value as a number, if it is one (NaN and infinities included).
    fn float(self) -> Option<f64> {
        match self {
            Cell::Text(text) => text.parse().ok(),
            Cell::Number(value) => Some(value.as_f64()),
        }
    }

    /// The value as a whole number, if it is one (`2` or `2.0`).
    fn integer(self) -> Option<i64> {
        match self {
            Cell::Text(text) => text.parse().ok().or_else(|| whole(text.parse().ok()?)),
            Cell::Number(Scalar::Int(value)) => Some(value),
            Cell::Number(Scalar::Float(value)) => whole(value),
        }
    }

    /// The direction a code or a name gives: `Some(None)` for a baseline.
    fn direction(self) -> Option<Option<Direction>> {
        if let Some(code) = self.integer() {
            return match code == i64::from(BASELINE_CODE) {
                true => Some(None),
                false => Direction::from_code(code).map(Some),
            };
        }
        match self {
            Cell::Text(text) => Direction::from_name(&text.to_ascii_uppercase()).map(Some),
            Cell::Number(_) => None,
        }
    }

    /// The value as a message shows it.
    fn shown(self) -> String {
        match self {
            Cell::Text("") => "empty".to_owned(),
            Cell::Text(text) => format!("{text:?}"),
            Cell::Number(Scalar::Int(value)) => value.to_string(),
            Cell::Number(Scalar::Float(value)) => value.to_string(),
        }
    }
}

fn whole(value: f64) -> Option<i64> {
    (value.is_finite() && value.fract() == 0.0 && value.abs() < 9.0e15).then_some(value as i64)
}

/// Checks rows one at a time and keeps the schedule rows they give.
#[derive(Debug)]
pub struct RowCheck {
    layout: Layout,
    names: [String; 6],
    directions: Vec<Direction>,
    clock_offset_s: f64,
    rows: Vec<ScheduleRow>,
    seen: usize,
    previous_time: Option<f64>,
    problems: Vec<String>,
    unlisted: usize,
}

impl RowCheck {
    /// A check of rows whose columns are at `layout`, against the directions
    /// and column names of `params`.
    pub fn new(params: &Params, layout: Layout) -> RowCheck {
        RowCheck {
            layout,
            names: [
                params.time_column.clone(),
                params.direction_column.clone(),
                params.sweep_column.clone(),
                params.bar_column.clone(),
                params.polarity_column.clone(),
                params.indicator_column.clone(),
            ],
            directions: params.directions.clone(),
            clock_offset_s: params.clock_offset_s,
            rows: Vec::new(),
            seen: 0,
            previous_time: None,
            problems: Vec::new(),
            unlisted: 0,
        }
    }

    fn problem(&mut self, place: &str, column: usize, said: String) {
        if self.problems.len() < MAX_LISTED {
            self.problems
                .push(format!("{place}, column `{}`: {said}", self.names[column]));
        } else {
            self.unlisted += 1;
        }
    }

    /// Checks the row at `place` (`line 3`, `row 2`), whose value in column
    /// `i` is `cell(i)`.
    pub fn push<'a>(&mut self, place: &str, cell: impl Fn(usize) -> Cell<'a>) {
        let before = self.problems.len() + self.unlisted;
        let frame_index = self.seen as i64;
        self.seen += 1;

        let time = cell(self.layout.time);
        let time_s = match time.float().filter(|t| t.is_finite()) {
            None => {
                self.problem(
                    place,
                    0,
                    format!("{}, expected a time in seconds", time.shown()),
                );
                None
            }
            Some(t) => {
                if let Some(previous) = self.previous_time.filter(|&p| t <= p) {
                    self.problem(
                        place,
                        0,
                        format!(
                            "{t} s is not after the previous row's {previous} s: a stimulus log has one \
                             row per displayed frame, in display order"
                        ),
                    );
                }
                self.previous_time = Some(t);
                Some(t + self.clock_offset_s)
            }
        };

        let direction = cell(self.layout.direction);
        let bar = match direction.direction() {
            None => {
                self.problem(
                    place,
                    1,
                    format!(
                        "{}, expected a direction code ({}) or name (LR, RL, BT, TB)",
                        direction.shown(),
                        code_table()
                    ),
                );
                None
            }
            Some(Some(d)) if !self.directions.contains(&d) => {
                let listed: Vec<&str> = self.directions.iter().map(|d| d.name()).collect();
                self.problem(
                    place,
                    1,
                    format!(
                        "{}, a direction the parameter `directions` does not list ({})",
                        d.name(),
                        listed.join(", ")
                    ),
                );
                None
            }
            Some(None) => None,
            Some(Some(d)) => self.bar(place, &cell, d),
        };

        let polarity = match self.layout.polarity.map(&cell) {
            None => 1,
            Some(value) => match value.integer() {
                Some(p @ (1 | -1)) => p as i8,
                _ => {
                    self.problem(place, 4, format!("{}, expected +1 or -1", value.shown()));
                    1
                }
            },
        };
        let indicator = match self.layout.indicator.map(&cell) {
            None => 0,
            Some(value) => match value.integer() {
                Some(i @ (0 | 255)) => i as u8,
                _ => {
                    self.problem(place, 5, format!("{}, expected 0 or 255", value.shown()));
                    0
                }
            },
        };

        if let (Some(time_s), true) = (time_s, self.problems.len() + self.unlisted == before) {
            self.rows.push(ScheduleRow {
                time_s,
                frame_index,
                bar,
                polarity,
                indicator,
            });
        }
    }

    /// The bar of a sweep row in direction `direction`, or `None` with its problems recorded.
    fn bar<'a>(
        &mut self,
        place: &str,
        cell: &impl Fn(usize) -> Cell<'a>,
        direction: Direction,
    ) -> Option<Bar> {
        let sweep = cell(self.layout.sweep);
        let sweep = match sweep
            .integer()
            .filter(|s| (0..=i64::from(i32::MAX)).contains(s))
        {
            Some(s) => Some(s as i32),
            None => {
                self.problem(
                    place,
                    2,
                    format!(
                        "{}, expected a sweep index ≥ 0 (a baseline row's is ignored)",
                        sweep.shown()
                    ),
                );
                None
            }
        };
        let centre = cell(self.layout.bar);
        let centre_deg = match centre.float().filter(|c| c.is_finite()) {
            Some(c) => Some(c),
            None => {
                self.problem(
                    place,
                    3,
                    format!(
                        "{}, expected the bar centre in degrees (a baseline row's is ignored)",
                        centre.shown()
                    ),
                );
                None
            }
        };
        Some(Bar {
            direction,
            sweep: sweep?,
            centre_deg: centre_deg?,
        })
    }

    /// The schedule rows, or every problem found (at most twenty
    /// listed, the rest counted), `; `-separated.
    pub fn finish(self) -> Result<Vec<ScheduleRow>, String> {
        if self.seen == 0 {
            return Err(
                "no rows: a stimulus log has one row per displayed frame, in display order"
                    .to_owned(),
            );
        }
        if self.problems.is_empty() {
            return Ok(self.rows);
        }
        let mut said = self.problems.join("; ");
        if self.unlisted > 0 {
            said.push_str(&format!("; and {} more", self.unlisted));
        }
        Err(said)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> Params {
        serde_json::from_value(serde_json::json!({
            "directions": ["LR", "TB"], "display_rate_hz": 60.0,
            "sweep_duration_s": {"azimuth": 1.0, "altitude": 1.0},
            "bar_start_deg": {"LR": 0.0, "TB": 0.0}, "travel_deg": {"azimuth": 10.0, "altitude": 10.0},
            "clock_offset_s": 0.5,
        }))
        .unwrap()
    }

    const LAYOUT: Layout = Layout {
        time: 0,
        direction: 1,
        sweep: 2,
        bar: 3,
        polarity: None,
        indicator: None,
    };

    /// Checks CSV-like rows of text.
    fn check(rows: &[[&str; 4]]) -> Result<Vec<ScheduleRow>, String> {
        let mut check = RowCheck::new(&params(), LAYOUT);
        for (k, row) in rows.iter().enumerate() {
            check.push(&format!("line {}", k + 2), |i| Cell::Text(row[i]));
        }
        check.finish()
    }

    #[test]
    fn codes_and_names_give_the_same_rows_shifted_by_the_clock_offset() {
        let by_code = check(&[["0.0", "-1", "", "nan"], ["0.25", "0", "1", "-10.5"]]).unwrap();
        let by_name = check(&[["0.0", "-1", "-1", ""], ["0.25", "LR", "1", "-10.5"]]).unwrap();
        assert_eq!(by_code, by_name);
        assert_eq!(
            by_code,
            [
                ScheduleRow {
                    time_s: 0.5,
                    frame_index: 0,
                    bar: None,
                    polarity: 1,
                    indicator: 0
                },
                ScheduleRow {
                    time_s: 0.75,
                    frame_index: 1,
                    bar: Some(Bar {
                        direction: Direction::LR,
                        sweep: 1,
                        centre_deg: -10.5
                    }),
                    polarity: 1,
                    indicator: 0
                }
            ]
        );
    }

    #[test]
    fn a_table_row_of_numbers_reads_like_its_text() {
        let mut table = RowCheck::new(&params(), LAYOUT);
        let values = [
            Scalar::Float(0.25),
            Scalar::Int(3),
            Scalar::Float(2.0),
            Scalar::Float(4.5),
        ];
        table.push("row 0", |i| Cell::Number(values[i]));
        let rows = table.finish().unwrap();
        assert_eq!(
            rows[0].bar,
            Some(Bar {
                direction: Direction::TB,
                sweep: 2,
                centre_deg: 4.5
            })
        );
    }

    #[test]
    fn every_malformed_value_is_reported_at_once_with_its_line_and_column() {
        let error = check(&[
            ["0.0", "UP", "0", "1.0"],
            ["soon", "0", "-2", "x"],
            ["0.1", "RL", "0", "1.0"],
            ["0.05", "2", "0", "1.0"],
        ])
        .unwrap_err();
        assert_eq!(
            error,
            "line 2, column `direction`: \"UP\", expected a direction code (0 = LR, 1 = RL, 2 = BT, \
             3 = TB, -1 = baseline) or name (LR, RL, BT, TB); \
             line 3, column `time_s`: \"soon\", expected a time in seconds; \
             line 3, column `sweep`: \"-2\", expected a sweep index ≥ 0 (a baseline row's is ignored); \
             line 3, column `bar_centre_deg`: \"x\", expected the bar centre in degrees (a baseline row's \
             is ignored); \
             line 4, column `direction`: RL, a direction the parameter `directions` does not list (LR, TB); \
             line 5, column `time_s`: 0.05 s is not after the previous row's 0.1 s: a stimulus log has one \
             row per displayed frame, in display order; \
             line 5, column `direction`: BT, a direction the parameter `directions` does not list (LR, TB)"
        );
    }

    #[test]
    fn polarity_and_indicator_are_read_when_the_log_has_them() {
        let layout = Layout {
            polarity: Some(4),
            indicator: Some(5),
            ..LAYOUT
        };
        let mut check = RowCheck::new(&params(), layout);
        let row = ["0", "-1", "-1", "nan", "-1", "255"];
        check.push("line 2", |i| Cell::Text(row[i]));
        let bad = ["1", "-1", "-1", "nan", "0", "1"];
        check.push("line 3", |i| Cell::Text(bad[i]));
        assert_eq!(
            check.finish().unwrap_err(),
            "line 3, column `polarity`: \"0\", expected +1 or -1; \
             line 3, column `indicator`: \"1\", expected 0 or 255"
        );
        let mut check = RowCheck::new(&params(), layout);
        check.push("line 2", |i| Cell::Text(row[i]));
        let rows = check.finish().unwrap();
        assert_eq!((rows[0].polarity, rows[0].indicator), (-1, 255));
    }

    #[test]
    fn a_log_without_rows_is_refused() {
        assert_eq!(
            check(&[]).unwrap_err(),
            "no rows: a stimulus log has one row per displayed frame, in display order"
        );
    }

    #[test]
    fn past_twenty_problems_the_rest_are_counted() {
        let rows = vec![["x", "0", "0", "0"]; 25];
        let error = check(&rows).unwrap_err();
        assert!(error.ends_with("; and 5 more"), "{error}");
        assert_eq!(error.matches("expected a time").count(), 20);
    }
}
