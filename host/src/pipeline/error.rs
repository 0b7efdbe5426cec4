//! What can be wrong with a pipeline file: one typed error per kind of
//! problem, each naming the stage, key, plugin or input, with a hint.

use std::path::PathBuf;

use super::budget::{MAX_ITEM_BYTES, MAX_OUTPUT_BYTES};
use crate::readable;

/// Something wrong with a pipeline file. Each variant names the stage, key,
/// plugin or input concerned; [`PipelineError::hint`] says what to do.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The file could not be read.
    #[error("cannot read the pipeline file: {source}")]
    Read {
        /// The I/O error.
        source: std::io::Error,
    },
    /// A `--set` or `--var` of the command line cannot be applied.
    #[error(transparent)]
    CommandLine(#[from] super::OverrideError),
    /// The text is not valid TOML.
    #[error("TOML syntax error: {message}")]
    Syntax {
        /// The parser's message.
        message: String,
    },
    /// A key the format does not know (every table denies unknown keys).
    #[error("unknown key `{key}` in {table}")]
    UnknownKey {
        /// The table, as written (`[pipeline]`, `[stages.camera]`, `the top level`).
        table: String,
        /// The key.
        key: String,
        /// The keys allowed there.
        allowed: Vec<String>,
    },
    /// A key the format requires is absent.
    #[error("missing key `{key}` in {table}")]
    MissingKey {
        /// The table.
        table: String,
        /// The key.
        key: String,
    },
    /// A key has a value of the wrong TOML type.
    #[error("{table}: {message}")]
    InvalidValue {
        /// The table.
        table: String,
        /// What the TOML deserialiser said.
        message: String,
    },
    /// `[pipeline] output` is in a directory that does not exist (or is a file).
    #[error("output `{output}`: {}", describe_output_dir(dir, *is_file))]
    OutputDirectoryMissing {
        /// The output as written.
        output: String,
        /// Its directory.
        dir: PathBuf,
        /// The directory's path names a file.
        is_file: bool,
    },
    /// `[stages]` is absent or empty.
    #[error("the pipeline has no stages")]
    NoStages,
    /// A stage id that cannot name an HDF5 group or be referenced as `stage.port`.
    #[error("stage name `{stage}` is not allowed")]
    InvalidStageName {
        /// The name as written.
        stage: String,
    },
    /// Two stages with one id (only a [`PipelineBuilder`](super::PipelineBuilder)
    /// can try: TOML refuses a table written twice).
    #[error("two stages are named `{stage}`")]
    DuplicateStage {
        /// The id.
        stage: String,
    },
    /// No plugin of that name is registered.
    #[error("stage `{stage}`: unknown plugin `{plugin}`")]
    UnknownPlugin {
        /// The stage.
        stage: String,
        /// The plugin name as written.
        plugin: String,
        /// Every registered plugin, `name version`.
        available: Vec<String>,
        /// The directories searched for plugin libraries.
        searched: Vec<PathBuf>,
        /// Library files that failed to load (one of them may have provided it).
        failed: Vec<PathBuf>,
    },
    /// The plugin exists but cannot be used: its library failed to load, or
    /// several libraries provide that name.
    #[error("stage `{stage}`: {reason}")]
    PluginUnavailable {
        /// The stage.
        stage: String,
        /// What the registry said, naming the plugin and the files.
        reason: String,
    },
    /// An input that is neither `stage.port` nor `file:PATH#/dataset`.
    #[error("stage `{stage}`: input `{input}` is neither `stage.port` nor `file:PATH#/dataset`")]
    MalformedInput {
        /// The stage.
        stage: String,
        /// The input as written.
        input: String,
    },
    /// An input names a stage that does not exist.
    #[error("stage `{stage}`: input `{input}` names stage `{upstream}`, which does not exist")]
    UnknownInputStage {
        /// The stage.
        stage: String,
        /// The input as written.
        input: String,
        /// The missing stage.
        upstream: String,
        /// The stages that exist.
        available: Vec<String>,
    },
    /// An input names a port its stage does not have.
    #[error("stage `{stage}`: input `{input}`: stage `{upstream}` (plugin `{plugin}`) has no output `{port}`")]
    UnknownInputPort {
        /// The stage.
        stage: String,
        /// The input as written.
        input: String,
        /// The upstream stage.
        upstream: String,
        /// Its plugin.
        plugin: String,
        /// The missing port.
        port: String,
        /// The ports it does have.
        available: Vec<String>,
    },
    /// A `file:` input whose file does not exist.
    #[error("stage `{stage}`: input `{input}`: file `{}` does not exist", path.display())]
    InputFileMissing {
        /// The stage.
        stage: String,
        /// The input as written.
        input: String,
        /// The file, resolved against the pipeline file's directory.
        path: PathBuf,
    },
    /// A `file:` input the store could not describe.
    #[error("stage `{stage}`: input `{input}`: {message}")]
    InputFileUnreadable {
        /// The stage.
        stage: String,
        /// The input as written.
        input: String,
        /// What the store said.
        message: String,
    },
    /// A `file:` input whose dataset holds elements no port carries (a table,
    /// strings, half floats): such data comes in through an import stage.
    #[error(
        "stage `{stage}`: input `{input}`: dataset `{dataset}` holds elements of type {found}, which no port carries"
    )]
    InputFileUnsupportedType {
        /// The stage.
        stage: String,
        /// The input as written.
        input: String,
        /// The dataset (a column of a stream, when that is the culprit).
        dataset: String,
        /// Its HDF5 type in words (`compound {time: f64, direction: i8}`, `f16`).
        found: String,
    },
    /// Stages feed each other in a loop.
    #[error("stages form a cycle: {}", chain.join(" -> "))]
    Cycle {
        /// The stages in data-flow order, the first repeated at the end.
        chain: Vec<String>,
    },
    /// The plugin's parameter schema is not a valid JSON Schema (a plugin bug).
    #[error("stage `{stage}`: plugin `{plugin}` has an invalid parameter schema: {message}")]
    InvalidSchema {
        /// The stage.
        stage: String,
        /// The plugin.
        plugin: String,
        /// What is wrong with the schema.
        message: String,
    },
    /// A parameter value the plugin's schema rejects.
    #[error(
        "stage `{stage}`: {}: expected {expected}, found {found}",
        parameter_label(path)
    )]
    InvalidParameter {
        /// The stage.
        stage: String,
        /// The plugin.
        plugin: String,
        /// Field path (`bar_width_deg`, `directions[2]`); empty for the whole table.
        path: String,
        /// What the schema expects.
        expected: String,
        /// What was written.
        found: String,
        /// The schema's description of the top-level parameter, if any.
        description: Option<String>,
    },
    /// A parameter the plugin requires is absent.
    #[error("stage `{stage}`: missing required parameter `{name}` of plugin `{plugin}`")]
    MissingParameter {
        /// The stage.
        stage: String,
        /// The plugin.
        plugin: String,
        /// Field path of the missing parameter.
        name: String,
        /// The schema's description of it, if any.
        description: Option<String>,
    },
    /// A parameter the plugin does not have.
    #[error("stage `{stage}`: plugin `{plugin}` has no parameter `{name}`")]
    UnknownParameter {
        /// The stage.
        stage: String,
        /// The plugin.
        plugin: String,
        /// Field path of the unknown parameter.
        name: String,
        /// The parameters the plugin has (top level; empty for a nested table).
        known: Vec<String>,
    },
    /// The plugin's `configure` refused the inputs wired to it (element type,
    /// shape, kind or name it cannot take).
    #[error("stage `{stage}`: plugin `{plugin}` rejected input `{input}` ({spec}): {message}")]
    InputRejected {
        /// The stage.
        stage: String,
        /// The plugin.
        plugin: String,
        /// The input blamed, as written (all inputs, comma-separated, when the
        /// message does not say which).
        input: String,
        /// Kind, element type and shape of that input.
        spec: String,
        /// What the plugin said.
        message: String,
    },
    /// The plugin refused a parameter value (a rule its schema cannot say).
    #[error(
        "stage `{stage}`: plugin `{plugin}` refused {}: {message}",
        parameter_label(path)
    )]
    ParameterRefused {
        /// The stage.
        stage: String,
        /// The plugin.
        plugin: String,
        /// Field path of the parameter; empty for the whole table.
        path: String,
        /// What the plugin said.
        message: String,
    },
    /// The plugin could not declare its outputs, for a reason of its own.
    #[error("stage `{stage}`: plugin `{plugin}` could not declare its outputs: {message}")]
    DeclareFailed {
        /// The stage.
        stage: String,
        /// The plugin.
        plugin: String,
        /// What the plugin said.
        message: String,
    },
    /// The plugin declared something the contract forbids (a bug in the plugin).
    #[error("stage `{stage}`: plugin `{plugin}` broke the plugin contract: {message}")]
    BrokeContract {
        /// The stage.
        stage: String,
        /// The plugin.
        plugin: String,
        /// What it did.
        message: String,
    },
    /// One item of a declared output is larger than the host can hold.
    #[error(
        "stage `{stage}`: output `{port}` of plugin `{plugin}` has items of {spec} ({} each), \
         more than the {} an item may take",
        readable::size(*bytes),
        readable::bytes(MAX_ITEM_BYTES)
    )]
    ItemTooLarge {
        /// The stage.
        stage: String,
        /// The plugin.
        plugin: String,
        /// The output port.
        port: String,
        /// Its kind, element type and item shape.
        spec: String,
        /// Bytes of one item; `None` past `u64`.
        bytes: Option<u64>,
    },
    /// A declared output would grow past what a run may write.
    #[error(
        "stage `{stage}`: output `{port}` of plugin `{plugin}` would hold {} items of {} ({} \
         before compression), more than the {} an output may write",
        readable::count(*items as f64),
        readable::bytes(*item_bytes),
        readable::size(*bytes),
        readable::bytes(MAX_OUTPUT_BYTES)
    )]
    OutputTooLarge {
        /// The stage.
        stage: String,
        /// The plugin.
        plugin: String,
        /// The output port.
        port: String,
        /// Items it expects.
        items: u64,
        /// Bytes of one item.
        item_bytes: u64,
        /// Bytes it would hold; `None` past `u64`.
        bytes: Option<u64>,
    },
    /// More or fewer inputs are wired than the plugin declares.
    #[error(
        "stage `{stage}`: plugin `{plugin}` takes {} input(s) ({}), but {found} are connected",
        describe_count(*required, expected.len()),
        if expected.is_empty() { "none".to_owned() } else { expected.join(", ") }
    )]
    InputCount {
        /// The stage.
        stage: String,
        /// The plugin.
        plugin: String,
        /// Names of the inputs it declares, in order.
        expected: Vec<String>,
        /// How many of them are required.
        required: usize,
        /// How many are wired.
        found: usize,
    },
    /// A wired input is not what the plugin declares it accepts.
    #[error("stage `{stage}`: input `{input}` {problems}; plugin `{plugin}` takes `{name}` as {accepts}")]
    InputMismatch {
        /// The stage.
        stage: String,
        /// The plugin.
        plugin: String,
        /// The input as written.
        input: String,
        /// The name the plugin gives that input.
        name: String,
        /// What the plugin accepts there.
        accepts: String,
        /// Every way the input differs.
        problems: String,
    },
}

impl PipelineError {
    /// The error for `file:` input `input` of `stage` that the store could not describe.
    pub(crate) fn file_input(
        stage: String,
        input: String,
        error: crate::store::StoreError,
    ) -> Self {
        match error {
            crate::store::StoreError::UnsupportedElement { dataset, found, .. } => {
                PipelineError::InputFileUnsupportedType {
                    stage,
                    input,
                    dataset,
                    found,
                }
            }
            other => PipelineError::InputFileUnreadable {
                stage,
                input,
                message: other.to_string(),
            },
        }
    }
}

fn describe_output_dir(dir: &std::path::Path, is_file: bool) -> String {
    if is_file {
        format!("`{}` is a file, not a directory", dir.display())
    } else {
        format!("directory `{}` does not exist", dir.display())
    }
}

/// What to add to a hint when `input` is a `file:` dataset read as a dataset
/// port where a stream was wanted: how a file's dataset becomes a stream.
fn file_dataset_note(input: &str, dataset_not_stream: bool) -> &'static str {
    if input.starts_with("file:") && dataset_not_stream {
        "; a dataset of a file is read as a stream only if it has the attribute `role` = \"stream\" (docs/FORMAT.md, \
         \"Files as inputs\", lists what else a stream has), and a movie in another format comes in through a \
         `movie-file` stage"
    } else {
        ""
    }
}

fn describe_count(required: usize, declared: usize) -> String {
    if required == declared {
        required.to_string()
    } else {
        format!("{required} to {declared}")
    }
}

fn parameter_label(path: &str) -> String {
    if path.is_empty() {
        "`params`".to_owned()
    } else {
        format!("parameter `{path}`")
    }
}

fn did_you_mean<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    match super::closest::closest(wanted, candidates) {
        Some(name) => format!("did you mean `{name}`? "),
        None => String::new(),
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".to_owned()
    } else {
        items.join(", ")
    }
}

impl PipelineError {
    /// What the user can do about it.
    pub fn hint(&self) -> Option<String> {
        use PipelineError::*;
        Some(match self {
            Read { .. } | CommandLine(_) | Syntax { .. } | InvalidValue { .. } => return None,
            UnknownKey { key, allowed, .. } => format!(
                "{}allowed keys here: {}",
                did_you_mean(key, allowed.iter().map(String::as_str)),
                list(allowed)
            ),
            MissingKey { key, .. } if key == "pipeline" => {
                "add a `[pipeline]` table with `name = ...` and `output = ...`".to_owned()
            }
            MissingKey { key, .. } => format!("add `{key} = ...`"),
            OutputDirectoryMissing { dir, .. } => format!(
                "create `{}` first, or write `output` in a directory that exists: `run` does not create directories, \
                 and relative paths start at the current directory",
                dir.display()
            ),
            NoStages => "add at least one `[stages.NAME]` table with a `plugin = \"...\"` key".to_owned(),
            InvalidStageName { .. } => {
                "use only letters, digits, `_` and `-`: stage names are referenced as `stage.port` and name HDF5 groups"
                    .to_owned()
            }
            DuplicateStage { .. } => "give each stage a name of its own".to_owned(),
            UnknownPlugin { plugin, available, searched, failed, .. } => {
                let names = available.iter().map(|a| a.split(' ').next().unwrap_or(a));
                let paths = |paths: &[PathBuf]| {
                    paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>()
                };
                let mut hint = format!(
                    "{}available plugins: {}; plugin libraries were searched for in: {} (add a directory with --plugin-path or MACROSCOPE_PLUGIN_PATH)",
                    did_you_mean(plugin, names),
                    list(available),
                    list(&paths(searched))
                );
                if !failed.is_empty() {
                    hint.push_str(&format!(
                        "; these libraries failed to load (`macroscope plugins` says why): {}",
                        list(&paths(failed))
                    ));
                }
                hint
            }
            PluginUnavailable { .. } => {
                "`macroscope plugins` lists every plugin and every library that failed to load"
                    .to_owned()
            }
            MalformedInput { .. } => {
                "write `STAGE.PORT` for another stage's output, or `file:PATH#/DATASET` for recorded data".to_owned()
            }
            UnknownInputStage { upstream, available, .. } => format!(
                "{}stages in this pipeline: {}",
                did_you_mean(upstream, available.iter().map(String::as_str)),
                list(available)
            ),
            UnknownInputPort { upstream, port, available, .. } => format!(
                "{}outputs of `{upstream}`: {}",
                did_you_mean(port, available.iter().map(String::as_str)),
                list(available)
            ),
            InputFileMissing { .. } => "`file:` paths are relative to the pipeline file's directory".to_owned(),
            InputFileUnreadable { .. } => {
                "`macroscope show FILE` lists its datasets (a path starts with `/`); docs/FORMAT.md, \"Files as \
                 inputs\", says what a stream input needs"
                    .to_owned()
            }
            InputFileUnsupportedType { .. } => {
                "a port carries arrays of numbers (u8, u16, u32, u64, i8, i16, i32, i64, f32, f64), and a 1-D \
                 table (compound dataset) whose fields are all numbers is read as a stream of rows. A movie in \
                 another format comes in through a `movie-file` stage (multi-page TIFF, frame times from a CSV: \
                 `macroscope inspect movie-file`); a stimulus log through a `stimulus-log` stage (`macroscope \
                 inspect stimulus-log`); docs/FORMAT.md, \"Files as inputs\", says what a stream needs"
                    .to_owned()
            }
            Cycle { .. } => "a stage cannot consume its own output, directly or through other stages: remove one of these inputs".to_owned(),
            InvalidSchema { plugin, .. } => format!("this is a bug in plugin `{plugin}`: report it to its authors"),
            InvalidParameter { plugin, description, .. } => match description {
                Some(d) => format!("{d} (`macroscope inspect {plugin}` lists every parameter)"),
                None => format!("`macroscope inspect {plugin}` lists every parameter with its type and default"),
            },
            MissingParameter { name, plugin, description, .. } => match description {
                Some(d) => format!("add `{name} = ...` to `params`: {d}"),
                None => format!("add `{name} = ...` to `params` (`macroscope inspect {plugin}` describes it)"),
            },
            UnknownParameter { plugin, known, .. } if known.is_empty() => {
                format!("`macroscope inspect {plugin}` lists every parameter with its type and default")
            }
            UnknownParameter { name, known, .. } => format!(
                "{}parameters of this plugin: {}",
                did_you_mean(name, known.iter().map(String::as_str)),
                list(known)
            ),
            InputRejected { plugin, input, spec, .. } => format!(
                "connect an output of the kind, element type and shape `{plugin}` takes (`macroscope inspect {plugin}` describes its inputs){}",
                file_dataset_note(input, spec.starts_with("dataset"))
            ),
            ParameterRefused { plugin, .. } => format!("`macroscope inspect {plugin}` lists every parameter with its type, range and default"),
            BrokeContract { plugin, .. } => {
                format!("this is a bug in plugin `{plugin}`: report it to its authors")
            }
            DeclareFailed { plugin, .. } => format!("`macroscope inspect {plugin}` describes its parameters and inputs"),
            ItemTooLarge { plugin, .. } => format!(
                "the parameters of `{plugin}` set the shape of its items: lower them (`macroscope inspect {plugin}` lists them)"
            ),
            OutputTooLarge { plugin, .. } => format!(
                "the parameters of `{plugin}` and of the stages feeding it set how many items it emits: \
                 lower them (`macroscope inspect {plugin}` lists them)"
            ),
            InputCount { plugin, .. } => format!(
                "connect what `{plugin}` takes (`macroscope inspect {plugin}` lists its inputs)"
            ),
            InputMismatch { plugin, input, problems, .. } => format!(
                "connect what `{plugin}` takes (`macroscope inspect {plugin}` lists its inputs){}",
                file_dataset_note(input, problems.contains("is a dataset, not a stream"))
            ),
        })
    }
}
