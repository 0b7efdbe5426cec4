//! `export_plugins!` (dynamic libraries) and `register_builtin!` (linked into the host).

/// Exports plugins from a `cdylib` through the stable ABI.
///
/// ```ignore
/// macroscope_plugin_api::export_plugins!(MyStage, MyOtherStage);
/// ```
#[macro_export]
macro_rules! export_plugins {
    ($($plugin:ty),+ $(,)?) => {
        #[doc(hidden)]
        pub extern "C" fn __macroscope_plugin_list()
            -> $crate::abi_stable::std_types::RVec<$crate::ffi::PluginDescriptorRef>
        {
            let mut list = $crate::abi_stable::std_types::RVec::new();
            $( list.push($crate::descriptor_of::<$plugin>()); )+
            list
        }

        $crate::export_root_module!($crate::ABI_VERSION, __macroscope_plugin_list);
    };
}

/// Exports a root module with an explicit ABI version and plugin-list function.
/// Use [`export_plugins!`]; this exists so tests can build a library that
/// claims another ABI version.
#[doc(hidden)]
#[macro_export]
macro_rules! export_root_module {
    ($abi_version:expr, $list:path) => {
        #[doc(hidden)]
        pub fn __macroscope_root_module() -> $crate::ffi::PluginLibraryRef {
            use $crate::abi_stable::prefix_type::PrefixTypeTrait;
            $crate::ffi::PluginLibrary {
                abi_version: $abi_version,
                plugins: $list,
            }
            .leak_into_prefix()
        }

        // What `#[abi_stable::export_root_module]` expands to, with paths through
        // this crate so plugin crates need no direct `abi_stable` dependency.
        // The symbol name is abi_stable's `ROOT_MODULE_LOADER_NAME` (checked by a test).
        #[no_mangle]
        #[doc(hidden)]
        pub static _1as_0lib_1header_0root_bmodule_bloader: $crate::abi_stable::library::LibHeader = {
            pub extern "C" fn _sabi_erased_module() -> $crate::abi_stable::library::RootModuleResult {
                $crate::abi_stable::library::__call_root_module_loader(__macroscope_root_module)
            }
            unsafe {
                $crate::abi_stable::library::LibHeader::from_constructor::<$crate::ffi::PluginLibraryRef>(
                    _sabi_erased_module,
                    $crate::abi_stable::library::CheckTypeLayout::Yes,
                )
            }
        };
    };
}

/// Registers a plugin linked into the host binary (built-ins).
///
/// ```ignore
/// macroscope_plugin_api::register_builtin!(DriftingBar);
/// ```
#[macro_export]
macro_rules! register_builtin {
    ($plugin:ty) => {
        $crate::inventory::submit! {
            $crate::BuiltinPlugin { descriptor: $crate::descriptor_of::<$plugin> }
        }
    };
}

#[cfg(test)]
mod tests {
    #[test]
    fn exported_symbol_is_the_one_abi_stable_looks_up() {
        assert_eq!(
            abi_stable::library::ROOT_MODULE_LOADER_NAME,
            "_1as_0lib_1header_0root_bmodule_bloader"
        );
    }
}
