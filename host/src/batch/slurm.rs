//! A batch submitted to Slurm: the sessions still to run as one job array,
//! task `i` running `macroscope run` for line `i + 1` of a session list. The
//! list and the sbatch script are written beside the outputs and kept, so a
//! lab can read what ran and submit it again by hand (`sbatch SCRIPT`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use super::{Batch, RunArg, SESSION_VAR};

/// The script's file name, in the outputs' directory.
pub const SCRIPT_NAME: &str = "macroscope-batch.sbatch";

/// The session list's file name, beside the script: one session per line,
/// line `i + 1` for array task `i`.
pub const SESSIONS_NAME: &str = "macroscope-batch.sessions";

/// What each array task asks Slurm for; `None` leaves it to the cluster's defaults.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Resources {
    /// `--partition`.
    pub partition: Option<String>,
    /// `--time` (Slurm's forms: `MINUTES`, `HH:MM:SS`, `D-HH:MM`, ...).
    pub time: Option<String>,
    /// `--cpus-per-task`.
    pub cpus_per_task: Option<u32>,
    /// `--mem` (`4G`, `500M`, ...).
    pub mem: Option<String>,
    /// The `%K` of `--array=0-(N-1)%K`: tasks running at once.
    pub max_parallel: Option<usize>,
}

/// A job array's files, written and ready to submit.
#[derive(Debug, Clone, PartialEq)]
pub struct JobArray {
    /// The sbatch script.
    pub script: PathBuf,
    /// The session list it reads.
    pub sessions: PathBuf,
    /// Its tasks: one per session.
    pub tasks: usize,
}

/// What can go wrong talking to Slurm.
#[derive(Debug, thiserror::Error)]
pub enum SlurmError {
    /// A Slurm client program is not installed.
    #[error("`{0}` not found: install Slurm's client tools or run without --slurm")]
    NotInstalled(&'static str),
    /// Writing the script or the session list failed.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A session name Slurm's list cannot hold.
    #[error("session `{0}` holds a line break: a session list has one name per line")]
    SessionName(String),
    /// A Slurm program could not be started.
    #[error("cannot run `{program}`: {source}")]
    Start {
        /// The program.
        program: &'static str,
        /// Why.
        source: std::io::Error,
    },
    /// `sbatch` refused the job.
    #[error("sbatch refused {script}: {stderr}")]
    Refused {
        /// The script submitted.
        script: PathBuf,
        /// What sbatch said.
        stderr: String,
    },
    /// `sbatch --parsable` printed something other than a job id.
    #[error("sbatch printed no job id, but `{0}`")]
    NoJobId(String),
    /// `squeue` failed while waiting for the job.
    #[error("squeue failed while waiting for job {job}: {stderr}")]
    Queue {
        /// The job.
        job: u64,
        /// What squeue said.
        stderr: String,
    },
}

/// Writes the session list and the sbatch script for `sessions` into `dir`
/// (replacing those of an earlier submission). Each task runs `program`
/// with `run_args` (see [`Batch::run_args`]), in `workdir`, its output in
/// `dir/slurm-JOB_TASK.out`.
pub fn write_job_array(
    batch: &Batch<'_>,
    sessions: &[&str],
    dir: &Path,
    program: &Path,
    plugin_path: &[PathBuf],
    workdir: &Path,
    resources: &Resources,
) -> Result<JobArray, SlurmError> {
    if let Some(bad) = sessions.iter().find(|s| s.contains(['\n', '\r'])) {
        return Err(SlurmError::SessionName((*bad).to_owned()));
    }
    let write = |path: PathBuf, text: String| {
        std::fs::write(&path, text)
            .map(|()| path.clone())
            .map_err(|source| SlurmError::Write { path, source })
    };
    let list = write(
        dir.join(SESSIONS_NAME),
        sessions.iter().map(|s| format!("{s}\n")).collect(),
    )?;
    let text = script(
        batch,
        sessions.len(),
        &list,
        dir,
        program,
        plugin_path,
        workdir,
        resources,
    );
    let script = write(dir.join(SCRIPT_NAME), text)?;
    Ok(JobArray {
        script,
        sessions: list,
        tasks: sessions.len(),
    })
}

/// The sbatch script: `#SBATCH` options (the array among them, so the file
/// alone resubmits it), then the task's session read from the list and the
/// `exec` of its run.
#[allow(clippy::too_many_arguments)]
fn script(
    batch: &Batch<'_>,
    tasks: usize,
    list: &Path,
    dir: &Path,
    program: &Path,
    plugin_path: &[PathBuf],
    workdir: &Path,
    resources: &Resources,
) -> String {
    let limit = resources
        .max_parallel
        .map(|k| format!("%{k}"))
        .unwrap_or_default();
    let mut options = vec![
        "--job-name=macroscope-batch".to_owned(),
        format!("--array=0-{}{limit}", tasks.saturating_sub(1)),
        format!("--chdir={}", workdir.display()),
        format!("--output={}", dir.join("slurm-%A_%a.out").display()),
    ];
    let optional = [
        ("partition", resources.partition.clone()),
        ("time", resources.time.clone()),
        (
            "cpus-per-task",
            resources.cpus_per_task.map(|n| n.to_string()),
        ),
        ("mem", resources.mem.clone()),
    ];
    options.extend(
        optional
            .into_iter()
            .filter_map(|(name, value)| value.map(|v| format!("--{name}={v}"))),
    );
    let command: Vec<String> = std::iter::once(quote(&program.display().to_string()))
        .chain(
            batch
                .run_args(plugin_path)
                .into_iter()
                .map(|arg| match arg {
                    RunArg::Fixed(arg) => quote(&arg.to_string_lossy()),
                    RunArg::Session => format!("\"{SESSION_VAR}=$session\""),
                }),
        )
        .collect();
    let mut text = format!(
        "#!/bin/bash\n\
         # Written by `macroscope batch --slurm`: one array task per line of\n\
         # {list}, task i running the pipeline for the session on line i+1.\n\
         # Submit it again with: sbatch {script}\n",
        list = list.display(),
        script = dir.join(SCRIPT_NAME).display(),
    );
    for option in options {
        text.push_str(&format!("#SBATCH {option}\n"));
    }
    text.push_str(&format!(
        "set -euo pipefail\n\
         session=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" {list})\n\
         exec {command}\n",
        list = quote(&list.display().to_string()),
        command = command.join(" "),
    ));
    text
}

/// `text` as one shell word: as is when it holds only safe characters,
/// else in single quotes.
fn quote(text: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "/._-+=:,@%".contains(c);
    if !text.is_empty() && text.chars().all(safe) {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// Submits `job` with `sbatch --parsable` and returns its job id.
pub fn submit(job: &JobArray) -> Result<u64, SlurmError> {
    let output = slurm(
        "sbatch",
        Command::new("sbatch").arg("--parsable").arg(&job.script),
    )?;
    if !output.status.success() {
        return Err(SlurmError::Refused {
            script: job.script.clone(),
            stderr: said(&output.stderr),
        });
    }
    // `--parsable` prints `JOBID` or `JOBID;CLUSTER`.
    let stdout = String::from_utf8_lossy(&output.stdout);
    let id = stdout.trim().split(';').next().unwrap_or_default();
    id.parse()
        .map_err(|_| SlurmError::NoJobId(stdout.trim().to_owned()))
}

/// Waits until no task of job `job` is pending or running, asking `squeue`
/// every `every`.
pub fn wait(job: u64, every: Duration) -> Result<(), SlurmError> {
    loop {
        let output = slurm(
            "squeue",
            Command::new("squeue").args(["-h", "-o", "%i", "-j", &job.to_string()]),
        )?;
        let stderr = said(&output.stderr);
        // Once Slurm forgets a finished job, squeue calls its id invalid.
        if !output.status.success() && stderr.contains("Invalid job id") {
            return Ok(());
        }
        if !output.status.success() {
            return Err(SlurmError::Queue { job, stderr });
        }
        if String::from_utf8_lossy(&output.stdout).trim().is_empty() {
            return Ok(());
        }
        std::thread::sleep(every);
    }
}

/// Runs a Slurm client program to its end, its output captured.
fn slurm(program: &'static str, command: &mut Command) -> Result<Output, SlurmError> {
    command
        .stdin(Stdio::null())
        .output()
        .map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => SlurmError::NotInstalled(program),
            _ => SlurmError::Start { program, source },
        })
}

/// A program's stderr as one line of text.
fn said(stderr: &[u8]) -> String {
    String::from_utf8_lossy(stderr)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::Set;

    #[test]
    fn the_script_runs_the_session_on_its_array_tasks_line_with_every_set() {
        let sets = [Set::parse("camera.frame_rate_hz=5").unwrap()];
        let batch = Batch {
            pipeline: Path::new("/lab/session.toml"),
            sets: &sets,
            sessions: &[],
        };
        let resources = Resources {
            partition: Some("short".into()),
            time: Some("00:30:00".into()),
            cpus_per_task: Some(2),
            mem: Some("4G".into()),
            max_parallel: Some(4),
        };
        let text = script(
            &batch,
            6,
            Path::new("/lab/runs/macroscope-batch.sessions"),
            Path::new("/lab/runs"),
            Path::new("/opt/macroscope/bin/macroscope"),
            &[PathBuf::from("/lab/my plugins")],
            Path::new("/lab"),
            &resources,
        );
        assert_eq!(
            text,
            "#!/bin/bash\n\
             # Written by `macroscope batch --slurm`: one array task per line of\n\
             # /lab/runs/macroscope-batch.sessions, task i running the pipeline for the session on line i+1.\n\
             # Submit it again with: sbatch /lab/runs/macroscope-batch.sbatch\n\
             #SBATCH --job-name=macroscope-batch\n\
             #SBATCH --array=0-5%4\n\
             #SBATCH --chdir=/lab\n\
             #SBATCH --output=/lab/runs/slurm-%A_%a.out\n\
             #SBATCH --partition=short\n\
             #SBATCH --time=00:30:00\n\
             #SBATCH --cpus-per-task=2\n\
             #SBATCH --mem=4G\n\
             set -euo pipefail\n\
             session=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" /lab/runs/macroscope-batch.sessions)\n\
             exec /opt/macroscope/bin/macroscope --plugin-path '/lab/my plugins' run --progress-every 30 \
             /lab/session.toml --var \"session=$session\" --set camera.frame_rate_hz=5\n"
        );
    }

    #[test]
    fn a_word_with_shell_characters_is_single_quoted() {
        assert_eq!(quote("/lab/runs/a.h5"), "/lab/runs/a.h5");
        assert_eq!(quote("it's $HOME"), r"'it'\''s $HOME'");
        assert_eq!(quote(""), "''");
    }

    #[test]
    fn without_sbatch_the_error_says_what_to_do() {
        let missing = slurm(
            "sbatch",
            &mut Command::new("/nonexistent/macroscope-test/sbatch"),
        );
        assert_eq!(
            missing.unwrap_err().to_string(),
            "`sbatch` not found: install Slurm's client tools or run without --slurm"
        );
    }
}
