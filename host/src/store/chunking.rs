//! How each dataset is chunked and filtered, and creating it that way.
//!
//! - Stream data whose items are at least [`SMALL_ITEM_BYTES`] (camera and
//!   stimulus frames): byte-shuffle + deflate, `items_per_chunk` items per
//!   chunk (default 1), compressed on the sink's worker threads.
//! - Small stream items (scalars, short vectors) and every metadata column:
//!   no filters, [`SMALL_CHUNK_BYTES`] chunks. They are a tiny share of a run,
//!   and an unfiltered chunk is rewritten in place at each flush, so the
//!   once-per-second flushes of a partly filled chunk leave no dead space.
//! - Dataset ports (written at the end): shuffle + deflate in chunks of about
//!   [`DATASET_CHUNK_BYTES`] along the first axis; arrays under
//!   [`SMALL_ITEM_BYTES`] and 0-d arrays are stored contiguous, unfiltered.

use hdf5::{Dataset, Extent, Extents, Group, SimpleExtents};
use macroscope_plugin_api::ElementType;

use super::element;

/// Items at least this large are compressed.
pub const SMALL_ITEM_BYTES: usize = 4096;
/// Chunk size of unfiltered small-row datasets.
pub const SMALL_CHUNK_BYTES: usize = 4 * 1024;
/// Target chunk size of dataset ports.
pub const DATASET_CHUNK_BYTES: usize = 1 << 20;
/// The largest chunk `items_per_chunk` may ask for (1 GiB): a chunk is
/// assembled whole in memory, and HDF5 refuses chunks of 4 GiB or more.
pub const MAX_CHUNK_BYTES: usize = 1 << 30;

/// Whether a dataset's chunks are filtered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filtering {
    /// Byte shuffle then deflate (zlib) at a level.
    ShuffleDeflate(u32),
    /// Stored as is.
    None,
}

/// Rows (along the first axis) per chunk, and the filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkPlan {
    /// Rows per chunk.
    pub rows: u64,
    /// Filters.
    pub filtering: Filtering,
}

/// The plan for the `[N, ...]` data of a stream whose items have `item_bytes`.
/// `items_per_chunk` is honoured up to [`MAX_CHUNK_BYTES`] a chunk.
pub fn stream_plan(item_bytes: usize, items_per_chunk: Option<u32>, level: u32) -> ChunkPlan {
    let most_rows = (MAX_CHUNK_BYTES / item_bytes.max(1)).max(1);
    let items_per_chunk = items_per_chunk.map(|n| (n.max(1) as usize).min(most_rows));
    if item_bytes >= SMALL_ITEM_BYTES {
        ChunkPlan {
            rows: items_per_chunk.unwrap_or(1) as u64,
            filtering: Filtering::ShuffleDeflate(level),
        }
    } else {
        let rows = items_per_chunk.unwrap_or(SMALL_CHUNK_BYTES / item_bytes.max(1));
        ChunkPlan {
            rows: rows as u64,
            filtering: Filtering::None,
        }
    }
}

/// The plan for a metadata column of `element`.
pub fn column_plan(element: ElementType) -> ChunkPlan {
    ChunkPlan {
        rows: (SMALL_CHUNK_BYTES / element.size()) as u64,
        filtering: Filtering::None,
    }
}

/// The plan for a dataset port of `shape`, or `None` for contiguous storage.
pub fn dataset_plan(shape: &[u64], element: ElementType, level: u32) -> Option<ChunkPlan> {
    let total = shape.iter().product::<u64>() as usize * element.size();
    if shape.is_empty() || total < SMALL_ITEM_BYTES {
        return None;
    }
    let row_bytes = total / shape[0] as usize;
    let rows = (DATASET_CHUNK_BYTES / row_bytes.max(1)).clamp(1, shape[0] as usize);
    Some(ChunkPlan {
        rows: rows as u64,
        filtering: Filtering::ShuffleDeflate(level),
    })
}

/// Creates an empty extendable `[0.., ...item_shape]` dataset laid out by `plan`.
pub fn create_extendable(
    group: &Group,
    name: &str,
    element: ElementType,
    item_shape: &[u64],
    plan: ChunkPlan,
) -> hdf5::Result<Dataset> {
    let mut extents = vec![Extent::new(0, None)];
    extents.extend(item_shape.iter().map(|&d| Extent::fixed(d as usize)));
    let mut chunk = vec![plan.rows as usize];
    chunk.extend(item_shape.iter().map(|&d| d as usize));
    let builder = group
        .new_dataset_builder()
        .empty_as(element::descriptor(element))
        .shape(Extents::Simple(SimpleExtents::from_vec(extents)))
        .chunk(chunk);
    let builder = match plan.filtering {
        Filtering::ShuffleDeflate(level) => builder.shuffle().deflate(level.min(9) as u8),
        Filtering::None => builder,
    };
    builder.create(name)
}

/// Creates a fixed-shape dataset for a dataset port, chunked by `plan` (or
/// contiguous for `None`).
pub fn create_fixed(
    group: &Group,
    name: &str,
    element: ElementType,
    shape: &[u64],
    plan: Option<ChunkPlan>,
) -> hdf5::Result<Dataset> {
    let dims: Vec<usize> = shape.iter().map(|&d| d as usize).collect();
    let builder = group
        .new_dataset_builder()
        .empty_as(element::descriptor(element));
    match plan {
        None if dims.is_empty() => builder.shape(()).create(name),
        None => builder.shape(dims).create(name),
        Some(plan) => {
            let mut chunk = dims.clone();
            chunk[0] = plan.rows as usize;
            let builder = builder.shape(dims).chunk(chunk);
            match plan.filtering {
                Filtering::ShuffleDeflate(level) => {
                    builder.shuffle().deflate(level.min(9) as u8).create(name)
                }
                Filtering::None => builder.create(name),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camera_frames_get_one_compressed_item_per_chunk() {
        let plan = stream_plan(1024 * 1024 * 2, None, 1);
        assert_eq!(
            plan,
            ChunkPlan {
                rows: 1,
                filtering: Filtering::ShuffleDeflate(1)
            }
        );
    }

    #[test]
    fn items_per_chunk_is_honoured_for_frames() {
        assert_eq!(stream_plan(8192, Some(4), 3).rows, 4);
    }

    #[test]
    fn items_per_chunk_stops_at_a_gigabyte_chunk() {
        // 4e9 items of 36 kB asked for a 154 TB chunk, assembled in memory.
        assert_eq!(stream_plan(36_000, Some(u32::MAX), 1).rows, 29_826);
        assert_eq!(stream_plan(8, Some(u32::MAX), 1).rows, 134_217_728);
    }

    #[test]
    fn scalar_items_are_packed_unfiltered() {
        assert_eq!(
            stream_plan(8, None, 1),
            ChunkPlan {
                rows: 512,
                filtering: Filtering::None
            }
        );
    }

    #[test]
    fn columns_fill_a_small_chunk() {
        assert_eq!(column_plan(ElementType::I8).rows, 4096);
        assert_eq!(column_plan(ElementType::F64).rows, 512);
    }

    #[test]
    fn dataset_ports_are_chunked_near_a_mebibyte_along_the_first_axis() {
        // [4, 512, 512] f64: one 2 MiB slice per chunk.
        assert_eq!(
            dataset_plan(&[4, 512, 512], ElementType::F64, 4)
                .unwrap()
                .rows,
            1
        );
        // [256, 256] f64 = 512 KiB: a single chunk.
        assert_eq!(
            dataset_plan(&[256, 256], ElementType::F64, 4).unwrap().rows,
            256
        );
        // Tiny and 0-d arrays are contiguous.
        assert_eq!(dataset_plan(&[3], ElementType::F64, 4), None);
        assert_eq!(dataset_plan(&[], ElementType::F64, 4), None);
    }
}
