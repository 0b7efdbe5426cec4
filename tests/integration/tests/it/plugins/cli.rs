//! `macroscope plugins`, `inspect` and `plugin check` on real plugin libraries,
//! run as a user would: the built binary in a child process.

use std::path::Path;
use std::process::Output;

use crate::built_plugins::{copied, plugin_dir, ABI_FUTURE, BROKEN, EXAMPLE};

/// Runs `macroscope ARGS`, seeing only the plugins in `plugin_dir`.
fn macroscope(args: &[&str], plugin_dir: Option<&Path>) -> Output {
    let mut command = crate::cli::macroscope();
    command.args(args);
    if let Some(dir) = plugin_dir {
        command.arg("--plugin-path").arg(dir);
    }
    command.output().expect("the macroscope binary runs")
}

/// Runs `macroscope plugin check LIBRARY`.
fn plugin_check(library: &Path) -> Output {
    plugin_check_with(library, &[])
}

/// `macroscope plugin check OPTIONS LIBRARY`.
fn plugin_check_with(library: &Path, options: &[&str]) -> Output {
    let mut args = vec!["plugin", "check"];
    args.extend_from_slice(options);
    args.push(library.to_str().unwrap());
    macroscope(&args, None)
}

/// What the command printed on standard output.
fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// What the command printed on standard error.
fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The row of the `plugins` table for `name`, split into columns.
fn row<'a>(table: &'a str, name: &str) -> Vec<&'a str> {
    table
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|cols| cols.first() == Some(&name))
        .unwrap_or_else(|| panic!("no row for {name} in:\n{table}"))
}

#[test]
fn plugins_lists_two_library_plugins_with_version_kind_and_file() {
    let dir = plugin_dir(&[EXAMPLE, BROKEN]);
    let output = macroscope(&["plugins"], Some(dir.path()));
    assert!(output.status.success(), "{}", stderr(&output));
    let table = stdout(&output);
    let example = copied(&dir, EXAMPLE).display().to_string();
    let broken = copied(&dir, BROKEN).display().to_string();
    assert_eq!(
        row(&table, "example-frame-stats"),
        ["example-frame-stats", "0.1.0", "analysis", example.as_str()]
    );
    assert_eq!(
        row(&table, "broken"),
        ["broken", "1.0", "analysis", broken.as_str()]
    );
}

#[test]
fn plugins_warns_about_a_refused_library_and_still_lists_the_rest() {
    let dir = plugin_dir(&[EXAMPLE, ABI_FUTURE]);
    let output = macroscope(&["plugins"], Some(dir.path()));
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        row(&stdout(&output), "example-frame-stats")[0],
        "example-frame-stats"
    );
    assert!(
        stderr(&output).contains(&format!(
            "warning: {}: built for plugin ABI 3, this host speaks ABI 2",
            copied(&dir, ABI_FUTURE).display()
        )),
        "{}",
        stderr(&output)
    );
}

#[test]
fn inspect_shows_a_library_plugin_s_parameters_and_why_its_ports_depend_on_inputs() {
    let dir = plugin_dir(&[EXAMPLE]);
    let output = macroscope(&["inspect", "example-frame-stats"], Some(dir.path()));
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.starts_with("example-frame-stats 0.1.0 (analysis plugin, deterministic)\n"),
        "{text}"
    );
    assert!(
        text.contains("  panic_at_frame: integer | null (>= 0), default null\n"),
        "{text}"
    );
    assert!(text.contains("      Fault injection for tests"), "{text}");
    assert!(
        text.contains("inputs (in the order they are wired):\n  frames: stream u8|u16, rank 2 - camera or stimulus frames [H, W]\n"),
        "{text}"
    );
    assert!(
        text.contains("outputs: depend on the inputs and parameters (with default parameters and no inputs, the plugin says: takes exactly one input (a frames stream), got 0)"),
        "{text}"
    );
}

/// The check names printed with `label` (`PASS`, `FAIL`, `SKIP`).
fn checks_labelled(report: &str, label: &str) -> Vec<String> {
    report
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix(label))
        .map(|rest| rest.trim_start().split(':').next().unwrap_or("").to_owned())
        .collect()
}

#[test]
fn plugin_check_passes_every_check_on_the_example_library() {
    let dir = plugin_dir(&[EXAMPLE]);
    let output = plugin_check(&copied(&dir, EXAMPLE));
    let report = stdout(&output);
    assert!(output.status.success(), "{report}\n{}", stderr(&output));
    assert_eq!(
        checks_labelled(&report, "PASS"),
        [
            "descriptor-complete",
            "version-semver",
            "schema-valid",
            "schema-defaults-valid",
            "runs-to-completion",
            "outputs-match-ports",
            "deterministic-output",
            "bad-params-rejected",
            "panic-becomes-error",
        ]
    );
}

#[test]
fn plugin_check_runs_the_suite_on_synthetic_inputs_of_the_size_asked_for() {
    let dir = plugin_dir(&[EXAMPLE]);
    let library = copied(&dir, EXAMPLE);
    let output = plugin_check_with(
        &library,
        &["--frames", "20", "--height", "5", "--width", "7"],
    );
    let report = stdout(&output);
    assert!(output.status.success(), "{report}\n{}", stderr(&output));
    assert!(
        report.starts_with(&format!(
            "example-frame-stats 0.1.0 from {} (synthetic inputs: 20 frames of 5 x 7)\n",
            library.display()
        )),
        "{report}"
    );
    assert!(
        report.contains("  PASS  runs-to-completion: 20 item(s) on 1 input(s)\n"),
        "{report}"
    );
}

#[test]
fn plugin_check_refuses_a_frame_count_the_four_sweep_directions_cannot_share() {
    let dir = plugin_dir(&[EXAMPLE]);
    let output = plugin_check_with(&copied(&dir, EXAMPLE), &["--frames", "10"]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert_eq!(
        stderr(&output),
        "error: --frames 10 --height 12 --width 16: 10 frames cannot be split over the 4 sweep \
         directions: use a positive multiple of 4\n"
    );
}

#[test]
fn plugin_check_names_each_failed_check_of_the_broken_library_and_exits_non_zero() {
    let dir = plugin_dir(&[BROKEN]);
    let output = plugin_check(&copied(&dir, BROKEN));
    let report = stdout(&output);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{report}\n{}",
        stderr(&output)
    );
    assert_eq!(
        checks_labelled(&report, "FAIL"),
        [
            "descriptor-complete",
            "version-semver",
            "schema-defaults-valid",
            "runs-to-completion",
            "outputs-match-ports",
            "bad-params-rejected",
        ]
    );
    assert!(
        report.contains(
            "FAIL  outputs-match-ports: plugin `broken` failed in receive: \
             emitted 2 elements on port `stats`, whose shape [3] holds 3"
        ),
        "{report}"
    );
    assert!(
        report.contains("FAIL  version-semver: `1.0` is not a semantic version"),
        "{report}"
    );
}

#[test]
fn plugin_check_on_a_future_abi_library_fails_with_the_versions_and_does_not_crash() {
    let dir = plugin_dir(&[ABI_FUTURE]);
    let library = copied(&dir, ABI_FUTURE);
    let output = plugin_check(&library);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let expected = format!(
        "error: {}: built for plugin ABI 3, this host speaks ABI 2; \
         rebuild the plugin against macroscope-plugin-api 0.2",
        library.display()
    );
    assert!(stderr(&output).contains(&expected), "{}", stderr(&output));
}
