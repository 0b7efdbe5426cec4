//! Small enumerations that cross the ABI as a `u8` code.
//!
//! Each is a newtype over its code with named constants rather than a Rust
//! `enum`, so a later release of the contract can add values without changing
//! the layout: a value this release does not know is representable (its name
//! is `None`) and is refused with a clear error where it matters, never UB.

/// Defines an ABI code type: the values, their codes and their names, once.
macro_rules! abi_code_type {
    (
        $(#[$meta:meta])*
        $name:ident ($what:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal, $text:literal; )*
        }
    ) => {
        $(#[$meta])*
        #[repr(transparent)]
        #[derive(::abi_stable::StableAbi, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name(u8);

        impl $name {
            $( $(#[$vmeta])* pub const $variant: $name = $name($code); )*

            /// Every value this release of the contract knows, in code order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),*];

            /// The code sent across the ABI.
            pub const fn code(self) -> u8 {
                self.0
            }

            /// The value with code `code`, known to this release or not.
            pub const fn from_code(code: u8) -> Self {
                $name(code)
            }

            /// Its lower-case name, or `None` for a code this release does not know
            /// (sent by a plugin or host built against a later contract).
            pub const fn name(self) -> Option<&'static str> {
                match self.0 {
                    $( $code => Some($text), )*
                    _ => None,
                }
            }

            /// Whether this release of the contract knows the value.
            pub const fn is_known(self) -> bool {
                self.name().is_some()
            }

            /// Its lower-case name, or `unknown` for a code this release does not know.
            pub const fn as_str(self) -> &'static str {
                match self.name() {
                    Some(name) => name,
                    None => "unknown",
                }
            }

            /// The value called `name` (as written in docs and TOML).
            pub fn parse(name: &str) -> Option<Self> {
                Self::KNOWN.iter().copied().find(|v| v.as_str() == name)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self.name() {
                    Some(name) => f.write_str(name),
                    None => write!(f, "unknown {} (code {})", $what, self.0),
                }
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(self, f)
            }
        }
    };
}

pub(crate) use abi_code_type;

abi_code_type! {
    /// What a plugin is for; shown by `macroscope plugins` and used by the sink to
    /// choose where outputs go (`/stimuli`, `/acquisitions`, `/analysis`, `/other`).
    PluginKind ("plugin kind") {
        /// Produces frames from a device (or a simulation of one).
        CAMERA = 0, "camera";
        /// Generates visual stimuli.
        STIMULUS = 1, "stimulus";
        /// Turns recorded data into results.
        ANALYSIS = 2, "analysis";
        /// Anything else.
        OTHER = 3, "other";
    }
}

abi_code_type! {
    /// Element type of an array or a metadata column.
    ElementType ("element type") {
        /// `u8`
        U8 = 0, "u8";
        /// `u16`
        U16 = 1, "u16";
        /// `u32`
        U32 = 2, "u32";
        /// `u64`
        U64 = 3, "u64";
        /// `i8`
        I8 = 4, "i8";
        /// `i16`
        I16 = 5, "i16";
        /// `i32`
        I32 = 6, "i32";
        /// `i64`
        I64 = 7, "i64";
        /// `f32`
        F32 = 8, "f32";
        /// `f64`
        F64 = 9, "f64";
    }
}

impl ElementType {
    /// Size of one element in bytes; 0 for a type this release does not know
    /// (the host refuses ports of such types before any data flows).
    pub const fn size(self) -> usize {
        match self {
            ElementType::U8 | ElementType::I8 => 1,
            ElementType::U16 | ElementType::I16 => 2,
            ElementType::U32 | ElementType::I32 | ElementType::F32 => 4,
            ElementType::U64 | ElementType::I64 | ElementType::F64 => 8,
            _ => 0,
        }
    }
}

abi_code_type! {
    /// How a port delivers its data.
    PortKind ("port kind") {
        /// One item per frame, any number of items; stored as `[N, ...shape]`.
        STREAM = 0, "stream";
        /// Exactly one array, produced once (usually at the end); stored as `shape`.
        DATASET = 1, "dataset";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_element_type_round_trips_through_its_name() {
        for &t in ElementType::KNOWN {
            assert_eq!(ElementType::parse(t.as_str()), Some(t));
            assert!(t.size() > 0);
        }
        assert_eq!(ElementType::KNOWN.len(), 10);
    }

    #[test]
    fn a_code_from_a_later_contract_is_named_by_its_number() {
        let later = ElementType::from_code(10);
        assert!(!later.is_known());
        assert_eq!(later.size(), 0);
        assert_eq!(later.to_string(), "unknown element type (code 10)");
        assert_eq!(
            PluginKind::from_code(9).to_string(),
            "unknown plugin kind (code 9)"
        );
    }
}
