//! Compatibility within ABI 2: a plugin built against the frozen 0.2.0 contract
//! (`tests/fixtures/compat/plugin-2.0`) and hosts built against a copy of the
//! contract grown as a later 0.2.x release would be
//! (`tests/fixtures/compat/host-grown`): with an extra element type, and with
//! an extra descriptor field (read through the frozen 0.2.0 layout the grown
//! contract keeps), the plugin is loaded and run.
//!
//! This release's own contract grew too (0.2.1: `take_warnings`; 0.2.2:
//! `set_run_clock`), so the frozen plugin, and the same plugin built against
//! the frozen 0.2.1 contract (`tests/fixtures/compat/plugin-2.1`), are also
//! loaded and run by today's host, reporting no warnings.
//!
//! The crates cannot be workspace members (each copy is the package
//! `macroscope-plugin-api`), so they are built out of tree here, sharing one
//! target directory.

use macroscope_integration::child;
use std::path::{Path, PathBuf};

use macroscope_plugin_api::{ElementType, InputPort, PortSpec};
use macroscope_plugin_harness::{OwnedItem, PluginUnderTest};

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
    let output = child::command(cargo)
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

/// The frozen plugin's library, built.
fn frozen_plugin() -> PathBuf {
    built_library("plugin-2.0", "compat_plugin")
}

/// The crate `name` of `tests/fixtures/compat`, built; its library `library`.
fn built_library(name: &str, library: &str) -> PathBuf {
    build(name, "");
    target_dir().join("debug").join(format!(
        "{}{library}.{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_EXTENSION
    ))
}

/// The frozen plugin's library, built, and `grown-host` built with `features` run on it.
fn run_grown_host(features: &str) -> std::process::Output {
    let library = frozen_plugin();
    build("grown-host", features);
    child::command(target_dir().join("debug").join("grown-host"))
        .arg(&library)
        .output()
        .expect("grown-host runs")
}

/// The two tests build the same crates with different features: one at a time.
static BUILDS: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// What `grown-host` prints for the frozen plugin: the new element type, the
/// plugin, its new descriptor field read as absent, its declared ports, and
/// the sums of three 2 x 2 frames of 0, 1 and 2 (three stream items and the
/// dataset emitted at `finish`).
const RAN_THE_FROZEN_PLUGIN: &str = "grown element type: f16 (code 10)\n\
     plugin: compat-frame-sum 2.0.0\n\
     homepage: None\n\
     outputs: stream f64 []; dataset f64 [1]\n\
     port 0: Some([0.0])\n\
     port 0: Some([4.0])\n\
     port 0: Some([8.0])\n\
     port 1: Some([12.0])\n";

/// Asserts that `grown-host` built with `features` ran the frozen plugin.
fn assert_runs_the_frozen_plugin(features: &str) {
    let _one_at_a_time = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let output = run_grown_host(features);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "stdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(stdout, RAN_THE_FROZEN_PLUGIN);
}

#[test]
fn a_host_with_a_new_element_type_loads_and_runs_a_plugin_built_against_contract_2_0() {
    assert_runs_the_frozen_plugin("");
}

/// abi_stable refuses a library whose prefix type has fewer fields than the
/// host's; the grown contract falls back to the 0.2.0 layout it keeps frozen.
#[test]
fn a_host_with_an_appended_descriptor_field_loads_and_runs_a_plugin_built_against_contract_2_0() {
    assert_runs_the_frozen_plugin("descriptor-field");
}

/// Today's contract appended `take_warnings` to the descriptor: it reads the
/// frozen plugin through the 0.2.0 layout it keeps (`ffi_2_0`).
#[test]
fn this_host_loads_and_runs_a_plugin_built_against_contract_2_0_which_reports_no_warnings() {
    let library = {
        let _one_at_a_time = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
        frozen_plugin()
    };
    assert_runs_in_this_host(&library, "2.0.0");
}

/// Today's contract appended `set_run_clock` after 0.2.1's `take_warnings`: it
/// reads a library built against 0.2.1 through the layout it keeps (`ffi_2_1`).
#[test]
fn this_host_loads_and_runs_a_plugin_built_against_contract_2_1() {
    let library = {
        let _one_at_a_time = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
        built_library("plugin-2.1", "compat_plugin_2_1")
    };
    assert_runs_in_this_host(&library, "2.1.0");
}

/// Today's host (through the test harness, which tells the stage a run clock)
/// loads `library`, finds `compat-frame-sum` at `version`, runs three 2 x 2
/// frames of 0, 1 and 2 through it and gets their sums, and no warnings.
fn assert_runs_in_this_host(library: &Path, version: &str) {
    let plugins = PluginUnderTest::load(library).unwrap();
    let [plugin] = plugins.as_slice() else {
        panic!("expected one plugin, got {}", plugins.len())
    };
    assert_eq!(
        (plugin.name(), plugin.handle().version()),
        ("compat-frame-sum", version)
    );
    let frames = InputPort {
        source: "camera.frames".into(),
        spec: PortSpec::stream("frames", ElementType::U16, &[2, 2]),
    };
    let mut stage = plugin.start_for(&serde_json::json!({}), &[frames]).unwrap();
    let mut sums = Vec::new();
    for frame in 0..3u16 {
        let item = OwnedItem::new(vec![frame; 4], &[2, 2], vec![]);
        sums.extend(stage.receive(0, &item).unwrap());
    }
    sums.extend(stage.finish().unwrap());
    let sums: Vec<(u32, Vec<f64>)> = sums
        .iter()
        .map(|e| (e.port, e.data.as_slice::<f64>().unwrap().to_vec()))
        .collect();
    assert_eq!(
        sums,
        [
            (0, vec![0.0]),
            (0, vec![4.0]),
            (0, vec![8.0]),
            (1, vec![12.0])
        ]
    );
    assert_eq!(stage.warnings(), Vec::<String>::new());
}
