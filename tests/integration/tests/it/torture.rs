//! The torture suite: kills at random moments of a run and of `recover`,
//! kills at the sealing fail points, truncated, bit-flipped and random files
//! given to every command that reads files, tampered store entries, a
//! seeded fuzz of pipeline files and of the built-in plugins' parameters,
//! concurrent runs on one output and on one store, and a disk filling up
//! during a run and during sealing. It counts cases of each kind, hangs (a command still running
//! after its time limit), panics, aborts (death by a signal), rows lost
//! (rows flushed before a kill but missing after `recover`) and other
//! failures (a failed `recover` or `verify` of a killed run, a run that could
//! not recover from a damaged store entry), prints the counts, and fails
//! unless all are zero.
//!
//! Not part of a plain `cargo test` (it takes minutes): `.ci/run` runs the
//! short mode,
//!
//! ```sh
//! MACROSCOPE_TORTURE=short cargo test -p macroscope-integration --test it torture -- --ignored --nocapture
//! ```
//!
//! and `MACROSCOPE_TORTURE=long` (ten times the cases: 1,609 in eight
//! minutes on two cores, and a few GB of scratch space) is the release check. `MACROSCOPE_TORTURE_SEED` changes the seed.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use macroscope_integration::child;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

mod concurrent;
mod disk_full;
mod parameters;

/// Seconds a command may take on a damaged input before it counts as a hang.
const LIMIT_S: u64 = 60;

/// How many cases of each kind.
struct Mode {
    kills: usize,
    recover_kills: usize,
    damaged_files: usize,
    tampered_entries: usize,
    fuzzed_pipelines: usize,
    fuzzed_parameters: usize,
    concurrent_outputs: usize,
    concurrent_stores: usize,
    disk_full: usize,
}

impl Mode {
    fn from_env() -> (String, Mode) {
        let name = std::env::var("MACROSCOPE_TORTURE").unwrap_or_else(|_| "short".into());
        let scale = match name.as_str() {
            "long" => 10,
            "short" => 1,
            other => panic!("MACROSCOPE_TORTURE={other}: use `short` or `long`"),
        };
        let mode = Mode {
            kills: 4 * scale,
            recover_kills: 3 * scale,
            damaged_files: 6 * scale,
            tampered_entries: 4 * scale,
            fuzzed_pipelines: 40 * scale,
            fuzzed_parameters: 40 * scale,
            concurrent_outputs: 2 * scale,
            concurrent_stores: scale,
            disk_full: 2 * scale,
        };
        (name, mode)
    }
}

/// What went wrong, counted over the whole suite.
#[derive(Debug, Default)]
struct Counts {
    cases: usize,
    /// Cases of each kind, in the order run.
    kinds: Vec<(&'static str, usize)>,
    /// Cases this machine cannot run (no tmpfs mount).
    skipped: usize,
    hangs: Vec<String>,
    panics: Vec<String>,
    aborts: Vec<String>,
    rows_lost: u64,
    losses: Vec<String>,
}

impl Counts {
    /// Records that the cases since `start` were of kind `name`.
    fn kind(&mut self, name: &'static str, start: usize) {
        self.kinds.push((name, self.cases - start));
    }

    /// Runs `command` (described as `what`) within the limit and counts how
    /// it ended; returns its output unless it hung.
    fn run(&mut self, what: String, command: Command) -> Option<Output> {
        self.judge(what, crate::cli::bounded(command, LIMIT_S))
    }

    /// Counts how a command (described as `what`) ended: `None` if it hung.
    fn judge(&mut self, what: String, output: Option<Output>) -> Option<Output> {
        self.cases += 1;
        let Some(output) = output else {
            self.hangs.push(what);
            return None;
        };
        let stderr = String::from_utf8_lossy(&output.stderr);
        if output.status.code() == Some(101) || stderr.contains("panicked") {
            self.panics.push(format!("{what}: {stderr}"));
        } else if output.status.code().is_none() {
            self.aborts
                .push(format!("{what}: {:?} {stderr}", output.status));
        }
        Some(output)
    }
}

#[test]
#[ignore = "minutes long: run by .ci/run with MACROSCOPE_TORTURE=short (see the module docs)"]
fn torture() {
    let (name, mode) = Mode::from_env();
    let seed = std::env::var("MACROSCOPE_TORTURE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20261128u64);
    let mut rng = StdRng::seed_from_u64(seed);
    let mut counts = Counts::default();
    let dir = tempfile::tempdir().unwrap();

    let c = &mut counts;
    let start = c.cases;
    kills_during_runs(dir.path(), &mode, &mut rng, c);
    c.kind("kills during runs and sealing", start);
    let start = c.cases;
    kills_during_recover(dir.path(), &mode, &mut rng, c);
    c.kind("kills during recover", start);
    let run = sample_run(dir.path());
    let start = c.cases;
    damaged_files(dir.path(), &run, &mode, &mut rng, c);
    c.kind("damaged files", start);
    let start = c.cases;
    tampered_entries(dir.path(), &mode, &mut rng, c);
    c.kind("tampered store entries", start);
    let start = c.cases;
    fuzzed_pipelines(dir.path(), &mode, &mut rng, c);
    c.kind("fuzzed pipelines", start);
    let start = c.cases;
    parameters::fuzzed_parameters(dir.path(), &mode, &mut rng, c);
    c.kind("fuzzed parameters", start);
    let start = c.cases;
    concurrent::runs_on_one_output(dir.path(), &mode, &mut rng, c);
    c.kind("concurrent runs on one output", start);
    let start = c.cases;
    concurrent::runs_on_one_store(dir.path(), &mode, c);
    c.kind("concurrent runs on one store", start);
    let start = c.cases;
    disk_full::disk_full(dir.path(), &mode, &mut rng, c);
    c.kind("disk full", start);

    for (kind, cases) in &counts.kinds {
        println!("  {kind}: {cases} cases");
    }
    println!(
        "torture ({name}, seed {seed}): {} cases ({} skipped): {} hangs, {} panics, {} aborts, {} rows lost, {} other failures",
        counts.cases,
        counts.skipped,
        counts.hangs.len(),
        counts.panics.len(),
        counts.aborts.len(),
        counts.rows_lost,
        counts.losses.len()
    );
    assert!(
        counts.hangs.is_empty()
            && counts.panics.is_empty()
            && counts.aborts.is_empty()
            && counts.rows_lost == 0
            && counts.losses.is_empty(),
        "hangs {:#?}\npanics {:#?}\naborts {:#?}\nlosses {:#?}",
        counts.hangs,
        counts.panics,
        counts.aborts,
        counts.losses
    );
}

/// `store-writer` on `output`, 64×64 frames every 2 ms, printing `flushed N`.
fn writer(output: &Path, store: &Path) -> Command {
    let mut command = child::command(env!("CARGO_BIN_EXE_store-writer"));
    command
        .arg(output)
        .arg(store)
        .args(["1000000", "64", "64", "2"]);
    command
}

/// A running command whose `flushed N` lines are followed.
struct Watched {
    child: std::process::Child,
    flushed: std::sync::Arc<std::sync::atomic::AtomicU64>,
    reader: std::thread::JoinHandle<()>,
}

impl Watched {
    /// Starts `command`, following what it prints.
    fn start(mut command: Command) -> Watched {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let flushed = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let seen = std::sync::Arc::clone(&flushed);
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(n) = line.strip_prefix("flushed ") {
                    seen.store(n.parse().unwrap(), std::sync::atomic::Ordering::SeqCst);
                }
            }
        });
        Watched {
            child,
            flushed,
            reader,
        }
    }

    /// SIGKILLs it; returns the last flushed count it printed before.
    fn kill(mut self) -> u64 {
        let before = self.flushed.load(std::sync::atomic::Ordering::SeqCst);
        let _ = self.child.kill();
        self.child.wait().unwrap();
        self.reader.join().unwrap();
        before
    }
}

/// Runs `command`, SIGKILLs it after `after`, returns the last flushed count.
fn killed_after(command: Command, after: Duration) -> u64 {
    let watched = Watched::start(command);
    std::thread::sleep(after);
    watched.kill()
}

/// Rows of the camera stream of the recovered run at `output`.
fn camera_rows(output: &Path) -> u64 {
    let file = hdf5::File::open(output).unwrap();
    let camera = crate::run_file::stage_group(&file, "acquisitions", "camera");
    camera.dataset("frames").unwrap().shape()[0] as u64
}

/// Recovers `output`'s `.partial`, verifies it, and counts rows lost
/// against `flushed`.
fn recover_and_count(output: &Path, flushed: u64, what: &str, counts: &mut Counts) {
    let partial = macroscope::store::partial_path(output);
    let mut recover = crate::cli::macroscope();
    recover.arg("recover").arg(&partial);
    let Some(recovered) = counts.run(format!("{what}: recover"), recover) else {
        return;
    };
    if !recovered.status.success() {
        counts.losses.push(format!(
            "{what}: recover failed: {}",
            String::from_utf8_lossy(&recovered.stderr)
        ));
        counts.rows_lost += flushed;
        return;
    }
    if !output.exists() {
        // Killed before it created its `.partial`: `recover` only removed
        // the space it had set aside, and nothing was flushed to lose.
        if flushed > 0 {
            counts.rows_lost += flushed;
            counts.losses.push(format!(
                "{what}: recover left no file, {flushed} rows flushed"
            ));
        }
        return;
    }
    let rows = camera_rows(output);
    if rows < flushed {
        counts.rows_lost += flushed - rows;
        counts
            .losses
            .push(format!("{what}: {rows} rows kept, {flushed} flushed"));
    }
    let mut verify = crate::cli::macroscope();
    verify.arg("verify").arg(output);
    if let Some(verified) = counts.run(format!("{what}: verify"), verify) {
        if !verified.status.success() {
            counts.losses.push(format!(
                "{what}: verify failed: {}",
                String::from_utf8_lossy(&verified.stdout)
            ));
        }
    }
}

fn kills_during_runs(dir: &Path, mode: &Mode, rng: &mut StdRng, counts: &mut Counts) {
    for i in 0..mode.kills {
        let output = dir.join(format!("killed-{i}.h5"));
        let after = Duration::from_millis(rng.random_range(300..3000));
        counts.cases += 1;
        let flushed = killed_after(writer(&output, &dir.join("store")), after);
        recover_and_count(&output, flushed, &format!("kill after {after:?}"), counts);
    }
    for point in ["store::mid-seal", "store::before-rename"] {
        let output = dir.join(format!("{}.h5", point.replace("::", "-")));
        let mut command = child::command(env!("CARGO_BIN_EXE_store-writer"));
        command
            .arg(&output)
            .arg(dir.join("store"))
            .args(["30", "64", "64", "0"])
            .env("FAILPOINTS", format!("{point}=return"));
        counts.cases += 1;
        let _ = command.output().unwrap();
        recover_and_count(&output, 30, point, counts);
    }
}

fn kills_during_recover(dir: &Path, mode: &Mode, rng: &mut StdRng, counts: &mut Counts) {
    for i in 0..mode.recover_kills {
        let output = dir.join(format!("recover-killed-{i}.h5"));
        counts.cases += 1;
        let flushed = killed_after(
            writer(&output, &dir.join("store")),
            Duration::from_millis(1500),
        );
        let mut recover = crate::cli::macroscope();
        recover
            .arg("recover")
            .arg(macroscope::store::partial_path(&output));
        let after = Duration::from_millis(rng.random_range(1..200));
        killed_after(recover, after);
        if output.exists() {
            continue; // recover finished before the kill
        }
        recover_and_count(
            &output,
            flushed,
            &format!("recover killed after {after:?}"),
            counts,
        );
    }
}

/// A small complete run of the real plugins (stimulus, camera, maps) in
/// `dir/sample.h5`, with its store in `dir/store`.
fn sample_run(dir: &Path) -> PathBuf {
    let pipeline = dir.join("sample.toml");
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../pipelines/demo.toml"),
    )
    .unwrap()
    .replace("runs/demo.h5", &dir.join("sample.h5").display().to_string())
    .replace("runs/store", &dir.join("store").display().to_string())
    .replace("sweeps_per_direction = 10", "sweeps_per_direction = 2")
    .replace(
        "width_px = 200, height_px = 200",
        "width_px = 48, height_px = 48",
    );
    std::fs::write(&pipeline, text).unwrap();
    let ran = crate::cli::macroscope()
        .args(["run", "--quiet", "--no-figures"])
        .arg(&pipeline)
        .output()
        .unwrap();
    assert!(
        ran.status.success(),
        "{}",
        String::from_utf8_lossy(&ran.stderr)
    );
    dir.join("sample.h5")
}

/// The damaged variants of `bytes`: cut at a random length, one random byte
/// flipped in every 4 kB, or random bytes after a real superblock.
fn damaged(bytes: &[u8], rng: &mut StdRng, kind: usize) -> Vec<u8> {
    match kind % 3 {
        0 => bytes[..rng.random_range(0..bytes.len())].to_vec(),
        1 => {
            let mut flipped = bytes.to_vec();
            for _ in 0..flipped.len() / 4096 + 1 {
                let at = rng.random_range(0..flipped.len());
                flipped[at] ^= 1 << rng.random_range(0..8);
            }
            flipped
        }
        _ => {
            let mut random = bytes[..96.min(bytes.len())].to_vec();
            random.extend((0..rng.random_range(0..200_000)).map(|_| rng.random::<u8>()));
            random
        }
    }
}

fn damaged_files(dir: &Path, run: &Path, mode: &Mode, rng: &mut StdRng, counts: &mut Counts) {
    let bytes = std::fs::read(run).unwrap();
    for i in 0..mode.damaged_files {
        let copy = dir.join(format!("damaged-{i}.h5"));
        std::fs::write(&copy, damaged(&bytes, rng, i)).unwrap();
        let what = format!("damaged file {i} (kind {})", i % 3);
        let hangs_before = counts.hangs.len();
        for command in ["verify", "show", "figures"] {
            let mut c = crate::cli::macroscope();
            c.arg(command).arg(&copy);
            counts.run(format!("{what}: {command}"), c);
        }
        let pipeline = dir.join(format!("damaged-{i}.toml"));
        std::fs::write(
            &pipeline,
            format!(
                "[pipeline]\nname = \"d\"\noutput = \"{}\"\nstore = \"{}\"\n\n[stages.fourier]\nplugin = \
                 \"fourier-maps\"\ninputs = [\"file:{}#/acquisitions/*/camera/frames\", \"file:{}#/stimuli/*/schedule\"]\n",
                dir.join(format!("damaged-out-{i}.h5")).display(),
                dir.join("store").display(),
                copy.display(),
                copy.display()
            ),
        )
        .unwrap();
        for command in ["validate", "run"] {
            let mut c = crate::cli::macroscope();
            c.arg(command).arg(&pipeline);
            if command == "run" {
                c.args(["--quiet", "--no-figures"]);
            }
            counts.run(format!("{what}: {command}"), c);
        }
        let partial = dir.join(format!("damaged-{i}.h5.partial"));
        std::fs::copy(&copy, &partial).unwrap();
        let mut c = crate::cli::macroscope();
        c.arg("recover").arg(&partial);
        counts.run(format!("{what}: recover"), c);
        if counts.hangs.len() > hangs_before {
            keep_hung_input(&copy, &format!("damaged-{i}.h5"));
        }
    }
}

/// Copies an input a command hung on to `<target tmp>/torture-hangs/`
/// (the suite's scratch directory is deleted, and the sample run differs
/// each time, so the seed alone does not bring it back) and says where.
fn keep_hung_input(input: &Path, name: &str) {
    let kept = Path::new(env!("CARGO_TARGET_TMPDIR")).join("torture-hangs");
    std::fs::create_dir_all(&kept).unwrap();
    std::fs::copy(input, kept.join(name)).unwrap();
    println!("kept the input of a hang: {}", kept.join(name).display());
}

fn tampered_entries(dir: &Path, mode: &Mode, rng: &mut StdRng, counts: &mut Counts) {
    let store = dir.join("store");
    let entries: Vec<PathBuf> = std::fs::read_dir(&store)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "h5"))
        .collect();
    let pipeline = dir.join("sample.toml");
    for i in 0..mode.tampered_entries {
        for entry in &entries {
            let bytes = std::fs::read(entry).unwrap();
            std::fs::write(entry, damaged(&bytes, rng, i)).unwrap();
        }
        let mut c = crate::cli::macroscope();
        c.args(["run", "--quiet", "--no-figures", "--output"])
            .arg(dir.join(format!("tampered-{i}.h5")))
            .arg(&pipeline);
        let Some(output) = counts.run(format!("tampered entries {i}: run"), c) else {
            continue;
        };
        if !output.status.success() {
            counts.losses.push(format!(
                "tampered entries {i}: the run failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ));
            continue;
        }
        // A flipped bit in unused space changes nothing; anything reused
        // must verify in the new run file.
        let mut verify = crate::cli::macroscope();
        verify
            .arg("verify")
            .arg(dir.join(format!("tampered-{i}.h5")));
        if let Some(verified) = counts.run(format!("tampered entries {i}: verify"), verify) {
            if !verified.status.success() {
                counts.losses.push(format!(
                    "tampered entries {i}: damage reached the run file: {}",
                    String::from_utf8_lossy(&verified.stdout)
                ));
            }
        }
    }
}

/// One seeded edit of a pipeline's text: a character deleted, inserted or
/// replaced, a line dropped or doubled, or a number replaced.
fn mutated(text: &str, rng: &mut StdRng) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let at = rng.random_range(0..chars.len());
    let symbols = [
        '[', ']', '{', '}', '=', '"', ',', '.', '-', '#', '\n', 'x', '0', '9',
    ];
    match rng.random_range(0..6) {
        0 => {
            chars.remove(at);
        }
        1 => chars.insert(at, symbols[rng.random_range(0..symbols.len())]),
        2 => chars[at] = symbols[rng.random_range(0..symbols.len())],
        3 | 4 => {
            let mut lines: Vec<&str> = text.lines().collect();
            let line = rng.random_range(0..lines.len());
            if rng.random_bool(0.5) {
                lines.remove(line);
            } else {
                lines.insert(line, lines[line]);
            }
            return lines.join("\n");
        }
        _ => {
            let digits: Vec<usize> = (0..chars.len())
                .filter(|&i| chars[i].is_ascii_digit())
                .collect();
            if let Some(&i) = digits.get(rng.random_range(0..digits.len().max(1))) {
                let replacement = ["0", "-1", "1e3", "0.5", "nan", "7"][rng.random_range(0..6)];
                let mut out: String = chars[..i].iter().collect();
                out.push_str(replacement);
                out.extend(&chars[i + 1..]);
                return out;
            }
        }
    }
    chars.into_iter().collect()
}

fn fuzzed_pipelines(dir: &Path, mode: &Mode, rng: &mut StdRng, counts: &mut Counts) {
    let base = std::fs::read_to_string(dir.join("sample.toml")).unwrap();
    for i in 0..mode.fuzzed_pipelines {
        let mut text = base.clone();
        for _ in 0..rng.random_range(1..4) {
            text = mutated(&text, rng);
        }
        let path = dir.join(format!("fuzzed-{i}.toml"));
        std::fs::write(&path, &text).unwrap();
        let mut c = crate::cli::macroscope();
        c.arg("validate").arg(&path);
        counts.run(format!("fuzzed pipeline {i}:\n{text}"), c);
    }
}
