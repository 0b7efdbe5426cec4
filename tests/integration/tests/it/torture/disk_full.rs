//! A disk that fills up: a run on a small tmpfs (in a private mount
//! namespace, `unshare --mount`) whose free bytes are taken by another
//! process at a random moment: once, or again and again, so the space the
//! run set aside for sealing is taken the moment the run gives it back and
//! sealing itself meets a full disk. The run must end `failed` with the
//! reason, or `complete` if it was done; after `recover` where it could not
//! seal, the file verifies and keeps every row it flushed.

use macroscope_integration::child;
use std::path::Path;

use rand::rngs::StdRng;
use rand::Rng;

use super::{camera_rows, Counts, Mode};

/// Frames each case writes (64 × 64, one every millisecond).
const FRAMES: u64 = 3000;

/// Mounts a 64 MiB tmpfs on `$1`, runs the writer `$2` on it (store `$3`),
/// fills the disk after `$5` seconds (`$6` = `greedy`: and keeps taking
/// whatever is freed until the writer ends), and copies the run's files to
/// `$4`.
const SCRIPT: &str = r#"mount -t tmpfs -o size=64m tmpfs "$1" || exit 77
"$2" "$1/full.h5" "$3" "$7" 64 64 1 > "$4/stdout.txt" &
writer=$!
sleep "$5"
if [ "$6" = greedy ]; then
  while kill -0 $writer 2>/dev/null; do cat /dev/zero >> "$1/filler" 2>/dev/null; done &
else
  cat /dev/zero > "$1/filler" 2>/dev/null
fi
wait $writer
status=$?
wait
rm -f "$1/filler"
cp "$1"/full.h5* "$4"/ 2>/dev/null
exit $status"#;

pub fn disk_full(dir: &Path, mode: &Mode, rng: &mut StdRng, counts: &mut Counts) {
    for i in 0..mode.disk_full {
        let after = format!("{:.2}", rng.random_range(0.2..3.0));
        let filler = if i % 2 == 0 { "greedy" } else { "once" };
        let what = format!("disk full {i} (after {after} s, {filler})");
        let case = dir.join(format!("disk-full-{i}"));
        let mount = case.join("small-disk");
        let saved = case.join("saved");
        std::fs::create_dir_all(&mount).unwrap();
        std::fs::create_dir_all(&saved).unwrap();
        let mut command = child::command("unshare");
        command
            .args(["--mount", "--", "bash", "-c", SCRIPT, "bash"])
            .arg(&mount)
            .arg(env!("CARGO_BIN_EXE_store-writer"))
            .arg(dir.join("store"))
            .arg(&saved)
            .arg(&after)
            .arg(filler)
            .arg(FRAMES.to_string());
        let Some(ran) = counts.run(format!("{what}: run"), command) else {
            continue;
        };
        let stdout = std::fs::read_to_string(saved.join("stdout.txt")).unwrap_or_default();
        if ran.status.code() == Some(77) || stdout.is_empty() {
            println!(
                "note: disk-full cases skipped: cannot mount a tmpfs here ({})",
                String::from_utf8_lossy(&ran.stderr).trim()
            );
            counts.skipped += mode.disk_full - i;
            return;
        }
        check(&saved, &stdout, &what, counts);
        // Up to 64 MiB a case: the long mode would otherwise fill the disk.
        let _ = std::fs::remove_dir_all(&case);
    }
}

/// Recovers the run in `saved` if it was left `.partial`, then checks its
/// status, its reason, its rows and `verify`.
fn check(saved: &Path, stdout: &str, what: &str, counts: &mut Counts) {
    let flushed = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("flushed "))
        .filter_map(|n| n.parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    let failed = !stdout.contains("status complete");
    let output = saved.join("full.h5");
    let partial = macroscope::store::partial_path(&output);
    let partial_left = partial.exists();
    if partial_left {
        let mut recover = crate::cli::macroscope();
        recover.arg("recover").arg(&partial);
        let Some(recovered) = counts.run(format!("{what}: recover"), recover) else {
            return;
        };
        if !recovered.status.success() {
            counts.rows_lost += flushed;
            counts.losses.push(format!(
                "{what}: recover failed: {}",
                String::from_utf8_lossy(&recovered.stderr)
            ));
            return;
        }
    }
    let Ok(file) = hdf5::File::open(&output) else {
        counts.rows_lost += flushed;
        counts
            .losses
            .push(format!("{what}: no readable run file: {stdout}"));
        return;
    };
    let status = crate::run_file::status(&file);
    let error = crate::run_file::text_attr(&file, "error");
    drop(file);
    println!(
        "  {what}: `{status}`{}, {flushed} rows flushed{}",
        if error.is_empty() {
            String::new()
        } else {
            format!(" ({error})")
        },
        if partial_left { ", recovered" } else { "" }
    );
    let expected = if failed { "failed" } else { "complete" };
    if status != expected || (failed && error.is_empty()) {
        counts.losses.push(format!(
            "{what}: status `{status}` (error `{error}`), expected `{expected}` with its reason: {stdout}"
        ));
    }
    let rows = camera_rows(&output);
    if rows < flushed {
        counts.rows_lost += flushed - rows;
        counts
            .losses
            .push(format!("{what}: {rows} rows kept, {flushed} flushed"));
    }
    let mut verify = crate::cli::macroscope();
    verify.arg("verify").arg(&output);
    if let Some(verified) = counts.run(format!("{what}: verify"), verify) {
        if !verified.status.success() {
            counts.losses.push(format!(
                "{what}: verify failed: {}",
                String::from_utf8_lossy(&verified.stdout)
            ));
        }
    }
}
