//! The pipeline file argument of `run` and `validate`, with the changes the
//! command line may make to it (`--set`, `--var`).

use std::path::PathBuf;

use crate::pipeline::{Changes, Overrides, Set, Var};

/// A pipeline file and the command line's changes to it.
#[derive(Debug, clap::Args)]
pub struct PipelineFile {
    /// The pipeline file (TOML).
    pub pipeline: PathBuf,
    /// Set a stage parameter, replacing the file's value: `STAGE.PARAM=VALUE`,
    /// VALUE in TOML (`50`, `true`, `["LR", "RL"]`) or else taken as text.
    /// Repeatable; recorded with the pipeline in the run file.
    #[arg(long = "set", value_name = "STAGE.PARAM=VALUE", value_parser = Set::parse)]
    pub sets: Vec<Set>,
    /// Fill the file's `{NAME}` placeholders (in `file:` inputs, `output`,
    /// `store`, text parameters): `NAME=VALUE`, e.g. `session=m042`.
    /// Repeatable; recorded with the pipeline in the run file.
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = Var::parse)]
    pub vars: Vec<Var>,
}

impl PipelineFile {
    /// The changes to apply, writing `output` instead of the file's when given.
    pub fn changes(&self, output: Option<PathBuf>) -> Changes {
        Changes {
            output,
            overrides: Overrides {
                sets: self.sets.clone(),
                vars: self.vars.clone(),
            },
        }
    }
}
