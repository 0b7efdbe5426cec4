//! A batch's sessions as a table: printed for people, written as CSV for
//! spreadsheets and scripts.

use std::path::Path;

use super::{State, Task};

/// One row per session: session, status, wall time, output, error.
pub struct Table {
    rows: Vec<[String; 5]>,
}

const HEADER: [&str; 5] = ["session", "status", "wall_s", "output", "error"];

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
                let (status, seconds, error) = match &task.state {
                    State::Pending => ("not run".to_owned(), String::new(), String::new()),
                    State::Invalid(reason) => ("invalid".to_owned(), String::new(), reason.clone()),
                    State::Done => ("complete".to_owned(), String::new(), String::new()),
                    State::Ran {
                        status,
                        error,
                        seconds,
                    } => (status.clone(), format!("{seconds:.1}"), error.clone()),
                };
                [task.session.clone(), status, seconds, output, error]
            })
            .collect();
        Table { rows }
    }
}

impl std::fmt::Display for Table {
    /// Aligned columns, the error last and unpadded.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut widths = HEADER.map(str::len);
        for row in &self.rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let header = HEADER.map(str::to_owned);
        for row in std::iter::once(&header).chain(&self.rows) {
            let line = format!(
                "{:<w0$}  {:<w1$}  {:>w2$}  {:<w3$}  {}",
                row[0],
                row[1],
                row[2],
                row[3],
                row[4],
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2],
                w3 = widths[3],
            );
            writeln!(f, "{}", line.trim_end())?;
        }
        Ok(())
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
