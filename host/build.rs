//! Link settings the bundled static HDF5 needs and does not declare itself.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    // HDF5's H5system.c calls `StrStrIA` (shlwapi) on Windows.
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("windows") {
        return;
    }
    if std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("msvc") {
        println!("cargo::rustc-link-lib=shlwapi");
    } else {
        // GNU ld looks for what a static library needs only in the libraries
        // after it: a link argument comes last, after the static HDF5.
        println!("cargo::rustc-link-arg=-lshlwapi");
    }
}
