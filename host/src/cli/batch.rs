//! `macroscope batch PIPELINE SESSION...`: the pipeline once per session
//! (`--var session=NAME`), `--jobs` at a time here or as one Slurm job array
//! (`--slurm`); sessions already complete and verifying are skipped.
//! `--status` only reports where each session stands.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;

use crate::batch::slurm::{self, Resources};
use crate::batch::{write_csv, Batch, State, Table, Task};
use crate::pipeline::Set;
use crate::registry::SearchPath;
use crate::store::set_aside_attempt;

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
    /// Sessions from the files a pattern matches (`data/*.tif`), each named
    /// by its file's stem (`data/m042.tif` is `m042`), in name order.
    #[arg(long, value_name = "PATTERN")]
    pub sessions_glob: Option<String>,
    /// Set a stage parameter for every session (as `run --set`).
    #[arg(long = "set", value_name = "STAGE.PARAM=VALUE", value_parser = Set::parse)]
    pub sets: Vec<Set>,
    /// Sessions run at the same time (here; with --slurm see --max-parallel).
    #[arg(long, short, default_value_t = 1)]
    pub jobs: usize,
    /// Only print where each session stands; run nothing.
    #[arg(long, conflicts_with = "slurm")]
    pub status: bool,
    /// Also write the table as CSV to this file.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Submit the sessions still to run to Slurm as one job array, its
    /// sbatch script and session list kept beside the outputs.
    #[arg(long)]
    pub slurm: bool,
    /// Slurm partition (--slurm).
    #[arg(long, requires = "slurm")]
    pub partition: Option<String>,
    /// Time limit of each session's task, in Slurm's forms (`30`, `1:30:00`) (--slurm).
    #[arg(long, requires = "slurm")]
    pub time: Option<String>,
    /// CPUs for each session's task (--slurm).
    #[arg(long, requires = "slurm")]
    pub cpus_per_task: Option<u32>,
    /// Memory for each session's task (`4G`, `500M`) (--slurm).
    #[arg(long, requires = "slurm")]
    pub mem: Option<String>,
    /// Tasks of the job array running at once (--slurm).
    #[arg(long, requires = "slurm")]
    pub max_parallel: Option<usize>,
    /// Wait until the job array has ended, then print where each session
    /// stands (--slurm).
    #[arg(long, requires = "slurm")]
    pub wait: bool,
}

/// Runs the command: exit status 1 when any session is not complete. A
/// submission without `--wait` prints only the job id on stdout.
pub fn run(args: Args, search: &SearchPath, plugin_path: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let sessions = sessions(&args)?;
    let registry = super::load_registry(search)?;
    let batch = Batch {
        pipeline: &args.pipeline,
        sets: &args.sets,
        sessions: &sessions,
    };
    let mut tasks = batch.plan(&registry);
    if !args.status {
        let to_run = tasks.iter().filter(|t| t.state.to_run()).count();
        let done = tasks
            .iter()
            .filter(|t| matches!(t.state, State::Done(_)))
            .count();
        eprintln!(
            "{} sessions: {to_run} to run, {done} already complete (skipped), {} invalid",
            tasks.len(),
            tasks.len() - to_run - done
        );
        let program = std::env::current_exe().context("cannot find the macroscope program")?;
        if args.slurm {
            if to_run == 0 {
                eprintln!("nothing to submit");
            } else if let Some(job) = submit(&args, &tasks, &program, plugin_path)? {
                if !args.wait {
                    println!("{job}");
                    return Ok(ExitCode::SUCCESS);
                }
                eprintln!("waiting for job {job} to end");
                slurm::wait(job, Duration::from_secs(1))?;
                tasks = batch.plan(&registry);
            }
        } else {
            batch.run(
                &mut tasks,
                args.jobs,
                &program,
                plugin_path,
                |task, seconds| {
                    if let State::Done(o) | State::Unfinished(o) = &task.state {
                        eprintln!("{}: {} ({seconds:.1} s)", task.session, o.status);
                    }
                },
            );
        }
    }
    let table = Table::of(&tasks);
    print!("{table}");
    if let Some(csv) = &args.csv {
        write_csv(&table, csv).with_context(|| format!("cannot write {}", csv.display()))?;
    }
    Ok(if tasks.iter().all(|t| matches!(t.state, State::Done(_))) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The sessions named on the command line, then those of `--sessions-file`,
/// then those of `--sessions-glob`.
fn sessions(args: &Args) -> anyhow::Result<Vec<String>> {
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
    if let Some(pattern) = &args.sessions_glob {
        let paths = glob::glob(pattern)
            .with_context(|| format!("--sessions-glob `{pattern}` is not a valid pattern"))?;
        let mut found = Vec::new();
        for path in paths {
            let path = path.with_context(|| format!("--sessions-glob `{pattern}`"))?;
            if let Some(stem) = path.file_stem() {
                found.push(stem.to_string_lossy().into_owned());
            }
        }
        anyhow::ensure!(
            !found.is_empty(),
            "--sessions-glob `{pattern}` matches no file"
        );
        sessions.extend(found);
    }
    anyhow::ensure!(
        !sessions.is_empty(),
        "no sessions: name them after the pipeline file, list them with --sessions-file, or match their files \
         with --sessions-glob"
    );
    Ok(sessions)
}

/// Sets aside the unfinished attempts of the sessions to run, writes the job
/// array beside their outputs and submits it; returns its job id (`None`
/// when every session to run is held by a live run).
fn submit(
    args: &Args,
    tasks: &[Task],
    program: &Path,
    plugin_path: &[PathBuf],
) -> anyhow::Result<Option<u64>> {
    let mut sessions = Vec::new();
    let mut outputs = Vec::new();
    for task in tasks.iter().filter(|t| t.state.to_run()) {
        let output = task.output.as_deref().expect("tasks to run have an output");
        match set_aside_attempt(output) {
            Ok(_) => {
                sessions.push(task.session.as_str());
                outputs.push(output);
            }
            Err(e) => eprintln!("{}: not submitted: {e}", task.session),
        }
    }
    if sessions.is_empty() {
        return Ok(None);
    }
    let absolute = |p: &Path| {
        std::path::absolute(p).with_context(|| format!("cannot make {} absolute", p.display()))
    };
    let pipeline = absolute(&args.pipeline)?;
    let plugin_path = plugin_path
        .iter()
        .map(|p| absolute(p))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let workdir = std::env::current_dir().context("cannot read the current directory")?;
    let dir = absolute(&common_dir(&outputs))?;
    let batch = Batch {
        pipeline: &pipeline,
        sets: &args.sets,
        sessions: &[],
    };
    let resources = Resources {
        partition: args.partition.clone(),
        time: args.time.clone(),
        cpus_per_task: args.cpus_per_task,
        mem: args.mem.clone(),
        max_parallel: args.max_parallel,
    };
    let job = slurm::write_job_array(
        &batch,
        &sessions,
        &dir,
        program,
        &plugin_path,
        &workdir,
        &resources,
    )?;
    let id = slurm::submit(&job)?;
    eprintln!(
        "submitted job {id}: {} sessions, script {}",
        job.tasks,
        job.script.display()
    );
    Ok(Some(id))
}

/// The deepest folder holding every one of `outputs`.
fn common_dir(outputs: &[&Path]) -> PathBuf {
    let parent = |p: &Path| p.parent().unwrap_or(Path::new("")).to_path_buf();
    let mut dir = outputs.first().map(|p| parent(p)).unwrap_or_default();
    for output in outputs {
        while !output.starts_with(&dir) {
            dir = parent(&dir);
        }
    }
    if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    }
}
