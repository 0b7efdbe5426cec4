//! The one way these tests run the `macroscope` command line.
//!
//! The program is `macroscope-cli` (`src/bin/macroscope-cli.rs`): Cargo hands
//! integration tests the paths of their own package's binaries only, and
//! builds them before the tests, so it is never stale. It is the `macroscope`
//! binary under another name: its `main` is the same one line calling
//! `macroscope::cli::main`, and plugin libraries are opened at run time by
//! that library code, so it loads `cdylib` plugins exactly as the installed
//! binary does (its `plugins/` beside the executable is the same
//! `target/<profile>/plugins`). Only messages clap composes from the program
//! name (usage lines) say `macroscope-cli`; no test reads those.

use std::path::Path;
use std::process::{Command, Output};

use macroscope_integration::child;

/// `macroscope` seeing no plugin library but those a test passes with
/// `--plugin-path`: `MACROSCOPE_PLUGIN_PATH` is unset and `XDG_DATA_HOME` is a
/// directory of this build's scratch space, so plugins installed on the
/// machine running the tests stay out.
pub fn macroscope() -> Command {
    let mut command = child::command(env!("CARGO_BIN_EXE_macroscope-cli"));
    command.env_remove("MACROSCOPE_PLUGIN_PATH").env(
        "XDG_DATA_HOME",
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("data-home"),
    );
    command
}

/// Runs `macroscope COMMAND FILE` and returns what it printed and its exit,
/// whatever that was.
pub fn output(command: &str, file: impl AsRef<Path>) -> Output {
    macroscope()
        .arg(command)
        .arg(file.as_ref())
        .output()
        .expect("the macroscope binary runs")
}

/// Runs `macroscope COMMAND FILE` and asserts it succeeded, showing what it
/// printed if not; returns its standard output.
pub fn succeeds(command: &str, file: impl AsRef<Path>) -> String {
    let output = output(command, &file);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "macroscope {command} {} failed:\n{stdout}\n{}",
        file.as_ref().display(),
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// Runs the pipeline file `pipeline` (quietly, without figures) and asserts
/// it succeeded, showing what it printed if not.
pub fn runs(pipeline: &Path) {
    run_succeeds(|run| run.args(["-q", "--no-figures"]).arg(pipeline));
}

/// Runs `macroscope run` with the arguments `with` gives it and asserts it
/// succeeded, showing what it printed if not; returns what it printed.
pub fn run_succeeds(with: impl FnOnce(&mut Command) -> &mut Command) -> Output {
    let mut run = macroscope();
    run.arg("run");
    let output = with(&mut run).output().expect("the macroscope binary runs");
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Runs `command` and returns what it printed and its exit, failing the
/// test if it has not returned within `seconds` (it is then killed): a hang
/// is a failure, never a blocked test run.
pub fn output_within(command: Command, seconds: u64) -> Output {
    let shown = format!("{command:?}");
    bounded(command, seconds)
        .unwrap_or_else(|| panic!("{shown} did not return within {seconds} s (killed)"))
}

/// Runs `command` for at most `seconds`: what it printed and its exit, or
/// `None` if it had to be killed.
pub fn bounded(mut command: Command, seconds: u64) -> Option<Output> {
    use std::io::Read as _;
    use std::process::Stdio;
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the command starts");
    let drain = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    Some(Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    })
}
