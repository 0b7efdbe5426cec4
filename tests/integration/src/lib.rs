//! The integration tests live in `tests/it/` (one test binary); this library
//! holds what they and the helper binaries in `src/bin/` share.

pub mod child;
pub mod store_fixtures;
pub mod tools;
