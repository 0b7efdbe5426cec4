//! The contract between the macroscope host and its plugins (contract 2).
//!
//! A plugin author implements the safe [`Plugin`] trait and exports it with
//! [`export_plugins!`] (a dynamic library) or [`register_builtin!`] (linked into
//! the host). Both paths produce the same [`ffi::PluginDescriptor`], and every
//! caller — the host's `validate` and runtime, the test harness — goes through
//! [`PluginHandle`], so there is one code path for all plugins.
//!
//! Nothing here knows about HDF5: a stage declares typed output [`PortSpec`]s and
//! the host's storage sink decides where and how they are kept.
#![deny(missing_docs)]
#![allow(non_local_definitions)] // emitted by abi_stable's `#[sabi_trait]`

mod array;
pub mod clock;
mod codes;
mod error;
pub mod ffi;
pub mod ffi_2_0;
pub mod ffi_2_1;
mod glue;
mod handle;
mod items;
pub mod load;
mod macros;
mod plugin;
mod ports;

pub use array::{ArrayData, Element};
pub use clock::RunClock;
pub use codes::{ElementType, PluginKind, PortKind};
pub use error::{ErrorCode, ErrorKind, FfiError, PluginError};
pub use handle::{PluginHandle, RunningStage};
pub use items::{Emission, ItemRef, Scalar};
pub use plugin::{Flow, Item, Outputs, Plugin, PluginInfo};
pub use ports::{
    is_port_name, ColumnSpec, InputPort, InputSpec, PortMismatch, PortSpec, DROPPED_BEFORE,
    EXPECTED_ITEMS,
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
/// reports another value. Within one ABI version the contract only grows in the
/// ways docs/plugins.md ("Compatibility") lists; anything else is a new version.
///
/// ABI 2 so far: 0.2.0 as released; 0.2.1 appended `take_warnings` to the
/// descriptor (stages report warnings; 0.2.0 libraries load and report none);
/// 0.2.2 appended `set_run_clock` (stages learn the run clock's origin; older
/// libraries load and ignore it).
pub const ABI_VERSION: u32 = 2;

/// A plugin linked into the host binary, found through `inventory`.
pub struct BuiltinPlugin {
    /// Builds the plugin's descriptor.
    pub descriptor: fn() -> ffi::PluginDescriptorRef,
}

inventory::collect!(BuiltinPlugin);

/// Every plugin registered with [`register_builtin!`] in crates linked into this binary.
pub fn builtin_plugins() -> impl Iterator<Item = PluginHandle> {
    inventory::iter::<BuiltinPlugin>().map(|p| PluginHandle::new((p.descriptor)()))
}
