//! Many sessions through one pipeline file: one `macroscope run` per session
//! (`--var session=NAME`), a few at a time, each in its own process so that a
//! session that crashes takes nothing else with it. A session whose output is
//! complete and verifies is skipped, so running a batch again finishes only
//! what is left (failed, interrupted or missing sessions).

mod table;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use crate::pipeline::{Changes, Overrides, Pipeline, Set, Var};
use crate::registry::Registry;
use crate::store::{read_outcome, verify::verify_file};

pub use table::{write_csv, Table};

/// The placeholder a batch fills with each session's name.
pub const SESSION_VAR: &str = "session";

/// One session of a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// The session's name (what `{session}` becomes).
    pub session: String,
    /// Its run file, when its pipeline is valid.
    pub output: Option<PathBuf>,
    /// Where it stands.
    pub state: State,
}

/// Where a session stands.
#[derive(Debug, Clone, PartialEq)]
pub enum State {
    /// Not run yet (no output, or an output that did not complete and verify).
    Pending,
    /// Its pipeline is not valid for it (a missing input file, ...): the first problem.
    Invalid(String),
    /// Its run file is complete and every content hash matches.
    Done,
    /// Run by this batch: the run file's status and error, the exit code,
    /// and the wall time in seconds.
    Ran {
        /// The run file's `status` (`failed` when the run left no file).
        status: String,
        /// Why it did not complete (empty when it did).
        error: String,
        /// Seconds the run took.
        seconds: f64,
    },
}

/// A pipeline file and the sessions to run it for.
pub struct Batch<'a> {
    /// The pipeline file, with `{session}` placeholders.
    pub pipeline: &'a Path,
    /// `--set` changes applied to every session.
    pub sets: &'a [Set],
    /// The sessions, in order.
    pub sessions: &'a [String],
}

impl Batch<'_> {
    /// Checks the pipeline for every session and finds those already done.
    pub fn plan(&self, registry: &Registry) -> Vec<Task> {
        self.sessions
            .iter()
            .map(|session| self.plan_one(session, registry))
            .collect()
    }

    fn plan_one(&self, session: &str, registry: &Registry) -> Task {
        let task = |output, state| Task {
            session: session.to_owned(),
            output,
            state,
        };
        let var = match Var::parse(&format!("{SESSION_VAR}={session}")) {
            Ok(var) => var,
            Err(e) => return task(None, State::Invalid(e)),
        };
        let changes = Changes {
            output: None,
            overrides: Overrides {
                sets: self.sets.to_vec(),
                vars: vec![var],
            },
        };
        match Pipeline::load_with(self.pipeline, registry, &changes) {
            Ok(pipeline) => {
                let output = pipeline.output().to_path_buf();
                let state = if is_done(&output) {
                    State::Done
                } else {
                    State::Pending
                };
                task(Some(output), state)
            }
            Err(errors) => {
                let first = errors.errors.first().map_or_else(
                    || "not a valid pipeline".to_owned(),
                    |e| e.error.to_string(),
                );
                task(None, State::Invalid(first))
            }
        }
    }

    /// Runs every pending task with `jobs` at a time, each as `program run`
    /// (with `plugin_path` passed on), its output and errors in `OUTPUT.log`;
    /// calls `done` as each one ends.
    pub fn run(
        &self,
        tasks: &mut [Task],
        jobs: usize,
        program: &Path,
        plugin_path: &[PathBuf],
        done: impl Fn(&Task) + Sync,
    ) {
        let pending: Vec<usize> = (0..tasks.len())
            .filter(|&i| tasks[i].state == State::Pending)
            .collect();
        let next = AtomicUsize::new(0);
        let results = Mutex::new(Vec::new());
        std::thread::scope(|scope| {
            for _ in 0..jobs.max(1).min(pending.len()) {
                scope.spawn(|| {
                    while let Some(&index) = pending.get(next.fetch_add(1, Ordering::SeqCst)) {
                        let mut task = tasks[index].clone();
                        task.state = self.run_one(&task, program, plugin_path);
                        done(&task);
                        results
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .push((index, task.state));
                    }
                });
            }
        });
        for (index, state) in results.into_inner().unwrap_or_else(|p| p.into_inner()) {
            tasks[index].state = state;
        }
    }

    fn run_one(&self, task: &Task, program: &Path, plugin_path: &[PathBuf]) -> State {
        let output = task
            .output
            .as_deref()
            .expect("pending tasks have an output");
        let log_path = log_path(output);
        let began = Instant::now();
        let ran = std::fs::File::create(&log_path).and_then(|log| {
            let mut command = Command::new(program);
            for dir in plugin_path {
                command.arg("--plugin-path").arg(dir);
            }
            command
                .args(["run", "--progress-every", "30"])
                .arg(self.pipeline)
                .arg("--var")
                .arg(format!("{SESSION_VAR}={}", task.session));
            for set in self.sets {
                command.arg("--set").arg(set.to_string());
            }
            command
                .stdin(Stdio::null())
                .stdout(log.try_clone()?)
                .stderr(log)
                .status()
        });
        let seconds = began.elapsed().as_secs_f64();
        let (status, error) = match (ran, read_outcome(output)) {
            (Err(e), _) => (
                "failed".to_owned(),
                format!("cannot start `{}`: {e}", program.display()),
            ),
            (Ok(_), Ok(outcome)) => (outcome.status, outcome.error),
            (Ok(exit), Err(_)) => (
                "failed".to_owned(),
                format!(
                    "no run file ({exit}); see {}: {}",
                    log_path.display(),
                    last_line(&log_path)
                ),
            ),
        };
        State::Ran {
            status,
            error,
            seconds,
        }
    }
}

/// `OUTPUT.log`: what a session's run printed.
pub fn log_path(output: &Path) -> PathBuf {
    let mut name = output.as_os_str().to_owned();
    name.push(".log");
    PathBuf::from(name)
}

/// A run file that completed and whose every content hash matches.
fn is_done(output: &Path) -> bool {
    output.exists()
        && read_outcome(output).is_ok_and(|o| o.status == "complete")
        && verify_file(output).is_ok_and(|report| report.all_intact())
}

/// The last non-empty line of a log, for a failure that left no run file.
fn last_line(log: &Path) -> String {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default()
        .to_owned()
}
