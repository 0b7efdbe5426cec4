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
    use crate::readable::{columns, Align::Left};
    columns(
        ["NAME", "VERSION", "KIND", "ORIGIN"],
        [Left, Left, Left, Left],
        &rows,
    )
}

/// One line per library that failed, name conflict, and skipped duplicate.
fn warnings(registry: &Registry) -> Vec<String> {
    let failures = registry.failures().map(|f| f.to_string());
    let conflicts = registry.conflicts().iter().map(|c| c.to_string());
    let duplicates = registry.duplicates().iter().map(|d| d.to_string());
    failures.chain(conflicts).chain(duplicates).collect()
}
