//! The one place a checked [`Pipeline`] becomes the store's [`RunPlan`]:
//! the store knows nothing of pipelines, the runtime knows both.

use crate::pipeline::{InputSource, Pipeline, Stage};
use crate::store::{InputFrom, PluginRecord, RunPlan, StageInput, StageRecord};

use super::Started;

/// What the sink is told about `pipeline`: its stages' provenance and
/// wiring, with the outputs each stage [`start_devices`](super::start_devices)
/// started reported (else the outputs its plugin declared), and the run clock's zero.
pub fn run_plan(pipeline: &Pipeline, started: &Started) -> RunPlan {
    RunPlan {
        pipeline_name: pipeline.name().to_owned(),
        pipeline_file: pipeline.file().to_owned(),
        pipeline_text: pipeline.text().to_owned(),
        session: pipeline.session().cloned(),
        output: pipeline.output().to_owned(),
        store: pipeline.store().map(ToOwned::to_owned),
        run_clock_origin_ns: started.clock().origin_ns(),
        stages: (pipeline.stages().iter().enumerate())
            .map(|(index, stage)| stage_record(stage, started.outputs_of(index)))
            .collect(),
    }
}

fn stage_record(
    stage: &Stage,
    started_outputs: Option<&[macroscope_plugin_api::PortSpec]>,
) -> StageRecord {
    let plugin = stage.plugin();
    StageRecord {
        id: stage.id().to_owned(),
        plugin: PluginRecord {
            name: plugin.handle.name().to_owned(),
            version: plugin.handle.version().to_owned(),
            kind: plugin.handle.kind(),
            deterministic: plugin.handle.deterministic(),
            origin: plugin.origin.clone(),
        },
        params: stage.params().clone(),
        inputs: stage
            .inputs()
            .iter()
            .map(|binding| StageInput {
                port: binding.port().spec.name.to_string(),
                source: binding.port().source.to_string(),
                from: match binding.source() {
                    InputSource::Stage { stage, port } => InputFrom::Stage {
                        stage: *stage,
                        port: *port,
                    },
                    InputSource::File { path, dataset } => InputFrom::File {
                        path: path.clone(),
                        dataset: dataset.clone(),
                    },
                },
            })
            .collect(),
        outputs: started_outputs.unwrap_or(stage.outputs()).to_vec(),
    }
}
