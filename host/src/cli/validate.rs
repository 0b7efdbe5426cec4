//! `macroscope validate PIPELINE`: checks a pipeline without running it; prints
//! its DAG, or every problem found (exit status 1).

use std::process::ExitCode;

use super::pipeline_file::PipelineFile;
use crate::pipeline::Pipeline;
use crate::registry::SearchPath;

/// Arguments of this command.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The pipeline file and the command line's changes to it.
    #[command(flatten)]
    pub file: PipelineFile,
}

/// Runs the command.
pub fn run(args: Args, search: &SearchPath) -> anyhow::Result<ExitCode> {
    let registry = super::load_registry(search)?;
    let _watch = super::stall::watch(
        format!("cannot validate {}", args.file.pipeline.display()),
        "its `file:` inputs".into(),
    );
    match Pipeline::load_with(&args.file.pipeline, &registry, &args.file.changes(None)) {
        Ok(pipeline) => {
            print!("{}", pipeline.summary());
            if let Some(warning) = pipeline.space_warning() {
                eprintln!("{warning}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(errors) => {
            eprint!("{errors}");
            let count = errors.errors.len();
            let noun = if count == 1 { "problem" } else { "problems" };
            eprintln!(
                "error: {} is not a valid pipeline ({count} {noun})",
                args.file.pipeline.display()
            );
            Ok(ExitCode::FAILURE)
        }
    }
}
