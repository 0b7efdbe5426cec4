//! Many sessions through one pipeline file: one `macroscope run` per session
//! (`--var session=NAME`), a few at a time, each in its own process so that a
//! session that crashes takes nothing else with it. A session whose output is
//! complete and verifies is skipped, so running a batch again finishes only
//! what is left (failed, interrupted or missing sessions).

mod assess;
pub mod slurm;
mod table;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use crate::pipeline::{Changes, Overrides, Pipeline, Set, Var};
use crate::registry::Registry;
use crate::store::set_aside_attempt;

pub use assess::{assess, Outcome, State};
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
                let state = assess(&output);
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

    /// Runs every task still to run with `jobs` at a time, each as
    /// `program run` (with `plugin_path` passed on), its output and errors in
    /// `OUTPUT.log`, an unfinished attempt first set aside (see
    /// [`set_aside_attempt`]); calls `done` with the task and its seconds as
    /// each one ends.
    pub fn run(
        &self,
        tasks: &mut [Task],
        jobs: usize,
        program: &Path,
        plugin_path: &[PathBuf],
        done: impl Fn(&Task, f64) + Sync,
    ) {
        let pending: Vec<usize> = (0..tasks.len())
            .filter(|&i| tasks[i].state.to_run())
            .collect();
        let next = AtomicUsize::new(0);
        let results = Mutex::new(Vec::new());
        std::thread::scope(|scope| {
            for _ in 0..jobs.max(1).min(pending.len()) {
                scope.spawn(|| {
                    while let Some(&index) = pending.get(next.fetch_add(1, Ordering::SeqCst)) {
                        let mut task = tasks[index].clone();
                        let began = Instant::now();
                        task.state = self.run_one(&task, program, plugin_path);
                        done(&task, began.elapsed().as_secs_f64());
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

    /// The arguments of the `macroscope` that runs one session:
    /// `--plugin-path DIR... run --progress-every 30 PIPELINE --var
    /// session=NAME --set ...`, the session's `NAME=VALUE` left for the
    /// caller to fill (each local worker with a name, the Slurm script with
    /// its array task's line).
    pub fn run_args(&self, plugin_path: &[PathBuf]) -> Vec<RunArg> {
        let mut args = Vec::new();
        for dir in plugin_path {
            args.push(RunArg::Fixed("--plugin-path".into()));
            args.push(RunArg::Fixed(dir.into()));
        }
        for arg in ["run", "--progress-every", "30"] {
            args.push(RunArg::Fixed(arg.into()));
        }
        args.push(RunArg::Fixed(self.pipeline.into()));
        args.push(RunArg::Fixed("--var".into()));
        args.push(RunArg::Session);
        for set in self.sets {
            args.push(RunArg::Fixed("--set".into()));
            args.push(RunArg::Fixed(set.to_string().into()));
        }
        args
    }

    fn run_one(&self, task: &Task, program: &Path, plugin_path: &[PathBuf]) -> State {
        let output = task.output.as_deref().expect("tasks to run have an output");
        let failed = |error: String, wall_s: Option<f64>| {
            State::Unfinished(Outcome {
                status: "failed".into(),
                error,
                wall_s,
                ..Outcome::default()
            })
        };
        if let Err(e) = set_aside_attempt(output) {
            return failed(format!("its last attempt cannot be set aside: {e}"), None);
        }
        let log_path = log_path(output);
        let began = Instant::now();
        let ran = std::fs::File::create(&log_path).and_then(|log| {
            Command::new(program)
                .args(self.run_args(plugin_path).into_iter().map(|arg| match arg {
                    RunArg::Fixed(arg) => arg,
                    RunArg::Session => format!("{SESSION_VAR}={}", task.session).into(),
                }))
                .stdin(Stdio::null())
                .stdout(log.try_clone()?)
                .stderr(log)
                .status()
        });
        let seconds = Some(began.elapsed().as_secs_f64());
        match (ran, assess(output)) {
            (Err(e), _) => failed(
                format!("cannot start `{}`: {e}", program.display()),
                seconds,
            ),
            (Ok(exit), State::NotRun) => failed(
                format!(
                    "no run file ({exit}); see {}: {}",
                    log_path.display(),
                    last_line(&log_path)
                ),
                seconds,
            ),
            (Ok(_), state) => state,
        }
    }
}

/// One argument of a session's `macroscope run`.
#[derive(Debug, Clone, PartialEq)]
pub enum RunArg {
    /// The same for every session.
    Fixed(OsString),
    /// `session=NAME`, naming the session.
    Session,
}

/// `OUTPUT.log`: what a session's run printed.
pub fn log_path(output: &Path) -> PathBuf {
    let mut name = output.as_os_str().to_owned();
    name.push(".log");
    PathBuf::from(name)
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
