//! The integration tests, in one test binary with a module per area: one
//! link of the static HDF5 library and of the host instead of one per area.
//!
//! - `plugins`: plugin libraries built as real `cdylib`s, loaded by the host
//!   and driven through its command line;
//! - `pipelines`: `macroscope run` end to end with a library plugin;
//! - `command_line`: one pipeline file for many sessions (`--var`, `--set`);
//! - `batch`: that file run once per session, finishing only what is left;
//! - `slurm`: the same batch as a job array on a real Slurm cluster (skipped
//!   without one unless `MACROSCOPE_REQUIRE_SLURM=1`);
//! - `import`: movies recorded elsewhere, brought in with `movie-file`;
//! - `stimulus_log`: stimulus logs recorded elsewhere (CSV, an h5py compound
//!   table), brought in with `stimulus-log`;
//! - `export`: a run shared as NWB (`export nwb`), checked by pynwb and nwbinspector;
//! - `report`: a run's HTML report, rendered by headless Chromium;
//! - `limits`: pipelines asking for more than a run can hold, refused by `validate`;
//! - `output`: what `run` prints (progress, logging, its wall time);
//! - `store`: the storage sink, its files and the commands that read them;
//! - `warnings`: what a stage reports as suspect, printed once, stored, shown;
//! - `cmake_launcher`: the CMake a fresh machine builds HDF5 with (`tools/`);
//! - `torture`: kills, damaged files and fuzzed pipelines, counted (ignored
//!   unless asked for: `.ci/run` runs it in its short mode).
//!
//! What the areas share: `cli` (the one way to run `macroscope`),
//! `built_plugins` (the plugin libraries, built for the tests), `pipeline_files`
//! (the pipeline files they write) and `run_file` (reading back what a run wrote). Fixtures the helper binaries need too
//! live in the package's library (`src/store_fixtures.rs`).

mod batch;
mod built_plugins;
mod child;
mod cli;
#[cfg(unix)] // the launcher's shell side; Windows runs the same file as a batch file
mod cmake_launcher;
mod command_line;
mod export;
mod import;
mod limits;
mod output;
mod pipeline_files;
mod pipelines;
mod plugins;
mod report;
mod run_clock;
mod run_file;
mod slurm;
mod stimulus_log;
mod store;
mod torture;
mod warnings;
