//! Making files durable: sync a running file to the device in the
//! background; fsync a finished one, rename it into place atomically, and
//! fsync the directory so the rename itself survives a crash.

use std::fs::File;
use std::path::Path;
use std::thread::JoinHandle;

use crossbeam_channel::Sender;

use super::error::StoreError;

/// Flushes a file's data and metadata to the device.
pub fn sync_file(path: &Path) -> Result<(), StoreError> {
    File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| StoreError::io(path, "syncing to disk", e))
}

/// Syncs a running file's data to the device on its own thread each time it
/// is asked, so what the writer flushed survives a power loss, not only a
/// killed process, without the writer ever waiting for the device; and the
/// final sync when the file is sealed has little left to do.
pub struct BackgroundSync {
    requests: Sender<()>,
    thread: JoinHandle<()>,
}

impl BackgroundSync {
    /// Opens `path` for syncing and starts the thread. `on_error` receives a
    /// message naming the file if a sync fails (the data may not be on disk).
    pub fn start(
        path: &Path,
        on_error: impl Fn(String) + Send + 'static,
    ) -> Result<BackgroundSync, StoreError> {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(|e| StoreError::io(path, "opening to sync in the background", e))?;
        let path = path.to_owned();
        // One request waits at most: asking during a sync means "once more after it".
        let (requests, pending) = crossbeam_channel::bounded::<()>(1);
        let thread = std::thread::Builder::new()
            .name("macroscope-sync".into())
            .spawn(move || {
                for () in pending {
                    if let Err(e) = file.sync_data() {
                        on_error(format!("{}: syncing to disk: {e}", path.display()));
                        return;
                    }
                }
            })
            .expect("the OS can start a thread");
        Ok(BackgroundSync { requests, thread })
    }

    /// Asks for a sync of everything written so far; never blocks.
    pub fn request(&self) {
        // Full: a sync is already due. Disconnected: a sync failed and was reported.
        let _ = self.requests.try_send(());
    }

    /// Waits for the sync in progress (and one requested) to end.
    pub fn stop(self) {
        drop(self.requests);
        let _ = self.thread.join();
    }
}

/// Renames `from` to `to` (atomic on one file system, replacing `to`) and
/// syncs the directory holding `to`.
pub fn rename(from: &Path, to: &Path) -> Result<(), StoreError> {
    std::fs::rename(from, to)
        .map_err(|e| StoreError::io(from, format!("renaming to {}", to.display()), e))?;
    sync_dir(to.parent().unwrap_or(Path::new(".")))
}

/// Renames `from` to `to` only if `to` does not exist (never replaces a
/// file), then syncs the directory.
pub fn rename_new(from: &Path, to: &Path) -> Result<(), StoreError> {
    // A hard link fails if `to` exists, atomically; then drop the old name.
    std::fs::hard_link(from, to).map_err(|e| {
        let reason = if e.kind() == std::io::ErrorKind::AlreadyExists {
            "the target exists and is never overwritten; move it away"
        } else {
            "linking"
        };
        StoreError::io(from, format!("renaming to {} ({reason})", to.display()), e)
    })?;
    std::fs::remove_file(from)
        .map_err(|e| StoreError::io(from, "removing the old name after renaming", e))?;
    sync_dir(to.parent().unwrap_or(Path::new(".")))
}

/// Syncs a directory, so the names created or removed in it survive a crash.
pub fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| StoreError::io(dir, "syncing the directory", e))
}

/// `<partial>.reserve`: space set aside so a run can still be sealed when
/// its disk fills up.
pub fn reserve_path(partial: &Path) -> std::path::PathBuf {
    let mut name = partial.as_os_str().to_owned();
    name.push(".reserve");
    name.into()
}

/// Writes `bytes` of zeros to `path` (really allocated, not sparse) and syncs it.
pub fn reserve(path: &Path, bytes: u64) -> Result<(), StoreError> {
    use std::io::Write as _;
    let block = vec![0u8; 1 << 20];
    let written = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)?;
        let mut left = bytes;
        while left > 0 {
            let n = left.min(block.len() as u64) as usize;
            file.write_all(&block[..n])?;
            left -= n as u64;
        }
        file.sync_all()
    })();
    written.map_err(|e| {
        let _ = std::fs::remove_file(path);
        StoreError::io(
            path,
            format!("setting aside {} MiB to finish the file with", bytes >> 20),
            e,
        )
    })
}

/// Gives the reserved space back (nothing to do if there is none).
pub fn release(path: &Path) {
    let _ = std::fs::remove_file(path);
}
