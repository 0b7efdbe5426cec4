//! Compatibility within ABI 2: a plugin built against the frozen 0.2.0 contract
//! (`tests/fixtures/compat/plugin-2.0`) and hosts built against a copy of the
//! contract grown as a later 0.2.x release would be
//! (`tests/fixtures/compat/host-grown`): an extra element type is loaded and
//! run; an extra descriptor field is refused by abi_stable's layout check.
//!
//! The crates cannot be workspace members (each copy is the package
//! `macroscope-plugin-api`), so they are built out of tree here, sharing one
//! target directory.

use std::path::{Path, PathBuf};
use std::process::Command;

/// `tests/fixtures/compat`.
fn compat_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/compat")
}

/// One target directory for every compat crate, beside this test's own.
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary has a path");
    // target/<profile>/deps/<test binary>
    exe.ancestors()
        .nth(3)
        .expect("test binaries live in target/<profile>/deps")
        .join("compat")
}

/// Builds the crate `name` of `tests/fixtures/compat` (debug profile) with `features`.
fn build(name: &str, features: &str) {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "build",
            "--quiet",
            "--features",
            features,
            "--manifest-path",
        ])
        .arg(compat_dir().join(name).join("Cargo.toml"))
        .arg("--target-dir")
        .arg(target_dir())
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "building {name} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The frozen plugin's library, built, and `grown-host` built with `features` run on it.
fn run_grown_host(features: &str) -> (PathBuf, std::process::Output) {
    build("plugin-2.0", "");
    build("grown-host", features);
    let debug = target_dir().join("debug");
    let library = debug.join(format!(
        "{}compat_plugin.{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_EXTENSION
    ));
    let output = Command::new(debug.join("grown-host"))
        .arg(&library)
        .output()
        .expect("grown-host runs");
    (library, output)
}

/// The two tests build the same crates with different features: one at a time.
static BUILDS: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn a_host_with_a_new_element_type_loads_and_runs_a_plugin_built_against_contract_2_0() {
    let _one_at_a_time = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let (_, output) = run_grown_host("");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "stdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        stdout,
        "grown element type: f16 (code 10)\n\
         plugin: compat-frame-sum 2.0.0\n\
         homepage: None\n\
         outputs: stream f64 []; dataset f64 [1]\n\
         port 0: Some([0.0])\n\
         port 0: Some([4.0])\n\
         port 0: Some([8.0])\n\
         port 1: Some([12.0])\n"
    );
}

/// abi_stable's layout check lets a library's prefix type have more fields
/// than the host's, not fewer: a host whose descriptor grew refuses libraries
/// built before the growth. docs/plugins.md ("Compatibility") states this.
#[test]
fn a_host_with_an_appended_descriptor_field_refuses_a_plugin_built_against_contract_2_0() {
    let _one_at_a_time = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let (library, output) = run_grown_host("descriptor-field");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        format!(
            "grown-host: {}: its plugin interface does not match this host's \
             (field `0`: too many fields, host expects `12`, library has `11`); \
             rebuild the plugin against macroscope-plugin-api 0.2\n",
            library.display()
        )
    );
}
