//! Children the tests start inherit no open file of the test process (see
//! `macroscope_integration::child`).

use macroscope_integration::child::command;

#[test]
fn a_child_inherits_no_hdf5_file_the_test_process_has_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("open.h5");
    let _open = hdf5::File::create(&path).unwrap();
    let listed = command("sh")
        // The last descriptor listed is the one the shell's glob read the
        // directory with, closed by the time `readlink` looks at it.
        .args([
            "-c",
            "for fd in /proc/$$/fd/*; do readlink \"$fd\" || true; done",
        ])
        .output()
        .unwrap();
    let targets = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.status.success(), "{listed:?}");
    assert!(
        !targets.contains("open.h5"),
        "the child holds the HDF5 file open:\n{targets}"
    );
}
