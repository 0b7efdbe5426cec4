//! The command line: parse arguments, then call one function per command.

mod figures;
mod inspect;
mod plugin_check;
mod plugins;
mod recover;
mod run;
mod show;
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

    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// One subcommand.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a pipeline and write its HDF5 file.
    Run(run::Args),
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
    init_logging();
    match dispatch(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    let search = SearchPath::from_env(&cli.plugin_path);
    match cli.command {
        Command::Run(args) => run::run(args, &search),
        Command::Validate(args) => validate::run(args, &search),
        Command::Plugins(args) => plugins::run(args, &search),
        Command::Inspect(args) => inspect::run(args, &search),
        Command::Plugin(PluginCommand::Check(args)) => plugin_check::run(args),
        Command::Show(args) => show::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Recover(args) => recover::run(args),
        Command::Figures(args) => figures::run(args),
    }
}

/// Loads the registry for commands that need plugins.
fn load_registry(search: &SearchPath) -> anyhow::Result<Registry> {
    Ok(Registry::load(search)?)
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("MACROSCOPE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}
