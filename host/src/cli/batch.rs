//! `macroscope batch PIPELINE SESSION...`: the pipeline once per session
//! (`--var session=NAME`), `--jobs` at a time; sessions already complete and
//! verifying are skipped. `--status` only reports where each session stands.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use crate::batch::{write_csv, Batch, State, Table, Task};
use crate::pipeline::Set;
use crate::registry::SearchPath;

/// Arguments of this command.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The pipeline file, with `{session}` where a session's name goes
    /// (`file:` inputs, `output`).
    pub pipeline: PathBuf,
    /// The sessions' names.
    #[arg(value_name = "SESSION")]
    pub sessions: Vec<String>,
    /// A file listing more sessions, one per line (`#` starts a comment).
    #[arg(long, value_name = "FILE")]
    pub sessions_file: Option<PathBuf>,
    /// Set a stage parameter for every session (as `run --set`).
    #[arg(long = "set", value_name = "STAGE.PARAM=VALUE", value_parser = Set::parse)]
    pub sets: Vec<Set>,
    /// Sessions run at the same time.
    #[arg(long, short, default_value_t = 1)]
    pub jobs: usize,
    /// Only print where each session stands; run nothing.
    #[arg(long)]
    pub status: bool,
    /// Also write the table as CSV to this file.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
}

/// Runs the command: exit status 1 when any session is not complete.
pub fn run(args: Args, search: &SearchPath, plugin_path: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let mut sessions = args.sessions.clone();
    if let Some(list) = &args.sessions_file {
        let text = std::fs::read_to_string(list)
            .with_context(|| format!("cannot read the sessions file {}", list.display()))?;
        sessions.extend(
            text.lines()
                .map(|l| l.split('#').next().unwrap_or_default().trim())
                .filter(|l| !l.is_empty())
                .map(str::to_owned),
        );
    }
    anyhow::ensure!(
        !sessions.is_empty(),
        "no sessions: name them after the pipeline file or list them with --sessions-file"
    );
    let registry = super::load_registry(search)?;
    let batch = Batch {
        pipeline: &args.pipeline,
        sets: &args.sets,
        sessions: &sessions,
    };
    let mut tasks = batch.plan(&registry);
    if !args.status {
        let program = std::env::current_exe().context("cannot find the macroscope program")?;
        let pending = tasks.iter().filter(|t| t.state == State::Pending).count();
        let done = tasks.iter().filter(|t| t.state == State::Done).count();
        eprintln!(
            "{} sessions: {pending} to run, {done} already complete (skipped), {} invalid",
            tasks.len(),
            tasks.len() - pending - done
        );
        batch.run(&mut tasks, args.jobs, &program, plugin_path, |task| {
            if let State::Ran {
                status, seconds, ..
            } = &task.state
            {
                eprintln!("{}: {status} ({seconds:.1} s)", task.session);
            }
        });
    }
    let table = Table::of(&tasks);
    print!("{table}");
    if let Some(csv) = &args.csv {
        write_csv(&table, csv).with_context(|| format!("cannot write {}", csv.display()))?;
    }
    Ok(if tasks.iter().all(is_complete) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn is_complete(task: &Task) -> bool {
    match &task.state {
        State::Done => true,
        State::Ran { status, .. } => status == "complete",
        State::Pending | State::Invalid(_) => false,
    }
}
