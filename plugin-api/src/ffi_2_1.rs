//! The root module and the descriptor exactly as 0.2.1 shipped them, frozen
//! when the descriptor grew `set_run_clock` (0.2.2).
//!
//! Read like [`crate::ffi_2_0`]: [`crate::load`] tries today's layout, then
//! this one, then 0.2.0's. Only the root module and the descriptor are
//! copied; every type they share with today's contract is used as is.

use abi_stable::{
    declare_root_module_statics,
    library::RootModule,
    prefix_type::PrefixTypeTrait,
    sabi_types::VersionStrings,
    std_types::{RResult, RSlice, RStr, RString, RVec},
    StableAbi,
};

use crate::codes::PluginKind;
use crate::error::FfiError;
use crate::ffi::{self, StageBox};
use crate::ports::{InputPort, InputSpec, PortSpec};

/// The 0.2.1 descriptor (frozen).
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
    /// Takes the warnings a stage reported since the last call.
    pub take_warnings: extern "C" fn(stage: &mut StageBox) -> RVec<RString>,
}

/// The 0.2.1 root module (frozen).
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
    const VERSION_STRINGS: VersionStrings = VersionStrings::new("0.2.1");
}

/// Today's descriptor for a 0.2.1 one: every field copied, the fields added
/// since filled with their defaults (a stage that ignores the run clock).
pub fn upgrade(old: PluginDescriptorRef) -> ffi::PluginDescriptorRef {
    ffi::PluginDescriptor {
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
        take_warnings: old.take_warnings().unwrap_or(no_warnings),
        set_run_clock: ignores_run_clock,
    }
    .leak_into_prefix()
}

/// `take_warnings` of a library that predates warnings (0.2.0).
pub(crate) extern "C" fn no_warnings(_stage: &mut StageBox) -> RVec<RString> {
    RVec::new()
}

/// `set_run_clock` of a library that predates the run clock.
extern "C" fn ignores_run_clock(_stage: &mut StageBox, _origin_ns: i64) {}
