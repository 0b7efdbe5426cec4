//! The plugin registry: built-ins (via `inventory`) plus dynamic libraries
//! found on the search path, each with its origin for provenance.
//!
//! Rules (documented for users in `docs/plugins.md`):
//! - every library file is loaded on its own and checked (layout, versions);
//!   a file that fails is recorded as a [`LibraryFailure`] and the others still load;
//! - a file byte-identical (same SHA-256) to one already loaded is skipped and
//!   recorded as a [`DuplicateLibrary`] (the same plugin installed twice);
//! - two different plugins with one name are a [`NameConflict`]: neither is
//!   usable, and asking for that name is an error naming both origins. No
//!   precedence silently picks one.

mod library;
mod search_path;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::PathBuf;

use macroscope_plugin_api::{load::load_library, PluginHandle};

pub use library::LibraryFailure;
pub use search_path::{SearchPath, PLUGIN_PATH_VAR};

/// What identifies the code of the plugins built into this host: SHA-256 of
/// the sources of every workspace crate the host links, of `Cargo.lock` and of
/// the compiler version (computed by `host/build.rs`). Changing a built-in
/// plugin's code changes it; an unchanged rebuild does not.
pub const BUILTIN_CODE_SHA256: &str = env!("MACROSCOPE_BUILTIN_CODE");

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

impl Origin {
    /// What identifies the plugin's code: its library's SHA-256, or
    /// [`BUILTIN_CODE_SHA256`] for a built-in. Part of a deterministic stage's store key.
    pub fn code_sha256(&self) -> &str {
        match self {
            Origin::Builtin => BUILTIN_CODE_SHA256,
            Origin::Library { sha256, .. } => sha256,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Builtin => f.write_str("builtin"),
            Origin::Library { path, .. } => write!(f, "{}", path.display()),
        }
    }
}

/// A plugin the host can configure.
#[derive(Clone)]
pub struct RegisteredPlugin {
    /// The plugin: what it says about itself, and how to declare and start a stage.
    pub handle: PluginHandle,
    /// Where it came from.
    pub origin: Origin,
}

/// Two or more different plugins that share a name; none of them is usable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameConflict {
    /// The shared name.
    pub name: String,
    /// Every origin providing it, in search order.
    pub origins: Vec<Origin>,
}

impl fmt::Display for NameConflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let origins: Vec<String> = self.origins.iter().map(|o| o.to_string()).collect();
        write!(
            f,
            "plugin `{}` is provided by {}; remove all but one from the search path",
            self.name,
            origins.join(" and by ")
        )
    }
}

/// A library file skipped because a byte-identical file was loaded before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateLibrary {
    /// The skipped file.
    pub path: PathBuf,
    /// The identical file that was loaded.
    pub same_as: PathBuf,
}

impl fmt::Display for DuplicateLibrary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: skipped, identical to {} (same SHA-256)",
            self.path.display(),
            self.same_as.display()
        )
    }
}

/// Every plugin this host can use, and what went wrong finding the others.
#[derive(Clone, Default)]
pub struct Registry {
    plugins: Vec<RegisteredPlugin>,
    searched: Vec<PathBuf>,
    failures: Vec<std::sync::Arc<LibraryFailure>>,
    duplicates: Vec<DuplicateLibrary>,
    conflicts: Vec<NameConflict>,
}

/// Errors of the registry.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// A search directory exists but cannot be listed.
    #[error("cannot list plugin directory {dir}: {source}")]
    UnreadableDir {
        /// The directory.
        dir: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// No plugin has this name.
    #[error("{}", describe_unknown(name, available, searched, failed_libraries))]
    UnknownPlugin {
        /// The name asked for.
        name: String,
        /// Every usable plugin name, sorted.
        available: Vec<String>,
        /// The directories searched for libraries.
        searched: Vec<PathBuf>,
        /// Library files that failed to load (one of them may have provided it).
        failed_libraries: Vec<PathBuf>,
    },
    /// The library that most likely provides this plugin failed to load.
    #[error("plugin `{name}` is unavailable: its library failed to load: {reason}")]
    LibraryFailed {
        /// The name asked for.
        name: String,
        /// The load failure, naming the file.
        reason: String,
    },
    /// Several different plugins have this name.
    #[error("{0}")]
    Conflict(NameConflict),
}

fn describe_unknown(
    name: &str,
    available: &[String],
    searched: &[PathBuf],
    failed: &[PathBuf],
) -> String {
    let list = |paths: &[PathBuf]| {
        paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut text =
        format!(
        "unknown plugin `{name}`; available plugins: {}. Plugin libraries were searched for in: {}",
        if available.is_empty() { "none".to_owned() } else { available.join(", ") },
        if searched.is_empty() { "no directories".to_owned() } else { list(searched) },
    );
    if !failed.is_empty() {
        text.push_str(&format!(
            ". These libraries failed to load (see `macroscope plugins`): {}",
            list(failed)
        ));
    }
    text
}

impl Registry {
    /// Only the built-in plugins.
    pub fn builtin() -> Registry {
        let mut registry = Registry::default();
        registry.admit(builtin_candidates());
        registry
    }

    /// A registry of exactly `plugins`, sorted by name (tests, embedding hosts).
    #[doc(hidden)]
    pub fn from_plugins(plugins: Vec<RegisteredPlugin>) -> Registry {
        let mut registry = Registry::default();
        registry.admit(plugins);
        registry
    }

    /// Built-ins plus every library on the search path.
    pub fn load(search: &SearchPath) -> Result<Registry, RegistryError> {
        let mut candidates = builtin_candidates();
        let mut registry = Registry {
            searched: search.dirs.clone(),
            ..Registry::default()
        };
        let mut seen_dirs = HashSet::new();
        let mut loaded: HashMap<String, PathBuf> = HashMap::new();
        for dir in &search.dirs {
            // A directory that does not exist simply holds no plugins.
            let Ok(canonical) = dir.canonicalize() else {
                continue;
            };
            if !seen_dirs.insert(canonical) {
                continue;
            }
            let files =
                library::library_files(dir).map_err(|source| RegistryError::UnreadableDir {
                    dir: dir.clone(),
                    source,
                })?;
            for path in files {
                let sha256 = match library::sha256_of(&path) {
                    Ok(sha256) => sha256,
                    Err(source) => {
                        registry
                            .failures
                            .push(LibraryFailure::Read { path, source }.into());
                        continue;
                    }
                };
                if let Some(first) = loaded.get(&sha256) {
                    registry.duplicates.push(DuplicateLibrary {
                        path,
                        same_as: first.clone(),
                    });
                    continue;
                }
                loaded.insert(sha256.clone(), path.clone());
                match load_library(&path) {
                    Ok(handles) => {
                        candidates.extend(handles.into_iter().map(|handle| RegisteredPlugin {
                            handle,
                            origin: Origin::Library {
                                path: path.clone(),
                                sha256: sha256.clone(),
                            },
                        }))
                    }
                    Err(error) => registry.failures.push(LibraryFailure::from(error).into()),
                }
            }
        }
        registry.admit(candidates);
        Ok(registry)
    }

    /// Keeps every uniquely named candidate (sorted by name); shared names become conflicts.
    fn admit(&mut self, candidates: Vec<RegisteredPlugin>) {
        let mut by_name: Vec<(String, Vec<RegisteredPlugin>)> = Vec::new();
        for candidate in candidates {
            let name = candidate.handle.name().to_owned();
            match by_name.iter_mut().find(|(n, _)| *n == name) {
                Some((_, group)) => group.push(candidate),
                None => by_name.push((name, vec![candidate])),
            }
        }
        for (name, mut group) in by_name {
            if group.len() == 1 {
                self.plugins.extend(group.pop());
            } else {
                self.conflicts.push(NameConflict {
                    name,
                    origins: group.into_iter().map(|p| p.origin).collect(),
                });
            }
        }
        self.plugins
            .sort_by(|a, b| a.handle.name().cmp(b.handle.name()));
    }

    /// The plugin called `name`, if exactly one plugin has that name.
    pub fn get(&self, name: &str) -> Option<&RegisteredPlugin> {
        self.plugins.iter().find(|p| p.handle.name() == name)
    }

    /// The plugin called `name`, or an error saying why there is none: a name
    /// conflict, the failed library that would have provided it, or the list of
    /// available names and searched directories.
    pub fn lookup(&self, name: &str) -> Result<&RegisteredPlugin, RegistryError> {
        if let Some(plugin) = self.get(name) {
            return Ok(plugin);
        }
        if let Some(conflict) = self.conflicts.iter().find(|c| c.name == name) {
            return Err(RegistryError::Conflict(conflict.clone()));
        }
        if let Some(failure) = self
            .failures
            .iter()
            .find(|f| f.likely_plugin_name().as_deref() == Some(name))
        {
            return Err(RegistryError::LibraryFailed {
                name: name.to_owned(),
                reason: failure.to_string(),
            });
        }
        Err(RegistryError::UnknownPlugin {
            name: name.to_owned(),
            available: self.names().into_iter().map(str::to_owned).collect(),
            searched: self.searched.clone(),
            failed_libraries: self.failures.iter().map(|f| f.path().to_owned()).collect(),
        })
    }

    /// Every usable plugin, sorted by name.
    pub fn plugins(&self) -> &[RegisteredPlugin] {
        &self.plugins
    }

    /// Every usable plugin name, sorted (for "unknown plugin" messages).
    pub fn names(&self) -> Vec<&str> {
        self.plugins.iter().map(|p| p.handle.name()).collect()
    }

    /// The directories searched for libraries, in precedence order (including
    /// ones that do not exist).
    pub fn searched_dirs(&self) -> &[PathBuf] {
        &self.searched
    }

    /// Library files that provided no plugins, with the reason.
    pub fn failures(&self) -> impl Iterator<Item = &LibraryFailure> {
        self.failures.iter().map(|f| f.as_ref())
    }

    /// Library files skipped as byte-identical copies of loaded ones.
    pub fn duplicates(&self) -> &[DuplicateLibrary] {
        &self.duplicates
    }

    /// Names provided by more than one plugin (none of them usable).
    pub fn conflicts(&self) -> &[NameConflict] {
        &self.conflicts
    }
}

/// The plugins linked into this binary, as registry candidates.
fn builtin_candidates() -> Vec<RegisteredPlugin> {
    macroscope_plugin_api::builtin_plugins()
        .map(|handle| RegisteredPlugin {
            handle,
            origin: Origin::Builtin,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use macroscope_plugin_api::{
        schemars::{self, JsonSchema},
        InputPort, Plugin, PluginError, PluginInfo, PluginKind, PortSpec,
    };

    use super::*;

    #[derive(serde::Deserialize, JsonSchema)]
    struct NoParams {}

    macro_rules! named_plugin {
        ($ty:ident, $name:literal) => {
            struct $ty;
            impl Plugin for $ty {
                type Params = NoParams;
                const INFO: PluginInfo = PluginInfo {
                    name: $name,
                    version: "1.0.0",
                    kind: PluginKind::OTHER,
                    description: "A test plugin.",
                    authors: &["Test"],
                    deterministic: true,
                };
                fn outputs(_: &NoParams, _: &[InputPort]) -> Result<Vec<PortSpec>, PluginError> {
                    Ok(Vec::new())
                }
                fn start(_: NoParams, _: &[InputPort]) -> Result<Self, PluginError> {
                    Ok($ty)
                }
            }
        };
    }

    named_plugin!(Zeta, "zeta");
    named_plugin!(Alpha, "alpha");

    fn from_file(handle: PluginHandle, path: &str) -> RegisteredPlugin {
        RegisteredPlugin {
            handle,
            origin: Origin::Library {
                path: path.into(),
                sha256: path.len().to_string(),
            },
        }
    }

    fn registry_of(candidates: Vec<RegisteredPlugin>) -> Registry {
        let mut registry = Registry::default();
        registry.admit(candidates);
        registry
    }

    #[test]
    fn plugins_are_listed_by_name() {
        let registry = registry_of(vec![
            from_file(PluginHandle::of::<Zeta>(), "/a/libz.so"),
            from_file(PluginHandle::of::<Alpha>(), "/a/liba.so"),
        ]);
        assert_eq!(registry.names(), ["alpha", "zeta"]);
    }

    #[test]
    fn a_name_shared_by_a_builtin_and_a_library_is_usable_from_neither() {
        let registry = registry_of(vec![
            RegisteredPlugin {
                handle: PluginHandle::of::<Alpha>(),
                origin: Origin::Builtin,
            },
            from_file(PluginHandle::of::<Alpha>(), "/x/liba.so"),
        ]);
        assert!(registry.get("alpha").is_none());
        assert_eq!(
            registry.lookup("alpha").err().unwrap().to_string(),
            "plugin `alpha` is provided by builtin and by /x/liba.so; remove all but one from the search path"
        );
    }

    #[test]
    fn an_unknown_name_with_nothing_registered_says_so() {
        let registry = Registry::default();
        assert_eq!(
            registry.lookup("x").err().unwrap().to_string(),
            "unknown plugin `x`; available plugins: none. Plugin libraries were searched for in: no directories"
        );
    }

    #[test]
    fn missing_search_directories_are_not_an_error() {
        let registry = Registry::load(&SearchPath {
            dirs: vec![PathBuf::from("/nonexistent/macroscope/plugins")],
        })
        .unwrap();
        assert_eq!(
            registry.searched_dirs(),
            [PathBuf::from("/nonexistent/macroscope/plugins")]
        );
        assert_eq!(registry.failures().count(), 0);
    }
}
