//! A disk that fills up mid-run: the write error is reported clearly, the
//! file is sealed with `status=failed`, and everything written before stays
//! readable and verifiable.
//!
//! The run writes into a 16 MiB tmpfs mounted in a private mount namespace
//! (`unshare --mount`, needs root or unprivileged user namespaces). Where
//! that is not allowed the test says so and does nothing.

use macroscope_integration::child;
use std::path::Path;

use macroscope_integration::store_fixtures::camera_pixel;

use crate::run_file::{dataset_values, stage_group, status, text_attr};

const SIDE: u64 = 128;

#[test]
fn a_full_disk_fails_the_run_cleanly_and_keeps_what_was_written() {
    let dir = tempfile::tempdir().unwrap();
    let mount = dir.path().join("small-disk");
    let saved = dir.path().join("saved");
    std::fs::create_dir_all(&mount).unwrap();
    std::fs::create_dir_all(&saved).unwrap();
    let script = r#"mount -t tmpfs -o size=16m tmpfs "$1" || exit 77
"$2" "$1/full.h5" "$3" 1000000 "$5" "$5" 0 > "$4/stdout.txt"
status=$?
cp "$1"/full.h5* "$4"/
exit $status"#;
    let result = child::command("unshare")
        .args(["--mount", "--", "sh", "-c", script, "sh"])
        .arg(&mount)
        .arg(env!("CARGO_BIN_EXE_store-writer"))
        .arg(dir.path().join("store"))
        .arg(&saved)
        .arg(SIDE.to_string())
        .output()
        .unwrap();
    if result.status.code() == Some(77)
        || (!result.status.success() && !saved.join("stdout.txt").exists())
    {
        eprintln!(
            "note: disk-full test skipped: cannot mount a tmpfs here ({})",
            String::from_utf8_lossy(&result.stderr).trim()
        );
        return;
    }
    let stdout = std::fs::read_to_string(saved.join("stdout.txt")).unwrap();
    assert_eq!(
        result.status.code(),
        Some(1),
        "the writer reports failure:\n{stdout}"
    );
    assert!(stdout.contains("status failed"), "{stdout}");
    assert!(
        stdout.contains("No space left on device"),
        "the error says why:\n{stdout}"
    );

    let output = saved.join("full.h5");
    assert!(
        !saved.join("full.h5.partial").exists() && output.exists(),
        "the file was sealed and renamed"
    );
    check_contents(&output);
    crate::cli::succeeds("verify", &output);
}

/// The sealed file says why it failed and holds every frame it kept, exactly.
fn check_contents(output: &Path) {
    let file = hdf5::File::open(output).unwrap();
    assert_eq!(status(&file), "failed");
    let error = text_attr(&file, "error");
    assert!(error.contains("No space left on device"), "{error}");
    eprintln!("error attribute: {error}");
    let camera = stage_group(&file, "acquisitions", "camera");
    let frames = camera.dataset("frames").unwrap();
    let rows = frames.shape()[0] as u64;
    assert!(rows > 100, "only {rows} frames kept");
    let values = frames.read_raw::<u16>().unwrap();
    let expected: Vec<u16> = (0..rows)
        .flat_map(|i| (0..SIDE).flat_map(move |r| (0..SIDE).map(move |c| camera_pixel(i, r, c))))
        .collect();
    assert!(values == expected, "kept frames read back exactly");
    assert_eq!(
        dataset_values::<u64>(&camera, "frames.frame_id"),
        (0..rows).collect::<Vec<u64>>()
    );
}
