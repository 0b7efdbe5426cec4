//! Build-time facts the host needs.
//!
//! - `MACROSCOPE_BUILTIN_CODE`, the code identity of the plugins built into
//!   the host: the SHA-256 of the sources of every workspace crate the host
//!   links (its path dependencies, transitively: the plugin contract, the
//!   built-in plugins and what they use), of `Cargo.lock` (the exact version of
//!   every other dependency) and of the compiler's version and target. A
//!   built-in stage's store key includes it, so a change to a built-in
//!   plugin's code makes its stage run again; an unchanged rebuild gives the
//!   same id, and a change to the host alone (command line, sink) does not
//!   throw away stored outputs.
//! - The link settings that the static HDF5 needs and does not declare itself.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

use sha2::{Digest, Sha256};

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    builtin_code();
    link_windows_libraries();
}

/// Sets `MACROSCOPE_BUILTIN_CODE` (see the module documentation).
fn builtin_code() {
    let host =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let workspace = host
        .parent()
        .expect("the host crate sits in the workspace")
        .to_owned();
    let workspace_manifest = read_toml(&workspace.join("Cargo.toml"));
    let crates = linked_workspace_crates(&workspace, &workspace_manifest, &host);

    let mut hasher = Sha256::new();
    for dir in &crates {
        for file in std::iter::once(dir.join("Cargo.toml")).chain(files_under(&dir.join("src"))) {
            let bytes =
                fs::read(&file).unwrap_or_else(|e| panic!("reading {}: {e}", file.display()));
            let name = file
                .strip_prefix(&workspace)
                .unwrap_or(&file)
                .to_string_lossy()
                .replace('\\', "/"); // the same identity whichever system built it
            hasher.update((name.len() as u64).to_le_bytes());
            hasher.update(name.as_bytes());
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(&bytes);
        }
        println!(
            "cargo::rerun-if-changed={}",
            dir.join("Cargo.toml").display()
        );
        println!("cargo::rerun-if-changed={}", dir.join("src").display());
    }
    for shared in ["Cargo.toml", "Cargo.lock"] {
        let path = workspace.join(shared);
        hasher.update(fs::read(&path).unwrap_or_default());
        println!("cargo::rerun-if-changed={}", path.display());
    }
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = Command::new(rustc)
        .arg("-vV")
        .output()
        .map(|o| o.stdout)
        .unwrap_or_default();
    hasher.update(&version);
    hasher.update(env::var("TARGET").unwrap_or_default());
    println!(
        "cargo::rustc-env=MACROSCOPE_BUILTIN_CODE={}",
        hex::encode(hasher.finalize())
    );
}

/// HDF5's H5system.c calls `StrStrIA` (shlwapi) on Windows.
fn link_windows_libraries() {
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("windows") {
        return;
    }
    if std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("msvc") {
        println!("cargo::rustc-link-lib=shlwapi");
    } else {
        // GNU ld looks for what a static library needs only in the libraries
        // after it: a link argument comes last, after the static HDF5.
        println!("cargo::rustc-link-arg=-lshlwapi");
    }
}

fn read_toml(path: &Path) -> toml::Table {
    let text =
        fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    text.parse()
        .unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()))
}

/// The directories of the workspace crates `root` depends on (`[dependencies]`, transitively), sorted.
fn linked_workspace_crates(
    workspace: &Path,
    manifest: &toml::Table,
    root: &Path,
) -> BTreeSet<PathBuf> {
    let shared = manifest
        .get("workspace")
        .and_then(|w| w.get("dependencies"))
        .and_then(toml::Value::as_table);
    let mut found = BTreeSet::new();
    let mut todo = vec![root.to_owned()];
    while let Some(dir) = todo.pop() {
        let crate_manifest = read_toml(&dir.join("Cargo.toml"));
        let dependencies = crate_manifest
            .get("dependencies")
            .and_then(toml::Value::as_table);
        for (name, spec) in dependencies.into_iter().flatten() {
            let path = if spec.get("workspace").and_then(toml::Value::as_bool) == Some(true) {
                shared
                    .and_then(|s| s.get(name))
                    .and_then(|s| s.get("path"))
                    .and_then(toml::Value::as_str)
                    .map(|p| workspace.join(p))
            } else {
                spec.get("path")
                    .and_then(toml::Value::as_str)
                    .map(|p| dir.join(p))
            };
            if let Some(path) = path {
                if found.insert(path.clone()) {
                    todo.push(path);
                }
            }
        }
    }
    found
}

/// Every file under `dir`, sorted.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(dir) = todo.pop() {
        for entry in fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                todo.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}
