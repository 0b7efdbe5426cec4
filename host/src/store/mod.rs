//! The storage sink: the only code that touches HDF5.
//! TODO(store helper): implement; the public surface below is what the
//! runtime, pipeline and CLI call.

use std::path::{Path, PathBuf};

use macroscope_plugin_api::PortSpec;

use crate::item::SharedItem;
use crate::pipeline::Pipeline;

/// Errors of the storage sink.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Placeholder until implemented.
    #[error("{0}")]
    Other(String),
}

/// How a run is stored.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// The content-addressed store directory for deterministic outputs.
    pub store_dir: PathBuf,
    /// Deflate level 0-9 (shuffle is always applied).
    pub deflate_level: u32,
}

/// Final state of a run, recorded in the `status` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    /// Every stage finished.
    Complete,
    /// A stage failed or a write failed.
    Failed,
    /// Stopped by Ctrl-C (or recovered after a kill).
    Interrupted,
}

/// Replays stored items of one stage's outputs (a reused deterministic output,
/// or a dataset of an earlier file used as a pipeline input).
pub struct Replay {
    _private: (),
}

impl Iterator for Replay {
    /// `(output port index, item)`.
    type Item = Result<(usize, SharedItem), StoreError>;
    fn next(&mut self) -> Option<Self::Item> {
        todo!()
    }
}

/// The one sink every output goes through.
pub struct Sink {
    _private: (),
}

/// What a finished run left behind.
#[derive(Debug, Clone)]
pub struct RunSummary {
    /// The final file.
    pub path: PathBuf,
    /// Status written.
    pub status: RunStatus,
}

impl Sink {
    /// Checks the output location, looks up reusable deterministic outputs,
    /// creates `<output>.partial` with every dataset and attribute, starts SWMR.
    /// Fails before any stage runs if the output exists or is not writable.
    pub fn create(pipeline: &Pipeline, options: &StoreOptions) -> Result<Sink, StoreError> {
        let _ = (pipeline, options);
        todo!()
    }

    /// If stage `stage`'s outputs are reused from the store, the replay of them;
    /// the runtime then does not run the stage.
    pub fn reused(&mut self, stage: usize) -> Option<Replay> {
        let _ = stage;
        todo!()
    }

    /// Writes one item of output `port` of stage `stage`.
    pub fn write(&mut self, stage: usize, port: usize, item: &SharedItem) -> Result<(), StoreError> {
        let _ = (stage, port, item);
        todo!()
    }

    /// Records that `count` items of a camera's output were dropped (queue full).
    pub fn record_dropped(&mut self, stage: usize, port: usize, count: u64) {
        let _ = (stage, port, count);
        todo!()
    }

    /// Finalises the file with `status`, fsyncs and renames it into place.
    pub fn finish(self, status: RunStatus) -> Result<RunSummary, StoreError> {
        let _ = status;
        todo!()
    }
}

/// The spec of a dataset in an existing file, as a pipeline input port.
pub fn describe_dataset(path: &Path, dataset: &str) -> Result<PortSpec, StoreError> {
    let _ = (path, dataset);
    todo!()
}

/// Reads a dataset of an existing file as items (one per row of a stream, or one dataset item).
pub fn replay_dataset(path: &Path, dataset: &str) -> Result<Replay, StoreError> {
    let _ = (path, dataset);
    todo!()
}
