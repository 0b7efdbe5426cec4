//! Dataset ports: one array per port, produced at the end of a run (analysis
//! maps) and written when the run is sealed, after SWMR has ended.

use super::attributes::set_str;
use super::chunking::{self, Filtering};
use super::compress::compress_chunk;
use super::hashing::{canonical_json, ContentHasher};
use super::hdf5_raw;
use super::layout::{dataset as attr, role};
use super::plan::StagePlan;
use super::run_file::write_port_attributes;
use crate::item::SharedItem;

/// Writes a dataset port (after SWMR closed) and returns its content hash.
#[allow(clippy::too_many_arguments)]
pub fn write_dataset_port(
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
                        compress_chunk(&padded, element_size, level)
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
        &canonical_json(&spec.attributes_json()),
    )?;
    let mut hasher = ContentHasher::new();
    hasher.update(bytes);
    Ok(hasher.finish())
}

fn write_contiguous(dataset: &hdf5::Dataset, item: &SharedItem) -> hdf5::Result<()> {
    macroscope_plugin_api::with_element_type!(item.data.element(), T => {
        dataset.write_raw(item.data.as_slice::<T>().unwrap_or_default())
    }, unknown => Err(format!("element type {} cannot be stored", item.data.element()).into()))
}
