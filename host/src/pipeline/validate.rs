//! Compiles a parsed [`PipelineFile`] into the parts of a checked
//! [`Pipeline`](super::Pipeline): plugins found, inputs resolved, the DAG
//! ordered, parameters checked, every stage configured upstream first.
//! Every problem is recorded; a stage whose upstream failed is skipped quietly
//! (its cause is already reported).

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use macroscope_plugin_api::{ErrorKind, InputPort, PluginError, PortSpec};
use toml::Spanned;

use super::budget;
use super::error::PipelineError;
use super::file::{PipelineFile, StageEntry, StageTable};
use super::graph;
use super::inputs::InputRef;
use super::params::StageParams;
use super::report::Problems;
use super::{InputBinding, InputSource, Stage};
use crate::registry::{RegisteredPlugin, Registry, RegistryError};
use crate::session::Session;
use crate::stage_id::is_stage_id;

/// Where plugins come from and where relative paths start.
pub(crate) struct Context<'a> {
    /// The plugins.
    pub registry: &'a Registry,
    /// The pipeline file's directory: `file:` inputs are relative to it.
    pub base_dir: &'a Path,
    /// `[pipeline] output` is replaced (`run --output`), so it is not checked.
    pub output_replaced: bool,
}

/// A checked pipeline, less the file name and text.
pub(crate) struct Compiled {
    pub name: String,
    pub session: Option<Session>,
    pub output: PathBuf,
    pub store: Option<PathBuf>,
    pub stages: Vec<Stage>,
}

/// An input resolved as far as the file alone allows.
enum Resolved {
    /// Output `port` of the stage at `stage` (file order).
    Stage { stage: usize, port: String },
    /// A dataset of a recorded file, already described by the store.
    File {
        path: PathBuf,
        dataset: String,
        spec: Box<PortSpec>,
    },
}

/// One stage while it is being checked.
struct Draft<'f> {
    entry: &'f StageEntry,
    plugin: Option<RegisteredPlugin>,
    /// One per written input; `None` where a problem was recorded.
    inputs: Vec<Option<Resolved>>,
    params: Option<serde_json::Value>,
    /// Inputs as handed to `configure` (stage sources in file order).
    bindings: Vec<InputBinding>,
    /// Output ports the plugin declared.
    outputs: Option<Vec<PortSpec>>,
}

impl Draft<'_> {
    fn id(&self) -> &str {
        self.entry.id.get_ref()
    }

    fn table(&self) -> Option<&StageTable> {
        self.entry.table.as_ref()
    }

    /// Span of the `index`th written input.
    fn input_span(&self, index: usize) -> Range<usize> {
        let inputs = self
            .table()
            .and_then(|t| t.inputs.as_ref())
            .expect("a resolved input was written");
        inputs.get_ref()[index].span()
    }
}

/// Checks `file`; `None` if any problem was recorded.
pub(crate) fn compile(
    file: &PipelineFile,
    context: &Context<'_>,
    problems: &mut Problems<'_>,
) -> Option<Compiled> {
    let mut drafts: Vec<Draft<'_>> = file
        .stages
        .iter()
        .map(|entry| Draft {
            entry,
            plugin: None,
            inputs: Vec::new(),
            params: None,
            bindings: Vec::new(),
            outputs: None,
        })
        .collect();
    if drafts.is_empty() {
        problems.unlocated(PipelineError::NoStages);
    }
    check_names(&drafts, problems);
    if let Some(header) = file.header.as_ref().filter(|_| !context.output_replaced) {
        check_output_dir(&header.output, problems);
    }
    find_plugins(&mut drafts, context, problems);
    let edges = resolve_inputs(&mut drafts, context, problems);
    let ordering = graph::order(drafts.len(), &edges);
    report_cycles(&drafts, &ordering.cycles, problems);
    check_params(&mut drafts, problems);
    for &stage in &ordering.order {
        declare_stage(&mut drafts, stage, problems);
    }
    if !problems.is_empty() {
        return None;
    }
    let header = file.header.as_ref()?;
    Some(Compiled {
        name: header.name.get_ref().clone(),
        session: file.session.clone(),
        output: PathBuf::from(header.output.get_ref()),
        store: header.store.as_ref().map(|s| PathBuf::from(s.get_ref())),
        stages: assemble(drafts, &ordering.order),
    })
}

fn check_names(drafts: &[Draft<'_>], problems: &mut Problems<'_>) {
    for draft in drafts.iter().filter(|d| !is_stage_id(d.id())) {
        problems.at(
            draft.entry.id.span(),
            PipelineError::InvalidStageName {
                stage: draft.id().to_owned(),
            },
        );
    }
}

/// `run` does not create the output's directory (a mistyped path, say a
/// mount point, would otherwise fill a new directory on the wrong disk), so
/// it must exist now. Relative paths start at the working directory.
fn check_output_dir(output: &Spanned<String>, problems: &mut Problems<'_>) {
    let dir = match Path::new(output.get_ref()).parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => return,
    };
    if !dir.is_dir() {
        problems.at(
            output.span(),
            PipelineError::OutputDirectoryMissing {
                output: output.get_ref().clone(),
                dir: dir.to_owned(),
                is_file: dir.exists(),
            },
        );
    }
}

fn find_plugins(drafts: &mut [Draft<'_>], context: &Context<'_>, problems: &mut Problems<'_>) {
    for draft in drafts.iter_mut() {
        let Some(table) = draft.entry.table.as_ref() else {
            continue;
        };
        let stage = draft.entry.id.get_ref().clone();
        let name = table.plugin.get_ref();
        let error = match context.registry.lookup(name) {
            Ok(plugin) => {
                draft.plugin = Some(plugin.clone());
                continue;
            }
            Err(RegistryError::UnknownPlugin {
                searched,
                failed_libraries,
                ..
            }) => PipelineError::UnknownPlugin {
                stage,
                plugin: name.clone(),
                available: context
                    .registry
                    .plugins()
                    .iter()
                    .map(|p| format!("{} {}", p.handle.name(), p.handle.version()))
                    .collect(),
                searched,
                failed: failed_libraries,
            },
            Err(other) => PipelineError::PluginUnavailable {
                stage,
                reason: other.to_string(),
            },
        };
        problems.at(table.plugin.span(), error);
    }
}

/// Resolves every written input; returns the edges between stages.
fn resolve_inputs(
    drafts: &mut [Draft<'_>],
    context: &Context<'_>,
    problems: &mut Problems<'_>,
) -> Vec<(usize, usize)> {
    let ids: HashMap<String, usize> = drafts
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id().to_owned(), i))
        .collect();
    let mut edges = Vec::new();
    for (consumer, draft) in drafts.iter_mut().enumerate() {
        let Some(written) = draft.entry.table.as_ref().and_then(|t| t.inputs.as_ref()) else {
            continue;
        };
        let stage = draft.entry.id.get_ref().clone();
        for input in written.get_ref() {
            let text = input.get_ref().clone();
            let resolved = match InputRef::parse(&text) {
                None => {
                    problems.at(
                        input.span(),
                        PipelineError::MalformedInput {
                            stage: stage.clone(),
                            input: text,
                        },
                    );
                    None
                }
                Some(InputRef::Stage {
                    stage: upstream,
                    port,
                }) => match ids.get(&upstream) {
                    Some(&producer) => {
                        edges.push((producer, consumer));
                        Some(Resolved::Stage {
                            stage: producer,
                            port,
                        })
                    }
                    None => {
                        let available = file_order_ids(&ids);
                        let error = PipelineError::UnknownInputStage {
                            stage: stage.clone(),
                            input: text,
                            upstream,
                            available,
                        };
                        problems.at(input.span(), error);
                        None
                    }
                },
                Some(InputRef::File { path, dataset }) => describe_file(
                    context.base_dir.join(path),
                    dataset,
                    &stage,
                    &text,
                    input.span(),
                    problems,
                ),
            };
            draft.inputs.push(resolved);
        }
    }
    edges
}

fn file_order_ids(ids: &HashMap<String, usize>) -> Vec<String> {
    let mut named: Vec<(&String, &usize)> = ids.iter().collect();
    named.sort_by_key(|&(_, &i)| i);
    named.into_iter().map(|(id, _)| id.clone()).collect()
}

/// Asks the store for the spec of a recorded dataset, once the file is known to exist.
fn describe_file(
    path: PathBuf,
    dataset: String,
    stage: &str,
    input: &str,
    span: Range<usize>,
    problems: &mut Problems<'_>,
) -> Option<Resolved> {
    let (stage, input) = (stage.to_owned(), input.to_owned());
    if !path.is_file() {
        problems.at(span, PipelineError::InputFileMissing { stage, input, path });
        return None;
    }
    match crate::store::describe_dataset(&path, &dataset) {
        Ok(spec) => Some(Resolved::File {
            path,
            dataset,
            spec: Box::new(spec),
        }),
        Err(e) => {
            problems.at(span, PipelineError::file_input(stage, input, e));
            None
        }
    }
}

/// Reports each cycle at the consumer's input that closes its first edge.
fn report_cycles(drafts: &[Draft<'_>], cycles: &[Vec<usize>], problems: &mut Problems<'_>) {
    for cycle in cycles {
        let (producer, consumer) = (cycle[0], cycle[1]);
        let index = drafts[consumer]
            .inputs
            .iter()
            .position(|r| matches!(r, Some(Resolved::Stage { stage, .. }) if *stage == producer))
            .expect("every edge comes from a resolved input");
        let chain = cycle.iter().map(|&s| drafts[s].id().to_owned()).collect();
        problems.at(
            drafts[consumer].input_span(index),
            PipelineError::Cycle { chain },
        );
    }
}

fn check_params(drafts: &mut [Draft<'_>], problems: &mut Problems<'_>) {
    for draft in drafts.iter_mut() {
        let (Some(table), Some(plugin)) = (draft.entry.table.as_ref(), draft.plugin.as_ref())
        else {
            continue;
        };
        draft.params = stage_params(draft.entry, table, plugin).check(problems);
    }
}

/// The parameters of a stage as written, with the plugin's schema.
fn stage_params<'a>(
    entry: &'a StageEntry,
    table: &'a StageTable,
    plugin: &RegisteredPlugin,
) -> StageParams<'a> {
    StageParams {
        stage: entry.id.get_ref(),
        plugin: table.plugin.get_ref(),
        schema: plugin.handle.params_schema(),
        written: table.params.as_ref(),
        stage_span: entry.span.clone(),
        plugin_span: table.plugin.span(),
    }
}

/// Declares stage `index` (its inputs checked against what the plugin accepts,
/// then its outputs asked for) if it and everything upstream checked out.
fn declare_stage(drafts: &mut [Draft<'_>], index: usize, problems: &mut Problems<'_>) {
    let Some(bindings) = bind_inputs(drafts, index, problems) else {
        return;
    };
    let draft = &drafts[index];
    let (Some(table), Some(plugin), Some(params)) =
        (draft.table(), draft.plugin.as_ref(), draft.params.as_ref())
    else {
        return;
    };
    let ports: Vec<InputPort> = bindings.iter().map(|b| b.port.clone()).collect();
    if !accepts_inputs(draft, plugin, &ports, problems) {
        return;
    }
    match plugin.handle.outputs(params, &ports) {
        Ok(outputs) => {
            // A stage past the host's limits is refused; the stages it feeds
            // are then skipped quietly, their size following from its own.
            if let Some(over) = budget::over_limit(&outputs) {
                let (stage, plugin) = (draft.id().to_owned(), table.plugin.get_ref().clone());
                problems.at(table.plugin.span(), over.error(stage, plugin));
                return;
            }
            let draft = &mut drafts[index];
            draft.outputs = Some(outputs);
            draft.bindings = bindings;
        }
        Err(error) => report_refusal(draft, table, plugin, &ports, error, problems),
    }
}

/// Checks the wired inputs against the inputs the plugin declares (if it
/// does), recording a located error for each mismatch.
fn accepts_inputs(
    draft: &Draft<'_>,
    plugin: &RegisteredPlugin,
    ports: &[InputPort],
    problems: &mut Problems<'_>,
) -> bool {
    let Some(accepted) = plugin.handle.inputs() else {
        return true;
    };
    let stage = draft.id().to_owned();
    let name = plugin.handle.name().to_owned();
    let required = accepted.iter().take_while(|i| !i.optional).count();
    if ports.len() < required || ports.len() > accepted.len() {
        let span = draft
            .table()
            .and_then(|t| t.inputs.as_ref().map(|i| i.span()))
            .unwrap_or_else(|| draft.entry.span.clone());
        problems.at(
            span,
            PipelineError::InputCount {
                stage,
                plugin: name,
                expected: accepted.iter().map(|i| i.name.to_string()).collect(),
                required,
                found: ports.len(),
            },
        );
        return false;
    }
    let mut all_accepted = true;
    for (i, (port, accepts)) in ports.iter().zip(accepted).enumerate() {
        let mismatches = accepts.mismatches(&port.spec);
        if !mismatches.is_empty() {
            all_accepted = false;
            problems.at(
                draft.input_span(i),
                PipelineError::InputMismatch {
                    stage: stage.clone(),
                    plugin: name.clone(),
                    input: port.source.to_string(),
                    name: accepts.name.to_string(),
                    accepts: accepts.describe(),
                    problems: mismatches.join(", "),
                },
            );
        }
    }
    all_accepted
}

/// Records the plugin's refusal where its kind points: at the parameter, at
/// the input, or at the stage's plugin.
fn report_refusal(
    draft: &Draft<'_>,
    table: &StageTable,
    registered: &RegisteredPlugin,
    ports: &[InputPort],
    error: PluginError,
    problems: &mut Problems<'_>,
) {
    let stage = draft.id().to_owned();
    let plugin = table.plugin.get_ref().clone();
    let message = error.message().to_owned();
    match error.kind() {
        ErrorKind::InvalidParameter { field } => {
            let span = stage_params(draft.entry, table, registered).span_of_field(field);
            let error = PipelineError::ParameterRefused {
                stage,
                plugin,
                path: field.clone(),
                message,
            };
            problems.at(span, error);
        }
        ErrorKind::InputRejected { input } if *input < ports.len() => {
            let port = &ports[*input];
            let error = PipelineError::InputRejected {
                stage,
                plugin,
                input: port.source.to_string(),
                spec: port.spec.describe(),
                message,
            };
            problems.at(draft.input_span(*input), error);
        }
        ErrorKind::BrokeContract => problems.at(
            table.plugin.span(),
            PipelineError::BrokeContract {
                stage,
                plugin,
                message,
            },
        ),
        _ => problems.at(
            table.plugin.span(),
            PipelineError::DeclareFailed {
                stage,
                plugin,
                message,
            },
        ),
    }
}

/// The stage's inputs as `outputs` sees them; `None` if one is unresolved,
/// its upstream is not configured, or it names a port the upstream lacks
/// (recorded here, now that the upstream's outputs are known).
fn bind_inputs(
    drafts: &[Draft<'_>],
    index: usize,
    problems: &mut Problems<'_>,
) -> Option<Vec<InputBinding>> {
    let draft = &drafts[index];
    let written = draft
        .table()?
        .inputs
        .as_ref()
        .map(|w| w.get_ref().as_slice())
        .unwrap_or_default();
    let mut bindings = Vec::with_capacity(written.len());
    let mut all_found = true;
    for (i, resolved) in draft.inputs.iter().enumerate() {
        let source = written[i].get_ref().as_str();
        match resolved.as_ref()? {
            Resolved::Stage { stage, port } => {
                let upstream = &drafts[*stage];
                let outputs = upstream.outputs.as_ref()?;
                match outputs.iter().position(|o| o.name.as_str() == port) {
                    Some(position) => bindings.push(InputBinding {
                        source: InputSource::Stage {
                            stage: *stage,
                            port: position,
                        },
                        port: InputPort {
                            source: source.into(),
                            spec: outputs[position].clone(),
                        },
                    }),
                    None => {
                        all_found = false;
                        let error = PipelineError::UnknownInputPort {
                            stage: draft.id().to_owned(),
                            input: source.to_owned(),
                            upstream: upstream.id().to_owned(),
                            plugin: upstream
                                .plugin
                                .as_ref()
                                .map(|p| p.handle.name().to_owned())
                                .unwrap_or_default(),
                            port: port.clone(),
                            available: outputs.iter().map(|o| o.name.to_string()).collect(),
                        };
                        problems.at(draft.input_span(i), error);
                    }
                }
            }
            Resolved::File {
                path,
                dataset,
                spec,
            } => bindings.push(InputBinding {
                source: InputSource::File {
                    path: path.clone(),
                    dataset: dataset.clone(),
                },
                port: InputPort {
                    source: source.into(),
                    spec: (**spec).clone(),
                },
            }),
        }
    }
    all_found.then_some(bindings)
}

/// The configured stages in run order, stage sources renumbered to match.
fn assemble(drafts: Vec<Draft<'_>>, order: &[usize]) -> Vec<Stage> {
    let mut position = vec![usize::MAX; drafts.len()];
    for (at, &stage) in order.iter().enumerate() {
        position[stage] = at;
    }
    let mut slots: Vec<Option<Draft<'_>>> = drafts.into_iter().map(Some).collect();
    order
        .iter()
        .map(|&index| {
            let draft = slots[index]
                .take()
                .expect("each stage appears once in the order");
            let outputs = draft
                .outputs
                .expect("a valid pipeline has every stage declared");
            let inputs = draft
                .bindings
                .into_iter()
                .map(|mut binding| {
                    if let InputSource::Stage { stage, .. } = &mut binding.source {
                        *stage = position[*stage];
                    }
                    binding
                })
                .collect();
            Stage {
                id: draft.entry.id.get_ref().clone(),
                plugin: draft.plugin.expect("a configured stage has a plugin"),
                params: draft.params.expect("a configured stage has parameters"),
                inputs,
                outputs,
            }
        })
        .collect()
}
