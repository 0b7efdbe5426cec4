//! Pipeline files: TOML parsed with spans (`PipelineFile`), then validated into
//! a runnable [`Pipeline`] (DAG resolved, ports type-checked, params checked).
//! TODO(pipeline helper): implement parsing and validation.

use std::path::PathBuf;

use macroscope_plugin_api::{ffi::StageBox, InputPort, PortSpec};

use crate::registry::RegisteredPlugin;

/// A validated pipeline, ready to run. Stages are in topological order.
pub struct Pipeline {
    /// The pipeline file.
    pub file: PathBuf,
    /// Its exact text (stored in the output for provenance).
    pub text: String,
    /// `[pipeline] name`.
    pub name: String,
    /// `[pipeline] output`: the HDF5 file to write (relative to the working directory).
    pub output: PathBuf,
    /// `[pipeline] store`: the content-addressed store directory, if set.
    pub store: Option<PathBuf>,
    /// The stages, upstream first.
    pub stages: Vec<Stage>,
}

/// One configured stage.
pub struct Stage {
    /// Its id (the TOML table name under `[stages]`).
    pub id: String,
    /// The plugin it runs.
    pub plugin: RegisteredPlugin,
    /// Effective parameters: as written plus the schema's top-level defaults.
    pub params: serde_json::Value,
    /// Its inputs, in the order written.
    pub inputs: Vec<InputBinding>,
    /// Its output ports, as the plugin declared them.
    pub outputs: Vec<PortSpec>,
    /// The configured plugin instance (taken by the runtime when it runs).
    pub instance: Option<StageBox>,
}

/// Where one input of a stage comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum InputSource {
    /// An output port of an earlier stage (indices into `Pipeline::stages` and its outputs).
    Stage {
        /// Index of the producing stage.
        stage: usize,
        /// Index of its output port.
        port: usize,
    },
    /// A dataset of an existing HDF5 file (`file:PATH#/dataset`), read by the store.
    File {
        /// The file.
        path: PathBuf,
        /// The dataset path inside it.
        dataset: String,
    },
}

/// One input of a stage: where it comes from and what the stage was told about it.
#[derive(Debug, Clone)]
pub struct InputBinding {
    /// Where the items come from.
    pub source: InputSource,
    /// The spec handed to the plugin's `configure`.
    pub port: InputPort,
}
