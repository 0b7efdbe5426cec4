//! The safe trait plugin authors implement.

use std::fmt;

use crate::types::{
    ArrayData, Element, ElementType, Emission, InputPort, ItemRef, PluginKind, PortSpec, Scalar,
};

/// Static facts about a plugin.
#[derive(Debug, Clone, Copy)]
pub struct PluginInfo {
    /// Unique name, lower-case with dashes (`drifting-bar`).
    pub name: &'static str,
    /// Semantic version of the plugin (usually `env!("CARGO_PKG_VERSION")`).
    pub version: &'static str,
    /// What it is for.
    pub kind: PluginKind,
    /// One paragraph for `macroscope inspect`.
    pub description: &'static str,
    /// Authors.
    pub authors: &'static [&'static str],
    /// Same parameters and inputs always give bit-identical outputs.
    pub deterministic: bool,
}

/// An error a stage reports; the host adds the stage and plugin names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginError(pub String);

impl PluginError {
    /// An error with a message.
    pub fn new(message: impl Into<String>) -> Self {
        PluginError(message.into())
    }
}

impl fmt::Display for PluginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PluginError {}

impl From<String> for PluginError {
    fn from(message: String) -> Self {
        PluginError(message)
    }
}

impl From<&str> for PluginError {
    fn from(message: &str) -> Self {
        PluginError(message.to_owned())
    }
}

/// Whether a source has more to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Call `poll` again.
    Continue,
    /// Nothing more to produce.
    Finished,
}

/// One input item, borrowed from the host's buffer.
#[derive(Debug, Clone, Copy)]
pub struct Item<'a> {
    raw: ItemRef<'a>,
}

impl<'a> Item<'a> {
    /// Wraps the FFI view.
    pub fn new(raw: ItemRef<'a>) -> Self {
        Item { raw }
    }

    /// Element type of the data.
    pub fn element(&self) -> ElementType {
        self.raw.element
    }

    /// Shape of this item.
    pub fn shape(&self) -> &'a [u64] {
        self.raw.shape.as_slice()
    }

    /// The data as raw bytes (the host's buffer itself, not a copy).
    pub fn bytes(&self) -> &'a [u8] {
        self.raw.bytes.as_slice()
    }

    /// The data typed as `T`; an error if the element type differs.
    pub fn data<T: Element>(&self) -> Result<&'a [T], PluginError> {
        if T::TYPE != self.raw.element {
            return Err(PluginError(format!(
                "expected {} data, got {}",
                T::TYPE,
                self.raw.element
            )));
        }
        bytemuck::try_cast_slice(self.bytes())
            .map_err(|e| PluginError(format!("input buffer cannot be viewed as {}: {e}", T::TYPE)))
    }

    /// Metadata values in the order of the port's columns.
    pub fn meta(&self) -> &'a [Scalar] {
        self.raw.meta.as_slice()
    }
}

/// Collects what a stage emits during one call.
#[derive(Debug, Default)]
pub struct Outputs {
    emissions: Vec<Emission>,
}

impl Outputs {
    /// Emits `values` (with per-item metadata) on output port `port`.
    pub fn emit<T: Element>(&mut self, port: usize, values: Vec<T>, meta: &[Scalar]) {
        self.emit_array(port, T::into_array(values), meta);
    }

    /// Emits an already-typed array on output port `port`.
    pub fn emit_array(&mut self, port: usize, data: ArrayData, meta: &[Scalar]) {
        self.emissions.push(Emission {
            port: port as u32,
            data,
            meta: meta.iter().copied().collect(),
        });
    }

    /// Takes everything emitted so far.
    pub fn take(&mut self) -> Vec<Emission> {
        std::mem::take(&mut self.emissions)
    }
}

/// A plugin: a parameter type plus a stage that runs on a thread of its own.
///
/// The host calls [`Plugin::configure`] once, then either [`Plugin::poll`]
/// repeatedly (a source: no inputs) or [`Plugin::receive`] for each input item,
/// and finally [`Plugin::finish`] once.
pub trait Plugin: Send + Sized + 'static {
    /// Parameters, deserialised from the pipeline's `params` table.
    /// `#[serde(deny_unknown_fields)]` and documented defaults are expected.
    type Params: serde::de::DeserializeOwned + schemars::JsonSchema;

    /// Static facts about the plugin.
    const INFO: PluginInfo;

    /// Checks the parameters against the inputs and declares the output ports.
    fn configure(
        params: Self::Params,
        inputs: &[InputPort],
    ) -> Result<(Self, Vec<PortSpec>), PluginError>;

    /// Produces the next items of a source stage.
    fn poll(&mut self, _out: &mut Outputs) -> Result<Flow, PluginError> {
        Ok(Flow::Finished)
    }

    /// Handles one item arriving on input `input` (index into the configured inputs).
    fn receive(
        &mut self,
        input: usize,
        _item: Item<'_>,
        _out: &mut Outputs,
    ) -> Result<(), PluginError> {
        Err(PluginError(format!(
            "{} takes no input, but input {input} sent an item",
            Self::INFO.name
        )))
    }

    /// Called once after every input ended (or the source finished).
    fn finish(&mut self, _out: &mut Outputs) -> Result<(), PluginError> {
        Ok(())
    }
}
