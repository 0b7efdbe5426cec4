//! The unit of data moving through the runtime: one item of one port.

use std::sync::Arc;

use macroscope_plugin_api::{ArrayData, ItemRef, Scalar};

/// One item as the host holds it. Shared (`Arc`) between the sink and every
/// downstream stage; stages see it through [`HostItem::view`], a borrow of
/// this very buffer.
#[derive(Debug, Clone, PartialEq)]
pub struct HostItem {
    /// The array, owned by the host (moved in from the producing plugin).
    pub data: ArrayData,
    /// Shape of this item.
    pub shape: Vec<u64>,
    /// Metadata values in the order of the port's columns.
    pub meta: Vec<Scalar>,
}

/// A shared item.
pub type SharedItem = Arc<HostItem>;

impl HostItem {
    /// The FFI view lent to a plugin: no copy.
    pub fn view(&self) -> ItemRef<'_> {
        ItemRef {
            element: self.data.element(),
            shape: self.shape.as_slice().into(),
            bytes: self.data.as_bytes().into(),
            meta: self.meta.as_slice().into(),
        }
    }
}
