//! `macroscope plugin check LIBRARY`: the harness's conformance suite on a
//! built plugin library, one PASS/FAIL/SKIP line per check and plugin.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use macroscope_plugin_harness::conformance::{self, InputSize};
use macroscope_plugin_harness::PluginUnderTest;

/// Arguments of this command.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The built library file (`target/release/libmy_plugin.so`).
    pub library: PathBuf,

    /// Parameters (a JSON object) to configure each plugin with during the
    /// checks. Default: the first of the `examples` in the plugin's parameter
    /// schema (a plugin with required parameters declares one), else `{}`.
    #[arg(long, value_name = "JSON")]
    pub params: Option<String>,

    /// Frames of the synthetic camera stream and stimulus schedule (a
    /// multiple of 4: one sweep per direction).
    #[arg(long, value_name = "N", default_value_t = InputSize::STANDARD.frames())]
    pub frames: usize,

    /// Rows of each synthetic camera frame.
    #[arg(long, value_name = "H", default_value_t = InputSize::STANDARD.height())]
    pub height: usize,

    /// Columns of each synthetic camera frame.
    #[arg(long, value_name = "W", default_value_t = InputSize::STANDARD.width())]
    pub width: usize,
}

/// Runs the command: exit status 0 only when every check of every plugin passed.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let given: Option<serde_json::Value> = match &args.params {
        Some(text) => Some(
            serde_json::from_str(text).with_context(|| format!("--params is not JSON: {text}"))?,
        ),
        None => None,
    };
    let size = InputSize::new(args.frames, args.height, args.width).with_context(|| {
        format!(
            "--frames {} --height {} --width {}",
            args.frames, args.height, args.width
        )
    })?;
    let plugins = PluginUnderTest::load(&args.library)?;
    anyhow::ensure!(
        !plugins.is_empty(),
        "{}: the library exports no plugins",
        args.library.display()
    );
    let mut all_passed = true;
    for plugin in &plugins {
        let d = plugin.handle();
        println!(
            "{} {} from {} (synthetic inputs: {size})",
            d.name(),
            d.version(),
            args.library.display()
        );
        let params = match &given {
            Some(params) => params.clone(),
            None => {
                let (params, from_schema) = conformance::default_params(plugin);
                if from_schema {
                    println!("  parameters: {params} (the example in its parameter schema)");
                }
                params
            }
        };
        let report = conformance::check_probing_sized(plugin, params, size);
        for result in &report.results {
            println!("  {result}");
        }
        let failed: Vec<&str> = report.failed().map(|c| c.name()).collect();
        if failed.is_empty() {
            println!("  all checks passed\n");
        } else {
            println!(
                "  {} check(s) failed: {}\n",
                failed.len(),
                failed.join(", ")
            );
            all_passed = false;
        }
    }
    Ok(if all_passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
