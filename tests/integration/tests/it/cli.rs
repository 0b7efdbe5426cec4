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

/// `macroscope` seeing no plugin library but those a test passes with
/// `--plugin-path`: `MACROSCOPE_PLUGIN_PATH` is unset and `XDG_DATA_HOME` is a
/// directory of this build's scratch space, so plugins installed on the
/// machine running the tests stay out.
pub fn macroscope() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_macroscope-cli"));
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
