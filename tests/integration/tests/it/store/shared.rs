//! One store filed into by many runs at once, as by the tasks of a job array
//! on hosts sharing a folder: filing takes no lock and never replaces an
//! entry, so what is left is only whole entries that verify, which a later
//! run reuses.

use std::process::{Command, Stdio};

use sha2::{Digest, Sha256};

use crate::batch::stderr;
use crate::pipeline_files::per_session_maps_pipeline;
use crate::run_file::{status, text_attr};

/// `macroscope run PIPELINE --var session=NAME`, quietly.
fn run(pipeline: &std::path::Path, session: &str) -> Command {
    let mut command = crate::cli::macroscope();
    command
        .args(["run", "--quiet", "--no-figures"])
        .arg(pipeline)
        .args(["--var", &format!("session={session}")]);
    command
}

#[test]
fn six_runs_filing_into_one_store_at_once_leave_only_entries_that_verify_and_a_later_run_reuses_them(
) {
    let work = tempfile::tempdir().unwrap();
    let pipeline = per_session_maps_pipeline(work.path());
    let started: Vec<_> = (1..=6)
        .map(|n| {
            run(&pipeline, &format!("m{n}"))
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for (n, child) in (1..=6).zip(started) {
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "m{n}: {}", stderr(&output));
        let file = hdf5::File::open(work.path().join(format!("runs/m{n}.h5"))).unwrap();
        assert_eq!(status(&file), "complete");
    }

    let store = work.path().join("store");
    let mut names: Vec<String> = std::fs::read_dir(&store)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let entries: Vec<&String> = names.iter().filter(|n| n.ends_with(".h5")).collect();
    assert_eq!(
        entries.len(),
        4,
        "one entry per stage (stimulus, camera, fourier, retinotopy): {names:?}"
    );
    for entry in &entries {
        assert_eq!(entry.len(), 64 + 3, "only `<key>.h5` entries: {names:?}");
        let recorded = std::fs::read_to_string(store.join(format!("{entry}.sha256"))).unwrap();
        let actual = hex::encode(Sha256::digest(std::fs::read(store.join(entry)).unwrap()));
        assert_eq!(recorded, format!("{actual}  {entry}\n"), "{entry} is whole");
        let verified = crate::cli::output("verify", store.join(entry));
        assert!(verified.status.success(), "{entry}: {}", stderr(&verified));
    }
    assert_eq!(
        names.len(),
        2 * entries.len(),
        "nothing else left (no temporary file): {names:?}"
    );

    let later = run(&pipeline, "m7").output().unwrap();
    assert!(later.status.success(), "{}", stderr(&later));
    assert!(
        !stderr(&later).contains("not trusted"),
        "{}",
        stderr(&later)
    );
    let file = hdf5::File::open(work.path().join("runs/m7.h5")).unwrap();
    let reused = reused_stages(&file);
    assert_eq!(
        reused,
        ["camera", "fourier", "retinotopy", "stimulus"],
        "every stage reused"
    );
}

/// The stages of a run file whose group records `reused = 1`, sorted.
fn reused_stages(file: &hdf5::File) -> Vec<String> {
    fn walk(group: &hdf5::Group, out: &mut Vec<String>) {
        for name in group.member_names().unwrap() {
            let Ok(child) = group.group(&name) else {
                continue;
            };
            let reused = child
                .attr("reused")
                .and_then(|a| a.read_scalar::<u8>())
                .is_ok_and(|flag| flag == 1);
            if reused {
                out.push(text_attr(&child, "stage"));
            }
            walk(&child, out);
        }
    }
    let mut out = Vec::new();
    walk(file, &mut out);
    out.sort();
    out
}
