//! Pipeline files, in two phases, each its own type: the TOML as serde parsed
//! it with every span kept ([`file::PipelineFile`]), then the checked, runnable
//! [`Pipeline`] (plugins found, DAG ordered, parameters checked against the
//! plugins' schemas, every stage configured). [`Pipeline::load`] reports every
//! problem at once, each located at `file:line:column` with a hint.

mod closest;
mod error;
pub mod file;
mod graph;
mod inputs;
mod params;
mod report;
mod summary;
mod validate;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use macroscope_plugin_api::{InputPort, PortSpec};

use crate::registry::{RegisteredPlugin, Registry};

pub use error::PipelineError;
pub use inputs::is_stage_id;
pub use report::{Located, Location, ValidationErrors};

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

impl Pipeline {
    /// Reads the pipeline file at `path` and checks it against the plugins of `registry`.
    pub fn load(path: &Path, registry: &Registry) -> Result<Pipeline, ValidationErrors> {
        match std::fs::read_to_string(path) {
            Ok(text) => Pipeline::from_text(path, text, registry),
            Err(source) => Err(ValidationErrors::new(
                path.to_path_buf(),
                String::new(),
                vec![Located {
                    error: PipelineError::Read { source },
                    location: None,
                }],
            )),
        }
    }

    /// Checks `text` as the contents of the pipeline file `path` (`file:`
    /// inputs are resolved against `path`'s directory).
    pub fn from_text(
        path: &Path,
        text: String,
        registry: &Registry,
    ) -> Result<Pipeline, ValidationErrors> {
        let base_dir = path.parent().unwrap_or(Path::new(""));
        let context = validate::Context { registry, base_dir };
        let mut problems = report::Problems::new(&text);
        let compiled = file::PipelineFile::parse(&mut problems)
            .and_then(|file| validate::compile(&file, &context, &mut problems));
        let errors = problems.into_vec();
        match compiled {
            Some(compiled) if errors.is_empty() => Ok(Pipeline {
                file: path.to_path_buf(),
                text,
                name: compiled.name,
                output: compiled.output,
                store: compiled.store,
                stages: compiled.stages,
            }),
            _ => Err(ValidationErrors::new(path.to_path_buf(), text, errors)),
        }
    }
}

/// One declared stage (the runtime starts it).
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
    /// The spec handed to the plugin's `outputs` and `start`.
    pub port: InputPort,
}
