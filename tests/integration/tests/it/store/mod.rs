//! The storage sink: the files it writes, reuse from the content-addressed
//! store, crash and error behaviour, and the commands that read its files
//! (`show`, `verify`, `recover`); one module per concern.

mod damaged;
mod dedup;
mod disk_full;
mod errors;
mod h5py;
mod hash_vector;
mod kill;
mod ownership;
mod reanalysis;
mod roundtrip;
pub(crate) mod schema;
pub(crate) mod seal_disk_full;
mod shared;
mod verify;
