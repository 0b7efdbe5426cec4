//! Everything that can go wrong in `synthetic-cortex`, each saying what to fix.

use macroscope_plugin_api::PluginError;
use macroscope_schedule::ScheduleAttributeError;

/// An error of the `synthetic-cortex` camera.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CortexError {
    /// A parameter is outside its documented range.
    #[error("parameter `{field}` must be {expected}, found {found}")]
    InvalidParameter {
        /// The parameter's name.
        field: &'static str,
        /// What it must be.
        expected: String,
        /// What it was.
        found: String,
    },
    /// The stage is not wired to exactly one `schedule` stream.
    #[error(
        "synthetic-cortex takes exactly one input, the `schedule` stream of a stimulus \
         (e.g. `inputs = [\"stimulus.schedule\"]`); {found}"
    )]
    WrongInputs {
        /// What was connected instead.
        found: String,
    },
    /// The schedule port lacks a column the camera reads.
    #[error(
        "input `{input}` has no column `{column}` ({element}); a stimulus `schedule` stream \
         must carry frame_index, direction, sweep and bar_centre_deg"
    )]
    MissingColumn {
        /// The connected port, `stage.port`.
        input: String,
        /// The missing column.
        column: &'static str,
        /// Its expected element type.
        element: &'static str,
    },
    /// The schedule port's attributes break the schedule contract.
    #[error("input `{input}`: {error}")]
    ScheduleAttributes {
        /// The connected port, `stage.port`.
        input: String,
        /// Every problem with them.
        error: ScheduleAttributeError,
    },
    /// The schedule port's attributes lack a value the response model needs.
    #[error("input `{input}` has no numeric attribute `{attribute}` ({why})")]
    MissingAttribute {
        /// The connected port, `stage.port`.
        input: String,
        /// The missing attribute.
        attribute: &'static str,
        /// What it is used for.
        why: &'static str,
    },
    /// A schedule row carries a direction code outside the contract.
    #[error(
        "schedule row {frame_index} has direction code {code}; expected -1 (baseline), \
         0 (LR), 1 (RL), 2 (BT) or 3 (TB)"
    )]
    UnknownDirection {
        /// The row's `frame_index`.
        frame_index: i64,
        /// The code found.
        code: i64,
    },
    /// Schedule rows must come in strictly increasing time.
    #[error(
        "schedule row {frame_index} at {time_s} s does not come after the previous row at \
         {previous_s} s; the schedule must be in strictly increasing time"
    )]
    TimeNotIncreasing {
        /// The row's `frame_index`.
        frame_index: i64,
        /// Its time.
        time_s: f64,
        /// The previous row's time.
        previous_s: f64,
    },
    /// A schedule item is not one finite f64 time.
    #[error("schedule item {index} must be one finite f64 time in seconds, got {found}")]
    BadScheduleItem {
        /// Position of the item in the stream.
        index: u64,
        /// What arrived.
        found: String,
    },
}

impl From<CortexError> for PluginError {
    fn from(error: CortexError) -> Self {
        let message = error.to_string();
        match error {
            CortexError::InvalidParameter { field, .. } => PluginError::parameter(field, message),
            // Its one input is the schedule.
            CortexError::WrongInputs { .. }
            | CortexError::MissingColumn { .. }
            | CortexError::ScheduleAttributes { .. }
            | CortexError::MissingAttribute { .. } => PluginError::input(0, message),
            _ => PluginError::new(message),
        }
    }
}
