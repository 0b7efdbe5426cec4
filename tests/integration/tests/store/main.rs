//! Storage-sink integration tests, one module per area, in one test binary
//! (one link of the static HDF5 library instead of one per area).

mod dedup;
mod disk_full;
mod errors;
mod h5py;
mod hash_vector;
mod kill;
mod reanalysis;
mod roundtrip;
mod schema;
mod verify;
