//! The storage sink: the only code that touches HDF5.
//!
//! Every output of every stage goes through one [`Sink`]: it owns the file
//! layout (`docs/FORMAT.md`), attaches provenance, compresses frames on its
//! own worker threads, keeps a crash-safe SWMR file, and reuses deterministic
//! outputs from a content-addressed store. [`verify`], [`recover`] and
//! [`show`] read the files back; [`RunCatalog`] lists a run for exports.

mod attempts;
mod attribute_hash;
mod attributes;
mod catalog;
mod chunking;
mod compress;
mod content;
mod dataset_path;
mod dataset_ports;
mod durable;
mod element;
mod entries;
mod entry_hash;
mod error;
mod free_space;
mod hashing;
mod hdf5_raw;
mod identity;
#[cfg(test)]
mod layering;
pub mod layout;
mod maps;
mod open;
mod outcome;
mod plan;
mod provenance;
pub mod recover;
mod replay;
mod run_file;
mod run_lock;
mod run_plan;
mod seal;
pub mod show;
mod sink;
mod stall;
mod streams;
mod superblock;
mod table;
mod undo;
pub mod verify;
mod warnings;
mod writer;

use std::path::PathBuf;
use std::time::Duration;

pub use attempts::{set_aside_attempt, ATTEMPTS_DIR};
pub use catalog::{copy_dataset_bare, RunCatalog, StoredPort, StoredStage};
pub use durable::{rename_new, sync_file};
pub use error::StoreError;
pub use free_space::available_bytes;
pub use hashing::{canonical_json, sha256_hex};
pub use maps::{read_session, StageDatasets};
pub use outcome::{read_outcome, RunOutcome};
pub use replay::{describe_dataset, replay_dataset, Replay};
pub use run_file::partial_path;
pub use run_plan::{InputFrom, PluginRecord, RunPlan, StageInput, StageRecord};
pub use sink::Sink;
pub use stall::{stall_limit, StallWatch, DEFAULT_STALL_LIMIT, STALL_LIMIT_VAR};
pub use warnings::StageWarning;

/// How a run is stored.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// The content-addressed store directory for deterministic outputs.
    pub store_dir: PathBuf,
    /// Deflate level 0-9 (shuffle is always applied).
    pub deflate_level: u32,
    /// Items per chunk of compressed streams (`None`: one item per chunk),
    /// at most as many as fit in 1 GiB (`chunking::MAX_CHUNK_BYTES`).
    pub items_per_chunk: Option<u32>,
    /// Compression worker threads (0: one per core).
    pub compression_threads: usize,
    /// Items queued for writing before `Sink::write` blocks.
    pub queue_items: usize,
    /// The longest time written data waits before it is flushed to the file.
    pub flush_interval: Duration,
}

impl Default for StoreOptions {
    /// The default store directory, deflate level 1, one frame per chunk, a
    /// worker per core, 64 queued items, a flush every second.
    fn default() -> Self {
        StoreOptions {
            store_dir: default_store_dir(),
            deflate_level: 1,
            items_per_chunk: None,
            compression_threads: 0,
            queue_items: 64,
            flush_interval: Duration::from_secs(1),
        }
    }
}

impl StoreOptions {
    /// Defaults with the store directory chosen by precedence: `cli_store`
    /// (`--store`), then the run's `[pipeline] store`, then
    /// [`default_store_dir`].
    pub fn for_run(run: &RunPlan, cli_store: Option<PathBuf>) -> StoreOptions {
        StoreOptions {
            store_dir: cli_store
                .or_else(|| run.store.clone())
                .unwrap_or_else(default_store_dir),
            ..StoreOptions::default()
        }
    }

    fn validated(&self) -> Result<StoreOptions, StoreError> {
        if self.deflate_level > 9 {
            return Err(StoreError::Misuse(format!(
                "deflate level {} is out of range: use 0-9",
                self.deflate_level
            )));
        }
        if self.flush_interval > Duration::from_secs(1) {
            return Err(StoreError::Misuse(format!(
                "flush interval {:?} is too long: crash safety needs at least one flush per second",
                self.flush_interval
            )));
        }
        let compression_threads = match self.compression_threads {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        };
        Ok(StoreOptions {
            compression_threads,
            queue_items: self.queue_items.max(1),
            ..self.clone()
        })
    }
}

/// `store` in the [user data directory](crate::user_dir::user_data_dir)
/// (`~/.local/share/macroscope/store`, `%LOCALAPPDATA%\macroscope\store`),
/// else `macroscope/store` in the working directory.
pub fn default_store_dir() -> PathBuf {
    crate::user_dir::user_data_dir()
        .unwrap_or_else(|| PathBuf::from("macroscope"))
        .join("store")
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

impl RunStatus {
    /// The `status` attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Complete => "complete",
            RunStatus::Failed => "failed",
            RunStatus::Interrupted => "interrupted",
        }
    }
}

/// What a finished run left behind.
#[derive(Debug, Clone)]
pub struct RunSummary {
    /// The final file.
    pub path: PathBuf,
    /// Status written.
    pub status: RunStatus,
    /// Ids of the stages whose outputs were reused from the store (not run).
    pub reused: Vec<String>,
    /// Stages whose outputs were filed in the store, with the entry files.
    pub stored: Vec<(String, PathBuf)>,
    /// Every stage's warnings, in pipeline order, as sealed in the file
    /// (a reused stage's brought along from the store).
    pub warnings: Vec<StageWarning>,
    /// The write error that made the run fail, if one did.
    pub error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The runtime creates the sink on one thread and writes from its sink
    /// thread; replays feed stages on their own threads.
    #[test]
    fn sink_and_replay_can_move_between_threads() {
        fn assert_send<T: Send>() {}
        assert_send::<Sink>();
        assert_send::<Replay>();
    }

    fn run(store: Option<&str>) -> RunPlan {
        RunPlan {
            pipeline_name: "p".into(),
            pipeline_file: PathBuf::from("p.toml"),
            pipeline_text: String::new(),
            session: None,
            output: PathBuf::from("out.h5"),
            store: store.map(PathBuf::from),
            stages: Vec::new(),
            run_clock_origin_ns: 0,
        }
    }

    #[test]
    fn the_store_flag_wins_over_the_pipeline_which_wins_over_the_default() {
        let chosen = |cli: Option<&str>, file: Option<&str>| {
            StoreOptions::for_run(&run(file), cli.map(PathBuf::from)).store_dir
        };
        assert_eq!(chosen(Some("/cli"), Some("/toml")), PathBuf::from("/cli"));
        assert_eq!(chosen(None, Some("/toml")), PathBuf::from("/toml"));
        assert_eq!(chosen(None, None), default_store_dir());
        assert!(default_store_dir().ends_with("macroscope/store"));
    }

    #[test]
    fn out_of_range_options_are_refused() {
        let options = StoreOptions {
            deflate_level: 10,
            ..StoreOptions::default()
        };
        assert!(options.validated().is_err());
        let options = StoreOptions {
            flush_interval: Duration::from_secs(2),
            ..StoreOptions::default()
        };
        assert!(options.validated().is_err());
    }
}
