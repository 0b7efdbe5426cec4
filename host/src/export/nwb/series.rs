//! NWB time series: a stored movie as an `ImageSeries` (its frames copied
//! chunk for chunk, still compressed, from the run file) and a schedule
//! column as a `TimeSeries`, each with the time of its items in seconds on
//! the stimulus clock: a start and a rate when they are evenly spaced, else
//! the time of every item (`timestamps`).

use hdf5::Group;

use super::error::NwbError;
use super::typed::{self, CORE};
use crate::store::{copy_dataset_bare, RunCatalog, StoredPort};

/// What an `ImageSeries` or `TimeSeries` says about itself.
pub struct SeriesText<'a> {
    /// Its `description`.
    pub description: &'a str,
    /// Its `comments` (where it came from).
    pub comments: &'a str,
    /// The unit of its values (`data`'s `unit`).
    pub unit: &'a str,
}

/// The time of each item of stream `port`, in seconds: its `time_s` column,
/// else its `timestamp_ns` column / 1e9.
pub fn item_times(run: &RunCatalog, port: &StoredPort) -> Result<Vec<f64>, NwbError> {
    let read = |column: &str| run.file.dataset(&port.column_path(column));
    let h5 = |e| NwbError::hdf5(&run.path, format!("reading the times of {}", port.path), e);
    if port.has_column("time_s") {
        Ok(read("time_s")
            .and_then(|d| d.read_raw::<f64>())
            .map_err(h5)?)
    } else if port.has_column("timestamp_ns") {
        let ns = read("timestamp_ns")
            .and_then(|d| d.read_raw::<i64>())
            .map_err(h5)?;
        Ok(ns.into_iter().map(|t| t as f64 / 1e9).collect())
    } else {
        Err(NwbError::NoTimes {
            run: run.path.clone(),
            dataset: port.path.clone(),
            found: match port.columns.len() {
                0 => "no columns".to_owned(),
                _ => format!("`{}`", port.columns.join("`, `")),
            },
        })
    }
}

/// Writes stream `port` (frames [N, H, W]) as the `ImageSeries` `name` in
/// `parent`, with `times` and, if given, a link to the device at `device`
/// (an absolute path in the NWB file).
pub fn image_series(
    run: &RunCatalog,
    parent: &Group,
    name: &str,
    port: &StoredPort,
    times: &[f64],
    text: &SeriesText<'_>,
    device: Option<&str>,
) -> hdf5::Result<()> {
    let series = series_group(parent, name, "ImageSeries", text)?;
    copy_dataset_bare(&run.file, &port.path, &series, "data")?;
    describe_data(&series.dataset("data")?, text.unit)?;
    write_timestamps(&series, times)?;
    if let Some(device) = device {
        series.link_soft(device, "device")?;
    }
    Ok(())
}

/// Writes `values` at `times` as the `TimeSeries` `name` in `parent`.
pub fn time_series(
    parent: &Group,
    name: &str,
    values: &[f64],
    times: &[f64],
    text: &SeriesText<'_>,
) -> hdf5::Result<()> {
    let series = series_group(parent, name, "TimeSeries", text)?;
    let data = typed::array(&series, "data", ndarray::aview1(values))?;
    describe_data(&data, text.unit)?;
    write_timestamps(&series, times)
}

fn series_group(
    parent: &Group,
    name: &str,
    neurodata_type: &str,
    text: &SeriesText<'_>,
) -> hdf5::Result<Group> {
    let series = typed::group(parent, name, CORE, neurodata_type)?;
    typed::attr_text(&series, "description", text.description)?;
    typed::attr_text(&series, "comments", text.comments)?;
    Ok(series)
}

/// `data`'s attributes: values are stored as they are (`conversion` 1,
/// `offset` 0) in `unit`, their resolution unknown (−1, NWB's "unknown").
fn describe_data(data: &hdf5::Dataset, unit: &str) -> hdf5::Result<()> {
    typed::attr_scalar(data, "conversion", 1.0f64)?;
    typed::attr_scalar(data, "offset", 0.0f64)?;
    typed::attr_scalar(data, "resolution", -1.0f64)?;
    typed::attr_text(data, "unit", unit)
}

/// When the items were taken: NWB wants a constant rate written as a start
/// time and a rate, not as timestamps (nwbinspector's `check_regular_timestamps`
/// calls regular timestamps a best-practice violation).
#[derive(Debug, Clone, PartialEq)]
enum Timing<'a> {
    /// Every interval the same, to the nanosecond.
    Rate {
        /// The first item's time (s).
        start_s: f64,
        /// Items per second.
        rate_hz: f64,
    },
    /// The time of each item (s).
    Timestamps(&'a [f64]),
}

impl Timing<'_> {
    /// The timing of items taken at `times`: a rate when there are more than
    /// two and every interval rounds to the same nanosecond (nwbinspector's
    /// test), else the timestamps.
    fn of(times: &[f64]) -> Timing<'_> {
        let ns = |pair: &[f64]| ((pair[1] - pair[0]) * 1e9).round() as i64;
        let first = times.get(..2).map(ns);
        let regular = times.len() > 2
            && first.is_some_and(|step| step != 0)
            && times.windows(2).all(|pair| Some(ns(pair)) == first);
        if regular {
            Timing::Rate {
                start_s: times[0],
                rate_hz: 1.0 / (times[1] - times[0]),
            }
        } else {
            Timing::Timestamps(times)
        }
    }
}

fn write_timestamps(series: &Group, times: &[f64]) -> hdf5::Result<()> {
    match Timing::of(times) {
        Timing::Rate { start_s, rate_hz } => {
            let start = series.new_dataset::<f64>().create("starting_time")?;
            start.write_scalar(&start_s)?;
            typed::attr_scalar(&start, "rate", rate_hz as f32)?;
            typed::attr_text(&start, "unit", "seconds")
        }
        Timing::Timestamps(times) => {
            let timestamps = typed::array(series, "timestamps", ndarray::aview1(times))?;
            typed::attr_scalar(&timestamps, "interval", 1i32)?;
            typed::attr_text(&timestamps, "unit", "seconds")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_times_are_written_as_a_start_and_a_rate() {
        let times: Vec<f64> = (0..50).map(|i| 0.25 + f64::from(i) * 0.1).collect();
        let Timing::Rate { start_s, rate_hz } = Timing::of(&times) else {
            panic!("not a rate")
        };
        assert_eq!(start_s, 0.25);
        assert!((rate_hz - 10.0).abs() < 1e-9, "{rate_hz}");
    }

    #[test]
    fn irregular_times_and_short_series_keep_their_timestamps() {
        let jittered = [0.0, 0.1, 0.2000001, 0.3];
        assert_eq!(Timing::of(&jittered), Timing::Timestamps(&jittered));
        assert_eq!(Timing::of(&[0.0, 0.1]), Timing::Timestamps(&[0.0, 0.1]));
        assert_eq!(
            Timing::of(&[1.0, 1.0, 1.0]),
            Timing::Timestamps(&[1.0, 1.0, 1.0])
        );
    }
}
