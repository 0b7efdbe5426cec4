//! Who may touch a run's files: a live run owns them (an OS lock on
//! `<output>.partial.lock`), so a stray `recover` or a second run on the same
//! output is refused naming the run's pid and changes nothing; a lock left by
//! a killed run is ignored; `recover` writes only to a macroscope run, and
//! cleans up what a run stopped before it began left behind.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};

use macroscope_integration::child;

use sha2::{Digest, Sha256};

use super::kill::{exact_camera_rows, long_pipeline};
use crate::run_file::{status, text_attr};

const SIDE: &str = "128";

/// Starts the store writer on `output` for `frames` frames, one every 5 ms,
/// and returns once it has flushed its first frames (its `.partial` is
/// live); its stdout is returned to read the rest from.
fn live_writer(output: &Path, store: &Path, frames: u64) -> (Child, impl BufRead) {
    let mut child = child::command(env!("CARGO_BIN_EXE_store-writer"))
        .arg(output)
        .arg(store)
        .args([&frames.to_string(), SIDE, SIDE, "5"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while stdout.read_line(&mut line).unwrap() > 0 && !line.starts_with("flushed ") {
        line.clear();
    }
    assert!(line.starts_with("flushed "), "the writer never flushed");
    (child, stdout)
}

fn sha256_of(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_stray_recover_on_a_live_run_is_refused_naming_its_pid_and_the_run_completes_whole() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("live.h5");
    let partial = dir.path().join("live.h5.partial");
    let (mut writer, rest) = live_writer(&output, &dir.path().join("store"), 600);

    let refused = crate::cli::output("recover", &partial);
    let said = stderr_of(&refused);
    assert_eq!(refused.status.code(), Some(1), "{said}");
    assert!(
        said.contains(&format!(
            "{}: a run (pid {}, started ",
            partial.display(),
            writer.id()
        )) && said.contains("is writing this file; wait for it to end, or stop it, then try again"),
        "{said}"
    );
    assert!(!dir.path().join("live.h5.partial.undo").exists());

    let printed: Vec<String> = rest.lines().map_while(Result::ok).collect();
    assert!(writer.wait().unwrap().success(), "{printed:?}");
    assert!(
        printed.contains(&"status complete".to_owned()),
        "{printed:?}"
    );
    let file = hdf5::File::open(&output).unwrap();
    assert_eq!(status(&file), "complete");
    assert_eq!(exact_camera_rows(&file), 600, "nothing lost");
    drop(file);
    crate::cli::succeeds("verify", &output);
    assert!(!dir.path().join("live.h5.partial.lock").exists());
}

#[test]
fn a_second_run_on_a_live_runs_output_is_refused_with_its_pid_and_no_advice_to_recover() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = long_pipeline(dir.path());
    let mut first = crate::cli::macroscope()
        .args(["run", "--quiet", "--no-figures"])
        .arg(&pipeline)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lock = dir.path().join("long.h5.partial.lock");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !std::fs::read_to_string(&lock).is_ok_and(|t| t.contains("started ")) {
        assert!(std::time::Instant::now() < deadline, "no lock after 60 s");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }

    let mut second = crate::cli::macroscope();
    second
        .args(["run", "--quiet", "--no-figures"])
        .arg(&pipeline);
    let refused = crate::cli::output_within(second, 60);
    first.kill().unwrap();
    first.wait().unwrap();
    let said = stderr_of(&refused);
    assert_eq!(refused.status.code(), Some(1), "{said}");
    assert!(
        said.contains(&format!(
            "{}: a run (pid {}, started ",
            dir.path().join("long.h5.partial").display(),
            first.id()
        )),
        "{said}"
    );
    assert!(!said.contains("recover"), "no advice to recover: {said}");
}

#[test]
fn a_lock_left_by_a_killed_run_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("killed.h5");
    let (mut writer, _rest) = live_writer(&output, &dir.path().join("store"), 1_000_000);
    writer.kill().unwrap(); // SIGKILL: the OS lets its lock go
    writer.wait().unwrap();
    let lock = dir.path().join("killed.h5.partial.lock");
    assert!(
        std::fs::read_to_string(&lock)
            .unwrap()
            .starts_with(&format!("pid {}\n", writer.id())),
        "the dead run's lock file is still there"
    );

    let said = crate::cli::succeeds("recover", dir.path().join("killed.h5.partial"));
    assert!(said.contains("(status interrupted)"), "{said}");
    assert!(!lock.exists());
}

/// `recover` on `partial` is refused with `reason` and leaves it byte for byte
/// as it was, with nothing beside it.
fn recover_refuses_untouched(partial: &Path, reason: &str) {
    let before = sha256_of(partial);
    let refused = crate::cli::output("recover", partial);
    let said = stderr_of(&refused);
    assert_eq!(refused.status.code(), Some(1), "{said}");
    assert_eq!(
        said.trim_end(),
        format!(
            "error: cannot recover {p}: {p}: {reason}",
            p = partial.display()
        )
    );
    assert_eq!(sha256_of(partial), before, "the file is byte-identical");
    let dir = partial.parent().unwrap();
    let names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        names,
        vec![partial.file_name().unwrap().to_owned()],
        "nothing added"
    );
}

#[test]
fn recover_refuses_a_zero_byte_partial_and_leaves_it_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let partial = dir.path().join("x.h5.partial");
    std::fs::write(&partial, b"").unwrap();
    recover_refuses_untouched(
        &partial,
        "not an HDF5 file (no HDF5 signature in its 0 bytes)",
    );
}

#[test]
fn recover_refuses_a_plain_hdf5_file_named_partial_and_leaves_it_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let partial = dir.path().join("x.partial");
    let file = hdf5::File::create(&partial).unwrap();
    file.new_dataset::<f64>()
        .shape([50_000])
        .create("values")
        .unwrap()
        .write_raw(&vec![1.5f64; 50_000])
        .unwrap();
    drop(file);
    recover_refuses_untouched(
        &partial,
        "it has no `format` attribute: not a macroscope run, so `recover` leaves it untouched",
    );
}

#[test]
fn a_lone_reserve_left_by_a_run_that_never_started_is_removed_by_recover_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let reserve = dir.path().join("x.h5.partial.reserve");
    std::fs::write(&reserve, vec![0u8; 1 << 20]).unwrap();
    let said = crate::cli::succeeds("recover", dir.path().join("x.h5.partial"));
    assert_eq!(
        said.trim_end(),
        format!(
            "nothing to recover: the run was stopped before it began writing; removed the space it had set \
             aside ({})",
            reserve.display()
        )
    );
    assert!(!reserve.exists());
}

#[test]
fn a_lone_reserve_does_not_stop_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("x.h5");
    std::fs::write(dir.path().join("x.h5.partial.reserve"), b"left").unwrap();
    let ran = child::command(env!("CARGO_BIN_EXE_store-writer"))
        .arg(&output)
        .arg(dir.path().join("store"))
        .args(["3", SIDE, SIDE, "0"])
        .output()
        .unwrap();
    assert!(ran.status.success(), "{}", stderr_of(&ran));
    assert!(output.exists());
    assert!(!dir.path().join("x.h5.partial.reserve").exists());
}

#[test]
fn recover_explains_what_to_do_when_the_final_name_is_taken() {
    let dir = tempfile::tempdir().unwrap();
    let partial = dir.path().join("x.h5.partial");
    let output = dir.path().join("x.h5");
    std::fs::write(&partial, b"partial").unwrap();
    std::fs::write(&output, b"sealed").unwrap();
    let refused = crate::cli::output("recover", &partial);
    assert_eq!(
        stderr_of(&refused).trim_end(),
        format!(
            "error: cannot recover {p}: {o} already exists, so {p} cannot be renamed to it (a file is never \
             overwritten): if {o} is this run's sealed file, {p} is a stale copy and can be deleted; otherwise \
             move {o} away and run `macroscope recover {p}` again",
            p = partial.display(),
            o = output.display()
        )
    );
}

#[test]
fn a_seal_that_cannot_write_ends_failed_with_its_reason_after_recover() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("sealed.h5");
    let ran = child::command(env!("CARGO_BIN_EXE_store-writer"))
        .arg(&output)
        .arg(dir.path().join("store"))
        .args(["40", SIDE, SIDE, "0"])
        .env("FAILPOINTS", "store::seal-write-fails=return")
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&ran.stdout);
    assert!(!ran.status.success());
    assert!(
        printed.contains("could not seal") && printed.contains("No space left on device"),
        "{printed}"
    );
    let partial = dir.path().join("sealed.h5.partial");
    let kept = std::fs::read_to_string(dir.path().join("sealed.h5.partial.error")).unwrap();
    assert!(kept.starts_with("sealing failed: "), "{kept}");

    let said = crate::cli::succeeds("recover", &partial);
    assert!(said.contains("(status failed: sealing failed: "), "{said}");
    let file = hdf5::File::open(&output).unwrap();
    assert_eq!(status(&file), "failed");
    assert_eq!(text_attr(&file, "error"), kept.trim_end());
    assert_eq!(exact_camera_rows(&file), 40, "every frame kept");
    drop(file);
    crate::cli::succeeds("verify", &output);
    assert!(!dir.path().join("sealed.h5.partial.error").exists());
}
