//! Quality checks computed from a run's stored data: per camera, frames kept
//! and lost and the regularity of the frame clock; per Fourier stage, the
//! response in each stimulus direction and how much of the field of view it
//! covers.

use crate::store::{RunCatalog, StoreError, StoredPort};
use macroscope_plugin_api::DROPPED_BEFORE;

/// Every check of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct QualityChecks {
    /// One per camera stage with a movie.
    pub cameras: Vec<CameraCheck>,
    /// One per stage with a `magnitude` map per direction.
    pub responses: Vec<ResponseCheck>,
}

/// A camera's movie.
#[derive(Debug, Clone, PartialEq)]
pub struct CameraCheck {
    /// The stage.
    pub stage: String,
    /// Frames stored.
    pub frames: usize,
    /// Frames lost: the `dropped_before` column's sum plus the sink's
    /// uncounted drops.
    pub dropped: u64,
    /// The intervals between frames, when the stream has times.
    pub intervals: Option<Intervals>,
}

/// Intervals between consecutive frames, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Intervals {
    /// Median.
    pub median_ms: f64,
    /// Standard deviation (the jitter).
    pub sd_ms: f64,
    /// Longest.
    pub max_ms: f64,
}

/// The Fourier response of one stage, per stimulus direction.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseCheck {
    /// The stage.
    pub stage: String,
    /// Per direction: its name, the median response magnitude (ΔR/R) over
    /// the pixels that have one, and the fraction of pixels that have one.
    pub directions: Vec<(String, Option<f64>, f64)>,
}

impl QualityChecks {
    /// The checks of `run`.
    pub fn of(run: &RunCatalog) -> Result<QualityChecks, StoreError> {
        let h5 = |what: &str| {
            let what = what.to_owned();
            move |e| StoreError::hdf5(&run.path, what, e)
        };
        let mut cameras = Vec::new();
        for stage in run.stages_of_kind("camera") {
            let Some(movie) = stage.ports.iter().find(|p| p.stream && p.shape.len() == 3) else {
                continue;
            };
            let counted: u64 = if movie.has_column(DROPPED_BEFORE) {
                read_column::<u64>(run, movie, DROPPED_BEFORE)
                    .map_err(h5("reading dropped_before"))?
                    .iter()
                    .sum()
            } else {
                0
            };
            cameras.push(CameraCheck {
                stage: stage.stage.clone(),
                frames: movie.shape[0],
                dropped: counted + movie.dropped_items,
                intervals: intervals(&frame_times(run, movie).map_err(h5("reading frame times"))?),
            });
        }
        let mut responses = Vec::new();
        for stage in &run.stages {
            let Some(magnitude) = stage
                .ports
                .iter()
                .find(|p| p.name == "magnitude" && p.shape.len() == 3)
            else {
                continue;
            };
            let values = run
                .file
                .dataset(&magnitude.path)
                .and_then(|d| d.read_raw::<f64>())
                .map_err(h5("reading magnitude"))?;
            let names: Vec<String> =
                serde_json::from_value(magnitude.port_attributes["directions"].clone())
                    .unwrap_or_default();
            let per_direction = magnitude.shape[1] * magnitude.shape[2];
            let directions = values
                .chunks(per_direction.max(1))
                .enumerate()
                .map(|(i, plane)| {
                    let mut seen: Vec<f64> =
                        plane.iter().copied().filter(|v| v.is_finite()).collect();
                    let covered = seen.len() as f64 / plane.len().max(1) as f64;
                    let name = names.get(i).cloned().unwrap_or_else(|| format!("#{i}"));
                    (name, median(&mut seen), covered)
                })
                .collect();
            responses.push(ResponseCheck {
                stage: stage.stage.clone(),
                directions,
            });
        }
        Ok(QualityChecks { cameras, responses })
    }
}

fn read_column<T: hdf5::H5Type>(
    run: &RunCatalog,
    port: &StoredPort,
    column: &str,
) -> hdf5::Result<Vec<T>> {
    run.file.dataset(&port.column_path(column))?.read_raw::<T>()
}

/// Each frame's time in seconds (`time_s`, else `timestamp_ns`), or none.
fn frame_times(run: &RunCatalog, movie: &StoredPort) -> hdf5::Result<Vec<f64>> {
    if movie.has_column("time_s") {
        read_column::<f64>(run, movie, "time_s")
    } else if movie.has_column("timestamp_ns") {
        Ok(read_column::<i64>(run, movie, "timestamp_ns")?
            .into_iter()
            .map(|t| t as f64 * 1e-9)
            .collect())
    } else {
        Ok(Vec::new())
    }
}

/// The intervals between consecutive `times` (seconds), or `None` for fewer
/// than two.
fn intervals(times: &[f64]) -> Option<Intervals> {
    let mut gaps: Vec<f64> = times.windows(2).map(|w| (w[1] - w[0]) * 1e3).collect();
    if gaps.is_empty() {
        return None;
    }
    let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
    let sd = (gaps.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / gaps.len() as f64).sqrt();
    let max = gaps.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Some(Intervals {
        median_ms: median(&mut gaps)?,
        sd_ms: sd,
        max_ms: max,
    })
}

/// The median of `values` (reordered), or `None` if there are none.
fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_of_a_steady_clock_with_one_late_frame() {
        let times = [0.0, 0.040, 0.080, 0.130, 0.170];
        let found = intervals(&times).unwrap();
        assert!((found.median_ms - 40.0).abs() < 1e-9);
        assert!((found.max_ms - 50.0).abs() < 1e-9);
        // Gaps 40, 40, 50, 40: mean 42.5, sd sqrt((3·2.5² + 7.5²)/4) = 4.33.
        assert!((found.sd_ms - 4.330127).abs() < 1e-6, "{found:?}");
    }

    #[test]
    fn one_frame_has_no_intervals() {
        assert_eq!(intervals(&[1.0]), None);
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&mut []), None);
    }
}
