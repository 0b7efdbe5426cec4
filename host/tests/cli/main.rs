//! Tests of the `macroscope` binary, one module per command. They live in the
//! host package because only there does Cargo build the binary for them
//! (`CARGO_BIN_EXE_macroscope`), so they never run a stale one.

mod figures;
mod foreign_files;
mod session;
mod validate;
