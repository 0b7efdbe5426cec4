//! Before anything runs: where each stage's outputs go, which inputs they
//! read, which deterministic stages have a key already, and which of those
//! the store can supply (verified) so they need not run.

use std::path::PathBuf;

use super::entries::{Entry, StoreDir};
use super::error::StoreError;
use super::identity::{identity_of, stage_key, PortIdentity, StageKey};
use super::layout;
use super::provenance::{InputRecord, Provenance};
use super::run_plan::{InputFrom, RunPlan, StageRecord};
use crate::stage_id::is_stage_id;

/// Where one input of a stage comes from.
#[derive(Debug, Clone)]
pub enum PlannedSource {
    /// An output of an earlier stage of this run.
    Stage {
        /// Stage index.
        stage: usize,
        /// Output port index.
        port: usize,
    },
    /// A dataset of another file, identified when the run was planned.
    File {
        /// The file.
        path: PathBuf,
        /// The dataset path.
        dataset: String,
        /// Its identity.
        identity: PortIdentity,
    },
}

/// One input of a stage.
#[derive(Debug, Clone)]
pub struct PlannedInput {
    /// The port name the stage sees.
    pub port: String,
    /// The source as the pipeline writes it.
    pub source: String,
    /// Where it comes from.
    pub from: PlannedSource,
}

/// Everything the sink decided about one stage before the run.
#[derive(Debug, Clone)]
pub struct StagePlan {
    /// Provenance attributes.
    pub provenance: Provenance,
    /// Effective parameters (for the key).
    pub parameters: serde_json::Value,
    /// Its group in the run file.
    pub group: String,
    /// Its outputs.
    pub outputs: Vec<macroscope_plugin_api::PortSpec>,
    /// Its inputs.
    pub inputs: Vec<PlannedInput>,
    /// Its store key, if deterministic and every input's content is known now.
    pub key: Option<StageKey>,
    /// The verified store entry its outputs are reused from.
    pub reuse: Option<Entry>,
}

impl StagePlan {
    /// True if the stage is deterministic.
    pub fn deterministic(&self) -> bool {
        self.provenance.deterministic
    }

    /// Path of output `port`'s data in the run file.
    pub fn port_path(&self, port: usize) -> String {
        layout::port_path(&self.group, &self.outputs[port].name)
    }
}

/// Plans every stage of `run`, upstream first.
pub fn plan_stages(
    run: &RunPlan,
    store: &StoreDir,
    run_id: &str,
) -> Result<Vec<StagePlan>, StoreError> {
    let mut plans: Vec<StagePlan> = Vec::with_capacity(run.stages.len());
    for stage in &run.stages {
        check_names(stage)?;
        let provenance = Provenance::of(stage);
        let inputs = stage
            .inputs
            .iter()
            .map(|input| {
                let from = match &input.from {
                    InputFrom::Stage { stage, port } => PlannedSource::Stage {
                        stage: *stage,
                        port: *port,
                    },
                    InputFrom::File { path, dataset } => {
                        let file = super::open::open_read(path)?;
                        // Provenance records the dataset a `*` pattern resolved to.
                        let dataset = &super::dataset_path::resolve(&file, path, dataset)?;
                        let identity = identity_of(&file, dataset).map_err(|e| {
                            StoreError::hdf5(path, format!("reading input dataset {dataset}"), e)
                        })?;
                        PlannedSource::File {
                            path: path.clone(),
                            dataset: dataset.clone(),
                            identity,
                        }
                    }
                };
                Ok(PlannedInput {
                    port: input.port.clone(),
                    source: input.source.clone(),
                    from,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;

        let known: Option<Vec<PortIdentity>> = inputs
            .iter()
            .map(|input| match &input.from {
                PlannedSource::File { identity, .. } => Some(named(identity, &input.port)),
                PlannedSource::Stage { stage, port } => plans[*stage]
                    .reuse
                    .as_ref()
                    .map(|entry| named(&entry.ports[*port], &input.port)),
            })
            .collect();
        let key = match (provenance.deterministic, known) {
            (true, Some(identities)) => Some(stage_key(
                provenance.plugin_identity(),
                &stage.params,
                &identities,
            )),
            _ => None,
        };
        if let Some(key) = &key {
            if let Some(twin) = plans.iter().find(|p| p.key.as_ref() == Some(key)) {
                return Err(StoreError::Misuse(format!(
                    "stages `{}` and `{}` run the same plugin with the same parameters on the same inputs, \
                     so their outputs would be identical: keep one",
                    twin.provenance.stage, stage.id
                )));
            }
        }
        let reuse = key
            .as_ref()
            .and_then(|key| store.reusable(&key.key, &stage.outputs, &stage.id));
        let group = layout::stage_group(
            provenance.kind,
            run_id,
            &stage.id,
            key.as_ref().map(|k| k.key.as_str()),
        );
        plans.push(StagePlan {
            provenance,
            parameters: stage.params.clone(),
            group,
            outputs: stage.outputs.clone(),
            inputs,
            key,
            reuse,
        });
    }
    Ok(plans)
}

/// `identity` as seen through an input: the stage sees the upstream port's name.
fn named(identity: &PortIdentity, port: &str) -> PortIdentity {
    PortIdentity {
        port: port.to_owned(),
        ..identity.clone()
    }
}

/// The `inputs` records of a stage, with every hash known now filled in.
pub fn input_records(plans: &[StagePlan], stage: usize) -> Vec<InputRecord> {
    plans[stage]
        .inputs
        .iter()
        .map(|input| match &input.from {
            PlannedSource::Stage {
                stage: upstream,
                port,
            } => {
                let up = &plans[*upstream];
                let identity = up.reuse.as_ref().map(|entry| &entry.ports[*port]);
                InputRecord {
                    port: input.port.clone(),
                    source: input.source.clone(),
                    file: String::new(),
                    path: up.port_path(*port),
                    sha256: identity.map(|i| i.sha256.clone()).unwrap_or_default(),
                    columns_sha256: identity.map(|i| i.columns.clone()).unwrap_or_default(),
                }
            }
            PlannedSource::File {
                path,
                dataset,
                identity,
            } => InputRecord {
                port: input.port.clone(),
                source: input.source.clone(),
                file: path.display().to_string(),
                path: dataset.clone(),
                sha256: identity.sha256.clone(),
                columns_sha256: identity.columns.clone(),
            },
        })
        .collect()
}

/// Stage ids name groups and port and column names name datasets
/// (`<port>.<column>`): refuse names that would break the layout.
fn check_names(stage: &StageRecord) -> Result<(), StoreError> {
    if !is_stage_id(&stage.id) {
        return Err(StoreError::Misuse(format!(
            "stage id `{}` cannot name an HDF5 group: use letters, digits, `_` and `-`",
            stage.id
        )));
    }
    for port in &stage.outputs {
        if port.kind == macroscope_plugin_api::PortKind::STREAM && port.item_len() == 0 {
            return Err(StoreError::Misuse(format!(
                "stage `{}` port `{}` declares stream items of shape {:?}, which hold no values; \
                 a stream item needs at least one",
                stage.id, port.name, port.shape
            )));
        }
        if let Some(bad) = port.invalid_name() {
            return Err(StoreError::Misuse(format!(
                "stage `{}` (plugin `{}`) declares port or column `{bad}`, which cannot name a dataset: \
                 names must be identifiers ([A-Za-z_][A-Za-z0-9_]*)",
                stage.id, stage.plugin.name
            )));
        }
    }
    Ok(())
}
