//! The safe trait plugin authors implement.

use crate::array::{ArrayData, Element};
use crate::clock::RunClock;
use crate::codes::{ElementType, PluginKind};
use crate::error::PluginError;
use crate::items::{Emission, ItemRef, Scalar};
use crate::ports::{InputPort, InputSpec, PortSpec};

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
            return Err(PluginError::new(format!(
                "expected {} data, got {}",
                T::TYPE,
                self.raw.element
            )));
        }
        bytemuck::try_cast_slice(self.bytes()).map_err(|e| {
            PluginError::new(format!("input buffer cannot be viewed as {}: {e}", T::TYPE))
        })
    }

    /// Metadata values in the order of the port's columns.
    pub fn meta(&self) -> &'a [Scalar] {
        self.raw.meta.as_slice()
    }
}

/// Collects what a stage emits during one call: items, and warnings.
#[derive(Debug, Default)]
pub struct Outputs {
    emissions: Vec<Emission>,
    warnings: Vec<String>,
}

impl Outputs {
    /// Emits `values` (with per-item metadata) on output port `port`.
    pub fn emit<T: Element>(&mut self, port: usize, values: Vec<T>, meta: &[Scalar]) {
        self.emit_array(port, ArrayData::from_vec(values), meta);
    }

    /// Emits an already-typed array on output port `port`.
    pub fn emit_array(&mut self, port: usize, data: ArrayData, meta: &[Scalar]) {
        self.emissions.push(Emission {
            port: port as u32,
            data,
            meta: meta.iter().copied().collect(),
        });
    }

    /// Reports that the stage ran but its result is suspect, as one plain
    /// sentence that says what is wrong and what to do (no plugin name: the
    /// host adds the stage's). The run still succeeds; the host prints each
    /// distinct warning once when the run ends and stores it in the run file.
    pub fn warn(&mut self, message: impl Into<String>) {
        self.warnings.push(message.into());
    }

    /// Takes everything emitted so far.
    pub fn take(&mut self) -> Vec<Emission> {
        std::mem::take(&mut self.emissions)
    }

    /// Takes the warnings reported so far.
    pub fn take_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.warnings)
    }
}

/// A plugin: a parameter type plus a stage that runs on a thread of its own.
///
/// Declaring and starting are separate acts. [`Plugin::outputs`] is pure: the
/// host calls it to validate a pipeline, to show a plugin, and in the
/// conformance suite's static checks, so it must not open devices, write files
/// or allocate what the run will need. [`Plugin::start`] is called once per run
/// and is the only place a device may be opened. Then the host calls
/// [`Plugin::poll`] repeatedly (a source: no inputs) or [`Plugin::receive`] for
/// each input item, and finally [`Plugin::finish`] once. A stage whose result
/// is suspect but not wrong enough to fail says so with [`Outputs::warn`].
pub trait Plugin: Send + Sized + 'static {
    /// Parameters, deserialised from the pipeline's `params` table.
    /// `#[serde(deny_unknown_fields)]` and documented defaults are expected.
    type Params: serde::de::DeserializeOwned + schemars::JsonSchema;

    /// Static facts about the plugin.
    const INFO: PluginInfo;

    /// The inputs the plugin accepts, in order, so that `inspect` shows them and
    /// `validate` type-checks the wiring before calling [`Plugin::outputs`].
    /// `None` (the default) declares nothing: the plugin checks its inputs in
    /// `outputs`. A source returns `Some(vec![])`.
    fn inputs() -> Option<Vec<InputSpec>> {
        None
    }

    /// Checks the parameters against the inputs and declares the output ports.
    /// Pure: no side effects.
    fn outputs(params: &Self::Params, inputs: &[InputPort]) -> Result<Vec<PortSpec>, PluginError>;

    /// Starts the stage for a run: open devices, allocate buffers. Called only
    /// after [`Plugin::outputs`] accepted the same parameters and inputs.
    fn start(params: Self::Params, inputs: &[InputPort]) -> Result<Self, PluginError>;

    /// Facts known only once started (a camera's serial number, the settings it
    /// actually applied), as `(output port index, JSON object)`: the host merges
    /// each object into that port's attributes before anything is stored.
    fn started_attributes(&self) -> Vec<(usize, serde_json::Value)> {
        Vec::new()
    }

    /// The run's clock (docs/science.md §1): called once, right after
    /// [`Plugin::start`] and before the first [`Plugin::poll`] or
    /// [`Plugin::receive`]. A stage that timestamps what it records (a camera)
    /// keeps it to put those times on the run clock, the stimulus schedule's
    /// clock; the default ignores it.
    fn run_clock(&mut self, _clock: RunClock) {}

    /// Produces the next items of a source stage.
    fn poll(&mut self, _out: &mut Outputs) -> Result<Flow, PluginError> {
        Ok(Flow::Finished)
    }

    /// Handles one item arriving on input `input` (index into the inputs).
    fn receive(
        &mut self,
        input: usize,
        _item: Item<'_>,
        _out: &mut Outputs,
    ) -> Result<(), PluginError> {
        Err(PluginError::input(
            input,
            format!("{} takes no input", Self::INFO.name),
        ))
    }

    /// Called once after every input ended (or the source finished).
    fn finish(&mut self, _out: &mut Outputs) -> Result<(), PluginError> {
        Ok(())
    }
}
