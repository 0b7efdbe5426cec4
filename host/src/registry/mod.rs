//! The plugin registry: built-ins (via `inventory`) plus dynamic libraries
//! found on the search path, each with its origin for provenance.
//! TODO(registry helper): implement.

use std::path::PathBuf;

use macroscope_plugin_api::ffi::PluginDescriptor;

/// Where a plugin came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Linked into this host binary.
    Builtin,
    /// Loaded from a dynamic library.
    Library {
        /// The library file.
        path: PathBuf,
        /// SHA-256 of the library file, lower-case hex.
        sha256: String,
    },
}

/// A plugin the host can configure.
#[derive(Clone)]
pub struct RegisteredPlugin {
    /// What the plugin says about itself, with its constructor.
    pub descriptor: PluginDescriptor,
    /// Where it came from.
    pub origin: Origin,
}

/// Directories searched for plugin libraries, in precedence order.
#[derive(Debug, Clone, Default)]
pub struct SearchPath {
    /// The directories.
    pub dirs: Vec<PathBuf>,
}

/// Every plugin this host can use.
#[derive(Clone, Default)]
pub struct Registry {
    plugins: Vec<RegisteredPlugin>,
}

impl Registry {
    /// Only the built-in plugins.
    pub fn builtin() -> Registry {
        Registry {
            plugins: macroscope_plugin_api::builtin_plugins()
                .map(|descriptor| RegisteredPlugin { descriptor, origin: Origin::Builtin })
                .collect(),
        }
    }

    /// A registry of exactly `plugins`, sorted by name (tests, embedding hosts).
    #[doc(hidden)]
    pub fn from_plugins(mut plugins: Vec<RegisteredPlugin>) -> Registry {
        plugins.sort_by(|a, b| a.descriptor.name.cmp(&b.descriptor.name));
        Registry { plugins }
    }

    /// The plugin called `name`.
    pub fn get(&self, name: &str) -> Option<&RegisteredPlugin> {
        self.plugins.iter().find(|p| p.descriptor.name.as_str() == name)
    }

    /// Every plugin, sorted by name.
    pub fn plugins(&self) -> &[RegisteredPlugin] {
        &self.plugins
    }
}

impl SearchPath {
    /// `extra` dirs, then `MACROSCOPE_PLUGIN_PATH`, then `plugins/` beside the
    /// executable, then `$XDG_DATA_HOME/macroscope/plugins`.
    pub fn from_env(extra: &[PathBuf]) -> SearchPath {
        SearchPath { dirs: extra.to_vec() }
    }
}

/// Errors of the registry.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// Placeholder until implemented.
    #[error("{0}")]
    Other(String),
}

impl Registry {
    /// Built-ins plus every library on the search path.
    pub fn load(search: &SearchPath) -> Result<Registry, RegistryError> {
        let _ = search;
        Ok(Registry::builtin())
    }
}
