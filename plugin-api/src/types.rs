//! Plain `#[repr(C)]` data that crosses the plugin boundary.

use abi_stable::{
    std_types::{RSlice, RString, RVec},
    StableAbi,
};

/// What a plugin is for; shown by `macroscope plugins` and used by the sink to
/// choose where outputs go (`/stimuli`, `/acquisitions`, `/analysis`, `/other`).
#[repr(u8)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PluginKind {
    /// Produces frames from a device (or a simulation of one).
    Camera,
    /// Generates visual stimuli.
    Stimulus,
    /// Turns recorded data into results.
    Analysis,
    /// Anything else.
    Other,
}

impl PluginKind {
    /// Lower-case name as written in docs and TOML.
    pub fn as_str(self) -> &'static str {
        match self {
            PluginKind::Camera => "camera",
            PluginKind::Stimulus => "stimulus",
            PluginKind::Analysis => "analysis",
            PluginKind::Other => "other",
        }
    }
}

/// Element type of an array or a metadata column.
#[repr(u8)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ElementType {
    /// `u8`
    U8,
    /// `u16`
    U16,
    /// `u32`
    U32,
    /// `u64`
    U64,
    /// `i8`
    I8,
    /// `i16`
    I16,
    /// `i32`
    I32,
    /// `i64`
    I64,
    /// `f32`
    F32,
    /// `f64`
    F64,
}

impl ElementType {
    /// Size of one element in bytes.
    pub fn size(self) -> usize {
        match self {
            ElementType::U8 | ElementType::I8 => 1,
            ElementType::U16 | ElementType::I16 => 2,
            ElementType::U32 | ElementType::I32 | ElementType::F32 => 4,
            ElementType::U64 | ElementType::I64 | ElementType::F64 => 8,
        }
    }

    /// Rust-style name (`u16`, `f64`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ElementType::U8 => "u8",
            ElementType::U16 => "u16",
            ElementType::U32 => "u32",
            ElementType::U64 => "u64",
            ElementType::I8 => "i8",
            ElementType::I16 => "i16",
            ElementType::I32 => "i32",
            ElementType::I64 => "i64",
            ElementType::F32 => "f32",
            ElementType::F64 => "f64",
        }
    }

    /// Parses a Rust-style name (`u16`, `f64`, ...).
    pub fn parse(name: &str) -> Option<Self> {
        ALL_ELEMENT_TYPES
            .iter()
            .copied()
            .find(|t| t.as_str() == name)
    }
}

const ALL_ELEMENT_TYPES: [ElementType; 10] = [
    ElementType::U8,
    ElementType::U16,
    ElementType::U32,
    ElementType::U64,
    ElementType::I8,
    ElementType::I16,
    ElementType::I32,
    ElementType::I64,
    ElementType::F32,
    ElementType::F64,
];

impl std::fmt::Display for ElementType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a port delivers its data.
#[repr(u8)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PortKind {
    /// One item per frame, any number of items; stored as `[N, ...shape]`.
    Stream,
    /// Exactly one array, produced once (usually at the end); stored as `shape`.
    Dataset,
}

impl PortKind {
    /// Lower-case name as written in docs.
    pub fn as_str(self) -> &'static str {
        match self {
            PortKind::Stream => "stream",
            PortKind::Dataset => "dataset",
        }
    }
}

/// One named per-item metadata column of a stream port (e.g. `timestamp_ns`).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct ColumnSpec {
    /// Column name, a valid identifier.
    pub name: RString,
    /// Type the value is stored as.
    pub element: ElementType,
    /// Unit (`s`, `ns`, `deg`, ...) or empty.
    pub unit: RString,
    /// One line saying what the value means (codes of an enumeration go here).
    pub description: RString,
}

impl ColumnSpec {
    /// A column with a name, type, unit and description.
    pub fn new(name: &str, element: ElementType, unit: &str, description: &str) -> Self {
        ColumnSpec {
            name: name.into(),
            element,
            unit: unit.into(),
            description: description.into(),
        }
    }
}

/// A typed output (or input) of a stage, declared before any data flows.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct PortSpec {
    /// Port name, unique within its stage.
    pub name: RString,
    /// Stream or dataset.
    pub kind: PortKind,
    /// Element type of the array data.
    pub element: ElementType,
    /// Shape of one item (stream) or of the whole array (dataset).
    pub shape: RVec<u64>,
    /// Per-item metadata columns (streams only).
    pub columns: RVec<ColumnSpec>,
    /// Unit of the array values, or empty.
    pub unit: RString,
    /// One line saying what the port carries.
    pub description: RString,
    /// A JSON object with facts downstream stages may need (e.g. the sweep
    /// geometry of a stimulus schedule). Stored as a JSON attribute. `{}` if none.
    pub attributes: RString,
}

impl PortSpec {
    /// A stream port with items of `shape`.
    pub fn stream(name: &str, element: ElementType, shape: &[u64]) -> Self {
        Self::new(name, PortKind::Stream, element, shape)
    }

    /// A dataset port holding one array of `shape`.
    pub fn dataset(name: &str, element: ElementType, shape: &[u64]) -> Self {
        Self::new(name, PortKind::Dataset, element, shape)
    }

    fn new(name: &str, kind: PortKind, element: ElementType, shape: &[u64]) -> Self {
        PortSpec {
            name: name.into(),
            kind,
            element,
            shape: shape.iter().copied().collect(),
            columns: RVec::new(),
            unit: RString::new(),
            description: RString::new(),
            attributes: "{}".into(),
        }
    }

    /// Adds a metadata column.
    pub fn with_column(mut self, column: ColumnSpec) -> Self {
        self.columns.push(column);
        self
    }

    /// Sets the unit of the array values.
    pub fn with_unit(mut self, unit: &str) -> Self {
        self.unit = unit.into();
        self
    }

    /// Sets the description.
    pub fn with_description(mut self, description: &str) -> Self {
        self.description = description.into();
        self
    }

    /// Sets the JSON attributes downstream stages can read.
    pub fn with_attributes(mut self, attributes: &serde_json::Value) -> Self {
        self.attributes = attributes.to_string().into();
        self
    }

    /// The attributes parsed as JSON (`{}` when empty or malformed).
    pub fn attributes_json(&self) -> serde_json::Value {
        serde_json::from_str(&self.attributes).unwrap_or_else(|_| serde_json::json!({}))
    }

    /// Number of elements in one item.
    pub fn item_len(&self) -> usize {
        self.shape.iter().map(|&d| d as usize).product()
    }

    /// Position of the metadata column called `name`.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name.as_str() == name)
    }
}

/// An upstream port connected to a stage's input, as the stage sees it.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct InputPort {
    /// Where it comes from: `stage.port`, or `file:PATH#/dataset` for recorded data.
    pub source: RString,
    /// The upstream port's spec (its `name` is the upstream port name).
    pub spec: PortSpec,
}

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

/// An owned array handed from a plugin to the host without copying: the
/// `RVec` carries its own deallocator, so the host frees it correctly even if
/// the plugin was built with another allocator.
#[repr(C, u8)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub enum ArrayData {
    /// `u8` elements
    U8(RVec<u8>),
    /// `u16` elements
    U16(RVec<u16>),
    /// `u32` elements
    U32(RVec<u32>),
    /// `u64` elements
    U64(RVec<u64>),
    /// `i8` elements
    I8(RVec<i8>),
    /// `i16` elements
    I16(RVec<i16>),
    /// `i32` elements
    I32(RVec<i32>),
    /// `i64` elements
    I64(RVec<i64>),
    /// `f32` elements
    F32(RVec<f32>),
    /// `f64` elements
    F64(RVec<f64>),
}

macro_rules! array_data_dispatch {
    ($self:expr, $v:ident => $body:expr) => {
        match $self {
            ArrayData::U8($v) => $body,
            ArrayData::U16($v) => $body,
            ArrayData::U32($v) => $body,
            ArrayData::U64($v) => $body,
            ArrayData::I8($v) => $body,
            ArrayData::I16($v) => $body,
            ArrayData::I32($v) => $body,
            ArrayData::I64($v) => $body,
            ArrayData::F32($v) => $body,
            ArrayData::F64($v) => $body,
        }
    };
}

impl ArrayData {
    /// The element type.
    pub fn element(&self) -> ElementType {
        match self {
            ArrayData::U8(_) => ElementType::U8,
            ArrayData::U16(_) => ElementType::U16,
            ArrayData::U32(_) => ElementType::U32,
            ArrayData::U64(_) => ElementType::U64,
            ArrayData::I8(_) => ElementType::I8,
            ArrayData::I16(_) => ElementType::I16,
            ArrayData::I32(_) => ElementType::I32,
            ArrayData::I64(_) => ElementType::I64,
            ArrayData::F32(_) => ElementType::F32,
            ArrayData::F64(_) => ElementType::F64,
        }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        array_data_dispatch!(self, v => v.len())
    }

    /// True when there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The elements as native-endian bytes (little-endian on every platform we ship).
    pub fn as_bytes(&self) -> &[u8] {
        array_data_dispatch!(self, v => bytemuck::cast_slice(v.as_slice()))
    }

    /// A typed view of the elements, or `None` if `T` is not the element type.
    pub fn as_slice<T: Element>(&self) -> Option<&[T]> {
        (T::TYPE == self.element()).then(|| bytemuck::cast_slice(self.as_bytes()))
    }
}

/// A Rust type that can be an array element.
pub trait Element: bytemuck::Pod + Send + Sync + 'static {
    /// Its [`ElementType`].
    const TYPE: ElementType;
    /// Wraps a vector of it as [`ArrayData`] without copying.
    fn into_array(values: Vec<Self>) -> ArrayData;
}

macro_rules! impl_element {
    ($($t:ty => $variant:ident),*) => {$(
        impl Element for $t {
            const TYPE: ElementType = ElementType::$variant;
            fn into_array(values: Vec<Self>) -> ArrayData {
                ArrayData::$variant(RVec::from(values))
            }
        }
    )*};
}

impl_element!(u8 => U8, u16 => U16, u32 => U32, u64 => U64, i8 => I8, i16 => I16,
    i32 => I32, i64 => I64, f32 => F32, f64 => F64);

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
