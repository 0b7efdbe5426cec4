//! `macroscope plugins`: every usable plugin with its version, kind and origin,
//! then what went wrong loading the others.

use std::process::ExitCode;

use crate::registry::{Registry, SearchPath};

/// Arguments of this command.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: Args, search: &SearchPath) -> anyhow::Result<ExitCode> {
    let registry = super::load_registry(search)?;
    print!("{}", table(&registry));
    for line in warnings(&registry) {
        eprintln!("warning: {line}");
    }
    println!("\nSearched for plugin libraries in:");
    for dir in registry.searched_dirs() {
        let note = if dir.is_dir() { "" } else { " (not present)" };
        println!("  {}{note}", dir.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// The aligned table: name, version, kind, origin (`builtin` or the library path).
fn table(registry: &Registry) -> String {
    let rows: Vec<[String; 4]> = registry
        .plugins()
        .iter()
        .map(|p| {
            let d = &p.handle;
            [
                d.name().to_owned(),
                d.version().to_owned(),
                d.kind().to_string(),
                p.origin.to_string(),
            ]
        })
        .collect();
    let header = ["NAME", "VERSION", "KIND", "ORIGIN"].map(str::to_owned);
    let widths: Vec<usize> = (0..3)
        .map(|col| {
            std::iter::once(&header)
                .chain(&rows)
                .map(|r| r[col].len())
                .max()
                .unwrap_or(0)
        })
        .collect();
    std::iter::once(&header)
        .chain(&rows)
        .map(|r| {
            format!(
                "{:w0$}  {:w1$}  {:w2$}  {}\n",
                r[0],
                r[1],
                r[2],
                r[3],
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2]
            )
        })
        .collect()
}

/// One line per library that failed, name conflict, and skipped duplicate.
fn warnings(registry: &Registry) -> Vec<String> {
    let failures = registry.failures().map(|f| f.to_string());
    let conflicts = registry.conflicts().iter().map(|c| c.to_string());
    let duplicates = registry.duplicates().iter().map(|d| d.to_string());
    failures.chain(conflicts).chain(duplicates).collect()
}
