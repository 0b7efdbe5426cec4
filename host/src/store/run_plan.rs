//! What the sink is told about a run, in the store's own terms: the stages it
//! lays out, their provenance and their wiring. The runtime translates a
//! checked pipeline into a [`RunPlan`], so the store depends on no pipeline
//! type (data flows one way: pipeline → runtime → store).

use std::path::PathBuf;

use macroscope_plugin_api::{PluginKind, PortSpec};

use crate::registry::Origin;
use crate::session::Session;

/// A run as the sink lays it out.
#[derive(Debug, Clone)]
pub struct RunPlan {
    /// `[pipeline] name`.
    pub pipeline_name: String,
    /// The pipeline file (recorded for provenance).
    pub pipeline_file: PathBuf,
    /// Its exact text (recorded for provenance).
    pub pipeline_text: String,
    /// `[session]`: what was imaged (recorded at the root; never in a store key).
    pub session: Option<Session>,
    /// The HDF5 file to write.
    pub output: PathBuf,
    /// `[pipeline] store`, if set: see [`StoreOptions::for_run`](super::StoreOptions::for_run).
    pub store: Option<PathBuf>,
    /// The stages, upstream first.
    pub stages: Vec<StageRecord>,
    /// The run clock's zero on the host's monotonic clock
    /// (`macroscope_plugin_api::clock::monotonic_ns`), in ns: the root
    /// attribute `run_clock_origin_ns`.
    pub run_clock_origin_ns: i64,
}

/// One stage as the sink records it.
#[derive(Debug, Clone)]
pub struct StageRecord {
    /// Its id: names its group ([`is_stage_id`](crate::stage_id::is_stage_id)).
    pub id: String,
    /// The plugin it runs.
    pub plugin: PluginRecord,
    /// Effective parameters.
    pub params: serde_json::Value,
    /// Its inputs, in the order the stage sees them.
    pub inputs: Vec<StageInput>,
    /// Its output ports (as a started device reported them, else as declared).
    pub outputs: Vec<PortSpec>,
}

/// What identifies the plugin of a stage.
#[derive(Debug, Clone, PartialEq)]
pub struct PluginRecord {
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Its kind (decides where its group goes).
    pub kind: PluginKind,
    /// Whether its outputs depend only on parameters and inputs (may be reused).
    pub deterministic: bool,
    /// Where its code came from (a library's path and SHA-256, or built in).
    pub origin: Origin,
}

/// One input of a stage.
#[derive(Debug, Clone, PartialEq)]
pub struct StageInput {
    /// The port name the stage sees.
    pub port: String,
    /// The source as the pipeline writes it: `stage.port` or `file:PATH#/dataset`.
    pub source: String,
    /// Where its items come from.
    pub from: InputFrom,
}

/// Where the items of an input come from.
#[derive(Debug, Clone, PartialEq)]
pub enum InputFrom {
    /// Output `port` of the earlier stage `stage` (indices into [`RunPlan::stages`]).
    Stage {
        /// Index of the producing stage.
        stage: usize,
        /// Index of its output port.
        port: usize,
    },
    /// A dataset of an existing HDF5 file.
    File {
        /// The file.
        path: PathBuf,
        /// The dataset path inside it (a `*` pattern is resolved when planned).
        dataset: String,
    },
}
