//! The contract between the macroscope host and its plugins.
//!
//! A plugin author implements the safe [`Plugin`] trait and exports it with
//! [`export_plugins!`] (a dynamic library) or [`register_builtin!`] (linked into
//! the host). Both paths produce the same [`ffi::PluginDescriptor`], so the host
//! drives every plugin through one stable-ABI code path.
//!
//! Nothing here knows about HDF5: a stage declares typed output [`PortSpec`]s and
//! the host's storage sink decides where and how they are kept.
#![deny(missing_docs)]
#![allow(non_local_definitions)] // emitted by abi_stable's `#[sabi_trait]`

pub mod ffi;
mod glue;
pub mod load;
mod macros;
mod plugin;
mod types;

pub use plugin::{Flow, Item, Outputs, Plugin, PluginError, PluginInfo};
pub use types::{
    ArrayData, ColumnSpec, Element, ElementType, Emission, InputPort, ItemRef, PluginKind,
    PortKind, PortSpec, Scalar,
};

#[doc(hidden)]
pub use glue::descriptor_of;

/// Re-exported so that plugins and the host use exactly the same `abi_stable`.
pub use abi_stable;
#[doc(hidden)]
pub use inventory;
/// Re-exported so that plugin parameter types can derive `JsonSchema`.
pub use schemars;

/// Version of the binary contract. The host refuses a library whose root module
/// reports another value. Bump it for any change that is not an append after
/// `#[sabi(last_prefix_field)]` (see `docs/plugins.md`, "Compatibility").
pub const ABI_VERSION: u32 = 1;

/// A plugin linked into the host binary, found through `inventory`.
pub struct BuiltinPlugin {
    /// Builds the plugin's descriptor.
    pub descriptor: fn() -> ffi::PluginDescriptor,
}

inventory::collect!(BuiltinPlugin);

/// Every plugin registered with [`register_builtin!`] in crates linked into this binary.
pub fn builtin_plugins() -> impl Iterator<Item = ffi::PluginDescriptor> {
    inventory::iter::<BuiltinPlugin>().map(|p| (p.descriptor)())
}
