//! Who owns a run's files: an exclusive OS lock held for the whole run on the
//! sidecar `<output>.partial.lock`, recording the owner's pid and start
//! time. (Store entries take no lock: see `entries`, filing for a store
//! shared by many hosts.)
//!
//! The sidecar, not the `.partial` itself, is locked: on Windows a lock is a
//! byte-range lock that would block HDF5's own writes to the locked file. The
//! OS releases the lock when its process dies, however it dies, so a lock file
//! left by a killed run is free again and is simply taken over: a stale lock
//! never needs clearing by hand.
//!
//! On Windows another process cannot read a locked file, so there a refusal
//! names the owner only as "a run" (the pid is unreadable while it is held).

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};

use super::error::StoreError;
use super::layout;

/// The run (or filing) holding a lock, as its lock file records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    /// Its process id.
    pub pid: u32,
    /// When it took the lock (UTC, ISO 8601).
    pub started: String,
}

impl std::fmt::Display for Owner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "pid {}, started {}", self.pid, self.started)
    }
}

/// An exclusive lock, held until dropped; dropped, it removes its lock file
/// (still holding it) and lets the lock go. A process that dies leaves the
/// file, unlocked.
#[derive(Debug)]
pub struct RunLock {
    /// Open for as long as the lock is held: closing it lets the lock go.
    _held: File,
    path: PathBuf,
}

/// `<partial>.lock`.
pub fn lock_path(partial: &Path) -> PathBuf {
    let mut name = partial.as_os_str().to_owned();
    name.push(".lock");
    name.into()
}

impl RunLock {
    /// Takes the lock on `lock_file` (created if missing) for this process,
    /// or fails with [`StoreError::RunInProgress`] naming `guarded` and the
    /// live owner. A lock file whose owner died is taken over.
    pub fn acquire(lock_file: &Path, guarded: &Path) -> Result<RunLock, StoreError> {
        let io = |e| StoreError::io(lock_file, "taking the run's lock", e);
        // The owner removes the lock file while still holding it when it is
        // done; one opened just before that removal is locked but orphaned,
        // so try again with the new file.
        for _ in 0..8 {
            let mut file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(lock_file)
                .map_err(io)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    return Err(StoreError::RunInProgress {
                        file: guarded.to_owned(),
                        owner: read_owner(&mut file),
                    })
                }
                Err(TryLockError::Error(e)) => return Err(io(e)),
            }
            if !lock_file.exists() {
                continue;
            }
            let owner = Owner {
                pid: std::process::id(),
                started: layout::timestamp(chrono::Utc::now()),
            };
            file.set_len(0)
                .and_then(|()| file.seek(SeekFrom::Start(0)))
                .and_then(|_| write!(file, "pid {}\nstarted {}\n", owner.pid, owner.started))
                .and_then(|()| file.flush())
                .map_err(io)?;
            return Ok(RunLock {
                _held: file,
                path: lock_file.to_owned(),
            });
        }
        Err(io(std::io::Error::other(
            "its lock file kept being replaced by other processes",
        )))
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        // Closing `_held` next lets the lock go.
    }
}

/// The owner a held lock file records, if it can be read (not on Windows).
fn read_owner(file: &mut File) -> Option<Owner> {
    let mut text = String::new();
    file.read_to_string(&mut text).ok()?;
    parse_owner(&text)
}

fn parse_owner(text: &str) -> Option<Owner> {
    let mut pid = None;
    let mut started = None;
    for line in text.lines() {
        match line.split_once(' ') {
            Some(("pid", value)) => pid = value.parse().ok(),
            Some(("started", value)) => started = Some(value.to_owned()),
            _ => {}
        }
    }
    Some(Owner {
        pid: pid?,
        started: started?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_refuses_a_second_taker_naming_the_owner() {
        let dir = tempfile::tempdir().unwrap();
        let guarded = dir.path().join("run.h5.partial");
        let held = RunLock::acquire(&lock_path(&guarded), &guarded).unwrap();
        let refused = RunLock::acquire(&lock_path(&guarded), &guarded).unwrap_err();
        let StoreError::RunInProgress { owner, .. } = &refused else {
            panic!("{refused}");
        };
        assert_eq!(owner.as_ref().map(|o| o.pid), Some(std::process::id()));
        assert!(refused
            .to_string()
            .contains(&format!("a run (pid {}, started ", std::process::id())));
        drop(held);
        assert!(!lock_path(&guarded).exists());
        drop(RunLock::acquire(&lock_path(&guarded), &guarded).unwrap());
    }

    #[test]
    fn an_unlocked_lock_file_left_behind_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let guarded = dir.path().join("run.h5.partial");
        std::fs::write(
            lock_path(&guarded),
            "pid 4000000\nstarted 2020-01-01T00:00:00.000Z\n",
        )
        .unwrap();
        let lock = RunLock::acquire(&lock_path(&guarded), &guarded).unwrap();
        let recorded = std::fs::read_to_string(lock_path(&guarded)).unwrap();
        assert!(recorded.starts_with(&format!("pid {}\n", std::process::id())));
        drop(lock);
    }

    #[test]
    fn the_owner_is_read_back_from_its_two_lines() {
        assert_eq!(
            parse_owner("pid 42\nstarted 2026-01-02T03:04:05.000Z\n"),
            Some(Owner {
                pid: 42,
                started: "2026-01-02T03:04:05.000Z".into()
            })
        );
        assert_eq!(parse_owner(""), None);
    }
}
