//! Typed ports: what a stage declares it emits, and what it accepts.

use abi_stable::{
    std_types::{ROption, RString, RVec},
    StableAbi,
};

use crate::codes::{ElementType, PortKind};
use crate::items::{Emission, Scalar};

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

/// The port attribute with the number of items a stream port expects to carry
/// ([`PortSpec::with_expected_items`]).
pub const EXPECTED_ITEMS: &str = "expected_items";

/// The `u64` column of a camera's stream that counts the frames lost just before
/// each stored frame. A camera plugin counts what it lost itself (block-id gaps,
/// incomplete frames); the host adds the frames it dropped because the sink's
/// queue was full, so a file says how many frames were lost and where.
pub const DROPPED_BEFORE: &str = "dropped_before";

/// A typed output of a stage, declared before any data flows.
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
        Self::new(name, PortKind::STREAM, element, shape)
    }

    /// A dataset port holding one array of `shape`.
    pub fn dataset(name: &str, element: ElementType, shape: &[u64]) -> Self {
        Self::new(name, PortKind::DATASET, element, shape)
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

    /// Says about how many items the stage will emit on this stream port, when
    /// it knows in advance (frames of a stimulus of known duration). The host
    /// shows progress against it and nothing else depends on it: an estimate is
    /// fine, and fewer or more items are not an error. Kept in the attributes
    /// as [`EXPECTED_ITEMS`].
    pub fn with_expected_items(mut self, items: u64) -> Self {
        let mut attributes = self.attributes_json();
        if let Some(object) = attributes.as_object_mut() {
            object.insert(EXPECTED_ITEMS.to_owned(), items.into());
        }
        self.attributes = attributes.to_string().into();
        self
    }

    /// How many items the stage expects to emit on this port: 1 for a dataset
    /// port, [`EXPECTED_ITEMS`] for a stream that declares it.
    pub fn expected_items(&self) -> Option<u64> {
        if self.kind == PortKind::DATASET {
            return Some(1);
        }
        self.attributes_json().get(EXPECTED_ITEMS)?.as_u64()
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

    /// `stream u16 [480, 640]`: kind, element type and item shape.
    pub fn describe(&self) -> String {
        let shape: Vec<String> = self.shape.iter().map(u64::to_string).collect();
        format!("{} {} [{}]", self.kind, self.element, shape.join(", "))
    }

    /// The first name (the port's, then its columns') that is not a valid port
    /// name ([`is_port_name`]).
    pub fn invalid_name(&self) -> Option<&str> {
        std::iter::once(self.name.as_str())
            .chain(self.columns.iter().map(|c| c.name.as_str()))
            .find(|n| !is_port_name(n))
    }

    /// The first code (port kind, element type, column type) this release of the
    /// contract does not know, described; `None` when every one is known.
    pub fn unknown_code(&self) -> Option<String> {
        if !self.kind.is_known() {
            return Some(self.kind.to_string());
        }
        if !self.element.is_known() {
            return Some(self.element.to_string());
        }
        self.columns
            .iter()
            .find(|c| !c.element.is_known())
            .map(|c| format!("{} in column `{}`", c.element, c.name))
    }

    /// Checks that an item (its element type, element count and metadata)
    /// matches this port. The one statement of that rule, used by the host's
    /// runtime and by the plugin test harness alike.
    pub fn check_item(
        &self,
        element: ElementType,
        len: usize,
        meta: &[Scalar],
    ) -> Result<(), PortMismatch> {
        if element != self.element {
            return Err(PortMismatch::Element {
                port: self.name.to_string(),
                declared: self.element,
                got: element,
            });
        }
        if len != self.item_len() {
            return Err(PortMismatch::Length {
                port: self.name.to_string(),
                shape: self.shape.to_vec(),
                expected: self.item_len(),
                got: len,
            });
        }
        let columns = if self.kind == PortKind::STREAM {
            self.columns.len()
        } else {
            0
        };
        if meta.len() != columns {
            return Err(PortMismatch::Metadata {
                port: self.name.to_string(),
                expected: columns,
                got: meta.len(),
            });
        }
        Ok(())
    }

    /// [`PortSpec::check_item`] for an emitted item.
    pub fn check_emission(&self, emission: &Emission) -> Result<(), PortMismatch> {
        self.check_item(emission.data.element(), emission.data.len(), &emission.meta)
    }
}

/// Whether `name` may name a port or a metadata column: `[A-Za-z_][A-Za-z0-9_]*`.
/// The host stores ports as datasets and columns as `<port>.<column>`, so a
/// name with `.`, `/`, `-` or a leading digit is refused when it is declared.
pub fn is_port_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Why an item does not match the port it was sent on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortMismatch {
    /// Another element type than declared.
    #[error("emitted {got} data on port `{port}`, which was declared {declared}")]
    Element {
        /// The port.
        port: String,
        /// Its declared element type.
        declared: ElementType,
        /// The item's.
        got: ElementType,
    },
    /// Another number of elements than the declared shape holds.
    #[error("emitted {got} elements on port `{port}`, whose shape {shape:?} holds {expected}")]
    Length {
        /// The port.
        port: String,
        /// Its declared shape.
        shape: Vec<u64>,
        /// Elements that shape holds.
        expected: usize,
        /// Elements the item has.
        got: usize,
    },
    /// Another number of metadata values than the port has columns.
    #[error("emitted {got} metadata values on port `{port}`, which has {expected} column(s)")]
    Metadata {
        /// The port.
        port: String,
        /// Its number of columns.
        expected: usize,
        /// Values the item has.
        got: usize,
    },
    /// A port index the stage never declared.
    #[error("emitted on output port {port}, but only {declared} port(s) were declared")]
    UndeclaredPort {
        /// The index used.
        port: u32,
        /// Ports declared.
        declared: usize,
    },
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

/// One input a plugin accepts, declared so that `inspect` can show it and
/// `validate` can type-check the wiring before anything runs.
///
/// Inputs are positional: the `i`-th input written in the pipeline is checked
/// against the `i`-th declared input. Empty lists mean "any".
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct InputSpec {
    /// What the input is (`frames`, `schedule`): used in messages and `inspect`.
    pub name: RString,
    /// One line saying what it must carry.
    pub description: RString,
    /// Accepted port kind, or `None` for either.
    pub kind: ROption<PortKind>,
    /// Accepted element types (any if empty).
    pub elements: RVec<ElementType>,
    /// Accepted number of dimensions of one item, or `None` for any.
    pub rank: ROption<u32>,
    /// Metadata columns the upstream port must have.
    pub columns: RVec<RString>,
    /// Keys the upstream port's JSON attributes must have.
    pub attributes: RVec<RString>,
    /// Whether the pipeline may leave this input (and every later one) unconnected.
    pub optional: bool,
}

impl InputSpec {
    /// A stream input called `name`.
    pub fn stream(name: &str) -> Self {
        Self::new(name, ROption::RSome(PortKind::STREAM))
    }

    /// A dataset input called `name`.
    pub fn dataset(name: &str) -> Self {
        Self::new(name, ROption::RSome(PortKind::DATASET))
    }

    /// An input called `name` that may be a stream or a dataset.
    pub fn any(name: &str) -> Self {
        Self::new(name, ROption::RNone)
    }

    fn new(name: &str, kind: ROption<PortKind>) -> Self {
        InputSpec {
            name: name.into(),
            description: RString::new(),
            kind,
            elements: RVec::new(),
            rank: ROption::RNone,
            columns: RVec::new(),
            attributes: RVec::new(),
            optional: false,
        }
    }

    /// Accepts only these element types.
    pub fn of(mut self, elements: &[ElementType]) -> Self {
        self.elements = elements.iter().copied().collect();
        self
    }

    /// Accepts only items with `rank` dimensions.
    pub fn with_rank(mut self, rank: u32) -> Self {
        self.rank = ROption::RSome(rank);
        self
    }

    /// Requires these metadata columns.
    pub fn with_columns(mut self, columns: &[&str]) -> Self {
        self.columns = columns.iter().map(|&c| c.into()).collect();
        self
    }

    /// Requires these attribute keys.
    pub fn with_attributes(mut self, keys: &[&str]) -> Self {
        self.attributes = keys.iter().map(|&k| k.into()).collect();
        self
    }

    /// Sets the description.
    pub fn with_description(mut self, description: &str) -> Self {
        self.description = description.into();
        self
    }

    /// Marks the input as one the pipeline may leave unconnected.
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    /// `stream u16|u8, rank 2, columns [time_s]`: what the input accepts.
    pub fn describe(&self) -> String {
        let mut parts = vec![match &self.kind {
            ROption::RSome(kind) => kind.to_string(),
            ROption::RNone => "stream or dataset".to_owned(),
        }];
        if !self.elements.is_empty() {
            let names: Vec<&str> = self.elements.iter().map(|e| e.as_str()).collect();
            parts[0].push(' ');
            parts[0].push_str(&names.join("|"));
        }
        if let ROption::RSome(rank) = self.rank {
            parts.push(format!("rank {rank}"));
        }
        if !self.columns.is_empty() {
            parts.push(format!("columns [{}]", join(&self.columns)));
        }
        if !self.attributes.is_empty() {
            parts.push(format!("attributes [{}]", join(&self.attributes)));
        }
        parts.join(", ")
    }

    /// Every way `port` fails this declaration, each as one phrase
    /// (`is f32, not f64`); empty when it is accepted.
    pub fn mismatches(&self, port: &PortSpec) -> Vec<String> {
        let mut problems = Vec::new();
        if let ROption::RSome(kind) = self.kind {
            if port.kind != kind {
                problems.push(format!("is a {}, not a {kind}", port.kind));
            }
        }
        if !self.elements.is_empty() && !self.elements.contains(&port.element) {
            let names: Vec<&str> = self.elements.iter().map(|e| e.as_str()).collect();
            problems.push(format!("is {}, not {}", port.element, names.join(" or ")));
        }
        if let ROption::RSome(rank) = self.rank {
            if port.shape.len() != rank as usize {
                problems.push(format!(
                    "has {} dimension(s) per item, not {rank}",
                    port.shape.len()
                ));
            }
        }
        let missing: Vec<&str> = self
            .columns
            .iter()
            .filter(|c| port.column_index(c).is_none())
            .map(|c| c.as_str())
            .collect();
        if !missing.is_empty() {
            problems.push(format!("lacks column(s) {}", missing.join(", ")));
        }
        let attributes = port.attributes_json();
        let missing: Vec<&str> = self
            .attributes
            .iter()
            .filter(|k| attributes.get(k.as_str()).is_none())
            .map(|k| k.as_str())
            .collect();
        if !missing.is_empty() {
            problems.push(format!("lacks attribute(s) {}", missing.join(", ")));
        }
        problems
    }
}

fn join(names: &[RString]) -> String {
    names
        .iter()
        .map(RString::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_expects_the_items_it_declares_and_keeps_its_other_attributes() {
        let port = PortSpec::stream("frames", ElementType::U8, &[2, 2])
            .with_attributes(&serde_json::json!({ "downsample": 4 }))
            .with_expected_items(11_984);
        assert_eq!(port.expected_items(), Some(11_984));
        assert_eq!(port.attributes_json()["downsample"], 4);
        let silent = PortSpec::stream("frames", ElementType::U8, &[2, 2]);
        assert_eq!(silent.expected_items(), None);
    }

    #[test]
    fn a_dataset_port_expects_one_item() {
        let port = PortSpec::dataset("phase", ElementType::F64, &[4, 4]);
        assert_eq!(port.expected_items(), Some(1));
    }

    #[test]
    fn port_names_are_identifiers() {
        assert!(is_port_name("frames"));
        assert!(is_port_name("_t0"));
        assert!(!is_port_name("raw-frames"));
        assert!(!is_port_name("0t"));
        assert!(!is_port_name("a.b"));
        assert!(!is_port_name(""));
    }

    #[test]
    fn a_port_reads_as_kind_type_and_shape() {
        assert_eq!(
            PortSpec::dataset("phase", ElementType::F64, &[4, 60, 80]).describe(),
            "dataset f64 [4, 60, 80]"
        );
    }

    #[test]
    fn an_item_of_another_type_is_refused_word_for_word() {
        let port = PortSpec::stream("frames", ElementType::U16, &[2, 2]);
        assert_eq!(
            port.check_item(ElementType::F32, 4, &[])
                .unwrap_err()
                .to_string(),
            "emitted f32 data on port `frames`, which was declared u16"
        );
        assert_eq!(
            port.check_item(ElementType::U16, 3, &[])
                .unwrap_err()
                .to_string(),
            "emitted 3 elements on port `frames`, whose shape [2, 2] holds 4"
        );
        assert!(port.check_item(ElementType::U16, 4, &[]).is_ok());
    }

    #[test]
    fn an_input_declaration_names_every_mismatch() {
        let accepts = InputSpec::stream("frames")
            .of(&[ElementType::U16, ElementType::U8])
            .with_rank(2)
            .with_columns(&["time_s"]);
        assert_eq!(
            accepts.describe(),
            "stream u16|u8, rank 2, columns [time_s]"
        );
        let port = PortSpec::dataset("maps", ElementType::F32, &[4]);
        assert_eq!(
            accepts.mismatches(&port),
            vec![
                "is a dataset, not a stream",
                "is f32, not u16 or u8",
                "has 1 dimension(s) per item, not 2",
                "lacks column(s) time_s",
            ]
        );
    }
}
