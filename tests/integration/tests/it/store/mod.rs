//! The storage sink: the files it writes, reuse from the content-addressed
//! store, crash and error behaviour, and the commands that read its files
//! (`show`, `verify`, `recover`); one module per concern.

mod dedup;
mod disk_full;
mod errors;
mod h5py;
mod hash_vector;
mod kill;
mod reanalysis;
mod roundtrip;
mod schema;
mod verify;

use std::path::Path;
use std::process::Command;

/// Runs `macroscope COMMAND FILE` (the real command line) and asserts it
/// succeeded, showing what it printed if not; returns its standard output.
fn cli_succeeds(command: &str, file: impl AsRef<Path>) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_macroscope-cli"))
        .arg(command)
        .arg(file.as_ref())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "macroscope {command} {} failed:\n{stdout}\n{}",
        file.as_ref().display(),
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}
