//! Pipeline files, in two phases, each its own type: the TOML as serde parsed
//! it with every span kept ([`file::PipelineFile`]), then the checked, runnable
//! [`Pipeline`] (plugins found, DAG ordered, parameters checked against the
//! plugins' schemas, every stage configured). [`Pipeline::load`] reports every
//! problem at once, each located at `file:line:column` with a hint.

pub mod budget;
mod builder;
mod closest;
mod error;
pub mod file;
mod graph;
mod inputs;
mod overrides;
mod params;
mod report;
mod summary;
mod validate;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use macroscope_plugin_api::{InputPort, PortSpec};

use crate::registry::{RegisteredPlugin, Registry};
use crate::session::Session;

pub use builder::PipelineBuilder;
pub use error::PipelineError;
pub use overrides::{OverrideError, Overrides, Set, Var};
pub use report::{Located, Location, ValidationErrors};

/// What the command line changes in a pipeline file before it is checked.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    /// Write this file instead of `[pipeline] output` (`--output`); the
    /// file's `output` is then not checked: the run checks this one's
    /// directory when it starts.
    pub output: Option<PathBuf>,
    /// `--set` and `--var`, applied to the text.
    pub overrides: Overrides,
}

/// Errors with no place in the file (it could not be read, or the command
/// line's changes do not fit it).
fn unlocated(
    path: &Path,
    text: String,
    errors: impl IntoIterator<Item = PipelineError>,
) -> ValidationErrors {
    let errors = errors
        .into_iter()
        .map(|error| Located {
            error,
            location: None,
        })
        .collect();
    ValidationErrors::new(path.to_path_buf(), text, errors)
}

/// A validated pipeline, ready to run. Stages are in topological order.
///
/// Only [`Pipeline::load`], [`Pipeline::from_text`] and the
/// [`PipelineBuilder`] make one, so every `Pipeline` has been checked.
pub struct Pipeline {
    file: PathBuf,
    text: String,
    name: String,
    session: Option<Session>,
    output: PathBuf,
    store: Option<PathBuf>,
    stages: Vec<Stage>,
}

impl Pipeline {
    /// Reads the pipeline file at `path` and checks it against the plugins of `registry`.
    pub fn load(path: &Path, registry: &Registry) -> Result<Pipeline, ValidationErrors> {
        Pipeline::load_with(path, registry, &Changes::default())
    }

    /// [`Pipeline::load`] with the command line's changes (`macroscope run
    /// --output`, `--set`, `--var`) applied first.
    pub fn load_with(
        path: &Path,
        registry: &Registry,
        changes: &Changes,
    ) -> Result<Pipeline, ValidationErrors> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(source) => {
                return Err(unlocated(
                    path,
                    String::new(),
                    [PipelineError::Read { source }],
                ))
            }
        };
        let text = match changes.overrides.apply(&text) {
            Ok(changed) => changed,
            Err(errors) => {
                return Err(unlocated(
                    path,
                    text,
                    errors.into_iter().map(PipelineError::CommandLine),
                ))
            }
        };
        Pipeline::check(path, text, registry, changes.output.clone())
    }

    /// Checks `text` as the contents of the pipeline file `path` (`file:`
    /// inputs are resolved against `path`'s directory, `output` against the
    /// working directory).
    pub fn from_text(
        path: &Path,
        text: String,
        registry: &Registry,
    ) -> Result<Pipeline, ValidationErrors> {
        Pipeline::check(path, text, registry, None)
    }

    /// Checks `text`; `output`, if given, replaces `[pipeline] output`.
    fn check(
        path: &Path,
        text: String,
        registry: &Registry,
        output: Option<PathBuf>,
    ) -> Result<Pipeline, ValidationErrors> {
        let base_dir = path.parent().unwrap_or(Path::new(""));
        let context = validate::Context {
            registry,
            base_dir,
            output_replaced: output.is_some(),
        };
        let mut problems = report::Problems::new(&text);
        let compiled = file::PipelineFile::parse(&mut problems)
            .and_then(|file| validate::compile(&file, &context, &mut problems));
        let errors = problems.into_vec();
        match compiled {
            Some(compiled) if errors.is_empty() => Ok(Pipeline {
                file: path.to_path_buf(),
                text,
                name: compiled.name,
                session: compiled.session,
                output: output.unwrap_or(compiled.output),
                store: compiled.store,
                stages: compiled.stages,
            }),
            _ => Err(ValidationErrors::new(path.to_path_buf(), text, errors)),
        }
    }

    /// Starts a pipeline built in code (tests, benchmarks, tools), named
    /// `name` and writing `output`: see [`PipelineBuilder`].
    pub fn builder(name: &str, output: &Path) -> PipelineBuilder {
        PipelineBuilder::new(name, output)
    }

    /// The pipeline file.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Its exact text (stored in the output for provenance).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// `[pipeline] name`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `[session]`: what was imaged, if the file says.
    pub fn session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    /// The HDF5 file to write: `[pipeline] output` (relative to the working
    /// directory) or what replaced it.
    pub fn output(&self) -> &Path {
        &self.output
    }

    /// `[pipeline] store`: the content-addressed store directory, if set.
    pub fn store(&self) -> Option<&Path> {
        self.store.as_deref()
    }

    /// The stages, upstream first.
    pub fn stages(&self) -> &[Stage] {
        &self.stages
    }

    /// What the run is expected to take: its duration at the sources' rates
    /// and the bytes it writes, as far as the stages declare them.
    pub fn estimate(&self) -> budget::RunEstimate {
        budget::RunEstimate::of(self.stages.iter().map(|s| (s.id(), s.outputs())))
    }

    /// A warning when the run may write more than the volume holding its
    /// output has free ([`budget::space_warning`]); `None` when it fits or
    /// either size cannot be known.
    pub fn space_warning(&self) -> Option<String> {
        let free = crate::store::available_bytes(&self.output).ok()?;
        budget::space_warning(&self.estimate(), &self.output, free)
    }
}

/// One declared stage. The running instance is not here: the runtime starts
/// and owns it.
pub struct Stage {
    id: String,
    plugin: RegisteredPlugin,
    params: serde_json::Value,
    inputs: Vec<InputBinding>,
    outputs: Vec<PortSpec>,
}

impl Stage {
    /// Its id (the TOML table name under `[stages]`).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The plugin it runs.
    pub fn plugin(&self) -> &RegisteredPlugin {
        &self.plugin
    }

    /// Effective parameters: as written plus the schema's top-level defaults.
    pub fn params(&self) -> &serde_json::Value {
        &self.params
    }

    /// Its inputs, in the order written.
    pub fn inputs(&self) -> &[InputBinding] {
        &self.inputs
    }

    /// The specs of its inputs, as handed to the plugin's `outputs` and `start`.
    pub fn input_ports(&self) -> Vec<InputPort> {
        self.inputs.iter().map(|b| b.port.clone()).collect()
    }

    /// Its output ports, as the plugin declared them.
    pub fn outputs(&self) -> &[PortSpec] {
        &self.outputs
    }
}

/// Where one input of a stage comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum InputSource {
    /// An output port of an earlier stage (indices into [`Pipeline::stages`] and its outputs).
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
    source: InputSource,
    port: InputPort,
}

impl InputBinding {
    /// Where the items come from.
    pub fn source(&self) -> &InputSource {
        &self.source
    }

    /// The spec handed to the plugin's `outputs` and `start`.
    pub fn port(&self) -> &InputPort {
        &self.port
    }
}
