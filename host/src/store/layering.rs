//! The store sits below the pipeline, the runtime and the commands: data flows
//! pipeline → runtime → store, and the store reaches up to none of them (nor
//! to the exports, which read the files it wrote).
//! This test reads the store's own sources so a `use` that breaks that fails
//! `cargo test`.

use std::path::Path;

/// Modules the store must not name.
const ABOVE_THE_STORE: [&str; 7] = [
    "pipeline", "runtime", "cli", "figures", "evaluate", "export", "report",
];

/// Every module named right after `crate::` in `source`, including each
/// member of a `crate::{a, b::c}` group.
fn crate_modules(source: &str) -> Vec<String> {
    let mut named = Vec::new();
    for (at, _) in source.match_indices("crate::") {
        let rest = &source[at + "crate::".len()..];
        let members = match rest.strip_prefix('{') {
            Some(group) => group.split('}').next().unwrap_or(""),
            None => rest,
        };
        for member in members.split(',') {
            let module: String = member
                .trim()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            named.push(module);
            if !rest.starts_with('{') {
                break;
            }
        }
    }
    named
}

/// Every `.rs` file under `dir` with its text, but this one (its examples
/// name the modules above the store on purpose).
fn store_sources(dir: &Path, found: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).expect("the store's sources are readable") {
        let path = entry.expect("a directory entry").path();
        if path.file_name().is_some_and(|name| name == "layering.rs") {
            continue;
        }
        if path.is_dir() {
            store_sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).expect("a source file is text");
            found.push((path.display().to_string(), text));
        }
    }
}

#[test]
fn the_store_imports_nothing_from_the_modules_above_it() {
    let mut sources = Vec::new();
    store_sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store"),
        &mut sources,
    );
    assert!(sources.len() > 20, "found the store's sources");
    let reaching_up: Vec<String> = sources
        .iter()
        .flat_map(|(file, text)| {
            crate_modules(text)
                .into_iter()
                .filter(|m| ABOVE_THE_STORE.contains(&m.as_str()))
                .map(move |m| format!("{file}: crate::{m}"))
        })
        .collect();
    assert_eq!(reaching_up, Vec::<String>::new());
}

#[test]
fn grouped_and_nested_crate_paths_are_all_seen() {
    // Built with `format!` so grepping the store for these paths finds nothing.
    let source = format!(
        "use crate::{{item::SharedItem, {}}};\nx = crate::{}::run();",
        "pipeline", "runtime"
    );
    assert_eq!(crate_modules(&source), ["item", "pipeline", "runtime"]);
}
