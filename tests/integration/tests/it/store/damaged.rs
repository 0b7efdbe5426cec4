//! Outside files that are not what they claim: a truncated copy of a run
//! given to `verify`, `show` or a pipeline's `file:` input is refused with a
//! message naming it and both lengths, within seconds (a hang fails the
//! test); a damaged file the HDF5 library loops on ends the command with an
//! error after the stall limit; a store entry changed since it was filed (truncated, its body
//! random, an attribute edited) is reported once, set aside in the store's
//! `untrusted/` folder, and its stage runs again instead of reusing it.

use std::path::{Path, PathBuf};

/// Seconds any command below may take before it counts as a hang.
const LIMIT_S: u64 = 60;

/// A one-stage pipeline (a 1-sweep drifting bar) writing `dir/NAME` with
/// the store `dir/store`.
fn stimulus_pipeline(dir: &Path, name: &str) -> PathBuf {
    let pipeline = dir.join(format!("{name}.toml"));
    std::fs::write(
        &pipeline,
        format!(
            r#"
[pipeline]
name = "short"
output = "{output}"
store = "{store}"

[stages.stimulus]
plugin = "drifting-bar"
params = {{ sweeps_per_direction = 1, downsample = 8 }}
"#,
            output = dir.join(name).display(),
            store = dir.join("store").display(),
        ),
    )
    .unwrap();
    pipeline
}

/// Runs `macroscope ARGS` and returns (exit code, stdout, stderr), failing
/// the test if it takes longer than [`LIMIT_S`].
fn macroscope(args: &[&std::ffi::OsStr]) -> (Option<i32>, String, String) {
    let mut command = crate::cli::macroscope();
    command.args(args);
    let output = crate::cli::output_within(command, LIMIT_S);
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Runs the stimulus pipeline into `dir/NAME`; returns its stderr.
fn run_stimulus(dir: &Path, name: &str) -> String {
    let pipeline = stimulus_pipeline(dir, name);
    let (code, stdout, stderr) =
        macroscope(&["run".as_ref(), "--no-figures".as_ref(), pipeline.as_ref()]);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    stderr
}

/// A copy of `path` cut to half its length, as `cut.h5` beside it; returns
/// it with both lengths.
fn truncated_copy(path: &Path) -> (PathBuf, usize, usize) {
    let bytes = std::fs::read(path).unwrap();
    let cut = path.with_file_name("cut.h5");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    (cut, bytes.len(), bytes.len() / 2)
}

fn truncated_message(path: &Path, expected: usize, found: usize) -> String {
    format!(
        "{}: the file is truncated (expected {expected} bytes, found {found}): it was cut short while being copied \
         or written; use a whole copy",
        path.display()
    )
}

/// The one store entry in `dir/store` (beside it, its recorded SHA-256).
fn the_entry(dir: &Path) -> PathBuf {
    let entries: Vec<PathBuf> = std::fs::read_dir(dir.join("store"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "h5"))
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    entries.into_iter().next().unwrap()
}

#[test]
fn verify_and_show_refuse_a_truncated_file_naming_both_lengths() {
    let dir = tempfile::tempdir().unwrap();
    run_stimulus(dir.path(), "run.h5");
    let (cut, expected, found) = truncated_copy(&dir.path().join("run.h5"));
    for command in ["verify", "show"] {
        let (code, _, stderr) = macroscope(&[command.as_ref(), cut.as_ref()]);
        assert_eq!(code, Some(1), "{command}: {stderr}");
        assert!(
            stderr.contains(&truncated_message(&cut, expected, found)),
            "{command}: {stderr}"
        );
    }
}

#[test]
fn validate_refuses_a_truncated_file_input() {
    let dir = tempfile::tempdir().unwrap();
    run_stimulus(dir.path(), "run.h5");
    let (cut, expected, found) = truncated_copy(&dir.path().join("run.h5"));
    let pipeline = dir.path().join("reads-cut.toml");
    std::fs::write(
        &pipeline,
        format!(
            r#"
[pipeline]
name = "reads-cut"
output = "{}"

[stages.camera]
plugin = "synthetic-cortex"
inputs = ["file:cut.h5#/stimuli/*/schedule"]
params = {{ width_px = 32, height_px = 32 }}
"#,
            dir.path().join("out.h5").display()
        ),
    )
    .unwrap();
    for command in ["validate", "run"] {
        let (code, _, stderr) = macroscope(&[command.as_ref(), pipeline.as_ref()]);
        assert_eq!(code, Some(1), "{command}: {stderr}");
        assert!(
            stderr.contains(&truncated_message(&cut, expected, found)),
            "{command}: {stderr}"
        );
    }
}

#[test]
fn a_file_that_is_not_hdf5_is_called_that_once() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.h5");
    std::fs::write(&text, "not data\n").unwrap();
    let (code, _, stderr) = macroscope(&["verify".as_ref(), text.as_ref()]);
    assert_eq!(code, Some(1));
    assert_eq!(
        stderr.trim_end(),
        format!(
            "error: cannot verify {p}: {p}: not an HDF5 file (no HDF5 signature in its 9 bytes)",
            p = text.display()
        )
    );
}

/// A copy of `path`, as `loops.h5` beside it, whose first global heap
/// collection (where HDF5 keeps variable-length strings) starts with a
/// free-space object of zero bytes: HDF5 decodes it for ever.
fn heap_looping_copy(path: &Path) -> PathBuf {
    let mut bytes = std::fs::read(path).unwrap();
    let heap = bytes
        .windows(4)
        .position(|w| w == b"GCOL")
        .expect("a global heap");
    // The first object follows the 16-byte header: its index (2 bytes; 0
    // is free space), references (2), reserved (4), size (8).
    let object = heap + 16;
    bytes[object..object + 2].fill(0);
    bytes[object + 8..object + 16].fill(0);
    let copy = path.with_file_name("loops.h5");
    std::fs::write(&copy, bytes).unwrap();
    copy
}

#[test]
fn verify_and_show_end_with_an_error_when_the_hdf5_library_loops_on_a_damaged_file() {
    let dir = tempfile::tempdir().unwrap();
    run_stimulus(dir.path(), "run.h5");
    let loops = heap_looping_copy(&dir.path().join("run.h5"));
    for command in ["verify", "show"] {
        let mut macroscope = crate::cli::macroscope();
        macroscope
            .arg(command)
            .arg(&loops)
            .env("MACROSCOPE_HDF5_STALL_S", "1");
        let output = crate::cli::output_within(macroscope, LIMIT_S);
        assert_eq!(output.status.code(), Some(1), "{command}");
        assert_eq!(
            String::from_utf8_lossy(&output.stderr).trim_end(),
            format!(
                "error: cannot {command} {p}: no HDF5 call returned for 1 s while reading {p} (the library loops for \
                 ever on some damaged files): use an intact copy (MACROSCOPE_HDF5_STALL_S sets the limit)",
                p = loops.display()
            )
        );
    }
}

/// The frames of the stimulus stage of run file `path`: rows and content SHA-256.
fn stimulus_frames(path: &Path) -> (usize, String) {
    let file = hdf5::File::open(path).unwrap();
    let stimulus = file.group("stimuli").unwrap().groups().unwrap().remove(0);
    let frames = stimulus.dataset("frames").unwrap();
    (
        frames.shape()[0],
        crate::run_file::text_attr(&frames, "content_sha256"),
    )
}

/// `bytes` cut to half their length.
fn cut_in_half(bytes: &[u8]) -> Vec<u8> {
    bytes[..bytes.len() / 2].to_vec()
}

/// `bytes` with the HDF5 superblock kept and everything after it random,
/// same length: the file HDF5 walked forever.
fn random_body(bytes: &[u8]) -> Vec<u8> {
    let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(10);
    let mut random = bytes.to_vec();
    rand::RngCore::fill_bytes(&mut rng, &mut random[96..]);
    random
}

#[test]
fn a_store_entry_whose_bytes_changed_since_filing_is_set_aside_and_its_stage_runs_fresh() {
    let dir = tempfile::tempdir().unwrap();
    run_stimulus(dir.path(), "first.h5");
    let entry = the_entry(dir.path());
    let recorded = || {
        let text = std::fs::read_to_string(format!("{}.sha256", entry.display())).unwrap();
        text.split_whitespace().next().unwrap().to_owned()
    };
    let damages = [
        ("truncated", cut_in_half as fn(&[u8]) -> Vec<u8>),
        ("random-body", random_body),
    ];

    for (name, damage) in damages {
        // Each fresh run files a new entry (its own run id): damage that one.
        let recorded = recorded();
        let damaged = damage(&std::fs::read(&entry).unwrap());
        std::fs::write(&entry, &damaged).unwrap();
        let output = format!("{name}.h5");
        let stderr = run_stimulus(dir.path(), &output);

        let warnings: Vec<&str> = stderr
            .lines()
            .filter(|l| l.contains("store entry"))
            .collect();
        assert_eq!(warnings.len(), 1, "{name}: warned once: {stderr}");
        let kept = std::fs::read_dir(dir.path().join("store/untrusted"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| std::fs::read(p).is_ok_and(|bytes| bytes == damaged))
            .unwrap_or_else(|| panic!("{name}: the damaged entry is kept in store/untrusted"));
        assert!(
            warnings[0].ends_with(&format!(
                "store entry {} for stage `stimulus` is not trusted (the file's SHA-256 is {}, but {recorded} was \
                 recorded when it was filed: it was changed or damaged since); the stage runs again. The entry was \
                 moved to {}: look into what damaged it, then delete it",
                entry.display(),
                hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&damaged)),
                kept.display()
            )),
            "{name}: {stderr}"
        );
        assert_eq!(
            std::fs::read_to_string(format!("{}.sha256", kept.display()))
                .unwrap()
                .split_whitespace()
                .next(),
            Some(recorded.as_str()),
            "{name}: the recorded hash goes with the entry"
        );
        assert_eq!(
            stimulus_frames(&dir.path().join(&output)),
            stimulus_frames(&dir.path().join("first.h5")),
            "{name}: the fresh run has every row, identical"
        );
        crate::cli::succeeds("verify", &entry);
    }
}

#[test]
fn an_edited_parameters_attribute_in_a_store_entry_is_detected_and_not_reused() {
    let dir = tempfile::tempdir().unwrap();
    run_stimulus(dir.path(), "first.h5");
    let entry = the_entry(dir.path());
    {
        let file = hdf5::File::open_rw(&entry).unwrap();
        let output = file.group("output").unwrap();
        let name = output.member_names().unwrap().remove(0);
        let dataset = output.dataset(&name).unwrap();
        let edited: hdf5::types::VarLenUnicode = r#"{"sweeps_per_direction":99}"#.parse().unwrap();
        dataset.delete_attr("parameters").unwrap();
        dataset
            .new_attr::<hdf5::types::VarLenUnicode>()
            .create("parameters")
            .unwrap()
            .write_scalar(&edited)
            .unwrap();
    }

    let stderr = run_stimulus(dir.path(), "second.h5");
    assert!(
        stderr.contains(&format!(
            "store entry {} for stage `stimulus` is not trusted (the file's SHA-256 is ",
            entry.display()
        )),
        "{stderr}"
    );
    let second = hdf5::File::open(dir.path().join("second.h5")).unwrap();
    let stimuli = second.group("stimuli").unwrap().groups().unwrap().remove(0);
    assert_eq!(
        crate::run_file::text_attr(&stimuli, "store_entry"),
        entry.display().to_string()
    );
    assert_eq!(
        stimuli.attr("reused").unwrap().read_scalar::<u8>().unwrap(),
        0,
        "not reused"
    );
}
