//! A batch's sessions as a table: printed for people, written as CSV for
//! spreadsheets and scripts.

use std::path::Path;

use super::{State, Task};

/// One row per session: session, status, wall time, frames dropped, areas
/// found, output, error.
pub struct Table {
    rows: Vec<[String; 7]>,
}

const HEADER: [&str; 7] = [
    "session", "status", "wall_s", "dropped", "areas", "output", "error",
];

impl Table {
    /// The rows of `tasks`, in order.
    pub fn of(tasks: &[Task]) -> Table {
        let rows = tasks
            .iter()
            .map(|task| {
                let output = task
                    .output
                    .as_deref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                let known = |value: Option<String>| value.unwrap_or_default();
                let (status, error, outcome) = match &task.state {
                    State::NotRun => ("not run".to_owned(), String::new(), None),
                    State::Invalid(reason) => ("invalid".to_owned(), reason.clone(), None),
                    State::Done(outcome) | State::Unfinished(outcome) => {
                        (outcome.status.clone(), outcome.error.clone(), Some(outcome))
                    }
                };
                [
                    task.session.clone(),
                    status,
                    known(outcome.and_then(|o| o.wall_s).map(|s| format!("{s:.1}"))),
                    known(outcome.and_then(|o| o.dropped).map(|n| n.to_string())),
                    known(outcome.and_then(|o| o.areas).map(|n| n.to_string())),
                    output,
                    error,
                ]
            })
            .collect();
        Table { rows }
    }
}

impl std::fmt::Display for Table {
    /// Aligned columns, numbers right-aligned, the error last and unpadded.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::readable::{
            columns,
            Align::{Left, Right},
        };
        let align = [Left, Left, Right, Right, Right, Left, Left];
        f.write_str(&columns(HEADER, align, &self.rows))
    }
}

/// Writes `table` as CSV (a header, then one row per session) to `path`.
pub fn write_csv(table: &Table, path: &Path) -> Result<(), csv::Error> {
    let mut writer = csv::Writer::from_path(path)?;
    writer.write_record(HEADER)?;
    for row in &table.rows {
        writer.write_record(row)?;
    }
    writer.flush()?;
    Ok(())
}
