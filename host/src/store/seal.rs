//! Sealing a file after its streams stop: exact extents, content hashes on
//! every dataset, input hashes in every `inputs` attribute, and the final
//! status. Shared by a normal finish (SWMR closed, file reopened) and by
//! `recover` (a killed run's file, cleared like `h5clear` does).

use std::collections::HashMap;

use hdf5::{Dataset, File};

use super::attributes::{get_str, set_str};
use super::content::{all_datasets, block_rows, content_sha256};
use super::hdf5_raw::chunk_location;
use super::identity::stream_columns;
use super::layout::{dataset as attr, role, root};
use super::provenance::{inputs_json, parse_inputs};

/// Every dataset the format describes (it has a `role`), with its path.
pub fn format_datasets(file: &File) -> hdf5::Result<Vec<(String, Dataset)>> {
    Ok(all_datasets(file)?
        .into_iter()
        .filter(|d| get_str(d, attr::ROLE).is_some())
        .map(|d| (d.name(), d))
        .collect())
}

/// A stream written in this run whose datasets are to be cut to the rows
/// all of them hold on disk.
pub struct Trim {
    /// The stream's data path.
    pub path: String,
    /// Its data and every column.
    pub members: Vec<Dataset>,
    /// The rows to keep.
    pub rows: u64,
}

/// Plans the trim of each stream still missing its content hash (written in
/// this run) to the rows that its data and every column hold on disk; reads
/// only.
pub fn plan_trims(file: &File) -> hdf5::Result<Vec<Trim>> {
    let mut trims = Vec::new();
    for (path, data) in format_datasets(file)? {
        if get_str(&data, attr::ROLE).as_deref() != Some(role::STREAM)
            || get_str(&data, attr::CONTENT_SHA256).is_some()
        {
            continue;
        }
        let mut members = vec![data.clone()];
        members.extend(
            stream_columns(file, &path, &data)?
                .into_iter()
                .map(|(_, c)| c),
        );
        let mut rows = members
            .iter()
            .map(|d| d.shape()[0] as u64)
            .min()
            .unwrap_or(0);
        // A row counts only if the chunk holding it is on disk in every member.
        loop {
            let mut lowered = rows;
            for member in &members {
                if lowered == 0 {
                    break;
                }
                let height = block_rows(member) as u64;
                let chunk_start = (lowered - 1) / height * height;
                if chunk_at(member, chunk_start)?.is_none() {
                    lowered = chunk_start;
                }
            }
            if lowered == rows {
                break;
            }
            rows = lowered;
        }
        trims.push(Trim {
            path,
            members,
            rows,
        });
    }
    Ok(trims)
}

/// File ranges of the compressed chunks the planned trims rewrite: where a
/// trim ends inside a chunk, HDF5 reads that chunk, fills the rows past the
/// end and stores it again, in place or elsewhere. (Chunks wholly past a
/// trim are deleted unread.)
pub fn chunks_rewritten_by(trims: &[Trim]) -> hdf5::Result<Vec<(u64, u64)>> {
    let mut ranges = Vec::new();
    for trim in trims {
        for member in trim.members.iter().filter(|m| !m.filters().is_empty()) {
            let height = block_rows(member) as u64;
            let cut_inside = trim.rows % height != 0 && trim.rows < member.shape()[0] as u64;
            if cut_inside {
                ranges.extend(chunk_at(member, trim.rows / height * height)?);
            }
        }
    }
    Ok(ranges)
}

/// Cuts every member of each trim to its rows; returns each stream's path
/// and the rows kept.
pub fn apply_trims(trims: Vec<Trim>) -> hdf5::Result<Vec<(String, u64)>> {
    let mut kept = Vec::with_capacity(trims.len());
    for trim in trims {
        for member in &trim.members {
            let mut shape = member.shape();
            shape[0] = trim.rows as usize;
            member.resize(shape)?;
        }
        kept.push((trim.path, trim.rows));
    }
    Ok(kept)
}

/// Trims each stream written in this run to the rows that its data and
/// every column hold on disk; returns the paths and rows kept.
pub fn trim_streams_to_disk(file: &File) -> hdf5::Result<Vec<(String, u64)>> {
    apply_trims(plan_trims(file)?)
}

/// The location of the chunk of `dataset` whose first row is `row`.
fn chunk_at(dataset: &Dataset, row: u64) -> hdf5::Result<Option<(u64, u64)>> {
    let mut offset = vec![0u64; dataset.ndim()];
    offset[0] = row;
    chunk_location(dataset, &offset)
}

/// Writes `content_sha256` on every format dataset that lacks it: the value
/// in `known` (hashed while streaming) or, failing that, computed from disk.
pub fn write_content_hashes(file: &File, known: &HashMap<String, String>) -> hdf5::Result<()> {
    for (path, dataset) in format_datasets(file)? {
        if get_str(&dataset, attr::CONTENT_SHA256).is_some() {
            continue;
        }
        let hash = match known.get(&path) {
            Some(hash) => hash.clone(),
            None => content_sha256(&dataset)?,
        };
        set_str(&dataset, attr::CONTENT_SHA256, &hash)?;
    }
    Ok(())
}

/// Fills the hashes of in-file inputs into every `inputs` attribute.
pub fn fill_input_hashes(file: &File) -> hdf5::Result<()> {
    for (_, dataset) in format_datasets(file)? {
        let Some(text) = get_str(&dataset, attr::INPUTS) else {
            continue;
        };
        let Ok(mut records) = parse_inputs(&text) else {
            continue;
        };
        let mut changed = false;
        for record in records
            .iter_mut()
            .filter(|r| r.file.is_empty() && r.sha256.is_empty())
        {
            let Ok(data) = file.dataset(&record.path) else {
                continue;
            };
            record.sha256 = get_str(&data, attr::CONTENT_SHA256).unwrap_or_default();
            for (name, column) in stream_columns(file, &record.path, &data)? {
                record.columns_sha256.insert(
                    name,
                    get_str(&column, attr::CONTENT_SHA256).unwrap_or_default(),
                );
            }
            changed = true;
        }
        if changed {
            set_str(&dataset, attr::INPUTS, &inputs_json(&records))?;
        }
    }
    Ok(())
}

/// Writes the final root attributes.
pub fn set_status(file: &File, status: &str, error: &str, finished: &str) -> hdf5::Result<()> {
    set_str(file, root::STATUS, status)?;
    set_str(file, root::ERROR, error)?;
    set_str(file, root::FINISHED, finished)
}
