//! Each frame's time in seconds on the stimulus clock.

use macroscope_plugin_api::PluginError;

use crate::params::TimesSource;

/// The times of `frames` frames from `source`, shifted by `clock_offset_s`;
/// an error names the parameter whose file or values are wrong.
pub fn frame_times(
    source: &TimesSource,
    frames: u64,
    clock_offset_s: f64,
) -> Result<Vec<f64>, PluginError> {
    let times = match source {
        TimesSource::Rate { rate_hz, start_s } => {
            (0..frames).map(|k| start_s + k as f64 / rate_hz).collect()
        }
        TimesSource::Csv { path, column } => {
            let times = csv_column(path, column)?;
            if times.len() as u64 != frames {
                return Err(PluginError::parameter(
                    "times_csv",
                    format!(
                        "{path} has {} times in `{column}`, the movie has {frames} frames: \
                         one row per frame, in page order",
                        times.len()
                    ),
                ));
            }
            times
        }
    };
    if let Some(k) = (1..times.len()).find(|&k| times[k] <= times[k - 1]) {
        return Err(PluginError::parameter(
            times_field(source),
            format!(
                "frame times must increase: frame {k} is at {} s, frame {} at {} s",
                times[k],
                k - 1,
                times[k - 1]
            ),
        ));
    }
    Ok(times.into_iter().map(|t| t + clock_offset_s).collect())
}

fn times_field(source: &TimesSource) -> &'static str {
    match source {
        TimesSource::Csv { .. } => "times_csv",
        TimesSource::Rate { .. } => "rate_hz",
    }
}

/// The finite numbers of column `column` of the CSV file at `path`.
fn csv_column(path: &str, column: &str) -> Result<Vec<f64>, PluginError> {
    let field = |message: String| PluginError::parameter("times_csv", format!("{path}: {message}"));
    let mut reader =
        csv::Reader::from_path(path).map_err(|e| field(format!("cannot read: {e}")))?;
    let headers = reader
        .headers()
        .map_err(|e| field(format!("cannot read its header row: {e}")))?;
    let Some(index) = headers.iter().position(|h| h.trim() == column) else {
        let found: Vec<&str> = headers.iter().collect();
        return Err(PluginError::parameter(
            "times_column",
            format!("{path} has no column `{column}` (its columns: {found:?})"),
        ));
    };
    let mut times = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let line = row + 2; // the header is line 1
        let record = record.map_err(|e| field(format!("line {line}: {e}")))?;
        let text = record.get(index).unwrap_or("").trim();
        match text.parse::<f64>() {
            Ok(t) if t.is_finite() => times.push(t),
            _ => {
                return Err(field(format!(
                    "line {line}: `{column}` is {text:?}, not a number of seconds"
                )))
            }
        }
    }
    Ok(times)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(text: &str) -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("times.csv");
        std::fs::write(&path, text).unwrap();
        (dir, path.to_string_lossy().into_owned())
    }

    /// The parameter an error blames and its message.
    fn said(error: &PluginError) -> (String, String) {
        match error.kind() {
            macroscope_plugin_api::ErrorKind::InvalidParameter { field } => {
                (field.clone(), error.message().to_owned())
            }
            other => panic!("not a parameter error: {other:?}"),
        }
    }

    fn column(path: &str) -> TimesSource {
        TimesSource::Csv {
            path: path.to_owned(),
            column: "time_s".to_owned(),
        }
    }

    #[test]
    fn a_constant_rate_spaces_frames_from_the_start_time_then_shifts_them() {
        let source = TimesSource::Rate {
            rate_hz: 4.0,
            start_s: 1.0,
        };
        assert_eq!(
            frame_times(&source, 3, 10.0).unwrap(),
            vec![11.0, 11.25, 11.5]
        );
    }

    #[test]
    fn a_csv_column_gives_the_times_exactly_as_written() {
        let (_dir, path) = csv("frame,time_s\n0,0.1\n1,0.30000000000000004\n");
        assert_eq!(
            frame_times(&column(&path), 2, 0.0).unwrap(),
            vec![0.1, 0.30000000000000004]
        );
    }

    #[test]
    fn a_csv_with_another_row_count_than_the_movie_is_refused_at_times_csv() {
        let (_dir, path) = csv("time_s\n0.1\n0.2\n");
        let error = frame_times(&column(&path), 3, 0.0).unwrap_err();
        assert_eq!(
            said(&error),
            (
                "times_csv".to_owned(),
                format!(
                    "{path} has 2 times in `time_s`, the movie has 3 frames: \
                 one row per frame, in page order"
                )
            )
        );
    }

    #[test]
    fn a_missing_column_is_refused_at_times_column_listing_the_columns() {
        let (_dir, path) = csv("frame,t\n0,0.1\n");
        let error = frame_times(&column(&path), 1, 0.0).unwrap_err();
        assert_eq!(
            said(&error),
            (
                "times_column".to_owned(),
                format!("{path} has no column `time_s` (its columns: [\"frame\", \"t\"])")
            )
        );
    }

    #[test]
    fn a_value_that_is_not_a_number_names_its_line() {
        let (_dir, path) = csv("time_s\n0.1\nsoon\n");
        let error = frame_times(&column(&path), 2, 0.0).unwrap_err();
        assert_eq!(
            said(&error),
            (
                "times_csv".to_owned(),
                format!("{path}: line 3: `time_s` is \"soon\", not a number of seconds")
            )
        );
    }

    #[test]
    fn times_that_do_not_increase_are_refused() {
        let (_dir, path) = csv("time_s\n0.2\n0.1\n");
        let error = frame_times(&column(&path), 2, 0.0).unwrap_err();
        assert_eq!(
            said(&error),
            (
                "times_csv".to_owned(),
                "frame times must increase: frame 1 is at 0.1 s, frame 0 at 0.2 s".to_owned()
            )
        );
    }
}
