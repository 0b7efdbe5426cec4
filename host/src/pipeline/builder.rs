//! Building a [`Pipeline`] in code instead of from a file: each stage is
//! declared as `validate` declares it (inputs bound to upstream outputs or
//! recorded datasets, then the plugin's `outputs` asked for), so a built
//! pipeline is as checked as a loaded one, less the parameter schema (the
//! parameters are taken as given, no defaults added).

use std::path::{Path, PathBuf};

use macroscope_plugin_api::InputPort;

use super::{InputBinding, InputSource, Pipeline, PipelineError, Stage};
use crate::registry::RegisteredPlugin;
use crate::stage_id::is_stage_id;

/// A [`Pipeline`] being built stage by stage, upstream first:
///
/// ```no_run
/// # use std::path::Path;
/// # use macroscope::pipeline::{InputSource, Pipeline};
/// # fn demo(camera: macroscope::registry::RegisteredPlugin,
/// #         mean: macroscope::registry::RegisteredPlugin) -> Result<(), Box<macroscope::pipeline::PipelineError>> {
/// let pipeline = Pipeline::builder("demo", Path::new("runs/demo.h5"))
///     .stage("camera", camera, serde_json::json!({"frames": 8}), vec![])?
///     .stage("mean", mean, serde_json::json!({}), vec![InputSource::Stage { stage: 0, port: 0 }])?
///     .build();
/// # Ok(()) }
/// ```
pub struct PipelineBuilder {
    pipeline: Pipeline,
}

impl PipelineBuilder {
    pub(super) fn new(name: &str, output: &Path) -> PipelineBuilder {
        PipelineBuilder {
            pipeline: Pipeline {
                file: PathBuf::new(),
                text: String::new(),
                name: name.to_owned(),
                session: None,
                output: output.to_owned(),
                store: None,
                stages: Vec::new(),
            },
        }
    }

    /// The file and text recorded as the pipeline's source (empty unless set).
    pub fn written_as(mut self, file: &Path, text: &str) -> PipelineBuilder {
        self.pipeline.file = file.to_owned();
        self.pipeline.text = text.to_owned();
        self
    }

    /// The `[pipeline] store` directory.
    pub fn store(mut self, dir: &Path) -> PipelineBuilder {
        self.pipeline.store = Some(dir.to_owned());
        self
    }

    /// Adds stage `id` running `plugin` with `params` on `inputs` (a
    /// [`InputSource::Stage`] names a stage added before this one; a
    /// [`InputSource::File`] path is relative to the working directory), and
    /// asks the plugin for its outputs. Fails as `validate` would: an id that
    /// cannot name a stage or is taken, an input naming no output, a recorded
    /// dataset that cannot be read, a plugin refusing to declare, an output
    /// past the host's limits.
    pub fn stage(
        mut self,
        id: &str,
        plugin: RegisteredPlugin,
        params: serde_json::Value,
        inputs: Vec<InputSource>,
    ) -> Result<PipelineBuilder, Box<PipelineError>> {
        let stage = id.to_owned();
        if !is_stage_id(id) {
            return Err(Box::new(PipelineError::InvalidStageName { stage }));
        }
        if self.pipeline.stages.iter().any(|s| s.id == id) {
            return Err(Box::new(PipelineError::DuplicateStage { stage }));
        }
        let inputs = inputs
            .into_iter()
            .map(|source| self.bind(id, source))
            .collect::<Result<Vec<_>, _>>()?;
        let ports: Vec<InputPort> = inputs.iter().map(|b| b.port.clone()).collect();
        let outputs = plugin.handle.outputs(&params, &ports).map_err(|e| {
            Box::new(PipelineError::DeclareFailed {
                stage: stage.clone(),
                plugin: plugin.handle.name().to_owned(),
                message: e.message().to_owned(),
            })
        })?;
        if let Some(over) = super::budget::over_limit(&outputs) {
            return Err(Box::new(over.error(stage, plugin.handle.name().to_owned())));
        }
        self.pipeline.stages.push(Stage {
            id: stage,
            plugin,
            params,
            inputs,
            outputs,
        });
        Ok(self)
    }

    /// The pipeline.
    pub fn build(self) -> Pipeline {
        self.pipeline
    }

    /// `source` as stage `id` sees it, named as a pipeline file would name it.
    fn bind(&self, id: &str, source: InputSource) -> Result<InputBinding, Box<PipelineError>> {
        let stage = id.to_owned();
        let port = match &source {
            InputSource::Stage { stage: up, port } => {
                let Some(upstream) = self.pipeline.stages.get(*up) else {
                    return Err(Box::new(PipelineError::UnknownInputStage {
                        stage,
                        input: format!("stage #{up}"),
                        upstream: format!("#{up}"),
                        available: self.pipeline.stages.iter().map(|s| s.id.clone()).collect(),
                    }));
                };
                let input = format!("{}.#{port}", upstream.id);
                let spec = upstream.outputs.get(*port).ok_or_else(|| {
                    Box::new(PipelineError::UnknownInputPort {
                        stage: stage.clone(),
                        input,
                        upstream: upstream.id.clone(),
                        plugin: upstream.plugin.handle.name().to_owned(),
                        port: format!("#{port}"),
                        available: upstream
                            .outputs
                            .iter()
                            .map(|o| o.name.to_string())
                            .collect(),
                    })
                })?;
                InputPort {
                    source: format!("{}.{}", upstream.id, spec.name).into(),
                    spec: spec.clone(),
                }
            }
            InputSource::File { path, dataset } => {
                let input = format!("file:{}#{dataset}", path.display());
                if !path.is_file() {
                    return Err(Box::new(PipelineError::InputFileMissing {
                        stage,
                        input,
                        path: path.clone(),
                    }));
                }
                let spec = crate::store::describe_dataset(path, dataset)
                    .map_err(|e| Box::new(PipelineError::file_input(stage, input.clone(), e)))?;
                InputPort {
                    source: input.into(),
                    spec,
                }
            }
        };
        Ok(InputBinding { source, port })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::tests::{gain, tone};

    #[test]
    fn a_built_stage_is_declared_by_its_plugin() {
        let pipeline = Pipeline::builder("demo", Path::new("out.h5"))
            .stage("source", tone(), serde_json::json!({"length": 8}), vec![])
            .unwrap()
            .stage(
                "loud",
                gain(),
                serde_json::json!({"factor": 2.0}),
                vec![InputSource::Stage { stage: 0, port: 0 }],
            )
            .unwrap()
            .build();
        let loud = &pipeline.stages()[1];
        assert_eq!(loud.inputs()[0].port().source.as_str(), "source.signal");
        assert_eq!(loud.outputs()[0].name.as_str(), "scaled");
        assert_eq!(loud.outputs()[0].shape.to_vec(), vec![8]);
    }

    #[test]
    fn a_built_stage_cannot_read_a_stage_not_added_before_it() {
        let error = Pipeline::builder("demo", Path::new("out.h5"))
            .stage(
                "loud",
                gain(),
                serde_json::json!({}),
                vec![InputSource::Stage { stage: 0, port: 0 }],
            )
            .err()
            .unwrap();
        assert_eq!(
            error.to_string(),
            "stage `loud`: input `stage #0` names stage `#0`, which does not exist"
        );
    }

    #[test]
    fn two_built_stages_cannot_share_an_id() {
        let error = Pipeline::builder("demo", Path::new("out.h5"))
            .stage("source", tone(), serde_json::json!({"length": 8}), vec![])
            .unwrap()
            .stage("source", tone(), serde_json::json!({"length": 8}), vec![])
            .err()
            .unwrap();
        assert_eq!(error.to_string(), "two stages are named `source`");
    }
}
