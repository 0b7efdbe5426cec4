//! `macroscope run` end to end with a third-party plugin library: its outputs
//! land in the run file with the right values, and its panic fails the run
//! cleanly, naming the stage and the plugin, with everything before it kept; a library rebuilt with
//! other code but the same version is run again, not served the old outputs from the store.

use std::path::{Path, PathBuf};
use std::process::Output;

use sha2::{Digest, Sha256};

use crate::built_plugins::{copied, plugin_dir, EXAMPLE};
use crate::pipeline_files::{write_pipeline, SHORT_RECORDING};
use crate::run_file::{stage_group, status, text_attr};

/// The short recording, then `example-frame-stats` with `stats_params`, as
/// `dir/stats.toml` writing `dir/stats.h5`.
fn pipeline(dir: &Path, stats_params: &str) -> PathBuf {
    let stats = format!(
        "{SHORT_RECORDING}\n[stages.stats]\nplugin = \"example-frame-stats\"\ninputs = [\"camera.frames\"]\nparams = {stats_params}\n"
    );
    write_pipeline(dir, "stats", &stats)
}

/// Runs `macroscope run PIPELINE` with the plugin libraries in `plugins`.
fn run(pipeline: &Path, plugins: &Path) -> Output {
    crate::cli::macroscope()
        .args(["run", "--quiet", "--no-figures"])
        .arg(pipeline)
        .arg("--plugin-path")
        .arg(plugins)
        .output()
        .expect("the macroscope binary runs")
}

/// Runs `macroscope run PIPELINE --output OUTPUT` with the plugin libraries in `plugins`; it must succeed.
fn run_into(pipeline: &Path, plugins: &Path, output: &Path) -> hdf5::File {
    let ran = crate::cli::macroscope()
        .args(["run", "--quiet", "--no-figures"])
        .arg(pipeline)
        .arg("--plugin-path")
        .arg(plugins)
        .arg("--output")
        .arg(output)
        .output()
        .expect("the macroscope binary runs");
    assert!(
        ran.status.success(),
        "{}",
        String::from_utf8_lossy(&ran.stderr)
    );
    hdf5::File::open(output).unwrap()
}

/// Whether stage `stage` under `root` was reused from the store, and the `plugin_code` its data records.
fn reuse_and_code(file: &hdf5::File, root: &str, stage: &str, dataset: &str) -> (u8, String) {
    let group = stage_group(file, root, stage);
    let reused = group.attr("reused").unwrap().read_scalar::<u8>().unwrap();
    (
        reused,
        text_attr(&group.dataset(dataset).unwrap(), "plugin_code"),
    )
}

#[test]
fn a_library_plugin_runs_in_a_pipeline_and_its_stats_match_the_stored_frames() {
    let work = tempfile::tempdir().unwrap();
    let plugins = plugin_dir(&[EXAMPLE]);
    let output = run(&pipeline(work.path(), "{}"), plugins.path());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let file = hdf5::File::open(work.path().join("stats.h5")).unwrap();
    assert_eq!(status(&file), "complete");
    let frames = stage_group(&file, "acquisitions", "camera")
        .dataset("frames")
        .unwrap()
        .read_dyn::<u16>()
        .unwrap();
    let stats = stage_group(&file, "analysis", "stats")
        .dataset("stats")
        .unwrap()
        .read_2d::<f64>()
        .unwrap();
    let n = frames.shape()[0];
    assert!(
        n > 10,
        "a 1-sweep run at 5 frames/s has more than 10 frames, got {n}"
    );
    assert_eq!(stats.nrows(), n, "one stats row per stored frame");
    for (i, row) in stats.rows().into_iter().enumerate() {
        let frame: Vec<f64> = frames
            .index_axis(ndarray::Axis(0), i)
            .iter()
            .map(|&v| f64::from(v))
            .collect();
        let mean = frame.iter().sum::<f64>() / frame.len() as f64;
        let min = frame.iter().copied().fold(f64::INFINITY, f64::min);
        let max = frame.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        assert!(
            (row[0] - mean).abs() < 1e-9,
            "frame {i}: mean {} vs {mean}",
            row[0]
        );
        assert_eq!((row[1], row[2]), (min, max), "frame {i}: min/max");
    }
}

#[test]
fn a_plugin_panicking_mid_run_fails_the_run_naming_stage_and_plugin_and_keeps_earlier_data() {
    let work = tempfile::tempdir().unwrap();
    let plugins = plugin_dir(&[EXAMPLE]);
    let output = run(
        &pipeline(work.path(), "{ panic_at_frame = 5 }"),
        plugins.path(),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);

    assert_eq!(
        output.status.code(),
        Some(1),
        "a clean failure exit, not an abort: {stderr}"
    );
    assert!(
        stderr.contains("stage `stats` (plugin `example-frame-stats`) failed"),
        "names stage and plugin: {stderr}"
    );
    assert!(stderr.contains("panicked"), "says it panicked: {stderr}");

    let file = hdf5::File::open(work.path().join("stats.h5")).unwrap();
    assert_eq!(status(&file), "failed");
    let error = crate::run_file::text_attr(&file, "error");
    assert!(
        error.starts_with("stage `stats` (plugin `example-frame-stats`) failed: ")
            && error.contains("panicked"),
        "the root `error` keeps the stage's message: {error:?}"
    );
    let stats = stage_group(&file, "analysis", "stats")
        .dataset("stats")
        .unwrap();
    assert_eq!(
        stats.shape()[0],
        5,
        "the five rows made before the panic are kept"
    );
}

#[test]
fn a_library_rebuilt_with_other_code_but_the_same_version_runs_again_instead_of_being_reused() {
    let work = tempfile::tempdir().unwrap();
    let pipeline = pipeline(work.path(), "{}");
    let original = plugin_dir(&[EXAMPLE]);
    let first = run_into(&pipeline, original.path(), &work.path().join("first.h5"));
    // What a rebuild with changed code is to the host: the same plugin name and version in a file
    // with other bytes (here bytes appended after the library's end, which the loader ignores).
    let rebuilt = plugin_dir(&[EXAMPLE]);
    let library = copied(&rebuilt, EXAMPLE);
    let mut bytes = std::fs::read(&library).unwrap();
    bytes.extend_from_slice(b"rebuilt with a fix");
    std::fs::write(&library, &bytes).unwrap();
    let second = run_into(&pipeline, rebuilt.path(), &work.path().join("second.h5"));
    let again = run_into(&pipeline, original.path(), &work.path().join("again.h5"));

    let sha256 = |path: &Path| hex::encode(Sha256::digest(std::fs::read(path).unwrap()));
    let original_code = sha256(&copied(&original, EXAMPLE));
    let rebuilt_code = sha256(&library);
    assert_ne!(original_code, rebuilt_code);
    let stats = |file: &hdf5::File| reuse_and_code(file, "analysis", "stats", "stats");
    assert_eq!(stats(&first), (0, original_code.clone()));
    assert_eq!(
        stats(&second),
        (0, rebuilt_code),
        "the rebuilt library's stage runs again and records its code"
    );
    assert_eq!(
        stats(&again),
        (1, original_code),
        "the original library's outputs are still reused"
    );
    let camera = reuse_and_code(&second, "acquisitions", "camera", "frames");
    assert_eq!(
        camera,
        (1, macroscope::registry::BUILTIN_CODE_SHA256.to_owned()),
        "the built-in camera, unchanged, is reused"
    );
}
