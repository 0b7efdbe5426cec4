//! Stopping a run: Ctrl-C, or the first failure, tells every stage to stop.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};

use super::RunError;

const RUNNING: u8 = 0;
const INTERRUPTED: u8 = 1;
const FAILED: u8 = 2;

/// A shared flag that stages check between items.
#[derive(Debug, Clone, Default)]
pub struct StopSignal(Arc<AtomicU8>);

impl StopSignal {
    /// A signal that Ctrl-C raises (SIGINT; in a Windows console Ctrl-C or Ctrl-Break). Only
    /// one per process can be installed; later calls return a plain signal.
    pub fn on_ctrl_c() -> StopSignal {
        let signal = StopSignal::default();
        let flag = signal.clone();
        if ctrlc::set_handler(move || flag.request_interrupt()).is_err() {
            tracing::warn!("could not install the Ctrl-C handler; Ctrl-C will kill the run (use `macroscope recover`)");
        }
        signal
    }

    /// Asks every stage to stop because the user said so.
    pub fn request_interrupt(&self) {
        let _ = self
            .0
            .compare_exchange(RUNNING, INTERRUPTED, Ordering::SeqCst, Ordering::SeqCst);
    }

    /// Asks every stage to stop because something failed.
    pub fn request_failure(&self) {
        self.0.store(FAILED, Ordering::SeqCst);
    }

    /// True once any stop was requested.
    pub fn is_stopping(&self) -> bool {
        self.0.load(Ordering::SeqCst) != RUNNING
    }

    /// True if the stop came from the user.
    pub fn interrupted(&self) -> bool {
        self.0.load(Ordering::SeqCst) == INTERRUPTED
    }
}

/// Keeps the first stage failure of a run; later ones are logged only.
#[derive(Debug, Default)]
pub(super) struct FirstFailure(Mutex<Option<RunError>>);

impl FirstFailure {
    pub(super) fn record(&self, error: RunError) {
        let mut first = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if first.is_none() {
            *first = Some(error);
        } else {
            tracing::error!("{error}");
        }
    }

    pub(super) fn take(&self) -> Option<RunError> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}
