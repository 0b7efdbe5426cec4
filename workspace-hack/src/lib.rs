//! Holds no code. Its `Cargo.toml`, written by `cargo hakari` (.config/hakari.toml), lists each
//! dependency with the union of the features any workspace member asks of it; because every
//! member depends on this crate, a dependency is compiled once with one feature set whichever
//! members a command selects.
