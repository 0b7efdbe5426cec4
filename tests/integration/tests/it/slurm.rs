//! `macroscope batch --slurm` on a real Slurm cluster (`.ci/slurm-cluster
//! start` brings one up on this host, `SLURM_CONF` naming its config): one
//! job array finishing every session, a resubmission skipping them all, a
//! task cancelled mid-run completed by the next submission, and the same
//! content as local workers give. Skipped when no cluster answers, unless
//! `MACROSCOPE_REQUIRE_SLURM=1` (as in CI), which makes that a failure.

use macroscope_integration::child;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::batch::{batch, stderr};
use crate::pipeline_files::per_session_maps_pipeline;
use crate::run_file::{content_hashes, stage_group, status};

const SESSIONS: [&str; 6] = ["m1", "m2", "m3", "m4", "m5", "m6"];

/// True when a Slurm cluster answers `sinfo`; otherwise skips the test, or
/// fails it under `MACROSCOPE_REQUIRE_SLURM=1`.
fn cluster_answers() -> bool {
    let answers = child::command("sinfo")
        .arg("-h")
        .output()
        .is_ok_and(|o| o.status.success());
    if !answers {
        assert!(
            std::env::var_os("MACROSCOPE_REQUIRE_SLURM").is_none_or(|v| v != "1"),
            "MACROSCOPE_REQUIRE_SLURM=1, but no Slurm cluster answers `sinfo`: run `.ci/slurm-cluster start` \
             and export SLURM_CONF as it says"
        );
        eprintln!("skipped: no Slurm cluster answers `sinfo` (see .ci/slurm-cluster)");
    }
    answers
}

/// The entries of the store at `dir`: `<key>.h5` names, sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".h5"))
        .collect();
    names.sort();
    names
}

#[test]
fn a_job_array_runs_every_session_and_a_resubmission_skips_them_all() {
    if !cluster_answers() {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let pipeline = per_session_maps_pipeline(work.path());
    let csv = work.path().join("status.csv");
    let csv_arg = csv.to_str().unwrap();

    let submitted = batch(
        &pipeline,
        &SESSIONS,
        &[
            "--slurm",
            "--wait",
            "--max-parallel",
            "4",
            "--time",
            "10",
            "--csv",
            csv_arg,
        ],
    );
    assert!(submitted.status.success(), "{}", stderr(&submitted));
    let runs = work.path().join("runs");
    let script = std::fs::read_to_string(runs.join("macroscope-batch.sbatch")).unwrap();
    assert!(
        script.contains("#SBATCH --array=0-5%4\n#SBATCH --chdir="),
        "{script}"
    );
    assert!(script.contains("#SBATCH --time=10\n"), "{script}");
    assert_eq!(
        std::fs::read_to_string(runs.join("macroscope-batch.sessions")).unwrap(),
        "m1\nm2\nm3\nm4\nm5\nm6\n"
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 6, "{text}");
    for (row, session) in rows.iter().zip(SESSIONS) {
        let output = runs.join(format!("{session}.h5"));
        assert_eq!(row[..2], [session, "complete"], "{text}");
        assert!(row[2].parse::<f64>().is_ok_and(|s| s > 0.0), "{text}");
        assert_eq!(
            row[3..5],
            ["0", "1"],
            "no frame dropped, one area found: {text}"
        );
        let file = hdf5::File::open(&output).unwrap();
        let patches = stage_group(&file, "analysis", "retinotopy")
            .dataset("patches")
            .unwrap();
        assert_eq!(patches.shape(), [1], "the analysis's one patch");
        assert_eq!(
            row[5..],
            [output.display().to_string().as_str(), ""],
            "{text}"
        );
        let verified = crate::cli::output("verify", &output);
        assert!(verified.status.success(), "{}", stderr(&verified));
    }

    let again = batch(&pipeline, &SESSIONS, &["--slurm", "--wait"]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(
        stderr(&again),
        "6 sessions: 0 to run, 6 already complete (skipped), 0 invalid\nnothing to submit\n"
    );

    // The same batch with local workers, into its own folder and store.
    let local = tempfile::tempdir().unwrap();
    let local_pipeline = per_session_maps_pipeline(local.path());
    let here = batch(&local_pipeline, &SESSIONS, &["--jobs", "2"]);
    assert!(here.status.success(), "{}", stderr(&here));
    for session in SESSIONS {
        let name = format!("runs/{session}.h5");
        assert_eq!(
            content_hashes(&local.path().join(&name)),
            content_hashes(&work.path().join(&name)),
            "{session}: the same content through Slurm and here"
        );
    }
    assert_eq!(
        entries(&local.path().join("store")),
        entries(&work.path().join("store")),
        "the same store entries"
    );
}

/// Waits until `path` exists (at most `limit`).
fn wait_for(path: &Path, limit: Duration) {
    let began = Instant::now();
    while !path.exists() {
        assert!(began.elapsed() < limit, "{} never appeared", path.display());
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Waits until Slurm no longer lists any task of `job`.
fn wait_for_job(job: &str) {
    let began = Instant::now();
    loop {
        let queue = child::command("squeue")
            .args(["-h", "-j", job])
            .output()
            .unwrap();
        if String::from_utf8_lossy(&queue.stdout).trim().is_empty() {
            return;
        }
        assert!(
            began.elapsed() < Duration::from_secs(120),
            "job {job} never ended"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[test]
fn a_task_cancelled_mid_run_is_completed_by_the_next_submission() {
    if !cluster_answers() {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let pipeline = per_session_maps_pipeline(work.path());
    // Long enough to be caught running: many sweeps of a larger image.
    let slow = [
        "--set",
        "stimulus.sweeps_per_direction=30",
        "--set",
        "camera.width_px=160",
    ];
    let submitted = batch(&pipeline, &["k1"], &[&["--slurm"][..], &slow[..]].concat());
    assert!(submitted.status.success(), "{}", stderr(&submitted));
    let job = String::from_utf8_lossy(&submitted.stdout).trim().to_owned();
    assert!(
        job.parse::<u64>().is_ok(),
        "the job id alone on stdout: {job}"
    );

    let output = work.path().join("runs/k1.h5");
    wait_for(
        &work.path().join("runs/k1.h5.partial"),
        Duration::from_secs(60),
    );
    let cancelled = child::command("scancel")
        .arg(format!("{job}_0"))
        .status()
        .unwrap();
    assert!(cancelled.success());
    wait_for_job(&job);
    let after = batch(&pipeline, &["k1"], &[&["--status"][..], &slow[..]].concat());
    assert_eq!(after.status.code(), Some(1), "k1 is not complete");

    let again = batch(
        &pipeline,
        &["k1"],
        &[&["--slurm", "--wait"][..], &slow[..]].concat(),
    );
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stderr(&again)
            .starts_with("1 sessions: 1 to run, 0 already complete (skipped), 0 invalid\n"),
        "{}",
        stderr(&again)
    );
    assert_eq!(status(&hdf5::File::open(&output).unwrap()), "complete");
    assert!(
        std::fs::read_dir(work.path().join("runs/attempts"))
            .unwrap()
            .count()
            >= 1,
        "the cancelled attempt is kept"
    );
}
