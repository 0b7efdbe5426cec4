//! Where a session stands, read from what its runs left: nothing, a run
//! file (complete and verifying, or not), or the `.partial` of a run that
//! was killed or is still running.

use std::collections::BTreeSet;
use std::path::Path;

use crate::store::{partial_path, read_outcome, verify::verify_file, StageDatasets};

/// What a session's run file says about it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Outcome {
    /// The run file's `status` (`complete`, `failed`, `interrupted`), or what
    /// stands in for it: `damaged` (complete, but a content hash does not
    /// match), `unreadable`, `unsealed` (only a `.partial`).
    pub status: String,
    /// Why it is not complete (empty when it is).
    pub error: String,
    /// Seconds the run took, when known.
    pub wall_s: Option<f64>,
    /// Frames (items) the run lost, when its file could be read.
    pub dropped: Option<u64>,
    /// Visual areas its analysis found (patches labelled in `area_labels`),
    /// when it has such an analysis.
    pub areas: Option<usize>,
}

/// Where a session stands.
#[derive(Debug, Clone, PartialEq)]
pub enum State {
    /// Nothing left by a run: not run yet.
    NotRun,
    /// Its pipeline is not valid for it (a missing input file, ...): the first problem.
    Invalid(String),
    /// Its run file is complete and every content hash matches.
    Done(Outcome),
    /// A run file that is not complete or does not verify, or a `.partial`:
    /// the session runs again (its attempt set aside first).
    Unfinished(Outcome),
}

impl State {
    /// True when a batch runs the session: never run, or not finished.
    pub fn to_run(&self) -> bool {
        matches!(self, State::NotRun | State::Unfinished(_))
    }
}

/// Where the session writing `output` stands.
pub fn assess(output: &Path) -> State {
    if !output.exists() {
        let partial = partial_path(output);
        if !partial.exists() {
            return State::NotRun;
        }
        return State::Unfinished(Outcome {
            status: "unsealed".into(),
            error: format!(
                "{} is left by a run still running or killed (a new run sets it aside)",
                partial.display()
            ),
            ..Outcome::default()
        });
    }
    let read = match read_outcome(output) {
        Ok(read) => read,
        Err(e) => {
            return State::Unfinished(Outcome {
                status: "unreadable".into(),
                error: e.to_string(),
                ..Outcome::default()
            })
        }
    };
    let mut outcome = Outcome {
        status: read.status,
        error: read.error,
        wall_s: read.wall_s,
        dropped: Some(read.dropped),
        areas: areas_found(output),
    };
    if outcome.status != "complete" {
        return State::Unfinished(outcome);
    }
    match verify_file(output) {
        Ok(report) if report.all_intact() => State::Done(outcome),
        Ok(_) => {
            outcome.status = "damaged".into();
            outcome.error = format!(
                "a content hash does not match: see `macroscope verify {}`",
                output.display()
            );
            State::Unfinished(outcome)
        }
        Err(e) => {
            outcome.status = "unreadable".into();
            outcome.error = e.to_string();
            State::Unfinished(outcome)
        }
    }
}

/// The distinct positive labels of the run's `area_labels` map (0 is no
/// area), if its analysis made one.
fn areas_found(output: &Path) -> Option<usize> {
    let stage = StageDatasets::find(output, "analysis", "area_labels").ok()??;
    let labels = stage.read_2d::<i32>("area_labels").ok()?;
    Some(
        labels
            .iter()
            .filter(|&&l| l > 0)
            .collect::<BTreeSet<_>>()
            .len(),
    )
}
