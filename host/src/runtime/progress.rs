//! Progress per stage: bars (items, items/s) on a terminal, log lines otherwise.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::pipeline::Pipeline;

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    /// Live bars on stderr.
    Bars,
    /// A log line per stage every few seconds.
    Log,
    /// Nothing.
    Quiet,
}

impl ProgressMode {
    /// Bars when stderr is a terminal, log lines otherwise.
    pub fn detect() -> Self {
        if std::io::stderr().is_terminal() {
            ProgressMode::Bars
        } else {
            ProgressMode::Log
        }
    }
}

const BAR_REFRESH: Duration = Duration::from_millis(200);
const LOG_EVERY: Duration = Duration::from_secs(5);

/// Counters the stages bump and a thread that shows them.
pub(super) struct Progress {
    counters: Vec<Arc<AtomicU64>>,
    done: Arc<AtomicBool>,
    monitor: Option<JoinHandle<()>>,
}

impl Progress {
    pub(super) fn start(pipeline: &Pipeline, mode: ProgressMode) -> Progress {
        let ids: Vec<String> = pipeline
            .stages()
            .iter()
            .map(|s| s.id().to_owned())
            .collect();
        let counters: Vec<Arc<AtomicU64>> = ids.iter().map(|_| Arc::default()).collect();
        let done = Arc::new(AtomicBool::new(false));
        let monitor = match mode {
            ProgressMode::Quiet => None,
            ProgressMode::Bars => Some(spawn_bars(ids, counters.clone(), done.clone())),
            ProgressMode::Log => Some(spawn_log(ids, counters.clone(), done.clone())),
        };
        Progress {
            counters,
            done,
            monitor,
        }
    }

    pub(super) fn counter(&self, stage: usize) -> Arc<AtomicU64> {
        self.counters[stage].clone()
    }

    pub(super) fn finish(mut self) {
        self.done.store(true, Ordering::SeqCst);
        if let Some(monitor) = self.monitor.take() {
            let _ = monitor.join();
        }
    }
}

fn spawn_bars(
    ids: Vec<String>,
    counters: Vec<Arc<AtomicU64>>,
    done: Arc<AtomicBool>,
) -> JoinHandle<()> {
    thread::spawn(move || {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{prefix:>16} {spinner} {human_pos:>9} items  {per_sec:>14}  {elapsed}",
        )
        .expect("valid template");
        let width = ids.iter().map(String::len).max().unwrap_or(0);
        let bars: Vec<ProgressBar> = ids
            .iter()
            .map(|id| {
                let bar = multi.add(ProgressBar::no_length().with_style(style.clone()));
                bar.set_prefix(format!("{id:>width$}"));
                bar
            })
            .collect();
        loop {
            let finished = done.load(Ordering::SeqCst);
            for (bar, counter) in bars.iter().zip(&counters) {
                bar.set_position(counter.load(Ordering::Relaxed));
                bar.tick();
            }
            if finished {
                bars.iter().for_each(ProgressBar::finish);
                return;
            }
            thread::sleep(BAR_REFRESH);
        }
    })
}

fn spawn_log(
    ids: Vec<String>,
    counters: Vec<Arc<AtomicU64>>,
    done: Arc<AtomicBool>,
) -> JoinHandle<()> {
    thread::spawn(move || {
        let started = Instant::now();
        let mut last_log = Instant::now();
        while !done.load(Ordering::SeqCst) {
            thread::sleep(BAR_REFRESH);
            if last_log.elapsed() < LOG_EVERY {
                continue;
            }
            last_log = Instant::now();
            let seconds = started.elapsed().as_secs_f64();
            for (id, counter) in ids.iter().zip(&counters) {
                let items = counter.load(Ordering::Relaxed);
                tracing::info!(
                    "stage `{id}`: {items} items ({:.1} items/s)",
                    items as f64 / seconds
                );
            }
        }
    })
}
