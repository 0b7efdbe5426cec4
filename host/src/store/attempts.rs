//! Moving a session's unfinished attempt out of the way so it can run again:
//! a failed or interrupted run file, or what a killed run left (its
//! `.partial`, undo log and sealing error), goes to `attempts/` beside it.
//! Nothing is deleted (a lab wants to see why a session failed), and nothing
//! is moved while a live run holds the attempt's lock.

use std::path::{Path, PathBuf};

use super::durable;
use super::error::StoreError;
use super::recover::error_path;
use super::run_file::{partial_path, remove_lone_reserve};
use super::run_lock::{lock_path, RunLock};
use super::undo::undo_path;

/// The folder beside a session's output where its earlier attempts go.
pub const ATTEMPTS_DIR: &str = "attempts";

/// Moves each of `output`, its `.partial`, the `.partial`'s undo log and
/// sealing error that exists to `attempts/<name>.<UTC time>` beside it
/// (never over a file), and drops a leftover reserve; returns where each
/// went (nothing when there was no attempt). Refused with
/// [`StoreError::RunInProgress`] while a live run holds the lock.
pub fn set_aside_attempt(output: &Path) -> Result<Vec<PathBuf>, StoreError> {
    let partial = partial_path(output);
    let left: Vec<PathBuf> = [
        output.to_owned(),
        partial.clone(),
        undo_path(&partial),
        error_path(&partial),
    ]
    .into_iter()
    .filter(|p| p.exists())
    .collect();
    if left.is_empty() {
        return Ok(Vec::new());
    }
    let _lock = RunLock::acquire(&lock_path(&partial), &partial)?;
    let dir = output
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join(ATTEMPTS_DIR);
    std::fs::create_dir_all(&dir).map_err(|e| StoreError::io(&dir, "creating the folder", e))?;
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
    let mut moved = Vec::new();
    for path in left {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let to = dir.join(format!("{name}.{stamp}"));
        durable::rename_new(&path, &to)?;
        moved.push(to);
    }
    remove_lone_reserve(&partial);
    Ok(moved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_file_and_a_killed_runs_partial_move_to_attempts() {
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path().join("m1.h5");
        std::fs::write(&output, b"failed run").unwrap();
        std::fs::write(partial_path(&output), b"killed run").unwrap();
        let moved = set_aside_attempt(&output).unwrap();
        assert_eq!(moved.len(), 2);
        assert!(!output.exists() && !partial_path(&output).exists());
        let names: Vec<String> = moved
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert!(names[0].starts_with("m1.h5.20") && names[1].starts_with("m1.h5.partial.20"));
        assert_eq!(std::fs::read(&moved[0]).unwrap(), b"failed run");
        assert_eq!(moved[0].parent().unwrap(), dir.path().join("attempts"));
    }

    #[test]
    fn an_attempt_a_live_run_holds_is_not_moved() {
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path().join("m1.h5");
        let partial = partial_path(&output);
        std::fs::write(&partial, b"running").unwrap();
        let _held = RunLock::acquire(&lock_path(&partial), &partial).unwrap();
        let refused = set_aside_attempt(&output).unwrap_err();
        assert!(
            matches!(refused, StoreError::RunInProgress { .. }),
            "{refused}"
        );
        assert!(partial.exists());
    }

    #[test]
    fn a_session_never_run_has_nothing_to_move() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            set_aside_attempt(&dir.path().join("m1.h5")).unwrap(),
            Vec::<PathBuf>::new()
        );
        assert!(!dir.path().join(ATTEMPTS_DIR).exists());
    }
}
