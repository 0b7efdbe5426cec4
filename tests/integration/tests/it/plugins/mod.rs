//! Plugin libraries built as real `cdylib`s: loaded by the host's registry
//! (`loading`) and listed, inspected and checked by its command line (`cli`).

mod cli;
mod loading;
