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

/// Trims each stream still missing its content hash (written in this run)
/// to the rows that its data and every column hold on disk; returns the
/// paths and row counts of the streams trimmed.
pub fn trim_streams_to_disk(file: &File) -> hdf5::Result<Vec<(String, u64)>> {
    let mut trimmed = Vec::new();
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
                let mut offset = vec![0u64; member.ndim()];
                offset[0] = chunk_start;
                let present = chunk_location(member, &offset)?.is_some();
                if !present {
                    lowered = chunk_start;
                }
            }
            if lowered == rows {
                break;
            }
            rows = lowered;
        }
        for member in &members {
            let mut shape = member.shape();
            shape[0] = rows as usize;
            member.resize(shape)?;
        }
        trimmed.push((path, rows));
    }
    Ok(trimmed)
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
