//! Owned arrays handed from a plugin to the host without a copy.

use std::fmt;

use abi_stable::{
    sabi_trait,
    sabi_trait::TD_Opaque,
    std_types::{RBox, RSlice},
    StableAbi,
};

use crate::codes::ElementType;

/// The storage behind an [`ArrayData`]: a buffer owned (and freed) by the code
/// that made it, so the host frees a plugin's buffer with the plugin's own
/// allocator. New methods may be appended in later releases of contract 2.
#[sabi_trait]
pub trait ArrayStorage: Send + Sync + Clone {
    /// The elements as native-endian bytes, aligned for their element type.
    #[sabi(last_prefix_field)]
    fn bytes(&self) -> RSlice<'_, u8>;
}

impl<T: Element> ArrayStorage for Vec<T> {
    fn bytes(&self) -> RSlice<'_, u8> {
        RSlice::from_slice(bytemuck::cast_slice(self.as_slice()))
    }
}

/// An owned, type-erased array: its element type, its length and its storage.
///
/// Not an enum of one variant per element type, so a later contract can add
/// element types without changing this layout.
#[repr(C)]
#[derive(StableAbi, Clone)]
pub struct ArrayData {
    element: ElementType,
    len: u64,
    storage: ArrayStorage_TO<'static, RBox<()>>,
}

impl ArrayData {
    /// Wraps `values` without copying them.
    pub fn from_vec<T: Element>(values: Vec<T>) -> Self {
        ArrayData {
            element: T::TYPE,
            len: values.len() as u64,
            storage: ArrayStorage_TO::from_value(values, TD_Opaque),
        }
    }

    /// The element type.
    pub fn element(&self) -> ElementType {
        self.element
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// True when there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The elements as native-endian bytes (little-endian on every platform we ship).
    pub fn as_bytes(&self) -> &[u8] {
        self.storage.bytes().as_slice()
    }

    /// A typed view of the elements, or `None` if `T` is not the element type.
    pub fn as_slice<T: Element>(&self) -> Option<&[T]> {
        if T::TYPE != self.element {
            return None;
        }
        bytemuck::try_cast_slice(self.as_bytes()).ok()
    }

    /// A copy of elements `range` (element indices) as a new array.
    pub fn copy_range(&self, range: std::ops::Range<usize>) -> ArrayData {
        crate::with_element_type!(self.element, T => {
            let values: &[T] = self.as_slice().unwrap_or_default();
            ArrayData::from_vec(values[range].to_vec())
        }, unknown => ArrayData::from_vec::<u8>(Vec::new()))
    }
}

impl PartialEq for ArrayData {
    fn eq(&self, other: &Self) -> bool {
        self.element == other.element
            && self.len == other.len
            && self.as_bytes() == other.as_bytes()
    }
}

impl fmt::Debug for ArrayData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ArrayData({} x {})", self.len, self.element)
    }
}

/// A Rust type that can be an array element.
pub trait Element: bytemuck::Pod + Send + Sync + 'static {
    /// Its [`ElementType`].
    const TYPE: ElementType;
    /// Wraps a vector of it as [`ArrayData`] without copying.
    fn into_array(values: Vec<Self>) -> ArrayData {
        ArrayData::from_vec(values)
    }
}

macro_rules! impl_element {
    ($($t:ty => $code:ident),*) => {$(
        impl Element for $t {
            const TYPE: ElementType = ElementType::$code;
        }
    )*};
}

impl_element!(u8 => U8, u16 => U16, u32 => U32, u64 => U64, i8 => I8, i16 => I16,
    i32 => I32, i64 => I64, f32 => F32, f64 => F64);

/// Runs `$body` with the type alias `$t` bound to the Rust type of element type
/// `$element`, or `$fallback` for a type this release does not know. The one
/// table from [`ElementType`] to Rust types.
#[macro_export]
macro_rules! with_element_type {
    ($element:expr, $t:ident => $body:expr, unknown => $fallback:expr) => {{
        use $crate::ElementType as __E;
        match $element {
            __E::U8 => {
                type $t = u8;
                $body
            }
            __E::U16 => {
                type $t = u16;
                $body
            }
            __E::U32 => {
                type $t = u32;
                $body
            }
            __E::U64 => {
                type $t = u64;
                $body
            }
            __E::I8 => {
                type $t = i8;
                $body
            }
            __E::I16 => {
                type $t = i16;
                $body
            }
            __E::I32 => {
                type $t = i32;
                $body
            }
            __E::I64 => {
                type $t = i64;
                $body
            }
            __E::F32 => {
                type $t = f32;
                $body
            }
            __E::F64 => {
                type $t = f64;
                $body
            }
            _ => $fallback,
        }
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_array_is_viewed_as_its_own_type_only() {
        let a = ArrayData::from_vec(vec![1u16, 2, 3]);
        assert_eq!(a.element(), ElementType::U16);
        assert_eq!(a.len(), 3);
        assert_eq!(a.as_slice::<u16>(), Some(&[1u16, 2, 3][..]));
        assert_eq!(a.as_slice::<i16>(), None);
        assert_eq!(a.as_bytes(), &[1, 0, 2, 0, 3, 0]);
    }

    #[test]
    fn a_copied_range_keeps_the_element_type() {
        let a = ArrayData::from_vec(vec![-1.5f64, 2.0, 7.25]);
        assert_eq!(a.copy_range(1..3), ArrayData::from_vec(vec![2.0f64, 7.25]));
    }

    #[test]
    fn clones_are_equal_and_independent() {
        let a = ArrayData::from_vec(vec![9u8; 4]);
        let b = a.clone();
        drop(a);
        assert_eq!(b.as_slice::<u8>(), Some(&[9u8; 4][..]));
    }
}
