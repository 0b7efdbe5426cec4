//! Loading a plugin library from a file, with version and layout checks.
//!
//! Every file is opened on its own with `lib_header_from_path` and its root
//! module initialised from that header. abi_stable's `RootModule::load_from_file`
//! is never used: it caches one module per root-module type, so a second plugin
//! file would silently come back as the first.
//!
//! A library is checked against this release's root-module layout, then
//! against each earlier 0.2.x layout this release still reads, newest first
//! ([`crate::ffi_2_1`], [`crate::ffi_2_0`]): a release that appends a field to the root module or
//! the descriptor freezes the previous layout and falls back to it here, so
//! that libraries built before the growth still load (docs/plugins.md,
//! "Compatibility").
//!
//! Libraries are never unloaded (abi_stable leaks them on purpose): the
//! descriptors returned here stay valid for the life of the process.

use std::path::{Path, PathBuf};

use abi_stable::library::{
    lib_header_from_path, AbiHeader, LibHeader, LibraryError, RootModuleError,
};

use crate::ffi::{PluginDescriptorRef, PluginLibraryRef};
use crate::handle::PluginHandle;
use crate::ABI_VERSION;

/// The `major.minor` of this crate: what a plugin must be rebuilt against.
const API_SERIES: &str = concat!(
    env!("CARGO_PKG_VERSION_MAJOR"),
    ".",
    env!("CARGO_PKG_VERSION_MINOR")
);

/// Why a library could not be loaded. Every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The operating system could not open the file as a dynamic library.
    #[error("{path}: cannot open as a dynamic library: {reason}")]
    Open {
        /// The library file.
        path: PathBuf,
        /// The loader's explanation.
        reason: String,
    },
    /// The file is a dynamic library but exports no macroscope root module.
    #[error(
        "{path}: not a macroscope plugin library (it exports no plugin root module); \
         plugin crates export one with `macroscope_plugin_api::export_plugins!`"
    )]
    NotAPlugin {
        /// The library file.
        path: PathBuf,
    },
    /// The library was built with an incompatible `macroscope-plugin-api` release.
    #[error(
        "{path}: built against macroscope-plugin-api {library}, this host uses {host}; \
         rebuild the plugin against macroscope-plugin-api {API_SERIES}"
    )]
    ApiVersion {
        /// Version the library was built with.
        library: String,
        /// Version this host was built with.
        host: String,
        /// The library file.
        path: PathBuf,
    },
    /// The library's types have another memory layout than the host's, or it was
    /// built with an incompatible `abi_stable` or compiler.
    #[error(
        "{path}: its plugin interface does not match this host's ({summary}); \
         rebuild the plugin against macroscope-plugin-api {API_SERIES}"
    )]
    Layout {
        /// The library file.
        path: PathBuf,
        /// One line saying what differs (abi_stable's full dump is long).
        summary: String,
    },
    /// The library reports another [`ABI_VERSION`] than this host.
    #[error(
        "{path}: built for plugin ABI {library}, this host speaks ABI {host}; \
         rebuild the plugin against macroscope-plugin-api {API_SERIES}"
    )]
    AbiVersion {
        /// The library file.
        path: PathBuf,
        /// ABI version the library reports.
        library: u32,
        /// [`ABI_VERSION`] of this host.
        host: u32,
    },
    /// The library's root-module constructor failed or panicked.
    #[error("{path}: the plugin library failed to initialise: {reason}")]
    Init {
        /// The library file.
        path: PathBuf,
        /// What it reported.
        reason: String,
    },
}

impl LoadError {
    /// The library file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            LoadError::Open { path, .. }
            | LoadError::NotAPlugin { path }
            | LoadError::ApiVersion { path, .. }
            | LoadError::Layout { path, .. }
            | LoadError::AbiVersion { path, .. }
            | LoadError::Init { path, .. } => path,
        }
    }
}

/// Loads the library at `path` (each file independently; never the cached
/// root module of another file), checks the abi_stable layout and
/// [`crate::ABI_VERSION`], and returns its plugins.
pub fn load_library(path: &Path) -> Result<Vec<PluginHandle>, LoadError> {
    let header = lib_header_from_path(path).map_err(|e| classify(path, e))?;
    let (library, descriptors) = match header.init_root_module::<PluginLibraryRef>() {
        Ok(module) => (module.abi_version(), module.plugins()().into_vec()),
        Err(newest) => older_layout(header).ok_or_else(|| classify(path, newest))?,
    };
    if library != ABI_VERSION {
        return Err(LoadError::AbiVersion {
            path: path.to_owned(),
            library,
            host: ABI_VERSION,
        });
    }
    Ok(descriptors.into_iter().map(PluginHandle::new).collect())
}

/// The library read through each earlier layout of the root module this
/// release still reads (newest first), its descriptors upgraded to today's;
/// `None` when it matches none (the error to report is then the newest layout's).
fn older_layout(header: &LibHeader) -> Option<(u32, Vec<PluginDescriptorRef>)> {
    use crate::{ffi_2_0, ffi_2_1};
    if let Ok(module) = header.init_root_module::<ffi_2_1::PluginLibraryRef>() {
        let plugins = module.plugins()().into_iter();
        return Some((
            module.abi_version(),
            plugins.map(ffi_2_1::upgrade).collect(),
        ));
    }
    let module = header
        .init_root_module::<ffi_2_0::PluginLibraryRef>()
        .ok()?;
    let plugins = module.plugins()().into_iter();
    Some((
        module.abi_version(),
        plugins
            .map(|old| ffi_2_1::upgrade(ffi_2_0::upgrade(old)))
            .collect(),
    ))
}

/// Turns abi_stable's error (often a page-long layout dump) into a typed, short one.
fn classify(path: &Path, error: LibraryError) -> LoadError {
    let path = path.to_owned();
    match error {
        LibraryError::OpenError { err, .. } => LoadError::Open {
            path,
            reason: err.to_string(),
        },
        LibraryError::GetSymbolError { .. } => LoadError::NotAPlugin { path },
        LibraryError::IncompatibleVersionNumber {
            expected_version,
            actual_version,
            ..
        } => LoadError::ApiVersion {
            path,
            library: actual_version.to_string(),
            host: expected_version.to_string(),
        },
        LibraryError::ParseVersionError(e) => LoadError::Layout {
            path,
            summary: format!("unreadable interface version: {e}"),
        },
        LibraryError::AbiInstability(dump) => LoadError::Layout {
            path,
            summary: summarise_layout_dump(&dump.to_string()),
        },
        LibraryError::InvalidAbiHeader(header) => LoadError::Layout {
            path,
            summary: format!(
                "built with abi_stable ABI {}.{}, this host uses {}.{}",
                header.abi_major,
                header.abi_minor,
                AbiHeader::VALUE.abi_major,
                AbiHeader::VALUE.abi_minor,
            ),
        },
        LibraryError::InvalidCAbi { .. } => LoadError::Layout {
            path,
            summary: "built by a compiler with another C calling convention".to_owned(),
        },
        LibraryError::RootModule { err, .. } => LoadError::Init {
            path,
            reason: match err {
                RootModuleError::Returned(e) => e.to_string().trim().to_owned(),
                RootModuleError::Unwound => "its root-module constructor panicked".to_owned(),
            },
        },
        LibraryError::Many(errors) => match errors.into_iter().next() {
            Some(first) => classify(&path, first),
            None => LoadError::Layout {
                path,
                summary: "abi_stable reported an empty list of errors".to_owned(),
            },
        },
    }
}

/// Reduces abi_stable's layout dump to its first difference: the field where
/// it sits, the error kind, and what the host expected against what the library has.
fn summarise_layout_dump(dump: &str) -> String {
    let lines: Vec<&str> = dump.lines().collect();
    let mut differences = lines.iter().enumerate().filter_map(|(i, line)| {
        let kind = line.strip_prefix("Error:")?.trim();
        let mut text = match field_of_error(&lines[..i]) {
            Some(field) => format!("field `{field}`: {kind}"),
            None => kind.to_owned(),
        };
        if let (Some(expected), Some(found)) = (
            first_line_after(&lines[i..], "Expected:"),
            first_line_after(&lines[i..], "Found:"),
        ) {
            text.push_str(&format!(
                ", host expects `{expected}`, library has `{found}`"
            ));
        }
        Some(text)
    });
    let Some(first) = differences.next() else {
        let headline = lines
            .iter()
            .map(|l| l.trim())
            .find(|l| !l.is_empty())
            .unwrap_or("no details");
        return format!("layout check failed: {headline}");
    };
    match differences.count() {
        0 => first,
        more => format!("{first}; and {more} more difference(s)"),
    }
}

/// The innermost field of the stack trace that precedes an `Error:` line: the
/// last `field_name:` between the block's `N error(s)` header and its layout dumps.
fn field_of_error<'a>(before: &[&'a str]) -> Option<&'a str> {
    let header = before.iter().rposition(|l| l.contains("error(s)"))?;
    let block = &before[header..];
    let trace_end = block
        .iter()
        .position(|l| l.trim() == "Layout of expected type:")
        .unwrap_or(block.len());
    block[..trace_end]
        .iter()
        .rev()
        .find_map(|l| l.trim().strip_prefix("field_name:"))
}

/// The first non-empty line after the line `header` (searched from the top of `lines`).
fn first_line_after<'a>(lines: &[&'a str], header: &str) -> Option<&'a str> {
    let at = lines.iter().position(|l| l.trim() == header)?;
    lines[at + 1..]
        .iter()
        .map(|l| l.trim())
        .find(|l| !l.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The end of a real dump (168 lines): a library whose `abi_version` field is `u64`.
    const FIELD_TYPE_CHANGED: &str = "
Compared <this>:
    --- Type Layout ---
    type:PrefixRef<'a, PluginLibrary>

0 error(s).

1 error(s)inside:
    <other>

    field_name:0
    type:PluginLibrary
    size:16 align:8
    package:'macroscope-plugin-api' version:'0.1.0'

    field_name:abi_version
    type:u64
    size:8 align:8
    package:'std' version:'1.0.0'

Layout of expected type:
    --- Type Layout ---
    type:u32
    size:4 align:4

Layout of found type:
    --- Type Layout ---
    type:u64
    size:8 align:8



Error:mismatched type
Expected:
    u32
Found:
    u64";

    #[test]
    fn a_layout_dump_becomes_one_line_with_the_first_difference() {
        assert_eq!(
            summarise_layout_dump(FIELD_TYPE_CHANGED),
            "field `abi_version`: mismatched type, host expects `u32`, library has `u64`"
        );
    }

    #[test]
    fn further_differences_are_counted_not_listed() {
        let dump = format!("{FIELD_TYPE_CHANGED}\n\nError:incompatible type size\nExpected:\n    4\nFound:\n    8\n");
        assert!(
            summarise_layout_dump(&dump).ends_with("library has `u64`; and 1 more difference(s)")
        );
    }

    #[test]
    fn a_dump_without_error_lines_keeps_its_headline() {
        assert_eq!(
            summarise_layout_dump("\n\nsomething odd\nmore"),
            "layout check failed: something odd"
        );
    }

    #[test]
    fn a_missing_file_is_an_open_error_naming_the_file() {
        let path = Path::new("/nonexistent/libnothing.so");
        let Err(error) = load_library(path) else {
            panic!("a missing file loaded")
        };
        assert!(matches!(error, LoadError::Open { .. }), "{error:?}");
        assert!(
            error
                .to_string()
                .starts_with("/nonexistent/libnothing.so: cannot open"),
            "{error}"
        );
    }

    #[test]
    fn the_abi_mismatch_message_names_both_versions_and_the_fix() {
        let error = LoadError::AbiVersion {
            path: "plugins/libx.so".into(),
            library: 3,
            host: 2,
        };
        assert_eq!(
            error.to_string(),
            "plugins/libx.so: built for plugin ABI 3, this host speaks ABI 2; \
             rebuild the plugin against macroscope-plugin-api 0.2"
        );
    }
}
