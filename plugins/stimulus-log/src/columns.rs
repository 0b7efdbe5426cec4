//! Which of the log's columns holds what: found by the names the parameters
//! give, every missing one reported at once.

use crate::params::Params;

/// The position of each column the schedule is built from, in a row of the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// Time (s).
    pub time: usize,
    /// Direction code or name.
    pub direction: usize,
    /// Sweep index.
    pub sweep: usize,
    /// Bar centre (deg).
    pub bar: usize,
    /// Checker polarity, if the log has it.
    pub polarity: Option<usize>,
    /// Photodiode patch value, if the log has it.
    pub indicator: Option<usize>,
}

impl Layout {
    /// Finds the columns `params` names among `columns` (a CSV header, a
    /// table's fields). Every required column that is missing is named in
    /// one message, with the parameter that sets its name and the columns
    /// there are.
    pub fn find<S: AsRef<str>>(params: &Params, columns: &[S]) -> Result<Layout, String> {
        let position = |name: &str| columns.iter().position(|c| c.as_ref().trim() == name);
        let required = [
            (&params.time_column, "time_column"),
            (&params.direction_column, "direction_column"),
            (&params.sweep_column, "sweep_column"),
            (&params.bar_column, "bar_column"),
        ];
        let found: Vec<Option<usize>> = required.iter().map(|(name, _)| position(name)).collect();
        let missing: Vec<String> = required
            .iter()
            .zip(&found)
            .filter(|(_, at)| at.is_none())
            .map(|((name, parameter), _)| format!("`{name}` (set by `{parameter}`)"))
            .collect();
        match found[..] {
            [Some(time), Some(direction), Some(sweep), Some(bar)] => Ok(Layout {
                time,
                direction,
                sweep,
                bar,
                polarity: position(&params.polarity_column),
                indicator: position(&params.indicator_column),
            }),
            _ => {
                let there: Vec<String> = columns
                    .iter()
                    .map(|c| format!("`{}`", c.as_ref().trim()))
                    .collect();
                Err(format!(
                    "missing column{} {}; the log's columns are {}",
                    if missing.len() == 1 { "" } else { "s" },
                    and_list(&missing),
                    if there.is_empty() {
                        "none".to_owned()
                    } else {
                        there.join(", ")
                    }
                ))
            }
        }
    }
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> Params {
        serde_json::from_value(serde_json::json!({
            "directions": ["LR"], "display_rate_hz": 60.0, "sweep_duration_s": {"azimuth": 1.0},
            "bar_start_deg": {"LR": 0.0}, "travel_deg": {"azimuth": 10.0},
        }))
        .unwrap()
    }

    #[test]
    fn columns_are_found_by_name_in_any_order_and_the_optional_ones_when_present() {
        let layout = Layout::find(
            &params(),
            &[
                "sweep",
                " time_s ",
                "polarity",
                "bar_centre_deg",
                "direction",
            ],
        )
        .unwrap();
        assert_eq!(
            layout,
            Layout {
                time: 1,
                direction: 4,
                sweep: 0,
                bar: 3,
                polarity: Some(2),
                indicator: None
            }
        );
    }

    #[test]
    fn every_missing_column_is_named_with_the_parameter_that_names_it() {
        let error = Layout::find(&params(), &["time_s", "sweep"]).unwrap_err();
        assert_eq!(
            error,
            "missing columns `direction` (set by `direction_column`) and `bar_centre_deg` (set by \
             `bar_column`); the log's columns are `time_s`, `sweep`"
        );
    }

    #[test]
    fn renamed_columns_are_looked_for_under_their_new_names() {
        let params = Params {
            time_column: "t".to_owned(),
            ..params()
        };
        let error =
            Layout::find(&params, &["time_s", "direction", "sweep", "bar_centre_deg"]).unwrap_err();
        assert_eq!(
            error,
            "missing column `t` (set by `time_column`); the log's columns are `time_s`, \
             `direction`, `sweep`, `bar_centre_deg`"
        );
    }
}
