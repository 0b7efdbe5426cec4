//! A stimulus log in a CSV file: a header row naming the columns, then one row
//! per displayed frame.

use macroscope_plugin_api::PluginError;
use macroscope_schedule::ScheduleRow;
use sha2::{Digest, Sha256};

use crate::columns::Layout;
use crate::params::Params;
use crate::rows::{Cell, RowCheck};

/// The schedule rows of the CSV log at `path`. Every problem (missing
/// columns; else every malformed value, by line and column) is reported in
/// one error at parameter `log_csv`, prefixed with the path.
pub fn read(path: &str, params: &Params) -> Result<Vec<ScheduleRow>, PluginError> {
    let blame = |message: String| PluginError::parameter("log_csv", format!("{path}: {message}"));
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| blame(format!("cannot read: {e}")))?;
    let header = reader
        .headers()
        .map_err(|e| blame(format!("cannot read its header row: {e}")))?
        .clone();
    let columns: Vec<&str> = header.iter().collect();
    let layout =
        Layout::find(params, &columns).map_err(|message| blame(format!("line 1: {message}")))?;
    let mut check = RowCheck::new(params, layout);
    for (row, record) in reader.records().enumerate() {
        let line = row + 2; // the header is line 1
        let record = record.map_err(|e| blame(format!("line {line}: {e}")))?;
        check.push(&format!("line {line}"), |i| {
            Cell::Text(record.get(i).unwrap_or(""))
        });
    }
    check.finish().map_err(blame)
}

/// Hex SHA-256 of the file at `path`; an error blames `log_csv`.
pub fn sha256_of(path: &str) -> Result<String, PluginError> {
    let blame =
        |e: std::io::Error| PluginError::parameter("log_csv", format!("{path}: cannot read: {e}"));
    let mut file = std::fs::File::open(path).map_err(blame)?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(blame)?;
    Ok(format!("{:x}", hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use macroscope_plugin_api::ErrorKind;

    fn params() -> Params {
        serde_json::from_value(serde_json::json!({
            "directions": ["LR", "RL"], "display_rate_hz": 4.0, "sweep_duration_s": {"azimuth": 0.5},
            "bar_start_deg": {"LR": -10.0, "RL": 10.0}, "travel_deg": {"azimuth": 20.0},
        }))
        .unwrap()
    }

    fn csv(text: &str) -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.csv");
        std::fs::write(&path, text).unwrap();
        (dir, path.to_string_lossy().into_owned())
    }

    fn said(error: PluginError) -> (String, String) {
        match error.kind() {
            ErrorKind::InvalidParameter { field } => (field.clone(), error.message().to_owned()),
            other => panic!("not a parameter error: {other:?}"),
        }
    }

    #[test]
    fn a_csv_log_gives_one_schedule_row_per_line_exactly_as_written() {
        let (_dir, path) = csv("time_s, direction, sweep, bar_centre_deg\n\
             0,-1,-1,nan\n0.25,LR,0,-10\n0.5,LR,0,0.30000000000000004\n0.75,1,0,10\n");
        let rows = read(&path, &params()).unwrap();
        let columns: Vec<(f64, i64, Option<f64>)> = rows
            .iter()
            .map(|r| (r.time_s, r.frame_index, r.bar.map(|b| b.centre_deg)))
            .collect();
        assert_eq!(
            columns,
            [
                (0.0, 0, None),
                (0.25, 1, Some(-10.0)),
                (0.5, 2, Some(0.30000000000000004)),
                (0.75, 3, Some(10.0))
            ]
        );
    }

    #[test]
    fn a_row_shorter_than_the_header_reports_its_missing_values() {
        let (_dir, path) = csv("time_s,direction,sweep,bar_centre_deg\n0.25,LR\n");
        assert_eq!(
            said(read(&path, &params()).unwrap_err()),
            (
                "log_csv".to_owned(),
                format!(
                    "{path}: line 2, column `sweep`: empty, expected a sweep index ≥ 0 (a baseline \
                     row's is ignored); line 2, column `bar_centre_deg`: empty, expected the bar centre \
                     in degrees (a baseline row's is ignored)"
                )
            )
        );
    }

    #[test]
    fn a_missing_file_is_refused_at_log_csv_with_its_path() {
        let error = read("/nonexistent/log.csv", &params()).unwrap_err();
        let (field, message) = said(error);
        assert_eq!(field, "log_csv");
        assert!(
            message.starts_with("/nonexistent/log.csv: cannot read: "),
            "{message}"
        );
    }
}
