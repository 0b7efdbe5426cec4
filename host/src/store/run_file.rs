//! Creating a run file: every group, stream dataset and attribute known
//! before the run (reused stages copied from the store), then SWMR. After
//! this nothing can be added to the file until the run is sealed.

use std::path::{Path, PathBuf};

use macroscope_plugin_api::PortKind;

use super::attributes::{set_flag, set_i64, set_str};
use super::chunking;
use super::entries::{Entry, OUTPUT_GROUP};
use super::error::StoreError;
use super::hashing::{canonical_json, sha256_hex};
use super::layout::{self, dataset as attr, group as gattr, role, root};
use super::plan::{input_records, StagePlan};
use super::provenance::{inputs_json, Provenance};
use super::run_lock::{lock_path, RunLock};
use super::run_plan::RunPlan;
use super::streams::{item_bytes, StreamSlot};
use super::writer::Target;
use super::{durable, hdf5_raw, open, StoreOptions};

/// `<output>.partial`.
pub fn partial_path(output: &Path) -> PathBuf {
    let mut name = output.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// Fails unless `output` can be written: its directory exists and is
/// writable, neither it nor its `.partial` exists, and no live run holds the
/// lock on its `.partial`. Returns the `.partial` path and the lock, held for
/// the whole run. Leftovers of a run killed before its `.partial` was made (a
/// lone reserve file) are removed with a note.
pub fn check_output(output: &Path) -> Result<(PathBuf, RunLock), StoreError> {
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
    let lock = RunLock::acquire(&lock_path(&partial), &partial).map_err(|e| match e {
        StoreError::Io { error, .. } => StoreError::OutputDirectory {
            dir: dir.clone(),
            reason: error.to_string(),
        },
        other => other,
    })?;
    if partial.exists() {
        return Err(StoreError::PartialExists(partial));
    }
    remove_lone_reserve(&partial);
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&partial)
        .and_then(|_| std::fs::remove_file(&partial))
        .map_err(|e| StoreError::OutputDirectory {
            dir,
            reason: e.to_string(),
        })?;
    Ok((partial, lock))
}

/// Removes the reserve file of a run that was killed between setting space
/// aside and creating its `.partial` (call with the run's lock held and no
/// `.partial`); returns whether there was one.
pub fn remove_lone_reserve(partial: &Path) -> bool {
    let reserve = durable::reserve_path(partial);
    if !reserve.exists() {
        return false;
    }
    durable::release(&reserve);
    tracing::info!(
        "removed {}: the space set aside by a run that was stopped before it began writing",
        reserve.display()
    );
    true
}

/// Space set aside at the start so the file can be sealed on a full disk:
/// the dataset ports still to be written (uncompressed size) plus 1 MiB for
/// attributes and 1 MiB for the undo log (the metadata of an hour of frames
/// at 10 Hz), at most 64 MiB.
pub fn reserve_bytes(run: &RunPlan) -> u64 {
    let ports: u64 = run
        .stages
        .iter()
        .flat_map(|s| s.outputs.iter())
        .filter(|p| p.kind == PortKind::DATASET)
        .map(|p| p.item_len() as u64 * p.element.size() as u64)
        .sum();
    (ports + (2 << 20)).min(64 << 20)
}

/// Writes the root attributes and creates every stage's group and stream
/// datasets in `file` (or copies a reused stage's group from its store entry),
/// then starts SWMR. Returns the writer's targets and the stream slots.
#[allow(clippy::too_many_arguments)]
pub fn create(
    file: &hdf5::File,
    run: &RunPlan,
    plans: &[StagePlan],
    partial: &Path,
    run_id: &str,
    created: &str,
    store_dir: &Path,
    options: &StoreOptions,
) -> Result<(Vec<Target>, Vec<StreamSlot>), StoreError> {
    let h5 = |action: &str| {
        let partial = partial.to_owned();
        let action = action.to_owned();
        move |e| StoreError::hdf5(&partial, action, e)
    };
    let root_attrs = [
        (root::FORMAT, layout::FORMAT.to_owned()),
        (root::RUN_ID, run_id.to_owned()),
        (root::CREATED, created.to_owned()),
        (root::HOST_VERSION, crate::HOST_VERSION.to_owned()),
        (root::PIPELINE_NAME, run.pipeline_name.clone()),
        (root::PIPELINE_FILE, run.pipeline_file.display().to_string()),
        (root::PIPELINE_TOML, run.pipeline_text.clone()),
        (
            root::PIPELINE_SHA256,
            sha256_hex(run.pipeline_text.as_bytes()),
        ),
        (root::STATUS, "running".to_owned()),
        (root::STORE_DIR, store_dir.display().to_string()),
    ];
    for (name, value) in &root_attrs {
        set_str(file, name, value).map_err(h5("writing root attributes"))?;
    }
    set_i64(file, root::RUN_CLOCK_ORIGIN_NS, run.run_clock_origin_ns)
        .map_err(h5("writing the run clock's origin"))?;
    if let Some(session) = &run.session {
        let json = serde_json::to_value(session).expect("a session always serialises");
        set_str(file, root::SESSION, &canonical_json(&json))
            .map_err(h5("writing the session attribute"))?;
    }
    let mut targets = Vec::new();
    let mut slots = Vec::new();
    for (index, plan) in plans.iter().enumerate() {
        if let Some(entry) = &plan.reuse {
            copy_reused(file, plan, entry, partial)?;
            continue;
        }
        let group = ensure_group(file, &plan.group)
            .map_err(h5(&format!("creating group {}", plan.group)))?;
        write_group_attributes(&group, plan, false, "")
            .map_err(h5(&format!("writing attributes of {}", plan.group)))?;
        let inputs = inputs_json(&input_records(plans, index));
        for (port, spec) in plan.outputs.iter().enumerate() {
            if spec.kind != PortKind::STREAM {
                continue;
            }
            let slot = create_stream(
                &group,
                plan,
                index,
                port,
                &inputs,
                created,
                options,
                &mut targets,
            )
            .map_err(h5(&format!(
                "creating the datasets of {}",
                plan.port_path(port)
            )))?;
            slots.push(slot);
        }
    }
    file.flush().map_err(h5("flushing"))?;
    file.start_swmr().map_err(h5("starting SWMR"))?;
    Ok((targets, slots))
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
    entry: &Entry,
    partial: &Path,
) -> Result<(), StoreError> {
    let source = open::open_read(&entry.path)?;
    hdf5_raw::copy_object(
        &source,
        OUTPUT_GROUP,
        file,
        &plan.group,
        hdf5_raw::Attributes::Copy,
    )
    .map_err(|e| {
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
pub fn write_port_attributes(
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
) -> hdf5::Result<StreamSlot> {
    let spec = &plan.outputs[port];
    let bytes = item_bytes(spec);
    let chunk_plan = chunking::stream_plan(bytes, options.items_per_chunk, options.deflate_level);
    let data =
        chunking::create_extendable(group, &spec.name, spec.element, &spec.shape, chunk_plan)?;
    write_port_attributes(&data, &plan.provenance, spec, role::STREAM, inputs, created)?;
    set_str(&data, attr::UNIT, &spec.unit)?;
    set_str(&data, attr::DESCRIPTION, &spec.description)?;
    set_str(
        &data,
        attr::PORT_ATTRIBUTES,
        &canonical_json(&spec.attributes_json()),
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
    Ok(StreamSlot::new(
        stage,
        port,
        &plan.provenance.stage,
        spec.clone(),
        data_target,
        column_targets,
        chunk_plan,
    ))
}
