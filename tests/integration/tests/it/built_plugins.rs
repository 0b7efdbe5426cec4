//! Builds the plugin libraries with the cargo that runs these tests (same target directory and profile, so nothing is built
//! twice), once per test run, and lays library files out in temporary
//! plugin directories.

use macroscope_integration::child;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use tempfile::TempDir;

/// The example analysis plugin (a `cdylib` + `rlib` crate).
pub const EXAMPLE: &str = "example-frame-stats";
/// The fixture that fails conformance checks on purpose.
pub const BROKEN: &str = "fixture-broken";
/// The fixture that claims the next plugin ABI.
pub const ABI_FUTURE: &str = "fixture-abi-future";

/// `target/<profile>`, where cargo put this test binary's dependencies.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary has a path");
    // target/<profile>/deps/<test binary>
    exe.parent()
        .and_then(Path::parent)
        .expect("test binaries live in target/<profile>/deps")
        .to_owned()
}

/// Builds the three plugin crates (once), returning `target/<profile>`.
///
/// A `cdylib` cannot be a dependency of this package, so Cargo does not build
/// them for the tests; this nested build does, as the tests start.
///
/// The host library is in the build not to be used but so that features
/// unify as in the workspace's own build (the host turns on features of
/// `abi_stable`, `serde_json` and others that the plugins share). Without it
/// the plugin crates would be built again with other features, and as a
/// `cdylib` crate's files carry no hash in their names, the new
/// `libexample_frame_stats.rlib` would replace the workspace's: the harness
/// doc test, linked against it afterwards, then fails to compile.
pub fn built() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let profile_dir = profile_dir();
        let target_dir = profile_dir.parent().expect("a profile dir has a parent");
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut command = child::command(cargo);
        command
            .current_dir(&workspace)
            .args([
                "build",
                "--quiet",
                "--lib",
                "-p",
                EXAMPLE,
                "-p",
                BROKEN,
                "-p",
                ABI_FUTURE,
                "-p",
                "macroscope",
            ])
            .arg("--target-dir")
            .arg(target_dir);
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            command.arg("--release");
        }
        let output = command.output().expect("cargo runs");
        assert!(
            output.status.success(),
            "building the plugin libraries failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        profile_dir
    })
}

/// The built library file of crate `name`.
pub fn library(name: &str) -> PathBuf {
    built().join(format!(
        "{}{}{}",
        std::env::consts::DLL_PREFIX,
        name.replace('-', "_"),
        std::env::consts::DLL_SUFFIX
    ))
}

/// A fresh directory holding copies of the libraries of `crates`.
pub fn plugin_dir(crates: &[&str]) -> TempDir {
    let dir = tempfile::tempdir().expect("a temp dir");
    for name in crates {
        let source = library(name);
        let copy = dir
            .path()
            .join(source.file_name().expect("a library file name"));
        std::fs::copy(&source, &copy)
            .unwrap_or_else(|e| panic!("copying {}: {e}", source.display()));
    }
    dir
}

/// The path of crate `name`'s library inside `dir`.
pub fn copied(dir: &TempDir, name: &str) -> PathBuf {
    dir.path()
        .join(library(name).file_name().expect("a library file name"))
}
