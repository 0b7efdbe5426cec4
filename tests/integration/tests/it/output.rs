//! What `macroscope run` prints: plain progress lines and no escape codes when
//! stderr is not a terminal, the command's own wall time last, and silence
//! when asked for (`-q`, or a log filter of `warn`).

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Instant;

use crate::pipeline_files::{write_pipeline, SHORT_RECORDING};

/// The short recording as `dir/short.toml`, writing `dir/short.h5`.
fn short_pipeline(dir: &Path) -> PathBuf {
    write_pipeline(dir, "short", SHORT_RECORDING)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The seconds in the last line, `complete: FILE (12.3 s)`.
fn reported_seconds(stdout: &str) -> f64 {
    let last = stdout.lines().last().expect("run prints a status line");
    let (_, time) = last
        .strip_suffix(" s)")
        .and_then(|l| l.rsplit_once(" ("))
        .unwrap_or_else(|| panic!("last line without a time: {last:?}"));
    time.parse().expect("a number of seconds")
}

#[test]
fn a_run_with_stderr_piped_prints_plain_progress_lines_and_its_wall_time_last() {
    let work = tempfile::tempdir().unwrap();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../pipelines/demo.toml");
    let began = Instant::now();
    let output: Output = crate::cli::macroscope()
        .args(["run", "--no-figures", "--progress-every", "0.1", "--output"])
        .arg(work.path().join("demo.h5"))
        .arg("--store")
        .arg(work.path().join("store"))
        .arg(demo)
        .output()
        .expect("the macroscope binary runs");
    let wall = began.elapsed().as_secs_f64();
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert!(output.status.success(), "{stdout}\n{stderr}");

    assert!(!stderr.contains('\u{1b}'), "no escape codes: {stderr:?}");
    assert!(!stdout.contains('\u{1b}'), "no escape codes: {stdout:?}");
    let progress: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("progress "))
        .collect();
    assert!(!progress.is_empty(), "no progress line: {stderr}");
    // The demo's stimulus says how many frames it makes: a percentage.
    assert!(
        progress
            .iter()
            .all(|l| l.contains("stimulus ") && l.contains('%')),
        "{progress:?}"
    );
    let reported = reported_seconds(&stdout);
    assert!(
        (reported - wall).abs() <= 0.1 * wall,
        "reported {reported} s, measured {wall:.2} s"
    );
}

#[test]
fn a_progress_interval_that_is_not_a_positive_number_is_refused() {
    let work = tempfile::tempdir().unwrap();
    let output = crate::cli::macroscope()
        .args(["run", "--progress-every", "0"])
        .arg(short_pipeline(work.path()))
        .output()
        .expect("the macroscope binary runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).starts_with(
            "error: invalid value '0' for '--progress-every <SECONDS>': `0` is not a number of seconds > 0"
        ),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn a_quiet_run_prints_nothing_on_stderr() {
    let work = tempfile::tempdir().unwrap();
    let output = crate::cli::macroscope()
        .args(["run", "-q", "--no-figures"])
        .arg(short_pipeline(work.path()))
        .output()
        .expect("the macroscope binary runs");
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(text(&output.stderr), "");
    assert!(text(&output.stdout).starts_with("  stimulus"));
}

#[test]
fn rust_log_warn_silences_the_informational_lines() {
    let work = tempfile::tempdir().unwrap();
    let output = crate::cli::macroscope()
        .env_remove("MACROSCOPE_LOG")
        .env("RUST_LOG", "warn")
        .args(["run", "--no-figures"])
        .arg(short_pipeline(work.path()))
        .output()
        .expect("the macroscope binary runs");
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains("INFO"), "{stderr}");
}
