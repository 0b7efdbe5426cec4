//! The `macroscope` command line, built inside this test package so its tests
//! can run it (`CARGO_BIN_EXE_macroscope-cli`, through `tests/it/cli.rs`):
//! Cargo gives integration tests the paths of their own package's binaries
//! only. The same `main` as `host/src/main.rs`.

fn main() -> std::process::ExitCode {
    macroscope::cli::main()
}
