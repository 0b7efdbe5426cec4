//! Items crossing the boundary: lent to a stage, or emitted by it.

use abi_stable::{
    std_types::{RSlice, RVec},
    StableAbi,
};

use crate::array::ArrayData;
use crate::codes::ElementType;

/// A metadata value. The column's [`ElementType`] decides how it is stored.
#[repr(C, u8)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq)]
pub enum Scalar {
    /// An integer value.
    Int(i64),
    /// A floating-point value.
    Float(f64),
}

impl Scalar {
    /// The value as `f64`.
    pub fn as_f64(self) -> f64 {
        match self {
            Scalar::Int(v) => v as f64,
            Scalar::Float(v) => v,
        }
    }

    /// The value as `i64` (floats truncated toward zero).
    pub fn as_i64(self) -> i64 {
        match self {
            Scalar::Int(v) => v,
            Scalar::Float(v) => v as i64,
        }
    }
}

/// One item lent by the host to a stage: a view of the host's own buffer.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, Copy)]
pub struct ItemRef<'a> {
    /// Element type of `bytes`.
    pub element: ElementType,
    /// Shape of this item.
    pub shape: RSlice<'a, u64>,
    /// The array as native-endian bytes, aligned for `element`.
    pub bytes: RSlice<'a, u8>,
    /// Metadata values, in the order of the port's columns.
    pub meta: RSlice<'a, Scalar>,
}

/// One item produced by a stage, moved to the host.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct Emission {
    /// Index of the output port (in the order the stage declared them).
    pub port: u32,
    /// The array.
    pub data: ArrayData,
    /// Metadata values, in the order of the port's columns.
    pub meta: RVec<Scalar>,
}
