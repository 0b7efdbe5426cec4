//! Loading a plugin library from a file, with version and layout checks.
//! TODO(registry helper): implement; see the doc comments for the contract.

use std::path::{Path, PathBuf};

use crate::ffi::PluginDescriptor;

/// Why a library could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// Placeholder until implemented.
    #[error("{path}: {message}")]
    Other {
        /// The library file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

/// Loads the library at `path` (each file independently; never the cached
/// root module of another file), checks the abi_stable layout and
/// [`crate::ABI_VERSION`], and returns its plugin descriptors.
pub fn load_library(path: &Path) -> Result<Vec<PluginDescriptor>, LoadError> {
    let _ = path;
    todo!()
}
