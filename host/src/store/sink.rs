//! The sink itself: creates the run file with every dataset and attribute
//! known before the run, starts SWMR, streams items through the writer
//! thread, and seals, files and renames the result at the end.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use macroscope_plugin_api::PortKind;

use super::attributes::{set_str, set_u64};
use super::dataset_ports::write_dataset_port;
use super::entries::{Filing, Lookup, StoreDir, OUTPUT_GROUP};
use super::error::StoreError;
use super::identity::{identity_of, stage_key, PortIdentity};
use super::layout::{self, dataset as attr, group as gattr};
use super::plan::{input_records, plan_stages, PlannedSource, StagePlan};
use super::provenance::inputs_json;
use super::replay::Replay;
use super::run_file::{self, check_output, reserve_bytes};
use super::run_lock::RunLock;
use super::run_plan::RunPlan;
use super::streams::{check_item, StreamSlot};
use super::warnings::{read_stage_warnings, write_stage_warnings, write_warnings, StageWarning};
use super::writer::{WriterThread, Written};
use super::{durable, open, recover, seal, undo, RunStatus, RunSummary, StoreOptions};
use crate::item::SharedItem;

/// What sealing did that the run's summary reports.
struct Sealed {
    /// Stages whose outputs were filed in the store, with the entry files.
    stored: Vec<(String, PathBuf)>,
    /// Every stage's warnings, in pipeline order.
    warnings: Vec<StageWarning>,
}

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
    warnings: Vec<StageWarning>,
    /// `None` once `finish` has stopped it.
    writer: Option<WriterThread>,
    pool: rayon::ThreadPool,
    /// The exclusive lock on the run's files, held until the sink is dropped.
    _lock: RunLock,
}

impl Sink {
    /// Checks the output location, looks up reusable deterministic outputs,
    /// creates `<output>.partial` with every dataset and attribute, starts SWMR.
    /// Fails before any stage runs if the output exists or is not writable.
    pub fn create(run: &RunPlan, options: &StoreOptions) -> Result<Sink, StoreError> {
        let options = options.validated()?;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(options.compression_threads)
            .thread_name(|i| format!("macroscope-compress-{i}"))
            .build()
            .map_err(|e| {
                StoreError::Misuse(format!("cannot start the compression threads: {e}"))
            })?;
        let output = run.output.clone();
        let (partial, lock) = check_output(&output)?;
        let store = StoreDir::open(&options.store_dir)?;
        let reserve = durable::reserve_path(&partial);
        durable::reserve(&reserve, reserve_bytes(run))?;
        let now = chrono::Utc::now();
        let run_id = layout::run_id(now);
        let created = layout::timestamp(now);
        let plans =
            plan_stages(run, &store, &run_id).inspect_err(|_| durable::release(&reserve))?;

        let file = open::create_file(&partial).inspect_err(|_| durable::release(&reserve))?;
        let built = run_file::create(
            &file,
            run,
            &plans,
            &partial,
            &run_id,
            &created,
            store.dir(),
            &options,
        );
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
            warnings: Vec::new(),
            writer: Some(writer),
            pool,
            _lock: lock,
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
        self.write_after_drops(stage, port, item, 0)
    }

    /// [`Sink::write`] for an item sent after `dropped` items of the same
    /// camera output were dropped because the queue was full: its
    /// `dropped_before` column counts them (a port without that column counts
    /// them only in the [`Sink::record_dropped`] total).
    pub fn write_after_drops(
        &mut self,
        stage: usize,
        port: usize,
        item: &SharedItem,
        dropped: u64,
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
        if spec.kind == PortKind::DATASET {
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
        let parts = slot.accept(item, dropped, &self.pool)?;
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

    /// Records that `count` items of a camera's output were dropped (queue
    /// full) that no stored item's `dropped_before` column counts: the
    /// stream's `dropped_items` attribute.
    pub fn record_dropped(&mut self, stage: usize, port: usize, count: u64) {
        *self.dropped.entry((stage, port)).or_default() += count;
    }

    /// Records a warning a stage reported: sealed into its stage group's and
    /// the root `warnings` attributes, whatever the run's status.
    pub fn record_warning(&mut self, warning: StageWarning) {
        self.warnings.push(warning);
    }

    /// Finalises the file with `status` (and `reason`, the stage failure
    /// that ended a `failed` run, kept in the root `error` attribute), fsyncs
    /// and renames it into place. A write error during the run turns the
    /// status into `failed` (the summary carries the error); an error while
    /// sealing leaves the `.partial` file for `macroscope recover`, with the
    /// reason beside it in `<partial>.error` so the recovered file is
    /// `failed` with it, and says so.
    pub fn finish(
        mut self,
        status: RunStatus,
        reason: Option<&str>,
    ) -> Result<RunSummary, StoreError> {
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
        let reserve = durable::reserve_path(&self.partial);
        durable::release_all_but_reason(&reserve);
        // Where a test fills the disk: the streams are written and the
        // space set aside for sealing is given back (`sleep(MS)` holds it here).
        fail::fail_point!("store::before-seal");
        let status = if writer_error.is_some() {
            RunStatus::Failed
        } else {
            status
        };
        // The undo log lets `recover` roll back a seal cut short by a kill;
        // once the sealed file is synced it is dropped, and then a kill
        // before the rename leaves a whole, sealed `.partial`.
        let sealed = undo::save(&self.partial)
            .and_then(|_| self.seal(status, &written, writer_error.as_deref(), reason))
            .and_then(|sealed| {
                durable::sync_file(&self.partial)?;
                undo::discard(&self.partial)?;
                fail::fail_point!("store::before-rename", |_| std::process::abort());
                durable::rename_new(&self.partial, &self.output)?;
                durable::release(&reserve);
                Ok(sealed)
            })
            .map_err(|e| {
                let why = match writer_error.as_deref().or(reason) {
                    Some(earlier) => format!("{earlier}; then sealing failed: {e}"),
                    None => format!("sealing failed: {e}"),
                };
                // Kept beside the file for `recover`, in the reserve's last
                // bytes (the disk may be full); if even this cannot be
                // written the error below still says it.
                let _ = durable::write_into_reserve(
                    &reserve,
                    &recover::error_path(&self.partial),
                    &why,
                );
                durable::release(&reserve);
                StoreError::SealFailed {
                    partial: self.partial.clone(),
                    cause: Box::new(e),
                }
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
            stored: sealed.stored,
            warnings: sealed.warnings,
            error: writer_error,
        })
    }

    /// Reopens the file (SWMR over) and writes what only the end knows:
    /// dataset ports, content and input hashes, dropped counts, store keys
    /// and filing, the warnings, and the status.
    fn seal(
        &self,
        status: RunStatus,
        written: &Written,
        writer_error: Option<&str>,
        reason: Option<&str>,
    ) -> Result<Sealed, StoreError> {
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
            set_u64(&dataset, attr::DROPPED_ITEMS, dropped)
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
        fail::fail_point!("store::mid-seal", |_| std::process::abort());
        fail::fail_point!("store::seal-write-fails", |_| Err(StoreError::io(
            &self.partial,
            "writing input hashes",
            std::io::Error::new(
                std::io::ErrorKind::StorageFull,
                "No space left on device (the `store::seal-write-fails` fail point)"
            )
        )));
        seal::fill_input_hashes(&file).map_err(h5("writing input hashes".into()))?;
        // Before filing, so that a store entry carries its stage's warnings.
        let warnings = self
            .stage_warnings(&file)
            .map_err(h5("writing the warnings".into()))?;
        let stored = match status {
            RunStatus::Complete => self.file_deterministic_outputs(&file, &finished)?,
            _ => Vec::new(),
        };
        write_warnings(&file, &warnings).map_err(h5("writing the warnings".into()))?;
        seal::set_status(
            &file,
            status.as_str(),
            writer_error.or(reason).unwrap_or(""),
            &finished,
        )
        .map_err(h5("writing the status".into()))?;
        file.close().map_err(h5("closing".into()))?;
        Ok(Sealed { stored, warnings })
    }

    /// Every stage's warnings in pipeline order: those recorded for a stage
    /// that ran, also written to its group, and those its group brought along
    /// from the store for a reused stage.
    fn stage_warnings(&self, file: &hdf5::File) -> hdf5::Result<Vec<StageWarning>> {
        let mut all = Vec::new();
        for plan in &self.plans {
            let group = file.group(&plan.group).ok();
            let messages = match (&plan.reuse, &group) {
                (Some(_), Some(group)) => read_stage_warnings(group),
                (Some(_), None) => Vec::new(),
                (None, group) => {
                    let messages: Vec<String> = (self.warnings.iter())
                        .filter(|w| w.stage == plan.provenance.stage)
                        .map(|w| w.message.clone())
                        .collect();
                    if let (Some(group), false) = (group, messages.is_empty()) {
                        write_stage_warnings(group, &messages)?;
                    }
                    messages
                }
            };
            all.extend(messages.into_iter().map(|message| StageWarning {
                stage: plan.provenance.stage.clone(),
                plugin: plan.provenance.plugin.clone(),
                message,
            }));
        }
        Ok(all)
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
                    spec.kind == PortKind::DATASET && !self.datasets.contains_key(&(index, *port))
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
                                    PortIdentity {
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
                        plan.provenance.plugin_identity(),
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
            if let Lookup::Valid(entry) = self.store.lookup(&key.key, &plan.outputs) {
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
            let entry = match self.store.file(file, &plan.group, &key, &self.run_id, now) {
                Ok(Filing::Filed(path)) => {
                    tracing::info!(
                        "stage `{}`: outputs filed in the store as {}",
                        plan.provenance.stage,
                        path.display()
                    );
                    filed.push((plan.provenance.stage.clone(), path.clone()));
                    path
                }
                Ok(Filing::AlreadyFiled(path)) => {
                    tracing::info!(
                        "stage `{}`: another run filed the same outputs in the store first, as {}",
                        plan.provenance.stage,
                        path.display()
                    );
                    path
                }
                Ok(Filing::BeingFiled(hash)) => {
                    tracing::warn!(
                        "stage `{}`: outputs not filed in the store: {} exists without its entry (another run \
                         is filing it now, or a filing was killed midway: if no run is, delete it)",
                        plan.provenance.stage,
                        hash.display()
                    );
                    continue;
                }
                Err(e) => {
                    tracing::warn!(
                        "stage `{}`: could not file its outputs in the store: {e}",
                        plan.provenance.stage
                    );
                    continue;
                }
            };
            set_str(&group, gattr::STORE_ENTRY, &entry.display().to_string()).map_err(|e| {
                StoreError::hdf5(
                    &self.partial,
                    format!("writing attributes of {}", plan.group),
                    e,
                )
            })?;
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
