//! `macroscope validate` on the fixtures in `tests/fixtures/pipelines/`: each
//! bad pipeline exits 1 and prints its located message; the good one exits 0
//! and prints its DAG.

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("host/ sits in the workspace")
        .to_path_buf()
}

/// What one run of the binary did.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `macroscope [--plugin-path DIR] validate tests/fixtures/pipelines/FIXTURE`
/// from the workspace root, with no plugin directories from the environment.
fn validate(fixture: &str, plugin_dir: Option<&Path>) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_macroscope"));
    command
        .current_dir(workspace_root())
        .env_remove("MACROSCOPE_PLUGIN_PATH")
        .env("XDG_DATA_HOME", workspace_root().join("target/no-xdg-data"));
    if let Some(dir) = plugin_dir {
        command.arg("--plugin-path").arg(dir);
    }
    let output = command
        .arg("validate")
        .arg(format!("tests/fixtures/pipelines/{fixture}"))
        .output()
        .expect("macroscope runs");
    Run {
        code: output.status.code().expect("macroscope exited by itself"),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    }
}

/// Asserts that validating `fixture` fails (exit 1) and prints every block of
/// `expected` word for word; returns the run.
fn assert_reports(fixture: &str, plugin_dir: Option<&Path>, expected: &[&str]) -> Run {
    let run = validate(fixture, plugin_dir);
    assert_eq!(run.code, 1, "exit status; stderr:\n{}", run.stderr);
    for block in expected {
        assert!(
            run.stderr.contains(block),
            "expected\n{block}\nin stderr:\n{}",
            run.stderr
        );
    }
    run
}

#[test]
fn syntax_error() {
    let run = assert_reports(
        "bad/syntax.toml",
        None,
        &["tests/fixtures/pipelines/bad/syntax.toml:6:17: error: TOML syntax error: unclosed table, expected `]`\n \
           6 | [stages.stimulus\n   \
             |                 ^\n"],
    );
    assert!(run.stderr.ends_with(
        "error: tests/fixtures/pipelines/bad/syntax.toml is not a valid pipeline (1 problem)\n"
    ));
}

#[test]
fn unknown_key() {
    assert_reports(
        "bad/unknown_key.toml",
        None,
        &["tests/fixtures/pipelines/bad/unknown_key.toml:11:1: error: unknown key `input` in [stages.camera]\n \
           11 | input = [\"stimulus.schedule\"]\n    \
              | ^^^^^\n  \
           help: did you mean `inputs`? allowed keys here: plugin, inputs, params\n"],
    );
}

#[test]
fn a_bad_session_value_is_located_at_it() {
    let run = assert_reports(
        "bad/session_values.toml",
        None,
        &["tests/fixtures/pipelines/bad/session_values.toml:8:7: error: [session]: `sex` must be one of `M`, `F`, \
           `U`, `O` (NWB's codes for male, female, unknown, other), found `male`\n \
           8 | sex = \"male\"\n   \
             |       ^^^^^^\n"],
    );
    assert!(run.stderr.contains("(1 problem)"), "{}", run.stderr);
}

#[test]
fn unknown_input_stage() {
    assert_reports(
        "bad/unknown_input_stage.toml",
        None,
        &["tests/fixtures/pipelines/bad/unknown_input_stage.toml:11:11: error: stage `camera`: input `stimulos.schedule` \
           names stage `stimulos`, which does not exist\n \
           11 | inputs = [\"stimulos.schedule\"]\n    \
              |           ^^^^^^^^^^^^^^^^^^^\n  \
           help: did you mean `stimulus`? stages in this pipeline: stimulus, camera\n"],
    );
}

#[test]
fn missing_input_file() {
    assert_reports(
        "bad/missing_input_file.toml",
        None,
        &[
            "tests/fixtures/pipelines/bad/missing_input_file.toml:8:11: error: stage `retinotopy`: input \
             `file:allen/maps.h5#/azimuth_deg`: file `tests/fixtures/pipelines/bad/allen/maps.h5` does not exist\n",
            "tests/fixtures/pipelines/bad/missing_input_file.toml:8:46: error: stage `retinotopy`: input \
             `file:allen/maps.h5#/altitude_deg`: file `tests/fixtures/pipelines/bad/allen/maps.h5` does not exist\n",
            "  help: `file:` paths are relative to the pipeline file's directory\n",
        ],
    );
}

#[test]
fn cycle() {
    assert_reports(
        "bad/cycle.toml",
        None,
        &["tests/fixtures/pipelines/bad/cycle.toml:15:11: error: stages form a cycle: camera -> maps -> retinotopy -> camera\n \
           15 | inputs = [\"camera.frames\", \"stimulus.schedule\"]\n    \
              |           ^^^^^^^^^^^^^^^\n  \
           help: a stage cannot consume its own output, directly or through other stages: remove one of these inputs\n"],
    );
}

#[test]
fn unknown_plugin() {
    let run = assert_reports(
        "bad/unknown_plugin.toml",
        Some(Path::new("tests/fixtures/pipelines")),
        &[
            "tests/fixtures/pipelines/bad/unknown_plugin.toml:7:10: error: stage `stimulus`: unknown plugin `drifting-bars`\n \
             7 | plugin = \"drifting-bars\"\n   \
               |          ^^^^^^^^^^^^^^^\n  \
             help: did you mean `drifting-bar`? available plugins: drifting-bar 0.1.0, fourier-maps 0.1.0, \
             movie-file 0.1.0, retinotopy 0.1.0, stimulus-log 0.1.0, synthetic-cortex 0.1.0; plugin libraries were searched for in: tests/fixtures/pipelines",
            "(add a directory with --plugin-path or MACROSCOPE_PLUGIN_PATH)\n",
        ],
    );
    assert!(run.stderr.ends_with("(1 problem)\n"), "{}", run.stderr);
}

#[test]
fn missing_output_directory() {
    let run = assert_reports(
        "bad/missing_output_dir.toml",
        None,
        &["tests/fixtures/pipelines/bad/missing_output_dir.toml:4:10: error: output `no-such-dir/run.h5`: \
           directory `no-such-dir` does not exist\n \
           4 | output = \"no-such-dir/run.h5\"\n   \
             |          ^^^^^^^^^^^^^^^^^^^^\n  \
           help: create `no-such-dir` first, or write `output` in a directory that exists: `run` does not create \
           directories, and relative paths start at the current directory\n"],
    );
    assert!(run.stderr.ends_with("(1 problem)\n"), "{}", run.stderr);
}

#[test]
fn unknown_input_port() {
    assert_reports(
        "bad/unknown_input_port.toml",
        None,
        &[
            "tests/fixtures/pipelines/bad/unknown_input_port.toml:11:11: error: stage `camera`: input `stimulus.schedul`: \
             stage `stimulus` (plugin `drifting-bar`) has no output `schedul`\n \
             11 | inputs = [\"stimulus.schedul\"]\n    \
                |           ^^^^^^^^^^^^^^^^^^\n  \
             help: did you mean `schedule`? outputs of `stimulus`: ",
        ],
    );
}

#[test]
fn type_mismatch() {
    assert_reports(
        "bad/type_mismatch.toml",
        None,
        &[
            "tests/fixtures/pipelines/bad/type_mismatch.toml:17:11: error: stage `retinotopy`: plugin `retinotopy` \
             rejected input `camera.frames` (stream u16 [160, 160]): ",
            " 17 | inputs = [\"camera.frames\"]\n    \
                |           ^^^^^^^^^^^^^^^\n  \
             help: connect an output of the kind, element type and shape `retinotopy` takes \
             (`macroscope inspect retinotopy` describes its inputs)\n",
        ],
    );
}

#[test]
fn a_parameter_the_plugin_refuses_is_located_at_it_with_its_range() {
    let run = assert_reports(
        "bad/negative_sigma.toml",
        None,
        &[concat!(
            "tests/fixtures/pipelines/bad/negative_sigma.toml:22:29: error: stage `retinotopy`: ",
            "plugin `retinotopy` refused parameter `phase_sigma_px`: ",
            "parameter `phase_sigma_px` must be a finite σ ≥ 0 pixels, got -1\n",
            " 22 | params = { phase_sigma_px = -1.0 }\n",
            "    |                             ^^^^\n",
            "  help: `macroscope inspect retinotopy` lists every parameter with its type, range and default\n",
        )],
    );
    assert!(run.stderr.ends_with("(1 problem)\n"), "{}", run.stderr);
}

#[test]
fn invalid_param() {
    let run = assert_reports(
        "bad/invalid_param.toml",
        None,
        &[
            "tests/fixtures/pipelines/bad/invalid_param.toml:9:28: error: stage `stimulus`: parameter `bar_width_deg`: \
             expected a number, found \"wide\"\n \
             9 | params = { bar_width_deg = \"wide\", directions = [\"LR\", \"UP\"] }\n   \
               |                            ^^^^^^\n",
            "tests/fixtures/pipelines/bad/invalid_param.toml:9:56: error: stage `stimulus`: parameter `directions[1]`: \
             expected one of \"LR\", \"RL\", \"BT\", \"TB\", found \"UP\"\n",
            "(`macroscope inspect drifting-bar` lists every parameter)\n",
        ],
    );
    assert!(run.stderr.ends_with("(2 problems)\n"), "{}", run.stderr);
}

#[test]
fn missing_param() {
    let plugins = tempfile::tempdir().expect("a temporary directory");
    let library = build_threshold_plugin();
    std::fs::copy(
        &library,
        plugins
            .path()
            .join(library.file_name().expect("a file name")),
    )
    .expect("copy the library");
    assert_reports(
        "bad/missing_param.toml",
        Some(plugins.path()),
        &["tests/fixtures/pipelines/bad/missing_param.toml:11:1: error: stage `mask`: missing required parameter `level` \
           of plugin `threshold`\n \
           11 | [stages.mask]\n    \
              | ^^^^^^^^^^^^^\n  \
           help: add `level = ...` to `params`: Value above which a pixel counts as active. Required: no value suits every camera.\n"],
    );
}

/// Builds the `fixture-threshold` plugin library with the Cargo running these
/// tests and returns the path of the library file.
fn build_threshold_plugin() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .current_dir(workspace_root())
        .args([
            "build",
            "-p",
            "fixture-threshold",
            "--message-format=json-render-diagnostics",
        ])
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("UTF-8 cargo messages")
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| {
            m["reason"] == "compiler-artifact" && m["target"]["name"] == "fixture_threshold"
        })
        .flat_map(|m| m["filenames"].as_array().cloned().unwrap_or_default())
        .filter_map(|f| f.as_str().map(PathBuf::from))
        .find(|f| {
            f.extension()
                .is_some_and(|e| e == std::env::consts::DLL_EXTENSION)
        })
        .expect("cargo reports the built library")
}

#[test]
fn good_pipeline_prints_its_dag() {
    let run = validate("good/retinotopy.toml", None);
    assert_eq!(run.code, 0, "stderr:\n{}", run.stderr);
    let lines: Vec<String> = run
        .stdout
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    for expected in [
        "pipeline `retinotopy-demo` (tests/fixtures/pipelines/good/retinotopy.toml) is valid: 4 stages, 5 connections",
        "output: runs/fixture-demo.h5",
        "store: runs/store",
        "stimulus: drifting-bar 0.1.0 (stimulus, builtin)",
        "frames stream u8 [150, 240] +2 columns",
        "schedule stream f64 [] +6 columns",
        "camera: synthetic-cortex 0.1.0 (camera, builtin)",
        "frames stream u16 [160, 160] +6 columns",
        "maps: fourier-maps 0.1.0 (analysis, builtin)",
        "phase dataset f64 [4, 160, 160]",
        "magnitude dataset f64 [4, 160, 160]",
        "retinotopy: retinotopy 0.1.0 (analysis, builtin)",
        "sign_map dataset f64 [160, 160]",
        "stimulus.schedule -> camera",
        "camera.frames -> maps",
        "stimulus.schedule -> maps",
        "maps.phase -> retinotopy",
        "maps.magnitude -> retinotopy",
    ] {
        assert!(lines.iter().any(|l| l == expected), "expected the line\n{expected}\nin:\n{}", run.stdout);
    }
    assert!(
        run.stdout.lines().count() <= 40,
        "one screen:\n{}",
        run.stdout
    );
}
