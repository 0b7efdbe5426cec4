//! macroscope: runs intrinsic-signal imaging pipelines.
//!
//! Data flows one way: a [`pipeline`] file names plugins found by the
//! [`registry`]; the [`runtime`] runs them as a streaming DAG and hands every
//! output to the [`store`], the one sink that owns the HDF5 files; [`export`]
//! writes a finished run in other formats (NWB).
#![deny(missing_docs)]

pub mod batch;
pub mod cli;
pub mod evaluate;
pub mod export;
pub mod figures;
pub mod item;
pub mod pipeline;
pub mod readable;
pub mod registry;
pub mod report;
pub mod runtime;
pub mod session;
pub mod stage_id;
pub mod store;
pub mod user_dir;

/// Version of this host, recorded in every file it writes.
pub const HOST_VERSION: &str = env!("CARGO_PKG_VERSION");

// Link the built-in plugins so their `inventory` registrations reach this binary.
use drifting_bar as _;
use fourier_maps as _;
use movie_file as _;
use retinotopy as _;
use stimulus_log as _;
use synthetic_cortex as _;
