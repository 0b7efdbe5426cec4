//! A bound on reading damaged files. The HDF5 library loops for ever on some
//! damaged files inside one call (a global heap whose free-space object
//! records a size of zero is one), where no check of ours can run. Every call
//! the `hdf5` crate makes holds the library's lock, so a call that never
//! returns is a lock held for ever: while a [`StallWatch`] lives, a thread
//! tries to take that lock and, when one stretch of holding outlasts the
//! limit, tells the caller, which decides what to do (the CLI ends the
//! process with an error).
//!
//! Only commands that read files and write none use it: a run's sealing
//! copies whole datasets in single calls whose length grows with the data.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How long one HDF5 call may take before it counts as stalled, unless
/// `MACROSCOPE_HDF5_STALL_S` says otherwise: the reads of the watched
/// commands are a chunk or an attribute each, milliseconds long.
pub const DEFAULT_STALL_LIMIT: Duration = Duration::from_secs(30);

/// The environment variable that sets the limit, in seconds.
pub const STALL_LIMIT_VAR: &str = "MACROSCOPE_HDF5_STALL_S";

/// Pause between two looks at the lock.
const LOOK_EVERY: Duration = Duration::from_millis(200);

/// The limit `MACROSCOPE_HDF5_STALL_S` sets (a number of seconds > 0), else
/// [`DEFAULT_STALL_LIMIT`].
pub fn stall_limit() -> Duration {
    std::env::var(STALL_LIMIT_VAR)
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .map_or(DEFAULT_STALL_LIMIT, Duration::from_secs_f64)
}

/// Watches the HDF5 library for a call that does not return; stops
/// watching when dropped.
#[derive(Debug)]
pub struct StallWatch {
    stop: Arc<AtomicBool>,
}

impl StallWatch {
    /// Starts watching: `on_stall` runs (on the watching thread) once a
    /// single call has held the library longer than `limit`.
    pub fn start(limit: Duration, on_stall: impl FnOnce() + Send + 'static) -> StallWatch {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        std::thread::Builder::new()
            .name("hdf5-stall-watch".into())
            .spawn(move || {
                while !stopped.load(Ordering::Acquire) {
                    match hdf5_sys::LOCK.try_lock_for(limit) {
                        Some(held) => drop(held),
                        None if stopped.load(Ordering::Acquire) => return,
                        None => return on_stall(),
                    }
                    std::thread::sleep(LOOK_EVERY);
                }
            })
            .expect("spawning a thread");
        StallWatch { stop }
    }
}

impl Drop for StallWatch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn a_call_holding_the_library_past_the_limit_is_reported() {
        let (told, heard) = mpsc::channel();
        let held = hdf5_sys::LOCK.lock();
        let _watch = StallWatch::start(Duration::from_millis(50), move || {
            told.send(()).unwrap();
        });
        assert_eq!(heard.recv_timeout(Duration::from_secs(60)), Ok(()));
        drop(held);
    }

    #[test]
    fn calls_that_each_return_within_the_limit_are_not_reported_however_long_they_add_up_to() {
        let (told, heard) = mpsc::channel::<()>();
        let limit = Duration::from_secs(2);
        let watch = StallWatch::start(limit, move || {
            told.send(()).unwrap();
        });
        // 60 calls of 50 ms: 3 s of holding in all, more than the limit.
        for _ in 0..60 {
            let held = hdf5_sys::LOCK.lock();
            std::thread::sleep(Duration::from_millis(50));
            drop(held);
            std::thread::sleep(Duration::from_millis(5));
        }
        drop(watch);
        assert!(heard.recv_timeout(limit + LOOK_EVERY).is_err());
    }
}
