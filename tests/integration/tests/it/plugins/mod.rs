//! Plugin libraries built as real `cdylib`s: loaded by the host's registry
//! (`loading`) and listed, inspected and checked by its command line (`cli`);
//! a plugin built against the frozen contract 2.0 run by a grown host (`compat`).

mod cli;
mod compat;
mod loading;
