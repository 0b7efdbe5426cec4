//! The sink-thread side of a stream port: checks each item against its
//! port, hashes it (content SHA-256 while streaming), and turns it into work
//! for the writer thread — a compression job on the worker pool for frames,
//! plain rows for small items and metadata columns.

use std::sync::Arc;

use macroscope_plugin_api::{PortSpec, Scalar, DROPPED_BEFORE};

use super::chunking::{ChunkPlan, Filtering};
use super::compress::compress_chunk;
use super::element::scalar_bytes;
use super::error::StoreError;
use super::hashing::ContentHasher;
use super::writer::Part;
use crate::item::{HostItem, SharedItem};

/// One stream port being written.
pub struct StreamSlot {
    /// Stage index.
    pub stage: usize,
    /// Output port index.
    pub port: usize,
    /// Stage id (for messages).
    pub stage_id: String,
    /// The port.
    pub spec: PortSpec,
    /// Writer target of the data.
    pub data_target: usize,
    /// Writer targets of the columns, in column order.
    pub column_targets: Vec<usize>,
    /// How the data is chunked.
    pub plan: ChunkPlan,
    /// Items received.
    pub rows: u64,
    /// Content hash of the data so far.
    pub data_hash: ContentHasher,
    /// Content hash of each column so far.
    pub column_hashes: Vec<ContentHasher>,
    /// Rows of a multi-item compressed chunk not yet full.
    pending: Vec<u8>,
    pending_rows: u64,
    next_chunk: u64,
}

/// The bytes a compression job reads.
enum ChunkBytes {
    /// One item, shared with the runtime: no copy.
    Item(SharedItem),
    /// Several items gathered into one chunk.
    Owned(Vec<u8>),
}

impl ChunkBytes {
    fn as_slice(&self) -> &[u8] {
        match self {
            ChunkBytes::Item(item) => item.data.as_bytes(),
            ChunkBytes::Owned(bytes) => bytes,
        }
    }
}

impl StreamSlot {
    /// A slot for output `port` of `stage`.
    pub fn new(
        stage: usize,
        port: usize,
        stage_id: &str,
        spec: PortSpec,
        data_target: usize,
        column_targets: Vec<usize>,
        plan: ChunkPlan,
    ) -> StreamSlot {
        let column_hashes = vec![ContentHasher::new(); spec.columns.len()];
        StreamSlot {
            stage,
            port,
            stage_id: stage_id.to_owned(),
            spec,
            data_target,
            column_targets,
            plan,
            rows: 0,
            data_hash: ContentHasher::new(),
            column_hashes,
            pending: Vec::new(),
            pending_rows: 0,
            next_chunk: 0,
        }
    }

    /// Checks `item` against the port, hashes it, and returns the writer's
    /// work. `dropped` items of this port were dropped since the last one
    /// stored (the queue was full): they are added to the item's
    /// `dropped_before` column, if the port has one.
    pub fn accept(
        &mut self,
        item: &SharedItem,
        dropped: u64,
        pool: &rayon::ThreadPool,
    ) -> Result<Vec<Part>, StoreError> {
        check_item(&self.stage_id, &self.spec, item, &self.spec.shape)?;
        let bytes = item.data.as_bytes();
        self.rows += 1;
        self.data_hash.update(bytes);
        let mut parts = Vec::with_capacity(1 + self.column_targets.len());
        match self.plan.filtering {
            Filtering::None => parts.push(Part::Rows {
                target: self.data_target,
                bytes: bytes.to_vec(),
            }),
            Filtering::ShuffleDeflate(level) if self.plan.rows == 1 => {
                parts.push(self.compress(ChunkBytes::Item(Arc::clone(item)), 1, level, pool));
            }
            Filtering::ShuffleDeflate(level) => {
                self.pending.extend_from_slice(bytes);
                self.pending_rows += 1;
                if self.pending_rows == self.plan.rows {
                    let chunk = std::mem::take(&mut self.pending);
                    let rows = std::mem::take(&mut self.pending_rows);
                    parts.push(self.compress(ChunkBytes::Owned(chunk), rows, level, pool));
                }
            }
        }
        for (i, column) in self.spec.columns.iter().enumerate() {
            let scalar = if dropped > 0 && column.name.as_str() == DROPPED_BEFORE {
                Scalar::Int(item.meta[i].as_i64().saturating_add_unsigned(dropped))
            } else {
                item.meta[i]
            };
            let mut value = Vec::with_capacity(8);
            scalar_bytes(scalar, column.element, &mut value);
            self.column_hashes[i].update(&value);
            parts.push(Part::Rows {
                target: self.column_targets[i],
                bytes: value,
            });
        }
        Ok(parts)
    }

    /// The last, short chunk of a multi-item compressed stream (padded with
    /// zeros to a whole chunk; the extent hides the padding), if any.
    pub fn flush_pending(&mut self, pool: &rayon::ThreadPool) -> Option<Part> {
        let Filtering::ShuffleDeflate(level) = self.plan.filtering else {
            return None;
        };
        if self.pending_rows == 0 {
            return None;
        }
        let mut chunk = std::mem::take(&mut self.pending);
        chunk.resize(
            chunk.len() / self.pending_rows as usize * self.plan.rows as usize,
            0,
        );
        let rows = std::mem::take(&mut self.pending_rows);
        Some(self.compress(ChunkBytes::Owned(chunk), rows, level, pool))
    }

    fn compress(
        &mut self,
        bytes: ChunkBytes,
        rows: u64,
        level: u32,
        pool: &rayon::ThreadPool,
    ) -> Part {
        let (sender, receiver) = crossbeam_channel::bounded(1);
        let element_size = self.spec.element.size();
        pool.spawn(move || {
            let _ = sender.send(compress_chunk(bytes.as_slice(), element_size, level));
        });
        let index = self.next_chunk;
        self.next_chunk += 1;
        Part::Chunk {
            target: self.data_target,
            index,
            rows,
            compressed: receiver,
        }
    }
}

/// Checks an item's element type, shape and metadata against its port.
pub fn check_item(
    stage: &str,
    spec: &PortSpec,
    item: &HostItem,
    shape: &[u64],
) -> Result<(), StoreError> {
    let mismatch = |reason: String| StoreError::ItemMismatch {
        stage: stage.to_owned(),
        port: spec.name.to_string(),
        reason,
    };
    if item.data.element() != spec.element {
        return Err(mismatch(format!(
            "item is {} but the port declares {}",
            item.data.element(),
            spec.element
        )));
    }
    if item.shape != shape {
        return Err(mismatch(format!(
            "item shape is {:?} but the port declares {:?}",
            item.shape, shape
        )));
    }
    let expected_len: u64 = shape.iter().product();
    if item.data.len() as u64 != expected_len {
        return Err(mismatch(format!(
            "item holds {} values but its shape {:?} needs {expected_len}",
            item.data.len(),
            shape
        )));
    }
    if item.meta.len() != spec.columns.len() {
        return Err(mismatch(format!(
            "item carries {} metadata values but the port declares {} columns",
            item.meta.len(),
            spec.columns.len()
        )));
    }
    Ok(())
}

/// Bytes of one item of `spec`.
pub fn item_bytes(spec: &PortSpec) -> usize {
    spec.item_len() * spec.element.size()
}
