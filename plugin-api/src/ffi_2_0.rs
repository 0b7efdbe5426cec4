//! The root module and the descriptor exactly as contract 2.0 (0.2.0) shipped
//! them, frozen when the descriptor grew `take_warnings` (0.2.1).
//!
//! abi_stable refuses a library whose prefix type has fewer fields than the
//! host's, so [`crate::load`] checks a library against today's layout first
//! and then against each frozen one, newest first, and upgrades what it
//! finds to today's descriptor (through each later frozen layout in turn),
//! filling the fields the library predates with their documented defaults.
//! Types keep their names (abi_stable compares names, not module paths); only the root module and the descriptor are copied — every type
//! they share with today's contract (the stage among them) is used as is.

use abi_stable::{
    declare_root_module_statics,
    library::RootModule,
    prefix_type::PrefixTypeTrait,
    sabi_types::VersionStrings,
    std_types::{RResult, RSlice, RStr, RVec},
    StableAbi,
};

use crate::codes::PluginKind;
use crate::error::FfiError;
use crate::ffi::StageBox;
use crate::ffi_2_1;
use crate::ports::{InputPort, InputSpec, PortSpec};

/// The 0.2.0 descriptor (frozen).
#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = PluginDescriptorRef)))]
pub struct PluginDescriptor {
    /// Unique plugin name.
    pub name: RStr<'static>,
    /// Semantic version of the plugin itself.
    pub version: RStr<'static>,
    /// What the plugin is for.
    pub kind: PluginKind,
    /// One paragraph for `macroscope inspect`.
    pub description: RStr<'static>,
    /// Authors, `Name <email>` each.
    pub authors: RSlice<'static, RStr<'static>>,
    /// Same parameters and inputs always give bit-identical outputs.
    pub deterministic: bool,
    /// JSON Schema (draft 2020-12) of the parameters, as text.
    pub params_schema: RStr<'static>,
    /// Whether `inputs` is a declaration.
    pub inputs_declared: bool,
    /// The inputs the plugin accepts, in order.
    pub inputs: RSlice<'static, InputSpec>,
    /// Declares the output ports.
    pub outputs: extern "C" fn(
        params_json: RStr<'_>,
        inputs: RSlice<'_, InputPort>,
    ) -> RResult<RVec<PortSpec>, FfiError>,
    /// Starts a stage.
    #[sabi(last_prefix_field)]
    pub start: extern "C" fn(
        params_json: RStr<'_>,
        inputs: RSlice<'_, InputPort>,
    ) -> RResult<StageBox, FfiError>,
}

/// The 0.2.0 root module (frozen).
#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = PluginLibraryRef)))]
pub struct PluginLibrary {
    /// The ABI version the library was built with.
    pub abi_version: u32,
    /// The plugins this library provides.
    #[sabi(last_prefix_field)]
    pub plugins: extern "C" fn() -> RVec<PluginDescriptorRef>,
}

impl RootModule for PluginLibraryRef {
    declare_root_module_statics! {PluginLibraryRef}
    const BASE_NAME: &'static str = "macroscope_plugin";
    const NAME: &'static str = "macroscope_plugin";
    const VERSION_STRINGS: VersionStrings = VersionStrings::new("0.2.0");
}

/// The 0.2.1 descriptor for a 0.2.0 one: every field copied, `take_warnings`
/// (added in 0.2.1) reporting none; [`crate::ffi_2_1::upgrade`] then fills
/// in what came after.
pub fn upgrade(old: PluginDescriptorRef) -> ffi_2_1::PluginDescriptorRef {
    ffi_2_1::PluginDescriptor {
        name: old.name(),
        version: old.version(),
        kind: old.kind(),
        description: old.description(),
        authors: old.authors(),
        deterministic: old.deterministic(),
        params_schema: old.params_schema(),
        inputs_declared: old.inputs_declared(),
        inputs: old.inputs(),
        outputs: old.outputs(),
        start: old.start(),
        take_warnings: ffi_2_1::no_warnings,
    }
    .leak_into_prefix()
}
