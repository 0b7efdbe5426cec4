//! `stimulus-log`: a stimulus source for stimuli shown by another program. It
//! reads a log of the displayed frames (time, direction, sweep, bar position;
//! from a CSV file, or from a table connected as its input, such as a compound
//! dataset of an HDF5 file) and, with the stimulus geometry given as
//! parameters, emits the `schedule` stream a `drifting-bar` stage emits, so
//! the analysis reads it unchanged.
//!
//! - [`params`]: what the user sets, and the geometry checked by the schedule contract.
//! - [`columns`]: which of the log's columns holds what.
//! - [`rows`]: the log's rows checked and turned into schedule rows.
//! - [`csv_log`]: a log in a CSV file.
//!
//! It is not deterministic in the store's sense: its output depends on a file
//! its parameters only name, so it is never reused from the store; the
//! SHA-256 of a CSV log is stored with the schedule instead.
#![deny(missing_docs)]

pub mod columns;
pub mod csv_log;
pub mod params;
pub mod rows;

use macroscope_plugin_api::{
    ErrorKind, Flow, InputPort, InputSpec, Item, Outputs, Plugin, PluginError, PluginInfo,
    PluginKind, PortSpec,
};
use macroscope_schedule::{SchedulePort, ScheduleRow};

use columns::Layout;
use params::LogSource;
pub use params::Params;
use rows::{Cell, RowCheck};

/// Schedule rows emitted per poll.
const ROWS_PER_POLL: usize = 4096;

/// A running `stimulus-log` stage.
pub struct StimulusLog {
    state: State,
    /// Facts stored with the schedule once started (the CSV's SHA-256).
    read: serde_json::Value,
}

/// Where the stage is.
enum State {
    /// The CSV's rows, read when started, emitted a batch per poll.
    Emitting {
        /// Every row.
        rows: Vec<ScheduleRow>,
        /// The next to emit.
        next: usize,
    },
    /// Rows arriving on the input, checked as they come and emitted when it ends.
    Receiving {
        /// The check, `None` once finished (boxed: it is much larger than the other state).
        check: Option<Box<RowCheck>>,
        /// Where the input comes from (`file:PATH#/dataset`), for messages.
        source: String,
        /// Rows received so far.
        received: u64,
    },
}

/// The schedule port, carrying the geometry the parameters give.
fn schedule_port(params: &Params) -> Result<PortSpec, PluginError> {
    Ok(SchedulePort::new(params.attributes()?)
        .with_attribute("clock_offset_s", params.clock_offset_s.into())
        .spec())
}

/// Where the log's columns are among the input's, or the input error naming
/// every missing one.
fn input_layout(params: &Params, input: &InputPort) -> Result<Layout, PluginError> {
    let names: Vec<&str> = input.spec.columns.iter().map(|c| c.name.as_str()).collect();
    Layout::find(params, &names)
        .map_err(|message| PluginError::input(0, format!("{}: {message}", input.source)))
}

impl Plugin for StimulusLog {
    type Params = Params;

    const INFO: PluginInfo = PluginInfo {
        name: "stimulus-log",
        version: env!("CARGO_PKG_VERSION"),
        kind: PluginKind::STIMULUS,
        description: "Reads the log of a stimulus shown by another program (one row per displayed frame: \
                      time, direction, sweep, bar position; a CSV file, or a table connected as the input, \
                      e.g. a compound dataset of an HDF5 file) and, with the stimulus geometry given as \
                      parameters, emits the schedule stream the analysis reads. Stores the SHA-256 of a \
                      CSV log.",
        authors: &["macroscope developers"],
        deterministic: false,
    };

    fn inputs() -> Option<Vec<InputSpec>> {
        Some(vec![InputSpec::stream("log")
            .with_description(
                "the stimulus log as a table, one row per displayed frame, its columns the log's \
                 (e.g. a compound dataset `file:movie.h5#/stimulus_log`); instead of `log_csv`",
            )
            .optional()])
    }

    fn outputs(params: &Params, inputs: &[InputPort]) -> Result<Vec<PortSpec>, PluginError> {
        let source = params.source(inputs)?;
        // The geometry and the log are both checked, so that one error says
        // everything wrong with either.
        let port = schedule_port(params);
        let items = match source {
            LogSource::Csv(path) => {
                csv_log::read(&path, params).map(|rows| Some(rows.len() as u64))
            }
            LogSource::Input => {
                input_layout(params, &inputs[0]).map(|_| inputs[0].spec.expected_items())
            }
        };
        match (port, items) {
            (Ok(port), Ok(Some(items))) => Ok(vec![port.with_expected_items(items)]),
            (Ok(port), Ok(None)) => Ok(vec![port]),
            (Err(error), Ok(_)) | (Ok(_), Err(error)) => Err(error),
            (Err(geometry), Err(log)) => Err(both(geometry, log)),
        }
    }

    fn start(params: Params, inputs: &[InputPort]) -> Result<Self, PluginError> {
        params.attributes()?;
        match params.source(inputs)? {
            LogSource::Csv(path) => Ok(StimulusLog {
                state: State::Emitting {
                    rows: csv_log::read(&path, &params)?,
                    next: 0,
                },
                read: serde_json::json!({ "log_csv_sha256": csv_log::sha256_of(&path)? }),
            }),
            LogSource::Input => Ok(StimulusLog {
                state: State::Receiving {
                    check: Some(Box::new(RowCheck::new(
                        &params,
                        input_layout(&params, &inputs[0])?,
                    ))),
                    source: inputs[0].source.to_string(),
                    received: 0,
                },
                read: serde_json::json!({}),
            }),
        }
    }

    fn started_attributes(&self) -> Vec<(usize, serde_json::Value)> {
        vec![(0, self.read.clone())]
    }

    fn poll(&mut self, out: &mut Outputs) -> Result<Flow, PluginError> {
        let State::Emitting { rows, next } = &mut self.state else {
            return Ok(Flow::Finished);
        };
        let end = (*next + ROWS_PER_POLL).min(rows.len());
        emit(&rows[*next..end], out);
        *next = end;
        Ok(if end == rows.len() {
            Flow::Finished
        } else {
            Flow::Continue
        })
    }

    fn receive(
        &mut self,
        input: usize,
        item: Item<'_>,
        _out: &mut Outputs,
    ) -> Result<(), PluginError> {
        let State::Receiving {
            check: Some(check),
            received,
            ..
        } = &mut self.state
        else {
            return Err(PluginError::input(
                input,
                "stimulus-log reads its log from `log_csv`: it takes no input then",
            ));
        };
        let meta = item.meta();
        check.push(&format!("row {received}"), |i| {
            Cell::Number(
                meta.get(i)
                    .copied()
                    .unwrap_or(macroscope_plugin_api::Scalar::Float(f64::NAN)),
            )
        });
        *received += 1;
        Ok(())
    }

    fn finish(&mut self, out: &mut Outputs) -> Result<(), PluginError> {
        if let State::Receiving { check, source, .. } = &mut self.state {
            if let Some(check) = check.take() {
                let rows = check
                    .finish()
                    .map_err(|message| PluginError::input(0, format!("{source}: {message}")))?;
                emit(&rows, out);
            }
        }
        Ok(())
    }
}

/// One error saying what is wrong with the geometry (a parameter error,
/// blamed on its parameter) and with the log.
fn both(geometry: PluginError, log: PluginError) -> PluginError {
    let field = match geometry.kind() {
        ErrorKind::InvalidParameter { field } => field.clone(),
        _ => String::new(),
    };
    let log_label = match log.kind() {
        ErrorKind::InvalidParameter { field } => format!("parameter `{field}`"),
        _ => "input `log`".to_owned(),
    };
    PluginError::parameter(
        field,
        format!("{}; and {log_label}: {}", geometry.message(), log.message()),
    )
}

/// Emits `rows` on the schedule port.
fn emit(rows: &[ScheduleRow], out: &mut Outputs) {
    for row in rows {
        out.emit(0, vec![row.time_s], &row.meta());
    }
}

macroscope_plugin_api::register_builtin!(StimulusLog);

#[cfg(feature = "export")]
macroscope_plugin_api::export_plugins!(StimulusLog);
