//! Integration tests live in tests/; this library holds what they and the
//! test binaries share.

pub mod store_fixtures;
