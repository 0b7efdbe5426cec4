//! Drives one plugin through its real FFI descriptor, the way the host's
//! runtime does: `configure`, then `poll` (a source) or `receive` (one call per
//! input item, inputs interleaved), then `finish`.

use std::path::Path;

use macroscope_plugin_api::{
    abi_stable::std_types::{RResult, RString, RVec},
    ffi::{PluginDescriptor, StageBox},
    load::{load_library, LoadError},
    Element, Emission, InputPort, Plugin, PortSpec,
};

use crate::synthetic::{InputStream, OwnedItem};

/// A source that has not finished after this many polls is reported as endless.
pub const MAX_SOURCE_POLLS: usize = 1_000_000;

/// What the glue's panic guard writes into the error of a call that panicked.
const PANIC_MARKER: &str = "panicked in";

/// Why driving a plugin failed. Messages carry the plugin's own words.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HarnessError {
    /// `configure` returned an error (or panicked: see [`HarnessError::is_panic`]).
    #[error("plugin `{plugin}` failed in configure: {message}")]
    Configure {
        /// The plugin.
        plugin: String,
        /// Its message.
        message: String,
    },
    /// `poll`, `receive` or `finish` returned an error.
    #[error("plugin `{plugin}` failed in {call}: {message}")]
    Call {
        /// The plugin.
        plugin: String,
        /// The entry point (`poll`, `receive`, `finish`).
        call: &'static str,
        /// Its message.
        message: String,
    },
    /// An item was emitted on a port the stage never declared.
    #[error("plugin `{plugin}` emitted on port {port}, but declared only {declared} port(s)")]
    UndeclaredPort {
        /// The plugin.
        plugin: String,
        /// The port index it used.
        port: u32,
        /// How many ports it declared.
        declared: usize,
    },
    /// A source kept producing past [`MAX_SOURCE_POLLS`].
    #[error("plugin `{plugin}` did not finish after {MAX_SOURCE_POLLS} polls")]
    Endless {
        /// The plugin.
        plugin: String,
    },
}

impl HarnessError {
    /// True when the plugin panicked and its guard turned the panic into this error.
    pub fn is_panic(&self) -> bool {
        match self {
            HarnessError::Configure { message, .. } | HarnessError::Call { message, .. } => {
                message.contains(PANIC_MARKER)
            }
            HarnessError::UndeclaredPort { .. } | HarnessError::Endless { .. } => false,
        }
    }
}

/// A plugin to test: its FFI descriptor, from a Rust type or a loaded library.
#[derive(Clone)]
pub struct PluginUnderTest {
    descriptor: PluginDescriptor,
}

impl PluginUnderTest {
    /// The plugin type `P`, through the same FFI glue a library export uses.
    pub fn of<P: Plugin>() -> Self {
        Self::from_descriptor(macroscope_plugin_api::descriptor_of::<P>())
    }

    /// A descriptor obtained elsewhere (e.g. from the host's registry).
    pub fn from_descriptor(descriptor: PluginDescriptor) -> Self {
        PluginUnderTest { descriptor }
    }

    /// Every plugin of the library file at `path`, loaded with the host's checks.
    pub fn load(path: &Path) -> Result<Vec<Self>, LoadError> {
        Ok(load_library(path)?
            .into_iter()
            .map(Self::from_descriptor)
            .collect())
    }

    /// The descriptor.
    pub fn descriptor(&self) -> &PluginDescriptor {
        &self.descriptor
    }

    /// The plugin's name.
    pub fn name(&self) -> &str {
        self.descriptor.name.as_str()
    }

    /// Configures a stage with `params` for `inputs` (only their ports are used).
    pub fn configure(
        &self,
        params: &serde_json::Value,
        inputs: &[InputStream],
    ) -> Result<Stage, HarnessError> {
        let ports: Vec<InputPort> = inputs.iter().map(|i| i.port.clone()).collect();
        match (self.descriptor.configure)(
            params.to_string().as_str().into(),
            ports.as_slice().into(),
        ) {
            RResult::ROk(configured) => Ok(Stage {
                plugin: self.name().to_owned(),
                outputs: configured.outputs.into_vec(),
                stage: configured.stage,
            }),
            RResult::RErr(message) => Err(HarnessError::Configure {
                plugin: self.name().to_owned(),
                message: message.into(),
            }),
        }
    }

    /// Configures a stage and drives it over `inputs` to the end.
    pub fn run(
        &self,
        params: &serde_json::Value,
        inputs: &[InputStream],
    ) -> Result<RunOutput, HarnessError> {
        self.configure(params, inputs)?.drive(inputs)
    }
}

/// A configured stage, ready to be driven.
pub struct Stage {
    plugin: String,
    /// The output ports it declared, in emission-index order.
    pub outputs: Vec<PortSpec>,
    stage: StageBox,
}

impl Stage {
    /// Asks a source for its next items; `true` once it has finished.
    pub fn poll(&mut self) -> Result<(Vec<Emission>, bool), HarnessError> {
        let result = self.stage.poll();
        let polled = self.checked("poll", result)?;
        Ok((polled.emissions.into_vec(), polled.finished))
    }

    /// Lends `item` to input `input`.
    pub fn receive(
        &mut self,
        input: usize,
        item: &OwnedItem,
    ) -> Result<Vec<Emission>, HarnessError> {
        let result = self.stage.receive(input as u32, item.as_ref());
        self.checked("receive", result).map(RVec::into_vec)
    }

    /// Tells the stage every input has ended.
    pub fn finish(&mut self) -> Result<Vec<Emission>, HarnessError> {
        let result = self.stage.finish();
        self.checked("finish", result).map(RVec::into_vec)
    }

    fn checked<T>(
        &self,
        call: &'static str,
        result: RResult<T, RString>,
    ) -> Result<T, HarnessError> {
        result.into_result().map_err(|message| HarnessError::Call {
            plugin: self.plugin.clone(),
            call,
            message: message.into(),
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
                    plugin: self.plugin,
                });
            }
        } else {
            let longest = inputs.iter().map(|i| i.items.len()).max().unwrap_or(0);
            for index in 0..longest {
                for (input, stream) in inputs.iter().enumerate() {
                    if let Some(item) = stream.items.get(index) {
                        let emissions = self.receive(input, item)?;
                        self.collect(&mut output, emissions)?;
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
            self.collect(output, emissions)?;
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
        self.collect(&mut output, emissions)?;
        Ok(output)
    }

    fn collect(
        &self,
        output: &mut RunOutput,
        emissions: Vec<Emission>,
    ) -> Result<(), HarnessError> {
        for emission in emissions {
            let declared = output.ports.len();
            let port = output
                .ports
                .get_mut(emission.port as usize)
                .ok_or_else(|| HarnessError::UndeclaredPort {
                    plugin: self.plugin.clone(),
                    port: emission.port,
                    declared,
                })?;
            port.items.push(emission);
        }
        Ok(())
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
