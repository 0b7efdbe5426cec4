//! The writer thread: the only thread that writes stream data into the open
//! SWMR file. It receives, in the order the runtime wrote items, either rows
//! of small datasets or compressed chunks (still being compressed on the
//! worker pool), writes each chunk with a direct chunk write, then extends the
//! dataset to cover it — so the extent never covers data that is not on disk —
//! and flushes the file at least once per `flush_interval`, each flush
//! followed by a sync to the device in the background.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use hdf5::{Dataset, File};

use super::durable::BackgroundSync;
use super::error::hdf5_message;
use super::hdf5_raw;

/// One dataset the writer appends to.
pub struct Target {
    /// The open dataset.
    pub dataset: Dataset,
    /// Bytes of one row (one item of a stream, one value of a column).
    pub row_bytes: usize,
    /// Rows per chunk.
    pub rows_per_chunk: u64,
    /// Rank of the dataset (for chunk offsets).
    pub rank: usize,
}

/// A piece of work for one dataset.
pub enum Part {
    /// Whole rows of an unfiltered dataset, gathered by the writer.
    Rows {
        /// Index of the target.
        target: usize,
        /// The rows' bytes.
        bytes: Vec<u8>,
    },
    /// A chunk being compressed on the pool.
    Chunk {
        /// Index of the target.
        target: usize,
        /// Chunk index along the first axis.
        index: u64,
        /// Rows it holds (the last chunk may be short).
        rows: u64,
        /// Delivers the compressed bytes.
        compressed: Receiver<Vec<u8>>,
    },
}

/// A message to the writer thread.
pub enum Message {
    /// Everything one `Sink::write` produced, in order.
    Parts(Vec<Part>),
    /// No more data: write what is pending, flush, and stop.
    Finish,
}

/// The rows each target holds on disk when the writer stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// Rows per target, in target order.
    pub rows: Vec<u64>,
}

/// The first error the writer met, shared with the sink so `write` can stop early.
pub type FirstError = Arc<Mutex<Option<String>>>;

/// A running writer thread.
pub struct WriterThread {
    sender: Sender<Message>,
    handle: JoinHandle<Written>,
    error: FirstError,
    flushed: Arc<Vec<AtomicU64>>,
}

impl WriterThread {
    /// Starts the thread. `queue` bounds the messages in flight: `send` blocks
    /// when it is full (back-pressure on the runtime's sink thread).
    pub fn start(
        file: File,
        path: PathBuf,
        targets: Vec<Target>,
        queue: usize,
        flush_interval: Duration,
    ) -> WriterThread {
        let (sender, receiver) = crossbeam_channel::bounded(queue.max(1));
        let error: FirstError = Arc::new(Mutex::new(None));
        let shared = Arc::clone(&error);
        let flushed: Arc<Vec<AtomicU64>> =
            Arc::new(targets.iter().map(|_| AtomicU64::new(0)).collect());
        let flushed_shared = Arc::clone(&flushed);
        let handle = std::thread::Builder::new()
            .name("macroscope-writer".into())
            .spawn(move || {
                let on_sync_error = {
                    let shared = Arc::clone(&shared);
                    move |message| record(&shared, message)
                };
                let sync = match BackgroundSync::start(&path, on_sync_error) {
                    Ok(sync) => sync,
                    Err(e) => {
                        record(&shared, e.to_string());
                        return Written {
                            rows: vec![0; targets.len()],
                        };
                    }
                };
                let mut state = State::new(file, path, targets, flush_interval, flushed_shared);
                state.run(&receiver, &shared, &sync);
                sync.stop();
                state.written()
            })
            .expect("the OS can start a thread");
        WriterThread {
            sender,
            handle,
            error,
            flushed,
        }
    }

    /// Rows of target `target` known to be on disk (as of the last flush).
    pub fn flushed(&self, target: usize) -> u64 {
        self.flushed[target].load(Ordering::Acquire)
    }

    /// The first error, if the writer has failed.
    pub fn error(&self) -> Option<String> {
        self.error.lock().expect("writer error lock").clone()
    }

    /// Queues `parts`; blocks while the queue is full.
    pub fn send(&self, parts: Vec<Part>) -> Result<(), String> {
        if let Some(error) = self.error() {
            return Err(error);
        }
        self.sender.send(Message::Parts(parts)).map_err(|_| {
            self.error()
                .unwrap_or_else(|| "the writer thread stopped".to_owned())
        })
    }

    /// Writes what is pending, flushes, and returns what is on disk (or the first error).
    pub fn finish(self) -> (Written, Option<String>) {
        let _ = self.sender.send(Message::Finish);
        let written = self
            .handle
            .join()
            .unwrap_or_else(|_| Written { rows: Vec::new() });
        let error = self.error.lock().expect("writer error lock").clone();
        (written, error)
    }
}

/// A partly filled unfiltered chunk.
struct Gathering {
    bytes: Vec<u8>,
    rows: u64,
    dirty: bool,
}

struct TargetState {
    target: Target,
    /// Rows covered by the current extent.
    extent: u64,
    /// The chunk being gathered (unfiltered targets only).
    gathering: Gathering,
}

struct State {
    file: File,
    path: PathBuf,
    targets: Vec<TargetState>,
    flush_interval: Duration,
    last_flush: Instant,
    unflushed: bool,
    flushed: Arc<Vec<AtomicU64>>,
}

impl State {
    fn new(
        file: File,
        path: PathBuf,
        targets: Vec<Target>,
        flush_interval: Duration,
        flushed: Arc<Vec<AtomicU64>>,
    ) -> State {
        let targets = targets
            .into_iter()
            .map(|target| TargetState {
                gathering: Gathering {
                    bytes: Vec::new(),
                    rows: 0,
                    dirty: false,
                },
                extent: 0,
                target,
            })
            .collect();
        State {
            file,
            path,
            targets,
            flush_interval,
            last_flush: Instant::now(),
            unflushed: false,
            flushed,
        }
    }

    fn run(&mut self, receiver: &Receiver<Message>, error: &FirstError, sync: &BackgroundSync) {
        let mut failed = false;
        loop {
            let deadline = self.last_flush + self.flush_interval;
            let message = receiver.recv_timeout(deadline.saturating_duration_since(Instant::now()));
            let result = match message {
                Ok(Message::Parts(parts)) if !failed => {
                    parts.into_iter().try_for_each(|part| self.apply(part))
                }
                Ok(Message::Parts(_)) => Ok(()),
                Ok(Message::Finish) | Err(RecvTimeoutError::Disconnected) => {
                    if !failed {
                        if let Err(e) = self.flush() {
                            record(error, e);
                        }
                    }
                    return;
                }
                Err(RecvTimeoutError::Timeout) => Ok(()),
            };
            let result = result.and_then(|()| {
                if self.unflushed && Instant::now() >= self.last_flush + self.flush_interval {
                    self.flush().inspect(|()| sync.request())
                } else {
                    Ok(())
                }
            });
            if let Err(e) = result {
                failed = true;
                record(error, e);
            }
        }
    }

    fn apply(&mut self, part: Part) -> Result<(), String> {
        match part {
            Part::Rows { target, bytes } => self.gather(target, &bytes),
            Part::Chunk {
                target,
                index,
                rows,
                compressed,
            } => {
                let bytes = compressed
                    .recv()
                    .map_err(|_| "a compression worker stopped".to_owned())?;
                let state = &mut self.targets[target];
                let start = index * state.target.rows_per_chunk;
                put_chunk(&self.path, state, start, start + rows, &bytes)?;
                self.unflushed = true;
                Ok(())
            }
        }
    }

    fn gather(&mut self, target: usize, bytes: &[u8]) -> Result<(), String> {
        let state = &mut self.targets[target];
        let row_bytes = state.target.row_bytes;
        let chunk_rows = state.target.rows_per_chunk;
        for row in bytes.chunks_exact(row_bytes) {
            let gathering = &mut state.gathering;
            if gathering.bytes.is_empty() {
                gathering.bytes = vec![0; row_bytes * chunk_rows as usize];
            }
            let at = gathering.rows as usize * row_bytes;
            gathering.bytes[at..at + row_bytes].copy_from_slice(row);
            gathering.rows += 1;
            gathering.dirty = true;
            if gathering.rows == chunk_rows {
                write_gathered(&self.path, state)?;
                state.gathering = Gathering {
                    bytes: Vec::new(),
                    rows: 0,
                    dirty: false,
                };
            }
        }
        self.unflushed = true;
        Ok(())
    }

    /// Writes every partly filled chunk (padded; rewritten in place later) and flushes the file.
    fn flush(&mut self) -> Result<(), String> {
        for state in &mut self.targets {
            if state.gathering.dirty {
                write_gathered(&self.path, state)?;
                state.gathering.dirty = false;
            }
        }
        self.file
            .flush()
            .map_err(|e| format!("{}: flushing: {}", self.path.display(), hdf5_message(&e)))?;
        for (counter, state) in self.flushed.iter().zip(&self.targets) {
            counter.store(state.extent, Ordering::Release);
        }
        self.last_flush = Instant::now();
        self.unflushed = false;
        Ok(())
    }

    fn written(&self) -> Written {
        Written {
            rows: self.targets.iter().map(|t| t.extent).collect(),
        }
    }
}

fn record(error: &FirstError, message: String) {
    let mut slot = error.lock().expect("writer error lock");
    if slot.is_none() {
        tracing::error!("{message}");
        *slot = Some(message);
    }
}

/// Writes the gathered chunk whose first row is the extent rounded down to a chunk.
fn write_gathered(path: &std::path::Path, state: &mut TargetState) -> Result<(), String> {
    let chunk_rows = state.target.rows_per_chunk;
    let start = state.extent - state.extent % chunk_rows;
    let end = start + state.gathering.rows;
    let bytes = std::mem::take(&mut state.gathering.bytes);
    let put = put_chunk(path, state, start, end, &bytes);
    state.gathering.bytes = bytes;
    put
}

/// Writes the chunk holding rows `start..end`, then extends the dataset over
/// them, so the extent never covers rows that are not on disk. HDF5 accepts a
/// chunk at most at the current extent, and none at all while the dataset is
/// empty (its chunk index does not exist yet): the first chunk is written
/// just after the extent grows, and `recover` drops it if it is missing.
fn put_chunk(
    path: &std::path::Path,
    state: &mut TargetState,
    start: u64,
    end: u64,
    bytes: &[u8],
) -> Result<(), String> {
    if state.extent == 0 {
        extend(path, state, end)?;
        write_chunk(path, &state.target, start, bytes)
    } else {
        write_chunk(path, &state.target, start, bytes)?;
        extend(path, state, end)
    }
}

fn write_chunk(
    path: &std::path::Path,
    target: &Target,
    first_row: u64,
    bytes: &[u8],
) -> Result<(), String> {
    let mut offset = vec![0u64; target.rank];
    offset[0] = first_row;
    hdf5_raw::write_chunk(&target.dataset, &offset, bytes).map_err(|e| {
        format!(
            "{}: writing a chunk of {} at row {first_row}: {}",
            path.display(),
            target.dataset.name(),
            hdf5_message(&e)
        )
    })
}

fn extend(path: &std::path::Path, state: &mut TargetState, rows: u64) -> Result<(), String> {
    if rows <= state.extent {
        return Ok(());
    }
    let mut shape = state.target.dataset.shape();
    shape[0] = rows as usize;
    state.target.dataset.resize(shape).map_err(|e| {
        format!(
            "{}: extending {} to {rows} rows: {}",
            path.display(),
            state.target.dataset.name(),
            hdf5_message(&e)
        )
    })?;
    state.extent = rows;
    Ok(())
}
