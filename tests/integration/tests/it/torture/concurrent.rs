//! Concurrent runs: a second run and a stray `recover` on the output a live
//! run is writing (both refused naming the live run's pid, never advised to
//! recover, and the live run loses nothing), and runs sharing one store
//! (all complete, and what they filed is trusted by the next run).

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::Rng;

use super::{recover_and_count, writer, Counts, Mode, Watched, LIMIT_S};

/// A live `store-writer` on one output; after a random moment, `macroscope
/// run` and `macroscope recover` on the same output; then the writer is
/// killed and its file recovered, with every flushed row.
pub fn runs_on_one_output(dir: &Path, mode: &Mode, rng: &mut StdRng, counts: &mut Counts) {
    for i in 0..mode.concurrent_outputs {
        let output = dir.join(format!("shared-output-{i}.h5"));
        let what = format!("second run on a live output {i}");
        let live = Watched::start(writer(&output, &dir.join("store")));
        std::thread::sleep(Duration::from_millis(rng.random_range(200..1500)));
        let pid = format!("pid {}", live.child.id());
        let partial = macroscope::store::partial_path(&output);
        let mut second = crate::cli::macroscope();
        second
            .args(["run", "--quiet", "--no-figures", "--output"])
            .arg(&output)
            .arg(dir.join("sample.toml"));
        let mut stray = crate::cli::macroscope();
        stray.arg("recover").arg(&partial);
        for (command, kind) in [(second, "run"), (stray, "recover")] {
            let Some(refused) = counts.run(format!("{what}: {kind}"), command) else {
                continue;
            };
            let stderr = String::from_utf8_lossy(&refused.stderr);
            if refused.status.code() != Some(1)
                || !stderr.contains(&pid)
                || (kind == "run" && stderr.contains("recover"))
            {
                counts.losses.push(format!(
                    "{what}: `{kind}` was not refused naming the live run ({pid}): {:?} {stderr}",
                    refused.status
                ));
            }
        }
        // The live run kept writing: kill it now and count what it flushed.
        let flushed = live.kill();
        recover_and_count(&output, flushed, &what, counts);
    }
}

/// Runs of the sample pipeline started together on one fresh store: each
/// completes and verifies, and a later run reuses what they filed without
/// a warning.
pub fn runs_on_one_store(dir: &Path, mode: &Mode, counts: &mut Counts) {
    let sample = std::fs::read_to_string(dir.join("sample.toml")).unwrap();
    for i in 0..mode.concurrent_stores {
        let store = dir.join(format!("shared-store-{i}"));
        let pipeline = dir.join(format!("shared-store-{i}.toml"));
        std::fs::write(
            &pipeline,
            sample.replace(
                &dir.join("store").display().to_string(),
                &store.display().to_string(),
            ),
        )
        .unwrap();
        let what = format!("runs sharing a store {i}");
        let run = |n: usize| {
            let mut command = crate::cli::macroscope();
            command
                .args(["run", "--quiet", "--no-figures", "--output"])
                .arg(dir.join(format!("shared-store-{i}-{n}.h5")))
                .arg(&pipeline);
            command
        };
        let outputs: Vec<_> = std::thread::scope(|scope| {
            let runs: Vec<_> = (0..2)
                .map(|n| {
                    let command = run(n);
                    scope.spawn(move || crate::cli::bounded(command, LIMIT_S))
                })
                .collect();
            runs.into_iter().map(|r| r.join().unwrap()).collect()
        });
        for (n, output) in outputs.into_iter().enumerate() {
            let Some(output) = counts.judge(format!("{what}: run {n}"), output) else {
                continue;
            };
            if !output.status.success() {
                counts.losses.push(format!(
                    "{what}: run {n} failed: {}",
                    String::from_utf8_lossy(&output.stderr)
                ));
                continue;
            }
            let mut verify = crate::cli::macroscope();
            verify
                .arg("verify")
                .arg(dir.join(format!("shared-store-{i}-{n}.h5")));
            verified(counts, format!("{what}: verify run {n}"), verify);
        }
        let Some(after) = counts.run(format!("{what}: the next run"), run(2)) else {
            continue;
        };
        let stderr = String::from_utf8_lossy(&after.stderr);
        if !after.status.success() || stderr.contains("not trusted") {
            counts.losses.push(format!(
                "{what}: the next run did not trust what they filed: {stderr}"
            ));
        }
    }
}

/// Runs `verify` and counts a failure as a loss.
fn verified(counts: &mut Counts, what: String, verify: Command) {
    if let Some(output) = counts.run(what.clone(), verify) {
        if !output.status.success() {
            counts.losses.push(format!(
                "{what} failed: {}",
                String::from_utf8_lossy(&output.stdout)
            ));
        }
    }
}
