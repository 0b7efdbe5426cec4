//! `macroscope run PIPELINE`: validate, run every stage, store everything.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use indicatif::HumanCount;

use super::pipeline_file::PipelineFile;
use crate::figures::DrawnMaps;
use crate::pipeline::Pipeline;
use crate::registry::SearchPath;
use crate::runtime::{self, ProgressMode, RunError, RunOptions, StopSignal};
use crate::store::{RunStatus, Sink, StoreOptions};

/// Arguments of `macroscope run`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The pipeline file and the command line's changes to it.
    #[command(flatten)]
    pub file: PipelineFile,
    /// Write to this file instead of the pipeline's `output`.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Content-addressed store for reusable outputs (default: the pipeline's
    /// `store`, else `store` in the user data directory: `~/.local/share/macroscope/store`,
    /// `%LOCALAPPDATA%\macroscope\store` on Windows).
    #[arg(long)]
    pub store: Option<PathBuf>,
    /// Deflate level for stored data (0-9; shuffle is always on).
    #[arg(long, default_value_t = 1)]
    pub deflate_level: u32,
    /// Items each queue holds before its producer waits.
    #[arg(long, default_value_t = 64)]
    pub queue_depth: usize,
    /// Do not write PNG figures (`<output stem>-figures/`) or the HTML report
    /// (`<output stem>-report.html`) after the run.
    #[arg(long)]
    pub no_figures: bool,
    #[command(flatten)]
    pub drawing: super::figures::DrawingArgs,
    /// Seconds between progress lines when stderr is not a terminal (a log
    /// file, a pipe, a cluster job); on a terminal, bars update continuously.
    #[arg(long, value_name = "SECONDS", default_value_t = runtime::LINE_EVERY.as_secs_f64(),
          value_parser = positive_seconds)]
    pub progress_every: f64,
}

/// A `--progress-every` value: a finite number of seconds > 0.
fn positive_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 && s <= 1e9 => Ok(s),
        _ => Err(format!("`{text}` is not a number of seconds > 0")),
    }
}

/// Runs the pipeline (with no progress output when `quiet`); exits non-zero if
/// any stage or the sink failed. The time it prints last is the command's own.
pub fn run(args: Args, search: &SearchPath, quiet: bool) -> anyhow::Result<ExitCode> {
    let began = Instant::now();
    let registry = super::load_registry(search)?;
    let path = &args.file.pipeline;
    let context = format!("pipeline {} is not valid", path.display());
    let watch = super::stall::watch(context.clone(), "its `file:` inputs".into());
    let pipeline = Pipeline::load_with(path, &registry, &args.file.changes(args.output.clone()))
        .context(context)?;
    drop(watch);
    if !quiet {
        println!("{}", pipeline.estimate().describe());
    }
    if let Some(warning) = pipeline.space_warning() {
        eprintln!("{warning}");
    }
    // Devices open before anything is stored: a missing camera leaves no file.
    let started = runtime::start_devices(&pipeline)?;
    let plan = runtime::run_plan(&pipeline, &started);
    let options = StoreOptions {
        deflate_level: args.deflate_level,
        queue_items: args.queue_depth,
        ..StoreOptions::for_run(&plan, args.store)
    };
    let sink = Sink::create(&plan, &options)
        .with_context(|| format!("cannot write {}", plan.output.display()))?;

    let run_options = RunOptions {
        queue_depth: args.queue_depth,
        progress: if quiet {
            ProgressMode::Quiet
        } else {
            ProgressMode::detect(Duration::from_secs_f64(args.progress_every))
        },
    };
    let stop = StopSignal::on_ctrl_c();
    let (sink, report) = runtime::run(pipeline, sink, started, &run_options, &stop);
    let status = match &report.outcome {
        Ok(()) => RunStatus::Complete,
        Err(RunError::Interrupted) => RunStatus::Interrupted,
        Err(_) => RunStatus::Failed,
    };
    let reason = match &report.outcome {
        Err(e) if status == RunStatus::Failed => Some(e.to_string()),
        _ => None,
    };
    let summary = sink
        .finish(status, reason.as_deref())
        .context("finalising the output file")?;

    for stage in &report.stages {
        let reused = if stage.reused {
            " (reused from the store)"
        } else {
            ""
        };
        let dropped = if stage.dropped > 0 {
            format!(", {} dropped", HumanCount(stage.dropped))
        } else {
            String::new()
        };
        println!(
            "  {:<20} {:>10} items{dropped}{reused}",
            stage.stage,
            HumanCount(stage.items).to_string()
        );
    }
    for warning in &summary.warnings {
        eprintln!("warning: {warning}");
    }
    // A failed or interrupted run gets its figures and report too (that is
    // when they help most); not being able to draw them never hides how the
    // run ended.
    let drawn = if args.no_figures {
        Ok(())
    } else {
        figures_and_report(&summary.path, &args.drawing.options())
    };
    if let Err(err) = report.outcome {
        if let Err(not_drawn) = drawn {
            eprintln!("warning: {not_drawn:#}");
        }
        print_status(status, &summary.path, began);
        let ended_by = match status {
            RunStatus::Interrupted => "the interruption",
            _ => "the failure",
        };
        eprintln!("error: {err}");
        eprintln!(
            "everything stored before {ended_by} is kept in {}",
            summary.path.display()
        );
        return Ok(ExitCode::FAILURE);
    }
    drawn?;
    print_status(status, &summary.path, began);
    Ok(ExitCode::SUCCESS)
}

/// The last line: how the run ended, its file, and the command's wall time.
fn print_status(status: RunStatus, file: &std::path::Path, started: Instant) {
    println!(
        "{}: {} ({:.1} s)",
        status_word(status),
        file.display(),
        started.elapsed().as_secs_f64()
    );
}

fn status_word(status: RunStatus) -> &'static str {
    match status {
        RunStatus::Complete => "complete",
        RunStatus::Failed => "failed",
        RunStatus::Interrupted => "interrupted",
    }
}

/// Writes the figures of the run's maps, if it made any (and, when the camera
/// was a synthetic cortex with a known truth, prints how close they came),
/// then the run's report.
fn figures_and_report(
    file: &std::path::Path,
    options: &crate::figures::FigureOptions,
) -> anyhow::Result<()> {
    let maps = DrawnMaps::find(file, options).context("reading the maps back")?;
    if let Some(drawn) = &maps {
        let dir = super::figures::default_dir(file);
        let written = crate::figures::write_figures(&drawn.figures, &dir)?;
        println!("figures: {} ({} PNGs)", dir.display(), written.len());
        compare_with_truth(file, &drawn.maps)?;
    }
    let page = crate::report::default_path(file);
    crate::report::write(file, &page, maps.as_ref()).context("writing the run's report")?;
    println!("report: {}", page.display());
    Ok(())
}

/// When the camera was a synthetic cortex with a known truth, prints how
/// close `maps` came to it.
fn compare_with_truth(file: &std::path::Path, maps: &crate::figures::MapSet) -> anyhow::Result<()> {
    if let Some(truth) =
        crate::evaluate::find_truth(file).context("reading the ground truth back")?
    {
        let report = crate::evaluate::compare(
            &maps.azimuth_deg,
            &maps.altitude_deg,
            &maps.sign_map,
            &maps.area_labels,
            &truth,
        );
        println!("recovered maps vs the synthetic cortex's truth:\n{report}");
    }
    Ok(())
}
