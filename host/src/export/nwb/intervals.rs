//! The stimulus sweeps as an NWB `TimeIntervals` table (`/intervals/sweeps`):
//! one row per sweep of the schedule, with its start and stop time, direction
//! and sweep index. The table is an hdmf-common `DynamicTable`: a `colnames`
//! attribute, an `id` column (`ElementIdentifiers`) and one `VectorData`
//! dataset per column, each with its `description`.

use hdf5::Group;
use macroscope_schedule::{Direction, BASELINE_CODE};

use super::typed::{self, CORE, HDMF_COMMON};

/// One sweep: consecutive schedule rows showing the same direction and sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct Sweep {
    /// Time of its first row (s, stimulus clock).
    pub start_s: f64,
    /// Time of the row after its last (or its last row's time plus one
    /// display frame, at the end of the schedule).
    pub stop_s: f64,
    /// Its direction.
    pub direction: Direction,
    /// Its index within its direction.
    pub sweep: i32,
}

/// The sweeps of a schedule: `times` (s) of its rows, their `direction` codes
/// and `sweep` indices, shown at `display_rate_hz`. Baseline rows (direction
/// −1) belong to no sweep; an unknown direction code is returned as an error.
pub fn sweeps(
    times: &[f64],
    directions: &[i8],
    sweep_indices: &[i32],
    display_rate_hz: f64,
) -> Result<Vec<Sweep>, String> {
    let mut found: Vec<Sweep> = Vec::new();
    let mut open: Option<(usize, i8, i32)> = None;
    let row_end = |row: usize| match times.get(row + 1) {
        Some(&next) => next,
        None => times[row] + 1.0 / display_rate_hz,
    };
    let rows = times.len().min(directions.len()).min(sweep_indices.len());
    for row in 0..rows {
        let key = (directions[row], sweep_indices[row]);
        let continues = matches!(open, Some((_, d, s)) if (d, s) == key);
        if !continues {
            if let Some((first, code, sweep)) = open.take() {
                found.push(sweep_of(times[first], row_end(row - 1), code, sweep)?);
            }
            if key.0 != BASELINE_CODE {
                open = Some((row, key.0, key.1));
            }
        }
    }
    if let Some((first, code, sweep)) = open {
        found.push(sweep_of(times[first], row_end(rows - 1), code, sweep)?);
    }
    Ok(found)
}

fn sweep_of(start_s: f64, stop_s: f64, code: i8, sweep: i32) -> Result<Sweep, String> {
    let direction = Direction::from_code(i64::from(code)).ok_or_else(|| {
        format!("direction code {code} is not one of -1 (baseline), 0 LR, 1 RL, 2 BT, 3 TB")
    })?;
    Ok(Sweep {
        start_s,
        stop_s,
        direction,
        sweep,
    })
}

/// Writes `sweeps` as the `TimeIntervals` table `name` in `intervals`.
pub fn write(
    intervals: &Group,
    name: &str,
    description: &str,
    sweeps: &[Sweep],
) -> hdf5::Result<()> {
    let table = typed::group(intervals, name, CORE, "TimeIntervals")?;
    typed::attr_text(&table, "description", description)?;
    typed::attr_text_list(
        &table,
        "colnames",
        &["start_time", "stop_time", "direction", "sweep"],
    )?;
    let ids: Vec<i64> = (0..sweeps.len() as i64).collect();
    let id = typed::array(&table, "id", ndarray::aview1(&ids))?;
    typed::mark(&id, HDMF_COMMON, "ElementIdentifiers")?;
    let starts: Vec<f64> = sweeps.iter().map(|s| s.start_s).collect();
    column(
        &table,
        "start_time",
        "Start time of the sweep, in seconds",
        ndarray::aview1(&starts),
    )?;
    let stops: Vec<f64> = sweeps.iter().map(|s| s.stop_s).collect();
    column(
        &table,
        "stop_time",
        "Stop time of the sweep, in seconds",
        ndarray::aview1(&stops),
    )?;
    let names: Vec<&str> = sweeps.iter().map(|s| s.direction.name()).collect();
    let directions = typed::text_list(&table, "direction", &names)?;
    describe_column(
        &directions,
        "Direction the bar moved: LR (left to right, toward larger azimuth), RL, BT (bottom to top, toward larger \
         altitude) or TB",
    )?;
    let indices: Vec<i32> = sweeps.iter().map(|s| s.sweep).collect();
    column(
        &table,
        "sweep",
        "Index of the sweep within its direction, from 0",
        ndarray::aview1(&indices),
    )?;
    Ok(())
}

fn column<T: hdf5::H5Type>(
    table: &Group,
    name: &str,
    description: &str,
    values: ndarray::ArrayView1<'_, T>,
) -> hdf5::Result<()> {
    let dataset = typed::array(table, name, values)?;
    describe_column(&dataset, description)
}

fn describe_column(dataset: &hdf5::Dataset, description: &str) -> hdf5::Result<()> {
    typed::attr_text(dataset, "description", description)?;
    typed::mark(dataset, HDMF_COMMON, "VectorData")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sweep_runs_from_its_first_row_to_the_row_after_its_last() {
        let times = [0.0, 0.5, 1.0, 1.5, 2.0, 2.5];
        let found = sweeps(&times, &[-1, 0, 0, 1, 1, -1], &[-1, 0, 0, 0, 0, -1], 2.0).unwrap();
        assert_eq!(
            found,
            vec![
                Sweep {
                    start_s: 0.5,
                    stop_s: 1.5,
                    direction: Direction::LR,
                    sweep: 0
                },
                Sweep {
                    start_s: 1.5,
                    stop_s: 2.5,
                    direction: Direction::RL,
                    sweep: 0
                },
            ]
        );
    }

    #[test]
    fn consecutive_sweeps_of_one_direction_are_told_apart_by_their_index() {
        let found = sweeps(&[0.0, 1.0, 2.0], &[2, 2, 2], &[0, 0, 1], 1.0).unwrap();
        assert_eq!(found.len(), 2);
        assert_eq!(
            (found[1].start_s, found[1].stop_s, found[1].sweep),
            (2.0, 3.0, 1)
        );
    }

    #[test]
    fn a_sweep_at_the_end_lasts_until_one_display_frame_after_its_last_row() {
        let found = sweeps(&[0.0, 0.25], &[3, 3], &[0, 0], 4.0).unwrap();
        assert_eq!(found[0].stop_s, 0.5);
    }

    #[test]
    fn an_unknown_direction_code_is_refused() {
        assert_eq!(
            sweeps(&[0.0], &[7], &[0], 60.0).unwrap_err(),
            "direction code 7 is not one of -1 (baseline), 0 LR, 1 RL, 2 BT, 3 TB"
        );
    }
}
