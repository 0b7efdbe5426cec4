//! The command line: parse arguments, then call one function per command.

mod batch;
mod export;
mod figures;
mod inspect;
mod pipeline_file;
mod plugin_check;
mod plugins;
mod recover;
mod report;
mod run;
mod show;
mod stall;
mod validate;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::registry::{Registry, SearchPath};

/// Runs intrinsic-signal imaging pipelines and inspects their files.
#[derive(Debug, Parser)]
#[command(name = "macroscope", version, about)]
pub struct Cli {
    /// Extra directories to search for plugin libraries (before MACROSCOPE_PLUGIN_PATH).
    #[arg(long = "plugin-path", global = true, value_name = "DIR")]
    pub plugin_path: Vec<PathBuf>,

    /// Only warnings and errors: no progress, no informational log lines.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// More log lines (`-v` debug, `-vv` trace).
    #[arg(long, short, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// One subcommand.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a pipeline and write its HDF5 file.
    Run(run::Args),
    /// Run a pipeline once per session ({session} in its file), here or as a
    /// Slurm job array, skipping sessions already complete.
    Batch(batch::Args),
    /// Check a pipeline without running it and print its DAG.
    Validate(validate::Args),
    /// List available plugins.
    Plugins(plugins::Args),
    /// Describe one plugin: ports, parameters, defaults.
    Inspect(inspect::Args),
    /// Plugin-author tools.
    #[command(subcommand)]
    Plugin(PluginCommand),
    /// Show the tree of an output file with provenance.
    Show(show::Args),
    /// Recompute every content hash of a file.
    Verify(verify::Args),
    /// Turn a killed run's `.partial` file into a readable file marked `interrupted`.
    Recover(recover::Args),
    /// Write PNG figures of the retinotopic maps in a file.
    Figures(figures::Args),
    /// Write a run's report: one self-contained HTML page (maps, quality checks, warnings, parameters).
    Report(report::Args),
    /// Write a run in another format for sharing (`export nwb RUN.h5`).
    #[command(subcommand)]
    Export(export::Command),
}

/// `macroscope plugin ...`
#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Run the conformance suite on a built plugin library.
    Check(plugin_check::Args),
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(log_level(&cli));
    match dispatch(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {}", said_once(&err));
            ExitCode::FAILURE
        }
    }
}

/// An error and its causes joined by `: `, each reason said once: a cause
/// is left out when the text before it already ends with it (as when a
/// message embeds its source, `the storage sink failed: {0}`).
fn said_once(err: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in err.chain().map(ToString::to_string) {
        if text.is_empty() {
            text = cause;
        } else if !text.ends_with(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}

fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    let search = SearchPath::from_env(&cli.plugin_path);
    match cli.command {
        Command::Run(args) => run::run(args, &search, cli.quiet),
        Command::Batch(args) => batch::run(args, &search, &cli.plugin_path),
        Command::Validate(args) => validate::run(args, &search),
        Command::Plugins(args) => plugins::run(args, &search),
        Command::Inspect(args) => inspect::run(args, &search),
        Command::Plugin(PluginCommand::Check(args)) => plugin_check::run(args),
        Command::Show(args) => show::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Recover(args) => recover::run(args),
        Command::Figures(args) => figures::run(args),
        Command::Report(args) => report::run(args),
        Command::Export(command) => export::run(command),
    }
}

/// Loads the registry for commands that need plugins.
fn load_registry(search: &SearchPath) -> anyhow::Result<Registry> {
    Ok(Registry::load(search)?)
}

/// The log filter `-q`/`-v` ask for; `None` leaves it to the environment.
fn log_level(cli: &Cli) -> Option<&'static str> {
    match (cli.quiet, cli.verbose) {
        (true, _) => Some("warn"),
        (false, 0) => None,
        (false, 1) => Some("debug"),
        (false, _) => Some("trace"),
    }
}

/// Log lines on stderr: the level `-q`/`-v` chose, else `MACROSCOPE_LOG`, else
/// `RUST_LOG`, else `info`; colours only on a terminal.
fn init_logging(level: Option<&str>) {
    use std::io::IsTerminal;
    use tracing_subscriber::EnvFilter;
    let filter = match level {
        Some(level) => EnvFilter::new(level),
        None => EnvFilter::try_from_env("MACROSCOPE_LOG")
            .or_else(|_| EnvFilter::try_from_default_env())
            .unwrap_or_else(|_| EnvFilter::new("info")),
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .init();
}

#[cfg(test)]
mod tests {
    use super::said_once;
    use crate::runtime::RunError;
    use crate::store::StoreError;

    #[test]
    fn a_reason_every_message_of_the_chain_embeds_is_said_once() {
        let denied = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "Access denied.");
        let sink = StoreError::io("runs/demo.h5".as_ref(), "syncing to disk", denied);
        let err = anyhow::Error::from(RunError::Sink(sink));
        assert_eq!(
            said_once(&err),
            "the storage sink failed: runs/demo.h5: syncing to disk: Access denied."
        );
    }

    #[test]
    fn context_that_does_not_repeat_its_cause_keeps_it() {
        let err = anyhow::anyhow!("no such file").context("reading pipelines/demo.toml");
        assert_eq!(said_once(&err), "reading pipelines/demo.toml: no such file");
    }
}
