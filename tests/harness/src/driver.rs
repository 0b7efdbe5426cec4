//! Drives one plugin through its real FFI descriptor, the way the host's
//! runtime does: `outputs`, `start`, then `poll` (a source) or `receive` (one
//! call per input item, inputs interleaved), then `finish`. Every call goes
//! through the contract's own [`PluginHandle`], which checks each emitted item
//! against its port.

use std::path::Path;

use macroscope_plugin_api::{
    load::{load_library, LoadError},
    Element, Emission, ErrorKind, InputPort, Plugin, PluginError, PluginHandle, PortSpec, RunClock,
    RunningStage,
};

use crate::synthetic::{InputStream, OwnedItem};

/// A source that has not finished after this many polls is reported as endless.
pub const MAX_SOURCE_POLLS: usize = 1_000_000;

/// Why driving a plugin failed. Messages carry the plugin's own words.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HarnessError {
    /// An entry point (`outputs`, `start`, `poll`, `receive`, `finish`) returned
    /// an error, or the stage broke the contract (see [`PluginError::kind`]).
    #[error("plugin `{plugin}` failed in {call}: {error}")]
    Call {
        /// The plugin.
        plugin: String,
        /// The entry point.
        call: &'static str,
        /// What it reported, with its kind.
        error: PluginError,
    },
    /// A source kept producing past [`MAX_SOURCE_POLLS`].
    #[error("plugin `{plugin}` did not finish after {MAX_SOURCE_POLLS} polls")]
    Endless {
        /// The plugin.
        plugin: String,
    },
}

impl HarnessError {
    /// The kind of the plugin's error, if it reported one.
    pub fn kind(&self) -> Option<&ErrorKind> {
        match self {
            HarnessError::Call { error, .. } => Some(error.kind()),
            HarnessError::Endless { .. } => None,
        }
    }

    /// True when the plugin panicked and its guard turned the panic into this error.
    pub fn is_panic(&self) -> bool {
        self.kind() == Some(&ErrorKind::Panicked)
    }
}

/// A plugin to test: built from a Rust type or loaded from a library, and
/// always called through its FFI descriptor.
#[derive(Clone, Copy, Debug)]
pub struct PluginUnderTest {
    handle: PluginHandle,
}

impl PluginUnderTest {
    /// The plugin type `P`, through the same FFI glue a library export uses.
    pub fn of<P: Plugin>() -> Self {
        Self::from_handle(PluginHandle::of::<P>())
    }

    /// A plugin obtained elsewhere (e.g. from the host's registry).
    pub fn from_handle(handle: PluginHandle) -> Self {
        PluginUnderTest { handle }
    }

    /// Every plugin of the library file at `path`, loaded with the host's checks.
    pub fn load(path: &Path) -> Result<Vec<Self>, LoadError> {
        Ok(load_library(path)?
            .into_iter()
            .map(Self::from_handle)
            .collect())
    }

    /// The plugin as the contract presents it.
    pub fn handle(&self) -> &PluginHandle {
        &self.handle
    }

    /// The plugin's name.
    pub fn name(&self) -> &'static str {
        self.handle.name()
    }

    /// The output ports declared for `params` and `inputs` (pure: starts nothing).
    pub fn outputs(
        &self,
        params: &serde_json::Value,
        inputs: &[InputStream],
    ) -> Result<Vec<PortSpec>, HarnessError> {
        self.outputs_for(params, &ports_of(inputs))
    }

    /// [`PluginUnderTest::outputs`] for input ports alone.
    pub fn outputs_for(
        &self,
        params: &serde_json::Value,
        ports: &[InputPort],
    ) -> Result<Vec<PortSpec>, HarnessError> {
        self.handle
            .outputs(params, ports)
            .map_err(|error| self.failed("outputs", error))
    }

    /// Declares and starts a stage with `params` for `inputs` (only their ports are used).
    pub fn start(
        &self,
        params: &serde_json::Value,
        inputs: &[InputStream],
    ) -> Result<Stage, HarnessError> {
        self.start_for(params, &ports_of(inputs))
    }

    /// [`PluginUnderTest::start`] for input ports alone; items are then lent
    /// with [`Stage::receive`]. The stage's run clock starts now, as a run's
    /// does when the host starts it.
    pub fn start_for(
        &self,
        params: &serde_json::Value,
        ports: &[InputPort],
    ) -> Result<Stage, HarnessError> {
        self.start_on_clock(params, ports, RunClock::starting_now())
    }

    /// [`PluginUnderTest::start_for`] on a given run clock.
    pub fn start_on_clock(
        &self,
        params: &serde_json::Value,
        ports: &[InputPort],
        clock: RunClock,
    ) -> Result<Stage, HarnessError> {
        let outputs = self.outputs_for(params, ports)?;
        let running = self
            .handle
            .start(params, ports, outputs, clock)
            .map_err(|error| self.failed("start", error))?;
        Ok(Stage {
            plugin: self.name(),
            outputs: running.outputs().to_vec(),
            running,
        })
    }

    fn failed(&self, call: &'static str, error: PluginError) -> HarnessError {
        HarnessError::Call {
            plugin: self.name().to_owned(),
            call,
            error,
        }
    }

    /// Configures a stage and drives it over `inputs` to the end.
    pub fn run(
        &self,
        params: &serde_json::Value,
        inputs: &[InputStream],
    ) -> Result<RunOutput, HarnessError> {
        self.start(params, inputs)?.drive(inputs)
    }
}

fn ports_of(inputs: &[InputStream]) -> Vec<InputPort> {
    inputs.iter().map(|i| i.port.clone()).collect()
}

/// A started stage, ready to be driven.
pub struct Stage {
    plugin: &'static str,
    /// The output ports it declared (with what it reported at start), in emission-index order.
    pub outputs: Vec<PortSpec>,
    running: RunningStage,
}

impl Stage {
    /// Asks a source for its next items; `true` once it has finished.
    pub fn poll(&mut self) -> Result<(Vec<Emission>, bool), HarnessError> {
        let result = self.running.poll();
        self.checked("poll", result)
    }

    /// Lends `item` to input `input`.
    pub fn receive(
        &mut self,
        input: usize,
        item: &OwnedItem,
    ) -> Result<Vec<Emission>, HarnessError> {
        let result = self.running.receive(input, item.as_ref());
        self.checked("receive", result)
    }

    /// Tells the stage every input has ended.
    pub fn finish(&mut self) -> Result<Vec<Emission>, HarnessError> {
        let result = self.running.finish();
        self.checked("finish", result)
    }

    /// Every distinct warning the stage has reported so far, in the order
    /// first reported.
    pub fn warnings(&mut self) -> Vec<String> {
        self.running.warnings().to_vec()
    }

    fn checked<T>(
        &self,
        call: &'static str,
        result: Result<T, PluginError>,
    ) -> Result<T, HarnessError> {
        result.map_err(|error| HarnessError::Call {
            plugin: self.plugin.to_owned(),
            call,
            error,
        })
    }

    /// Feeds every item of `inputs` (round-robin across inputs, in order within
    /// each), or polls a source until it finishes (at most [`MAX_SOURCE_POLLS`]
    /// times), then calls `finish`.
    pub fn drive(mut self, inputs: &[InputStream]) -> Result<RunOutput, HarnessError> {
        let mut output = self.empty_output();
        if inputs.is_empty() {
            if !self.poll_up_to(MAX_SOURCE_POLLS, &mut output)? {
                return Err(HarnessError::Endless {
                    plugin: self.plugin.to_owned(),
                });
            }
        } else {
            let longest = inputs.iter().map(|i| i.items.len()).max().unwrap_or(0);
            for index in 0..longest {
                for (input, stream) in inputs.iter().enumerate() {
                    if let Some(item) = stream.items.get(index) {
                        let emissions = self.receive(input, item)?;
                        Self::collect(&mut output, emissions);
                    }
                }
            }
        }
        self.finish_into(output)
    }

    /// Polls a source at most `polls` times (fewer if it finishes), then calls
    /// `finish`: how a user ends an endless source such as a camera.
    pub fn drive_source_for(mut self, polls: usize) -> Result<RunOutput, HarnessError> {
        let mut output = self.empty_output();
        self.poll_up_to(polls, &mut output)?;
        self.finish_into(output)
    }

    /// Polls until the source finishes (`true`) or `polls` calls were made (`false`).
    fn poll_up_to(&mut self, polls: usize, output: &mut RunOutput) -> Result<bool, HarnessError> {
        for _ in 0..polls {
            let (emissions, finished) = self.poll()?;
            Self::collect(output, emissions);
            if finished {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn empty_output(&self) -> RunOutput {
        RunOutput {
            ports: self
                .outputs
                .iter()
                .map(|spec| PortOutput {
                    spec: spec.clone(),
                    items: Vec::new(),
                })
                .collect(),
        }
    }

    fn finish_into(mut self, mut output: RunOutput) -> Result<RunOutput, HarnessError> {
        let emissions = self.finish()?;
        Self::collect(&mut output, emissions);
        Ok(output)
    }

    /// Files each emission under its port (the contract has already checked
    /// that the port exists and the item matches it).
    fn collect(output: &mut RunOutput, emissions: Vec<Emission>) {
        for emission in emissions {
            output.ports[emission.port as usize].items.push(emission);
        }
    }
}

/// Everything a run produced, per declared output port.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOutput {
    /// One entry per declared port, in declaration order.
    pub ports: Vec<PortOutput>,
}

impl RunOutput {
    /// The output of the port called `name`.
    pub fn port(&self, name: &str) -> Option<&PortOutput> {
        self.ports.iter().find(|p| p.spec.name.as_str() == name)
    }
}

/// What one output port produced.
#[derive(Debug, Clone, PartialEq)]
pub struct PortOutput {
    /// The port as declared.
    pub spec: PortSpec,
    /// The items, in emission order.
    pub items: Vec<Emission>,
}

impl PortOutput {
    /// Every item's values typed as `T`, or `None` if an item has another element type.
    pub fn values<T: Element>(&self) -> Option<Vec<&[T]>> {
        self.items.iter().map(|e| e.data.as_slice::<T>()).collect()
    }
}
