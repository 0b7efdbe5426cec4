//! What `validate` refuses before anything is allocated: pipelines whose
//! parameters ask for more than a run can hold are refused with the size and
//! the limit, exit code 1 and no signal (they used to validate, then panic,
//! abort on a failed allocation, or run for years): by the plugin, naming
//! the parameter, where it knows better (a stimulus longer than a day), else
//! by the host's limits on every plugin's outputs. A valid pipeline is told
//! its expected duration and size.

use std::path::Path;
use std::process::Output;

use macroscope_integration::child;

/// The demo pipeline with `from` replaced by `to`, written as `name` in `dir`
/// (with the `runs` directory its output goes to), validated there.
fn validate_demo_with(dir: &Path, name: &str, from: &str, to: &str) -> Output {
    let demo = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../pipelines/demo.toml"),
    )
    .unwrap();
    assert!(demo.contains(from), "the demo has `{from}`");
    std::fs::write(dir.join(name), demo.replace(from, to)).unwrap();
    std::fs::create_dir_all(dir.join("runs")).unwrap();
    let mut validate = crate::cli::macroscope();
    validate.current_dir(dir).arg("validate").arg(name);
    crate::cli::output_within(validate, 60)
}

/// Asserts `validate` refused with exit code 1 (not a signal) and returns its stderr.
fn refused(output: &Output) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt as _;
        assert_eq!(output.status.signal(), None, "killed by a signal");
    }
    assert_eq!(output.status.code(), Some(1));
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The help line of the host's refusal of the stimulus stage's size.
const STIMULUS_HELP: &str =
    "  help: the parameters of `drifting-bar` and of the stages feeding it set how many \
    items it emits: lower them (`macroscope inspect drifting-bar` lists them)\n";

#[test]
fn a_bar_wider_than_any_screen_is_refused_naming_the_parameter_the_sweep_duration_and_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let output = validate_demo_with(
        dir.path(),
        "wide-bar.toml",
        "bar_width_deg = 20.0",
        "bar_width_deg = 9.2e18",
    );
    assert_eq!(
        refused(&output),
        "wide-bar.toml:37:28: error: stage `stimulus`: plugin `drifting-bar` refused parameter `bar_width_deg`: \
         parameter `bar_width_deg` = 9200000000000000000 makes one sweep last 1.022e18 s, more than the 86400 s \
         (24 h) a stimulus may last\n \
         37 | params = { bar_width_deg = 9.2e18, directions = [\"LR\", \"RL\", \"BT\", \"TB\"], \
         sweeps_per_direction = 10, downsample = 8 }\n    \
         |                            ^^^^^^\n  \
         help: `macroscope inspect drifting-bar` lists every parameter with its type, range and default\n\n\
         error: wide-bar.toml is not a valid pipeline (1 problem)\n"
    );
}

#[test]
fn a_terahertz_display_is_refused_with_its_size_and_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let output = validate_demo_with(
        dir.path(),
        "fast-display.toml",
        "bar_width_deg = 20.0",
        "bar_width_deg = 20.0, display_rate_hz = 1e12",
    );
    assert_eq!(
        refused(&output),
        format!(
            "fast-display.toml:36:10: error: stage `stimulus`: output `frames` of plugin `drifting-bar` would \
             hold 573,848,759,542,900 items of 36.0 kB (over 18.4 EB before compression), more than the \
             1.0 PB an output may write\n \
             36 | plugin = \"drifting-bar\"\n    \
             |          ^^^^^^^^^^^^^^\n\
             {STIMULUS_HELP}\n\
             error: fast-display.toml is not a valid pipeline (1 problem)\n"
        )
    );
}

#[test]
fn four_billion_sweeps_are_refused_naming_the_parameter_the_duration_and_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let output = validate_demo_with(
        dir.path(),
        "many-sweeps.toml",
        "sweeps_per_direction = 10",
        "sweeps_per_direction = 4000000000",
    );
    assert_eq!(
        refused(&output),
        "many-sweeps.toml:37:96: error: stage `stimulus`: plugin `drifting-bar` refused parameter \
         `sweeps_per_direction`: parameter `sweeps_per_direction` = 4000000000 makes the stimulus last \
         2.255e11 s, more than the 86400 s (24 h) a stimulus may last\n \
         37 | params = { bar_width_deg = 20.0, directions = [\"LR\", \"RL\", \"BT\", \"TB\"], \
         sweeps_per_direction = 4000000000, downsample = 8 }\n    \
         |                                                                                                ^^^^^^^^^^\n  \
         help: `macroscope inspect drifting-bar` lists every parameter with its type, range and default\n\n\
         error: many-sweeps.toml is not a valid pipeline (1 problem)\n"
    );
}

#[test]
fn a_valid_pipeline_is_told_its_expected_duration_and_size() {
    let dir = tempfile::tempdir().unwrap();
    let output = validate_demo_with(
        dir.path(),
        "demo.toml",
        "sweeps_per_direction = 10",
        "sweeps_per_direction = 10",
    );
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        stdout.lines().nth(3),
        Some(
            "  expected: 9 min 34 s at the sources' real-time rates (stimulus.schedule: 34,440 items at 60 Hz); \
             1.7 GB before compression and 2 streams of unknown length"
        )
    );
}

#[test]
fn a_pipeline_that_may_not_fit_on_its_disk_is_warned_with_the_free_space_and_its_size() {
    let dir = tempfile::tempdir().unwrap();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../pipelines/demo.toml");
    std::fs::copy(demo, dir.path().join("demo.toml")).unwrap();
    std::fs::create_dir_all(dir.path().join("runs")).unwrap();
    // The demo's output folder `runs` becomes a 16 MiB disk, for `validate` only.
    let script = r#"mount -t tmpfs -o size=16m tmpfs runs || exit 77
exec "$1" validate demo.toml"#;
    let ran = child::command("unshare")
        .args(["--mount", "--", "sh", "-c", script, "sh"])
        .arg(crate::cli::macroscope().get_program())
        .envs(
            crate::cli::macroscope()
                .get_envs()
                .filter_map(|(k, v)| Some((k, v?))),
        )
        .env_remove("MACROSCOPE_PLUGIN_PATH")
        .current_dir(dir.path())
        .output();
    if !crate::store::seal_disk_full::can_run(&ran, 77, "cannot mount a tmpfs here") {
        return;
    }
    let ran = ran.unwrap();
    assert!(ran.status.success(), "a warning, not a refusal");
    assert_eq!(
        String::from_utf8_lossy(&ran.stderr),
        "warning: runs has 16.8 MB free and this run may write up to 1.7 GB before compression: \
         free space or choose another `output` before recording (a disk that fills ends the run \
         `failed`, keeping what was written)\n"
    );
}
