//! `[session]` end to end: recorded as the run file's root `session`
//! attribute (canonical JSON), printed by `show`, and no part of a store key.

use std::path::Path;
use std::process::Command;

const STAGES: &str = r#"
[stages.stimulus]
plugin = "drifting-bar"
params = { directions = ["LR"], sweeps_per_direction = 1, downsample = 40, baseline_before_s = 0.0, baseline_after_s = 0.0 }
"#;

/// Runs `macroscope ARGS` in `dir`; asserts it succeeds and returns its stdout.
fn macroscope(dir: &Path, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_macroscope"))
        .current_dir(dir)
        .env_remove("MACROSCOPE_PLUGIN_PATH")
        .env("XDG_DATA_HOME", dir.join("xdg"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "macroscope {args:?}:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Runs a one-stage pipeline with `[session]` body `session`, writing `name.h5` in `dir`.
fn run_with_session(dir: &Path, name: &str, session: &str) {
    let text = format!(
        "[pipeline]\nname = \"{name}\"\noutput = \"{name}.h5\"\nstore = \"store\"\n\n[session]\n{session}\n{STAGES}"
    );
    std::fs::write(dir.join(format!("{name}.toml")), text).unwrap();
    macroscope(dir, &["run", "-q", "--no-figures", &format!("{name}.toml")]);
}

const SESSION: &str =
    "subject_id = \"m042\"\nsex = \"M\"\nhemisphere = \"right\"\num_per_pixel = 6.5\n\
                       orientation = { anterior = \"up\", lateral = \"right\" }\n\
                       experimenters = [\"Doe, Jane\", \"Roe, Rich\"]\n";

#[test]
fn the_session_is_the_root_attribute_session_as_canonical_json() {
    let dir = tempfile::tempdir().unwrap();
    run_with_session(dir.path(), "run", SESSION);
    let file = hdf5::File::open(dir.path().join("run.h5")).unwrap();
    let json = file
        .attr("session")
        .unwrap()
        .read_scalar::<hdf5::types::VarLenUnicode>()
        .unwrap();
    assert_eq!(
        json.as_str(),
        r#"{"experimenters":["Doe, Jane","Roe, Rich"],"hemisphere":"right","orientation":{"anterior":"up","lateral":"right"},"sex":"M","subject_id":"m042","um_per_pixel":6.5}"#
    );
}

#[test]
fn show_prints_the_session() {
    let dir = tempfile::tempdir().unwrap();
    run_with_session(dir.path(), "run", SESSION);
    let shown = macroscope(dir.path(), &["show", "run.h5"]);
    let expected =
        "  session:\n    experimenters: Doe, Jane; Roe, Rich\n    hemisphere: right\n    \
                    orientation: anterior up, lateral right\n    sex: M\n    \
                    subject_id: m042\n    um_per_pixel: 6.5\n";
    assert!(
        shown.contains(expected),
        "expected\n{expected}\nin\n{shown}"
    );
}

#[test]
fn another_session_reuses_the_stored_outputs_of_the_same_stages() {
    let dir = tempfile::tempdir().unwrap();
    run_with_session(dir.path(), "first", SESSION);
    run_with_session(dir.path(), "second", "subject_id = \"m043\"\nsex = \"F\"\n");
    let shown = macroscope(dir.path(), &["show", "second.h5"]);
    assert!(
        shown.contains("REUSED: copied from verified store entry"),
        "{shown}"
    );
}
