//! `stimulus-log` through the harness (the FFI, the port checks): a log of a
//! `drifting-bar` stimulus, written as a CSV or given as a table input, comes
//! out as exactly the schedule `drifting-bar` emitted; a log that lacks
//! columns is refused in one error naming them all; it passes the
//! conformance suite.

use std::path::Path;

use drifting_bar::DriftingBar;
use macroscope_plugin_api::{
    ColumnSpec, ElementType, Emission, ErrorKind, InputPort, PortSpec, Scalar,
};
use macroscope_plugin_harness::{
    conformance, HarnessError, InputStream, OwnedItem, PluginUnderTest,
};
use macroscope_schedule::ScheduleAttributes;
use serde_json::{json, Value};
use stimulus_log::StimulusLog;

/// A short drifting-bar stimulus: every direction, two sweeps each, baselines.
fn drifting_bar_schedule() -> (PortSpec, Vec<Emission>) {
    let params = json!({
        "directions": ["LR", "RL", "BT", "TB"], "sweeps_per_direction": 2, "downsample": 40,
        "baseline_before_s": 0.5, "baseline_after_s": 0.5,
    });
    let output = PluginUnderTest::of::<DriftingBar>()
        .run(&params, &[])
        .unwrap();
    let schedule = output.port("schedule").unwrap();
    (schedule.spec.clone(), schedule.items.clone())
}

/// The stimulus-log parameters giving the geometry `schedule` carries.
fn geometry_of(schedule: &PortSpec) -> Value {
    let attributes = schedule.attributes_json();
    let mut params = json!({});
    for key in [
        "directions",
        "display_rate_hz",
        "sweep_duration_s",
        "bar_start_deg",
        "travel_deg",
        "bar_width_deg",
    ] {
        params[key] = attributes[key].clone();
    }
    params
}

const HEADER: &str = "time_s,direction,sweep,bar_centre_deg,polarity,indicator";

/// The schedule rows as a CSV log, one line per row, values as Rust prints them.
fn csv_of(rows: &[Emission]) -> String {
    let lines = rows.iter().map(|row| {
        let time = row.data.as_slice::<f64>().unwrap()[0];
        let meta: Vec<String> = row.meta.iter().skip(1).map(shown).collect();
        format!("{time},{}", meta.join(","))
    });
    std::iter::once(HEADER.to_owned())
        .chain(lines)
        .collect::<Vec<_>>()
        .join("\n")
}

fn shown(value: &Scalar) -> String {
    match value {
        Scalar::Int(i) => i.to_string(),
        Scalar::Float(f) => f.to_string(),
    }
}

/// Each row's time and metadata as bits, so that NaN equals NaN.
fn bits(rows: &[Emission]) -> Vec<(u64, Vec<u64>)> {
    rows.iter()
        .map(|row| {
            let time = row.data.as_slice::<f64>().unwrap()[0].to_bits();
            let meta = row
                .meta
                .iter()
                .map(|m| match m {
                    Scalar::Int(i) => *i as u64,
                    Scalar::Float(f) => f.to_bits(),
                })
                .collect();
            (time, meta)
        })
        .collect()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn plugin() -> PluginUnderTest {
    PluginUnderTest::of::<StimulusLog>()
}

fn column_names(spec: &PortSpec) -> Vec<(String, ElementType)> {
    spec.columns
        .iter()
        .map(|c| (c.name.to_string(), c.element))
        .collect()
}

#[test]
fn a_csv_log_of_a_drifting_bar_gives_its_schedule_bit_for_bit() {
    let (native, rows) = drifting_bar_schedule();
    let dir = tempfile::tempdir().unwrap();
    let mut params = geometry_of(&native);
    params["log_csv"] = write(dir.path(), "log.csv", &csv_of(&rows)).into();

    let output = plugin().run(&params, &[]).unwrap();
    let schedule = output.port("schedule").unwrap();
    assert_eq!(rows.len(), 6828);
    assert_eq!(schedule.spec.expected_items(), Some(rows.len() as u64));
    assert_eq!(bits(&schedule.items), bits(&rows));
    assert_eq!(
        (
            schedule.spec.element,
            schedule.spec.unit.as_str(),
            column_names(&schedule.spec)
        ),
        (native.element, native.unit.as_str(), column_names(&native))
    );
    assert_eq!(
        ScheduleAttributes::from_port(&schedule.spec),
        ScheduleAttributes::from_port(&native)
    );
}

#[test]
fn a_table_input_gives_the_same_schedule_as_the_same_log_in_a_csv() {
    let (native, rows) = drifting_bar_schedule();
    // A table as the host presents an HDF5 compound dataset: a stream of row
    // numbers whose columns are the table's fields.
    let fields = [
        ("time", ElementType::F64),
        ("direction", ElementType::I8),
        ("sweep", ElementType::I32),
        ("bar_deg", ElementType::F64),
    ];
    let spec = fields.iter().fold(
        PortSpec::stream("stimulus_log", ElementType::U64, &[]),
        |spec, (name, element)| spec.with_column(ColumnSpec::new(name, *element, "", "")),
    );
    let items = rows
        .iter()
        .enumerate()
        .map(|(k, row)| {
            let time = Scalar::Float(row.data.as_slice::<f64>().unwrap()[0]);
            OwnedItem::new(
                vec![k as u64],
                &[],
                vec![time, row.meta[1], row.meta[2], row.meta[3]],
            )
        })
        .collect();
    let input = InputStream {
        port: InputPort {
            source: "file:movie.h5#/stimulus_log".into(),
            spec,
        },
        items,
    };
    let mut params = geometry_of(&native);
    params["time_column"] = "time".into();
    params["bar_column"] = "bar_deg".into();

    let output = plugin().run(&params, &[input]).unwrap();
    let schedule = output.port("schedule").unwrap();
    // The table has no polarity or indicator: +1 and 0 throughout.
    let expected: Vec<Emission> = rows
        .iter()
        .map(|row| {
            let mut row = row.clone();
            row.meta[4] = Scalar::Int(1);
            row.meta[5] = Scalar::Int(0);
            row
        })
        .collect();
    assert_eq!(bits(&schedule.items), bits(&expected));
}

#[test]
fn a_log_missing_two_columns_is_refused_in_one_error_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(dir.path(), "log.csv", "time_s,sweep\n0.0,-1\n");
    let params = json!({
        "log_csv": log, "directions": ["LR", "RL"], "display_rate_hz": 60.0,
        "sweep_duration_s": {"azimuth": 10.0}, "bar_start_deg": {"LR": -60.0, "RL": 60.0},
        "travel_deg": {"azimuth": 120.0},
    });
    let error = match plugin().outputs(&params, &[]).unwrap_err() {
        HarnessError::Call { error, .. } => error,
        other => panic!("{other}"),
    };
    assert_eq!(
        error.kind(),
        &ErrorKind::InvalidParameter {
            field: "log_csv".to_owned()
        }
    );
    assert_eq!(
        error.message(),
        format!(
            "{log}: line 1: missing columns `direction` (set by `direction_column`) and \
             `bar_centre_deg` (set by `bar_column`); the log's columns are `time_s`, `sweep`"
        )
    );
}

#[test]
fn problems_with_the_geometry_and_with_the_log_are_reported_in_one_error() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(dir.path(), "log.csv", "time_s,sweep\n0.0,-1\n");
    let params = json!({
        "log_csv": log, "directions": ["LR"], "display_rate_hz": 60.0,
        "sweep_duration_s": {}, "bar_start_deg": {"LR": -60.0}, "travel_deg": {"azimuth": 120.0},
    });
    let error = match plugin().outputs(&params, &[]).unwrap_err() {
        HarnessError::Call { error, .. } => error,
        other => panic!("{other}"),
    };
    assert_eq!(
        error.kind(),
        &ErrorKind::InvalidParameter {
            field: "sweep_duration_s".to_owned()
        }
    );
    assert_eq!(
        error.message(),
        format!(
            "`sweep_duration_s.azimuth` is missing (the stimulus geometry a schedule carries: docs/FORMAT.md, \
             \"The schedule stream\"); and parameter `log_csv`: {log}: line 1: missing columns `direction` (set \
             by `direction_column`) and `bar_centre_deg` (set by `bar_column`); the log's columns are `time_s`, \
             `sweep`"
        )
    );
}

#[test]
fn the_clock_offset_shifts_every_time() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(
        dir.path(),
        "log.csv",
        "time_s,direction,sweep,bar_centre_deg\n0.5,-1,-1,\n0.75,LR,0,-60\n",
    );
    let params = json!({
        "log_csv": log, "clock_offset_s": -0.5, "directions": ["LR"], "display_rate_hz": 4.0,
        "sweep_duration_s": {"azimuth": 10.0}, "bar_start_deg": {"LR": -60.0},
        "travel_deg": {"azimuth": 120.0},
    });
    let output = plugin().run(&params, &[]).unwrap();
    let schedule = output.port("schedule").unwrap();
    let times: Vec<f64> = schedule
        .values::<f64>()
        .unwrap()
        .iter()
        .map(|v| v[0])
        .collect();
    assert_eq!(times, [0.0, 0.25]);
    assert_eq!(schedule.spec.attributes_json()["clock_offset_s"], -0.5);
}

#[test]
fn it_passes_the_conformance_suite() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(
        dir.path(),
        "log.csv",
        "time_s,direction,sweep,bar_centre_deg\n0,-1,-1,nan\n0.25,LR,0,-60\n0.5,LR,0,0\n",
    );
    let params = json!({
        "log_csv": log, "directions": ["LR"], "display_rate_hz": 4.0,
        "sweep_duration_s": {"azimuth": 0.5}, "bar_start_deg": {"LR": -60.0},
        "travel_deg": {"azimuth": 120.0},
    });
    let report = conformance::check_probing(&plugin(), params);
    assert!(report.passed(), "{report:#?}");
}
