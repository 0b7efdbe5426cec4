//! The `macroscope` command line, built inside this test package so tests
//! can run it (`CARGO_BIN_EXE_macroscope-cli`): Cargo gives integration tests
//! the paths of their own package's binaries only.

fn main() -> std::process::ExitCode {
    macroscope::cli::main()
}
