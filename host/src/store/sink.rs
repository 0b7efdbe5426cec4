//! The sink itself: creates the run file with every dataset and attribute
//! known before the run, starts SWMR, streams items through the writer
//! thread, and seals, files and renames the result at the end.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use macroscope_plugin_api::PortKind;

use super::attributes::{set_flag, set_str};
use super::chunking::{self, Filtering};
use super::entries::{StoreDir, OUTPUT_GROUP};
use super::error::StoreError;
use super::hashing::{sha256_hex, ContentHasher};
use super::identity::{identity_of, stage_key};
use super::layout::{self, dataset as attr, group as gattr, role, root};
use super::plan::{input_records, plan_stages, PlannedSource, StagePlan};
use super::provenance::{inputs_json, Provenance};
use super::replay::Replay;
use super::streams::{check_item, item_bytes, StreamSlot};
use super::writer::{Target, WriterThread, Written};
use super::{durable, hdf5_raw, open, seal, RunStatus, RunSummary, StoreOptions};
use crate::item::SharedItem;
use crate::pipeline::Pipeline;

/// The one sink every output goes through.
pub struct Sink {
    output: PathBuf,
    partial: PathBuf,
    store: StoreDir,
    run_id: String,
    deflate_level: u32,
    plans: Vec<StagePlan>,
    slots: Vec<StreamSlot>,
    slot_of: HashMap<(usize, usize), usize>,
    datasets: BTreeMap<(usize, usize), SharedItem>,
    dropped: BTreeMap<(usize, usize), u64>,
    /// `None` once `finish` has stopped it.
    writer: Option<WriterThread>,
    pool: rayon::ThreadPool,
}

/// `<output>.partial`.
pub fn partial_path(output: &Path) -> PathBuf {
    let mut name = output.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// Fails unless `output` can be written: its directory exists and is
/// writable, and neither it nor its `.partial` exists.
fn check_output(output: &Path) -> Result<PathBuf, StoreError> {
    let dir = match output.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(StoreError::OutputDirectory {
            dir,
            reason: "it does not exist; create it first".into(),
        });
    }
    if output.exists() {
        return Err(StoreError::OutputExists(output.to_owned()));
    }
    let partial = partial_path(output);
    if partial.exists() {
        return Err(StoreError::PartialExists(partial));
    }
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&partial)
        .and_then(|_| std::fs::remove_file(&partial))
        .map_err(|e| StoreError::OutputDirectory {
            dir,
            reason: e.to_string(),
        })?;
    Ok(partial)
}

/// Space set aside at the start so the file can be sealed on a full disk:
/// the dataset ports still to be written (uncompressed size) plus 1 MiB for
/// attributes, at most 64 MiB.
fn reserve_bytes(pipeline: &Pipeline) -> u64 {
    let ports: u64 = pipeline
        .stages
        .iter()
        .flat_map(|s| s.outputs.iter())
        .filter(|p| p.kind == PortKind::Dataset)
        .map(|p| p.item_len() as u64 * p.element.size() as u64)
        .sum();
    (ports + (1 << 20)).min(64 << 20)
}

fn ensure_group(file: &hdf5::File, path: &str) -> hdf5::Result<hdf5::Group> {
    let mut current = file.group("/")?;
    for part in path.split('/').filter(|p| !p.is_empty()) {
        current = match current.group(part) {
            Ok(group) => group,
            Err(_) => current.create_group(part)?,
        };
    }
    Ok(current)
}

impl Sink {
    /// Checks the output location, looks up reusable deterministic outputs,
    /// creates `<output>.partial` with every dataset and attribute, starts SWMR.
    /// Fails before any stage runs if the output exists or is not writable.
    pub fn create(pipeline: &Pipeline, options: &StoreOptions) -> Result<Sink, StoreError> {
        let options = options.validated()?;
        let output = pipeline.output.clone();
        let partial = check_output(&output)?;
        let store = StoreDir::open(&options.store_dir)?;
        let reserve = durable::reserve_path(&partial);
        durable::reserve(&reserve, reserve_bytes(pipeline))?;
        let now = chrono::Utc::now();
        let run_id = layout::run_id(now);
        let created = layout::timestamp(now);
        let plans =
            plan_stages(pipeline, &store, &run_id).inspect_err(|_| durable::release(&reserve))?;

        let file = open::create_file(&partial).inspect_err(|_| durable::release(&reserve))?;
        let built = (|| -> Result<_, StoreError> {
            let h5 = |action: &str| {
                let partial = partial.clone();
                let action = action.to_owned();
                move |e| StoreError::hdf5(&partial, action, e)
            };
            let root_attrs = [
                (root::FORMAT, layout::FORMAT.to_owned()),
                (root::RUN_ID, run_id.clone()),
                (root::CREATED, created.clone()),
                (root::HOST_VERSION, crate::HOST_VERSION.to_owned()),
                (root::PIPELINE_NAME, pipeline.name.clone()),
                (root::PIPELINE_FILE, pipeline.file.display().to_string()),
                (root::PIPELINE_TOML, pipeline.text.clone()),
                (root::PIPELINE_SHA256, sha256_hex(pipeline.text.as_bytes())),
                (root::STATUS, "running".to_owned()),
                (root::STORE_DIR, store.dir().display().to_string()),
            ];
            for (name, value) in &root_attrs {
                set_str(&file, name, value).map_err(h5("writing root attributes"))?;
            }
            let mut targets = Vec::new();
            let mut slots = Vec::new();
            for (index, plan) in plans.iter().enumerate() {
                if let Some(entry) = &plan.reuse {
                    copy_reused(&file, plan, entry, &partial)?;
                    continue;
                }
                let group = ensure_group(&file, &plan.group)
                    .map_err(h5(&format!("creating group {}", plan.group)))?;
                write_group_attributes(&group, plan, false, "")
                    .map_err(h5(&format!("writing attributes of {}", plan.group)))?;
                let inputs = inputs_json(&input_records(&plans, index));
                for (port, spec) in plan.outputs.iter().enumerate() {
                    if spec.kind != PortKind::Stream {
                        continue;
                    }
                    let slot = create_stream(
                        &group,
                        plan,
                        index,
                        port,
                        &inputs,
                        &created,
                        &options,
                        &mut targets,
                    )
                    .map_err(h5(&format!(
                        "creating the datasets of {}",
                        plan.port_path(port)
                    )))?;
                    slots.push(slot?);
                }
            }
            file.flush().map_err(h5("flushing"))?;
            file.start_swmr().map_err(h5("starting SWMR"))?;
            Ok((targets, slots))
        })();
        let (targets, slots) = match built {
            Ok(built) => built,
            Err(e) => {
                drop(file);
                let _ = std::fs::remove_file(&partial);
                durable::release(&reserve);
                return Err(e);
            }
        };
        let slot_of = slots
            .iter()
            .enumerate()
            .map(|(i, s)| ((s.stage, s.port), i))
            .collect();
        let writer = WriterThread::start(
            file,
            partial.clone(),
            targets,
            options.queue_items,
            options.flush_interval,
        );
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(options.compression_threads)
            .thread_name(|i| format!("macroscope-compress-{i}"))
            .build()
            .map_err(|e| {
                StoreError::Misuse(format!("cannot start the compression threads: {e}"))
            })?;
        for plan in plans.iter().filter(|p| p.reuse.is_some()) {
            tracing::info!(
                "stage `{}`: reusing verified store entry {}",
                plan.provenance.stage,
                plan.reuse
                    .as_ref()
                    .map(|e| e.path.display().to_string())
                    .unwrap_or_default()
            );
        }
        Ok(Sink {
            output,
            partial,
            store,
            run_id,
            deflate_level: options.deflate_level,
            plans,
            slots,
            slot_of,
            datasets: BTreeMap::new(),
            dropped: BTreeMap::new(),
            writer: Some(writer),
            pool,
        })
    }

    /// If stage `stage`'s outputs are reused from the store, the replay of them;
    /// the runtime then does not run the stage.
    pub fn reused(&mut self, stage: usize) -> Option<Replay> {
        let plan = self.plans.get(stage)?;
        let entry = plan.reuse.as_ref()?;
        Some(Replay::of_group(&entry.path, OUTPUT_GROUP, &plan.outputs))
    }

    /// Writes one item of output `port` of stage `stage`. Blocks while the
    /// compression queue is full.
    pub fn write(
        &mut self,
        stage: usize,
        port: usize,
        item: &SharedItem,
    ) -> Result<(), StoreError> {
        let plan = self.plans.get(stage).ok_or_else(|| {
            StoreError::Misuse(format!(
                "write to stage {stage}, but the pipeline has {}",
                self.plans.len()
            ))
        })?;
        if plan.reuse.is_some() {
            return Err(StoreError::Misuse(format!(
                "stage `{}` is reused from the store and must not run, but it wrote an item",
                plan.provenance.stage
            )));
        }
        let spec = plan.outputs.get(port).ok_or_else(|| {
            StoreError::Misuse(format!(
                "stage `{}` has {} outputs, not {}",
                plan.provenance.stage,
                plan.outputs.len(),
                port + 1
            ))
        })?;
        if spec.kind == PortKind::Dataset {
            check_item(&plan.provenance.stage, spec, item, &spec.shape)?;
            if self
                .datasets
                .insert((stage, port), SharedItem::clone(item))
                .is_some()
            {
                return Err(StoreError::Misuse(format!(
                    "stage `{}` emitted dataset `{}` twice; a dataset port holds one array",
                    plan.provenance.stage, spec.name
                )));
            }
            return Ok(());
        }
        let slot = &mut self.slots[self.slot_of[&(stage, port)]];
        let parts = slot.accept(item, &self.pool)?;
        self.writer()
            .send(parts)
            .map_err(|reason| StoreError::WriterFailed {
                file: self.partial.clone(),
                reason,
            })
    }

    fn writer(&self) -> &WriterThread {
        self.writer.as_ref().expect("the writer runs until finish")
    }

    /// Items of stream `port` of `stage` known to be safely on disk (as of
    /// the writer's last flush); `None` for a port that is not a stream being written.
    pub fn flushed_items(&self, stage: usize, port: usize) -> Option<u64> {
        let slot = &self.slots[*self.slot_of.get(&(stage, port))?];
        std::iter::once(slot.data_target)
            .chain(slot.column_targets.iter().copied())
            .map(|t| self.writer().flushed(t))
            .min()
    }

    /// Records that `count` items of a camera's output were dropped (queue full).
    pub fn record_dropped(&mut self, stage: usize, port: usize, count: u64) {
        *self.dropped.entry((stage, port)).or_default() += count;
        tracing::warn!(
            "stage {stage} port {port}: {count} item(s) dropped because the sink's queue was full"
        );
    }

    /// Finalises the file with `status`, fsyncs and renames it into place.
    /// A write error during the run turns the status into `failed` (the
    /// summary carries the error); an error while sealing leaves the
    /// `.partial` file for `macroscope recover` and says so.
    pub fn finish(mut self, status: RunStatus) -> Result<RunSummary, StoreError> {
        let tails: Vec<_> = self
            .slots
            .iter_mut()
            .filter_map(|s| s.flush_pending(&self.pool))
            .collect();
        let writer = self.writer.take().expect("finish runs once");
        if !tails.is_empty() {
            let _ = writer.send(tails);
        }
        let (written, writer_error) = writer.finish();
        durable::release(&durable::reserve_path(&self.partial));
        let status = if writer_error.is_some() {
            RunStatus::Failed
        } else {
            status
        };
        let stored = self
            .seal(status, &written, writer_error.as_deref())
            .and_then(|stored| {
                durable::sync_file(&self.partial)?;
                durable::rename_new(&self.partial, &self.output)?;
                Ok(stored)
            })
            .map_err(|e| StoreError::SealFailed {
                partial: self.partial.clone(),
                source: Box::new(e),
            })?;
        Ok(RunSummary {
            path: self.output.clone(),
            status,
            reused: self
                .plans
                .iter()
                .filter(|p| p.reuse.is_some())
                .map(|p| p.provenance.stage.clone())
                .collect(),
            stored,
            error: writer_error,
        })
    }

    /// Reopens the file (SWMR over) and writes what only the end knows:
    /// dataset ports, content and input hashes, dropped counts, store keys
    /// and filing, and the status. Returns the store entries filed.
    fn seal(
        &self,
        status: RunStatus,
        written: &Written,
        writer_error: Option<&str>,
    ) -> Result<Vec<(String, PathBuf)>, StoreError> {
        let file = open::open_rw(&self.partial)?;
        let h5 = |action: String| {
            let partial = self.partial.clone();
            move |e| StoreError::hdf5(&partial, action, e)
        };
        let mut known = match writer_error {
            None => self.streamed_hashes(written)?,
            Some(_) => {
                seal::trim_streams_to_disk(&file)
                    .map_err(h5("trimming streams to what is on disk".into()))?;
                HashMap::new()
            }
        };
        for slot in &self.slots {
            let path = self.plans[slot.stage].port_path(slot.port);
            let dropped = self
                .dropped
                .get(&(slot.stage, slot.port))
                .copied()
                .unwrap_or(0);
            let dataset = file.dataset(&path).map_err(h5(format!("opening {path}")))?;
            super::attributes::set_u64(&dataset, attr::DROPPED_ITEMS, dropped)
                .map_err(h5(format!("writing attributes of {path}")))?;
        }
        let finished = layout::timestamp(chrono::Utc::now());
        for (&(stage, port), item) in &self.datasets {
            let plan = &self.plans[stage];
            let inputs = inputs_json(&input_records(&self.plans, stage));
            let hash = write_dataset_port(
                &file,
                plan,
                port,
                item,
                &inputs,
                &finished,
                self.deflate_level,
                &self.pool,
            )
            .map_err(h5(format!("writing dataset {}", plan.port_path(port))))?;
            known.insert(plan.port_path(port), hash);
        }
        seal::write_content_hashes(&file, &known).map_err(h5("writing content hashes".into()))?;
        seal::fill_input_hashes(&file).map_err(h5("writing input hashes".into()))?;
        let stored = match status {
            RunStatus::Complete => self.file_deterministic_outputs(&file, &finished)?,
            _ => Vec::new(),
        };
        seal::set_status(
            &file,
            status.as_str(),
            writer_error.unwrap_or(""),
            &finished,
        )
        .map_err(h5("writing the status".into()))?;
        file.close().map_err(h5("closing".into()))?;
        Ok(stored)
    }

    /// The content hashes computed while streaming, by dataset path, after
    /// checking that every row received is on disk.
    fn streamed_hashes(&self, written: &Written) -> Result<HashMap<String, String>, StoreError> {
        let mut known = HashMap::new();
        for slot in &self.slots {
            let plan = &self.plans[slot.stage];
            let data_path = plan.port_path(slot.port);
            for target in
                std::iter::once(slot.data_target).chain(slot.column_targets.iter().copied())
            {
                if written.rows.get(target) != Some(&slot.rows) {
                    return Err(StoreError::Misuse(format!(
                        "{data_path}: {} items were received but {:?} rows are on disk",
                        slot.rows,
                        written.rows.get(target)
                    )));
                }
            }
            known.insert(data_path, slot.data_hash.clone().finish());
            for (column, hash) in slot.spec.columns.iter().zip(&slot.column_hashes) {
                known.insert(
                    layout::column_path(&plan.group, &slot.spec.name, &column.name),
                    hash.clone().finish(),
                );
            }
        }
        Ok(known)
    }

    /// Gives every deterministic stage that ran its key (if it was known only
    /// now) and files its outputs in the store. Failing to file is reported,
    /// not fatal: the run file is complete either way.
    fn file_deterministic_outputs(
        &self,
        file: &hdf5::File,
        now: &str,
    ) -> Result<Vec<(String, PathBuf)>, StoreError> {
        let mut filed = Vec::new();
        for (index, plan) in self.plans.iter().enumerate() {
            if !plan.deterministic() || plan.reuse.is_some() {
                continue;
            }
            let missing: Vec<_> = plan
                .outputs
                .iter()
                .enumerate()
                .filter(|(port, spec)| {
                    spec.kind == PortKind::Dataset && !self.datasets.contains_key(&(index, *port))
                })
                .map(|(_, spec)| spec.name.to_string())
                .collect();
            if !missing.is_empty() {
                tracing::warn!(
                    "stage `{}` never emitted {missing:?}: its outputs are not filed in the store",
                    plan.provenance.stage
                );
                continue;
            }
            let key = match &plan.key {
                Some(key) => key.clone(),
                None => {
                    let identities = plan
                        .inputs
                        .iter()
                        .map(|input| match &input.from {
                            PlannedSource::File { identity, .. } => Ok(identity.clone()),
                            PlannedSource::Stage { stage, port } => {
                                identity_of(file, &self.plans[*stage].port_path(*port)).map(|i| {
                                    super::identity::PortIdentity {
                                        port: input.port.clone(),
                                        ..i
                                    }
                                })
                            }
                        })
                        .collect::<hdf5::Result<Vec<_>>>()
                        .map_err(|e| {
                            StoreError::hdf5(&self.partial, "reading input identities", e)
                        })?;
                    stage_key(
                        &plan.provenance.plugin,
                        &plan.provenance.plugin_version,
                        &plan.parameters,
                        &identities,
                    )
                }
            };
            let group = file.group(&plan.group).map_err(|e| {
                StoreError::hdf5(&self.partial, format!("opening {}", plan.group), e)
            })?;
            set_str(&group, gattr::STORE_KEY, &key.key)
                .and_then(|()| set_str(&group, gattr::STORE_KEY_JSON, &key.json))
                .map_err(|e| {
                    StoreError::hdf5(
                        &self.partial,
                        format!("writing the key of {}", plan.group),
                        e,
                    )
                })?;
            if let super::entries::Lookup::Valid(entry) = self.store.lookup(&key.key, &plan.outputs)
            {
                set_str(
                    &group,
                    gattr::STORE_ENTRY,
                    &entry.path.display().to_string(),
                )
                .map_err(|e| {
                    StoreError::hdf5(
                        &self.partial,
                        format!("writing attributes of {}", plan.group),
                        e,
                    )
                })?;
                continue;
            }
            match self.store.file(file, &plan.group, &key, &self.run_id, now) {
                Ok(path) => {
                    set_str(&group, gattr::STORE_ENTRY, &path.display().to_string()).map_err(
                        |e| {
                            StoreError::hdf5(
                                &self.partial,
                                format!("writing attributes of {}", plan.group),
                                e,
                            )
                        },
                    )?;
                    tracing::info!(
                        "stage `{}`: outputs filed in the store as {}",
                        plan.provenance.stage,
                        path.display()
                    );
                    filed.push((plan.provenance.stage.clone(), path));
                }
                Err(e) => tracing::warn!(
                    "stage `{}`: could not file its outputs in the store: {e}",
                    plan.provenance.stage
                ),
            }
        }
        Ok(filed)
    }
}

impl Drop for Sink {
    /// A sink dropped without `finish` (the runtime gave up) stops its writer
    /// thread, which flushes and closes the file: the `.partial` file stays,
    /// consistent, for `macroscope recover`.
    fn drop(&mut self) {
        if let Some(writer) = self.writer.take() {
            let (_, error) = writer.finish();
            tracing::warn!(
                "the run stopped without finishing: {} keeps what was written{}; run `macroscope recover` on it",
                self.partial.display(),
                error.map(|e| format!(" (write error: {e})")).unwrap_or_default()
            );
        }
    }
}

/// Writes a stage group's summary attributes.
fn write_group_attributes(
    group: &hdf5::Group,
    plan: &StagePlan,
    reused: bool,
    entry: &str,
) -> hdf5::Result<()> {
    plan.provenance.write_group_attributes(group)?;
    let (key, json) = plan
        .key
        .as_ref()
        .map(|k| (k.key.as_str(), k.json.as_str()))
        .unwrap_or(("", ""));
    set_str(group, gattr::STORE_KEY, key)?;
    set_str(group, gattr::STORE_KEY_JSON, json)?;
    set_flag(group, gattr::REUSED, reused)?;
    set_str(group, gattr::STORE_ENTRY, entry)
}

/// Copies a verified store entry's outputs into the run file as the stage's group.
fn copy_reused(
    file: &hdf5::File,
    plan: &StagePlan,
    entry: &super::entries::Entry,
    partial: &Path,
) -> Result<(), StoreError> {
    let source = open::open_read(&entry.path)?;
    hdf5_raw::copy_object(&source, OUTPUT_GROUP, file, &plan.group).map_err(|e| {
        StoreError::hdf5(
            partial,
            format!(
                "copying store entry {} to {}",
                entry.path.display(),
                plan.group
            ),
            e,
        )
    })?;
    let group = file
        .group(&plan.group)
        .map_err(|e| StoreError::hdf5(partial, format!("opening {}", plan.group), e))?;
    write_group_attributes(&group, plan, true, &entry.path.display().to_string())
        .map_err(|e| StoreError::hdf5(partial, format!("writing attributes of {}", plan.group), e))
}

/// Attributes every dataset of a port carries.
fn write_port_attributes(
    dataset: &hdf5::Dataset,
    provenance: &Provenance,
    spec: &macroscope_plugin_api::PortSpec,
    role_name: &str,
    inputs: &str,
    created: &str,
) -> hdf5::Result<()> {
    provenance.write_dataset_attributes(dataset, created)?;
    set_str(dataset, attr::PORT, &spec.name)?;
    set_str(dataset, attr::ROLE, role_name)?;
    set_str(dataset, attr::INPUTS, inputs)
}

/// Creates the data and column datasets of a stream port and its slot.
#[allow(clippy::too_many_arguments)]
fn create_stream(
    group: &hdf5::Group,
    plan: &StagePlan,
    stage: usize,
    port: usize,
    inputs: &str,
    created: &str,
    options: &StoreOptions,
    targets: &mut Vec<Target>,
) -> hdf5::Result<Result<StreamSlot, StoreError>> {
    let spec = &plan.outputs[port];
    let bytes = item_bytes(spec);
    if bytes == 0 {
        return Ok(Err(StoreError::Misuse(format!(
            "stage `{}` port `{}` declares items of shape {:?} with no values; a stream item needs at least one",
            plan.provenance.stage, spec.name, spec.shape
        ))));
    }
    let chunk_plan = chunking::stream_plan(bytes, options.items_per_chunk, options.deflate_level);
    let data =
        chunking::create_extendable(group, &spec.name, spec.element, &spec.shape, chunk_plan)?;
    write_port_attributes(&data, &plan.provenance, spec, role::STREAM, inputs, created)?;
    set_str(&data, attr::UNIT, &spec.unit)?;
    set_str(&data, attr::DESCRIPTION, &spec.description)?;
    set_str(
        &data,
        attr::PORT_ATTRIBUTES,
        &super::hashing::canonical_json(&spec.attributes_json()),
    )?;
    let names: Vec<&str> = spec.columns.iter().map(|c| c.name.as_str()).collect();
    set_str(
        &data,
        attr::COLUMNS,
        &serde_json::to_string(&names).expect("strings serialise"),
    )?;
    let data_target = targets.len();
    targets.push(Target {
        dataset: data,
        row_bytes: bytes,
        rows_per_chunk: chunk_plan.rows,
        rank: 1 + spec.shape.len(),
    });
    let mut column_targets = Vec::new();
    for column in spec.columns.iter() {
        let column_plan = chunking::column_plan(column.element);
        let name = format!("{}.{}", spec.name, column.name);
        let dataset = chunking::create_extendable(group, &name, column.element, &[], column_plan)?;
        write_port_attributes(
            &dataset,
            &plan.provenance,
            spec,
            role::COLUMN,
            inputs,
            created,
        )?;
        set_str(&dataset, attr::COLUMN, &column.name)?;
        set_str(&dataset, attr::UNIT, &column.unit)?;
        set_str(&dataset, attr::DESCRIPTION, &column.description)?;
        column_targets.push(targets.len());
        targets.push(Target {
            dataset,
            row_bytes: column.element.size(),
            rows_per_chunk: column_plan.rows,
            rank: 1,
        });
    }
    Ok(Ok(StreamSlot::new(
        stage,
        port,
        &plan.provenance.stage,
        spec.clone(),
        data_target,
        column_targets,
        chunk_plan,
    )))
}

/// Writes a dataset port (after SWMR closed) and returns its content hash.
#[allow(clippy::too_many_arguments)]
fn write_dataset_port(
    file: &hdf5::File,
    plan: &StagePlan,
    port: usize,
    item: &SharedItem,
    inputs: &str,
    created: &str,
    level: u32,
    pool: &rayon::ThreadPool,
) -> hdf5::Result<String> {
    let spec = &plan.outputs[port];
    let group = file.group(&plan.group)?;
    let chunk_plan = chunking::dataset_plan(&spec.shape, spec.element, level);
    let dataset =
        chunking::create_fixed(&group, &spec.name, spec.element, &spec.shape, chunk_plan)?;
    let bytes = item.data.as_bytes();
    match chunk_plan {
        None => write_contiguous(&dataset, item)?,
        Some(chunk_plan) => {
            use rayon::prelude::*;
            let row_bytes = bytes.len() / spec.shape[0] as usize;
            let chunk_bytes = row_bytes * chunk_plan.rows as usize;
            let Filtering::ShuffleDeflate(level) = chunk_plan.filtering else {
                unreachable!("dataset ports are chunked only when compressed")
            };
            let element_size = spec.element.size();
            let compressed: Vec<Vec<u8>> = pool.install(|| {
                bytes
                    .par_chunks(chunk_bytes)
                    .map(|chunk| {
                        let mut padded = chunk.to_vec();
                        padded.resize(chunk_bytes, 0);
                        super::compress::compress_chunk(&padded, element_size, level)
                    })
                    .collect()
            });
            for (i, chunk) in compressed.iter().enumerate() {
                let mut offset = vec![0u64; spec.shape.len()];
                offset[0] = i as u64 * chunk_plan.rows;
                hdf5_raw::write_chunk(&dataset, &offset, chunk)?;
            }
        }
    }
    write_port_attributes(
        &dataset,
        &plan.provenance,
        spec,
        role::DATASET,
        inputs,
        created,
    )?;
    set_str(&dataset, attr::UNIT, &spec.unit)?;
    set_str(&dataset, attr::DESCRIPTION, &spec.description)?;
    set_str(
        &dataset,
        attr::PORT_ATTRIBUTES,
        &super::hashing::canonical_json(&spec.attributes_json()),
    )?;
    let mut hasher = ContentHasher::new();
    hasher.update(bytes);
    Ok(hasher.finish())
}

fn write_contiguous(dataset: &hdf5::Dataset, item: &SharedItem) -> hdf5::Result<()> {
    use macroscope_plugin_api::ArrayData;
    match &item.data {
        ArrayData::U8(v) => dataset.write_raw(v.as_slice()),
        ArrayData::U16(v) => dataset.write_raw(v.as_slice()),
        ArrayData::U32(v) => dataset.write_raw(v.as_slice()),
        ArrayData::U64(v) => dataset.write_raw(v.as_slice()),
        ArrayData::I8(v) => dataset.write_raw(v.as_slice()),
        ArrayData::I16(v) => dataset.write_raw(v.as_slice()),
        ArrayData::I32(v) => dataset.write_raw(v.as_slice()),
        ArrayData::I64(v) => dataset.write_raw(v.as_slice()),
        ArrayData::F32(v) => dataset.write_raw(v.as_slice()),
        ArrayData::F64(v) => dataset.write_raw(v.as_slice()),
    }
}
