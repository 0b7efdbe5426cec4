//! Making files durable: sync a running file to the device in the
//! background; fsync a finished one, rename it into place atomically, and
//! fsync the directory so the rename itself survives a crash.
//!
//! On Windows a directory cannot be synced (it opens only with
//! `FILE_FLAG_BACKUP_SEMANTICS`, and `FlushFileBuffers` on it is refused);
//! renames there go through `MoveFileExW` with `MOVEFILE_WRITE_THROUGH`,
//! which returns only once the new name is on disk, and the names a run
//! creates are metadata NTFS journals and writes out with the flush of any
//! file on the volume, so [`sync_dir`] has nothing to do there.

use std::path::Path;
use std::thread::JoinHandle;

use crossbeam_channel::Sender;

use super::error::StoreError;

/// Flushes a file's data and metadata to the device.
pub fn sync_file(path: &Path) -> Result<(), StoreError> {
    // Windows flushes only through a handle open for writing (`FlushFileBuffers`).
    std::fs::OpenOptions::new()
        .read(true)
        .write(cfg!(windows))
        .open(path)
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
    #[cfg(windows)]
    let renamed = windows::move_file(from, to, true);
    #[cfg(not(windows))]
    let renamed = std::fs::rename(from, to);
    renamed.map_err(|e| StoreError::io(from, format!("renaming to {}", to.display()), e))?;
    sync_dir(to.parent().unwrap_or(Path::new(".")))
}

/// Renames `from` to `to` only if `to` does not exist (never replaces a
/// file), then syncs the directory.
pub fn rename_new(from: &Path, to: &Path) -> Result<(), StoreError> {
    let refused = |e: std::io::Error| {
        let reason = if e.kind() == std::io::ErrorKind::AlreadyExists {
            "the target exists and is never overwritten; move it away"
        } else if cfg!(windows) {
            "moving"
        } else {
            "linking"
        };
        StoreError::io(from, format!("renaming to {} ({reason})", to.display()), e)
    };
    // Without MOVEFILE_REPLACE_EXISTING the move fails if `to` exists, atomically.
    #[cfg(windows)]
    windows::move_file(from, to, false).map_err(refused)?;
    // A hard link fails if `to` exists, atomically; then drop the old name.
    #[cfg(not(windows))]
    {
        std::fs::hard_link(from, to).map_err(refused)?;
        std::fs::remove_file(from)
            .map_err(|e| StoreError::io(from, "removing the old name after renaming", e))?;
    }
    sync_dir(to.parent().unwrap_or(Path::new(".")))
}

/// A name part no other process, on this host or another sharing the same
/// folder, uses at the same time: `<host>.<pid>.<nanoseconds>.<count>`.
pub fn unique_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_default();
    let host: String = host
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{host}.{}.{nanos}.{}",
        std::process::id(),
        COUNT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Syncs a directory, so the names created or removed in it survive a crash
/// (nothing to do on Windows: see the module's documentation).
#[cfg(windows)]
pub fn sync_dir(_dir: &Path) -> Result<(), StoreError> {
    Ok(())
}

/// Syncs a directory, so the names created or removed in it survive a crash.
#[cfg(not(windows))]
pub fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    std::fs::File::open(dir)
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

/// Bytes of the reserve kept while a file is sealed: room to write why
/// sealing failed when the disk is full.
const REASON_BYTES: u64 = 64 << 10;

/// Gives back all of the reserve at `path` but its first 64 KiB, which stay
/// allocated for [`write_into_reserve`].
pub fn release_all_but_reason(path: &Path) {
    let _ = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .and_then(|f| f.set_len(REASON_BYTES));
}

/// Writes `text` to `to` through what is left of the reserve at `reserve`:
/// its bytes, already allocated, are overwritten in place and the file is
/// renamed, so this works on a full disk (where creating a file fails).
/// Without a reserve, `to` is written directly.
pub fn write_into_reserve(reserve: &Path, to: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let bytes = text.as_bytes();
    let in_place = (bytes.len() as u64) <= REASON_BYTES
        && std::fs::OpenOptions::new()
            .write(true)
            .open(reserve)
            .and_then(|mut f| {
                f.write_all(bytes)?;
                f.set_len(bytes.len() as u64)?;
                f.sync_all()
            })
            .and_then(|()| std::fs::rename(reserve, to))
            .is_ok();
    if in_place {
        return Ok(());
    }
    std::fs::write(to, bytes)
}

#[cfg(windows)]
mod windows {
    use std::os::windows::ffi::OsStrExt as _;
    use std::path::Path;

    use windows_sys::Win32::Storage::FileSystem::{
        MoveFileExW, MOVEFILE_REPLACE_EXISTING, MOVEFILE_WRITE_THROUGH,
    };

    /// Moves `from` to `to` (replacing `to` only if `replace`), returning once
    /// the new name is on disk.
    pub fn move_file(from: &Path, to: &Path, replace: bool) -> std::io::Result<()> {
        let wide = |p: &Path| -> Vec<u16> { p.as_os_str().encode_wide().chain([0]).collect() };
        let (from, to) = (wide(from), wide(to));
        let flags = MOVEFILE_WRITE_THROUGH
            | if replace {
                MOVEFILE_REPLACE_EXISTING
            } else {
                0
            };
        // SAFETY: both names are NUL-terminated UTF-16 strings that outlive the call.
        if unsafe { MoveFileExW(from.as_ptr(), to.as_ptr(), flags) } == 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_written_over_the_kept_part_of_the_reserve() {
        let dir = tempfile::tempdir().unwrap();
        let reserve = dir.path().join("run.h5.partial.reserve");
        let error = dir.path().join("run.h5.partial.error");
        super::reserve(&reserve, 1 << 20).unwrap();
        release_all_but_reason(&reserve);
        assert_eq!(std::fs::metadata(&reserve).unwrap().len(), 64 << 10);
        write_into_reserve(&reserve, &error, "sealing failed: disk full").unwrap();
        assert_eq!(
            std::fs::read_to_string(&error).unwrap(),
            "sealing failed: disk full"
        );
        assert!(!reserve.exists(), "the reserve became the reason");
    }
}
