//! `macroscope batch`: one pipeline file run once per session, a second batch
//! skipping every session already complete and verifying, and only missing
//! or failed ones run again.

use std::path::Path;
use std::process::Output;

use crate::pipeline_files::per_session_pipeline;
use crate::run_file::status;

/// `macroscope batch PIPELINE SESSIONS... EXTRA...`.
pub fn batch(pipeline: &Path, sessions: &[&str], extra: &[&str]) -> Output {
    crate::cli::macroscope()
        .arg("batch")
        .arg(pipeline)
        .args(sessions)
        .args(extra)
        .output()
        .expect("the macroscope binary runs")
}

/// What a command printed on stderr.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_batch_runs_the_pipeline_once_per_session_into_its_own_file() {
    let work = tempfile::tempdir().unwrap();
    let pipeline = per_session_pipeline(work.path());
    let output = batch(&pipeline, &["m1", "m2", "m3"], &["--jobs", "2"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output)
            .starts_with("3 sessions: 3 to run, 0 already complete (skipped), 0 invalid\n"),
        "{}",
        stderr(&output)
    );
    for session in ["m1", "m2", "m3"] {
        let file = hdf5::File::open(work.path().join(format!("runs/{session}.h5"))).unwrap();
        assert_eq!(status(&file), "complete");
        assert!(work.path().join(format!("runs/{session}.h5.log")).exists());
    }
}

#[test]
fn a_second_batch_skips_complete_sessions_and_runs_only_the_missing_one() {
    let work = tempfile::tempdir().unwrap();
    let pipeline = per_session_pipeline(work.path());
    assert!(batch(&pipeline, &["m1", "m2", "m3"], &[]).status.success());
    std::fs::remove_file(work.path().join("runs/m2.h5")).unwrap();

    let again = batch(&pipeline, &["m1", "m2", "m3"], &[]);
    assert!(again.status.success(), "{}", stderr(&again));
    let text = stderr(&again);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(
        lines[0],
        "3 sessions: 1 to run, 2 already complete (skipped), 0 invalid"
    );
    assert!(lines[1].starts_with("m2: complete ("), "{text}");
}

#[test]
fn batch_status_runs_nothing_and_writes_where_each_session_stands_as_csv() {
    let work = tempfile::tempdir().unwrap();
    let pipeline = per_session_pipeline(work.path());
    assert!(batch(&pipeline, &["m1"], &[]).status.success());
    let csv = work.path().join("status.csv");

    let output = batch(
        &pipeline,
        &["m1", "m2"],
        &["--status", "--csv", csv.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(1), "m2 is not complete");
    assert!(!work.path().join("runs/m2.h5").exists(), "nothing ran");
    let runs = work.path().join("runs");
    let text = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "session,status,wall_s,dropped,areas,output,error");
    let m1: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(m1[..2], ["m1", "complete"]);
    let wall_s: f64 = m1[2].parse().expect("m1's wall time, from its run file");
    assert!(wall_s > 0.0 && wall_s < 60.0, "{wall_s}");
    assert_eq!(
        m1[3..],
        ["0", "", &runs.join("m1.h5").display().to_string(), ""],
        "no frame dropped, no analysis to find areas"
    );
    assert_eq!(
        lines[2],
        format!("m2,not run,,,,{},", runs.join("m2.h5").display())
    );
    assert_eq!(lines.len(), 3);
}

#[test]
fn a_session_whose_file_is_not_a_finished_run_is_set_aside_into_attempts_and_run_again() {
    let work = tempfile::tempdir().unwrap();
    let pipeline = per_session_pipeline(work.path());
    let runs = work.path().join("runs");
    std::fs::write(runs.join("m1.h5"), b"not an HDF5 file").unwrap();

    let output = batch(&pipeline, &["m1"], &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output)
            .starts_with("1 sessions: 1 to run, 0 already complete (skipped), 0 invalid\n"),
        "{}",
        stderr(&output)
    );
    let file = hdf5::File::open(runs.join("m1.h5")).unwrap();
    assert_eq!(status(&file), "complete");
    let kept: Vec<_> = std::fs::read_dir(runs.join("attempts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(std::fs::read(&kept[0]).unwrap(), b"not an HDF5 file");
}

#[test]
fn sessions_from_a_glob_are_named_by_their_files_stems() {
    let work = tempfile::tempdir().unwrap();
    let pipeline = per_session_pipeline(work.path());
    let data = work.path().join("data");
    std::fs::create_dir(&data).unwrap();
    for name in ["m2.tif", "m1.tif", "notes.txt"] {
        std::fs::write(data.join(name), b"").unwrap();
    }
    let pattern = data.join("*.tif");

    let output = batch(
        &pipeline,
        &[],
        &["--status", "--sessions-glob", pattern.to_str().unwrap()],
    );
    let table = String::from_utf8_lossy(&output.stdout);
    let sessions: Vec<&str> = table
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(sessions, ["m1", "m2"], "{table}");
}

/// `batch ... --slurm` with `PATH` holding only `dir`.
fn batch_with_path(pipeline: &Path, dir: &Path) -> Output {
    crate::cli::macroscope()
        .arg("batch")
        .arg(pipeline)
        .args(["m1", "--slurm"])
        .env("PATH", dir)
        .output()
        .expect("the macroscope binary runs")
}

#[test]
fn without_sbatch_a_slurm_batch_says_to_install_slurms_client_tools() {
    let work = tempfile::tempdir().unwrap();
    let pipeline = per_session_pipeline(work.path());
    let empty = work.path().join("bin");
    std::fs::create_dir(&empty).unwrap();

    let output = batch_with_path(&pipeline, &empty);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output).lines().last(),
        Some("error: `sbatch` not found: install Slurm's client tools or run without --slurm")
    );
}

#[cfg(unix)]
#[test]
fn a_refused_submission_says_what_sbatch_said_once() {
    let work = tempfile::tempdir().unwrap();
    let pipeline = per_session_pipeline(work.path());
    let bin = work.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let sbatch = bin.join("sbatch");
    std::fs::write(
        &sbatch,
        "#!/bin/sh\necho 'sbatch: error: invalid partition specified: nope' >&2\nexit 1\n",
    )
    .unwrap();
    let mut mode = std::fs::metadata(&sbatch).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut mode, 0o755);
    std::fs::set_permissions(&sbatch, mode).unwrap();

    let output = batch_with_path(&pipeline, &bin);
    assert_eq!(output.status.code(), Some(1));
    let script = work.path().join("runs/macroscope-batch.sbatch");
    assert_eq!(
        stderr(&output).lines().last().unwrap(),
        format!(
            "error: sbatch refused {}: sbatch: error: invalid partition specified: nope",
            script.display()
        )
    );
    assert!(script.exists(), "the script is kept to look at");
}
