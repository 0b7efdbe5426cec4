//! The stimulus schedule contract: what a stimulus's `schedule` stream carries and what every plugin
//! reading it may rely on.
//!
//! A stimulus producer (e.g. `drifting-bar`) declares its schedule port with [`SchedulePort`] and emits
//! one [`ScheduleRow`] per displayed frame; a consumer (a camera driven by the stimulus, an analysis)
//! finds the columns by the names in [`columns`] and reads the port's attributes with
//! [`ScheduleAttributes::from_port`], which reports every missing or malformed required attribute at
//! once. The contract in prose, for anyone writing their own producer: `docs/FORMAT.md`, "The schedule
//! stream".
//!
//! - [`direction`]: the four sweep directions, their column codes and the axes they map.
//! - [`columns`]: the stream's columns, in order, and one row of them.
//! - [`attributes`]: the port attributes, required and optional, and their parser.
//! - [`port`]: the port a stimulus producer declares.
#![deny(missing_docs)]

pub mod attributes;
pub mod columns;
pub mod direction;
pub mod port;

pub use attributes::{
    AttributeProblem, PerAxis, PerDirection, ScheduleAttributeError, ScheduleAttributes,
};
pub use columns::{Bar, Column, ScheduleRow};
pub use direction::{Axis, Direction, BASELINE_CODE};
pub use port::SchedulePort;
