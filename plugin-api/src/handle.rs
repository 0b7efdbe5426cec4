//! The calling side of the contract: the one place the raw FFI entry points are
//! called, used by the host's `validate` and runtime and by the test harness.

use abi_stable::std_types::{RResult, RString, RVec};

use crate::clock::RunClock;
use crate::codes::PluginKind;
use crate::error::{ErrorKind, FfiError, PluginError};
use crate::ffi::{PluginDescriptorRef, StageBox};
use crate::items::{Emission, ItemRef};
use crate::plugin::Plugin;
use crate::ports::{InputPort, InputSpec, PortMismatch, PortSpec};

/// A plugin as its caller sees it: its facts, and typed calls to declare and
/// start a stage.
#[derive(Clone, Copy)]
pub struct PluginHandle {
    descriptor: PluginDescriptorRef,
}

impl PluginHandle {
    /// The plugin behind a descriptor (built in, or from a library).
    pub fn new(descriptor: PluginDescriptorRef) -> Self {
        PluginHandle { descriptor }
    }

    /// The plugin type `P`, through the same FFI glue a library export uses.
    pub fn of<P: Plugin>() -> Self {
        Self::new(crate::descriptor_of::<P>())
    }

    /// Unique plugin name.
    pub fn name(&self) -> &'static str {
        self.descriptor.name().as_str()
    }

    /// Semantic version of the plugin.
    pub fn version(&self) -> &'static str {
        self.descriptor.version().as_str()
    }

    /// What it is for.
    pub fn kind(&self) -> PluginKind {
        self.descriptor.kind()
    }

    /// One paragraph for `inspect`.
    pub fn description(&self) -> &'static str {
        self.descriptor.description().as_str()
    }

    /// Its authors.
    pub fn authors(&self) -> Vec<&'static str> {
        self.descriptor
            .authors()
            .as_slice()
            .iter()
            .map(|a| a.as_str())
            .collect()
    }

    /// Same parameters and inputs always give bit-identical outputs.
    pub fn deterministic(&self) -> bool {
        self.descriptor.deterministic()
    }

    /// JSON Schema of the parameters, as text.
    pub fn params_schema(&self) -> &'static str {
        self.descriptor.params_schema().as_str()
    }

    /// The inputs it accepts, in order, if it declares them.
    pub fn inputs(&self) -> Option<&'static [InputSpec]> {
        self.descriptor
            .inputs_declared()
            .then(|| self.descriptor.inputs().as_slice())
    }

    /// Declares the output ports for `params` and `inputs`; refuses ports with
    /// an invalid name or a code (element type, port kind) this release does not know.
    pub fn outputs(
        &self,
        params: &serde_json::Value,
        inputs: &[InputPort],
    ) -> Result<Vec<PortSpec>, PluginError> {
        let params = params.to_string();
        let ports = from_ffi((self.descriptor.outputs())(
            params.as_str().into(),
            inputs.into(),
        ))?
        .into_vec();
        for port in &ports {
            if let Some(name) = port.invalid_name() {
                return Err(PluginError::of_kind(
                    ErrorKind::BrokeContract,
                    format!(
                        "declares port or column `{name}`, which is not a valid name \
                         (letters, digits and `_`, not starting with a digit)"
                    ),
                ));
            }
            if let Some(unknown) = port.unknown_code() {
                return Err(PluginError::of_kind(
                    ErrorKind::BrokeContract,
                    format!(
                        "declares port `{}` with {unknown}, which this host does not know; \
                         upgrade macroscope to a release that does",
                        port.name
                    ),
                ));
            }
        }
        Ok(ports)
    }

    /// Starts a stage whose ports `outputs` were declared by
    /// [`PluginHandle::outputs`] for the same parameters and inputs, and tells
    /// it the run's `clock`; the facts the stage reports at start are merged
    /// into its ports' attributes.
    pub fn start(
        &self,
        params: &serde_json::Value,
        inputs: &[InputPort],
        outputs: Vec<PortSpec>,
        clock: RunClock,
    ) -> Result<RunningStage, PluginError> {
        let params = params.to_string();
        let mut stage = from_ffi((self.descriptor.start())(
            params.as_str().into(),
            inputs.into(),
        ))?;
        // Absent only from a descriptor built by hand against an older layout.
        if let Some(set_run_clock) = self.descriptor.set_run_clock() {
            set_run_clock(&mut stage, clock.origin_ns());
        }
        let mut running = RunningStage {
            outputs,
            stage,
            take_warnings: self.descriptor.take_warnings(),
            warnings: Vec::new(),
        };
        running.merge_started_attributes()?;
        Ok(running)
    }
}

impl std::fmt::Debug for PluginHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PluginHandle({} {})", self.name(), self.version())
    }
}

/// The descriptor's `take_warnings` entry point.
type TakeWarnings = extern "C" fn(&mut StageBox) -> RVec<RString>;

/// A started stage. Every item it emits is checked against its declared port
/// ([`PortSpec::check_emission`]) before the caller sees it.
pub struct RunningStage {
    outputs: Vec<PortSpec>,
    stage: StageBox,
    /// `None` when the descriptor has no such entry point.
    take_warnings: Option<TakeWarnings>,
    /// Every distinct warning taken so far, in the order first reported.
    warnings: Vec<String>,
}

impl RunningStage {
    /// Its output ports, with the attributes it reported at start merged in.
    pub fn outputs(&self) -> &[PortSpec] {
        &self.outputs
    }

    /// A source produces its next items; `true` once it has finished.
    pub fn poll(&mut self) -> Result<(Vec<Emission>, bool), PluginError> {
        let polled = from_ffi(self.stage.poll())?;
        Ok((self.checked(polled.emissions)?, polled.finished))
    }

    /// Lends `item` to input `input`.
    pub fn receive(
        &mut self,
        input: usize,
        item: ItemRef<'_>,
    ) -> Result<Vec<Emission>, PluginError> {
        let emissions = from_ffi(self.stage.receive(input as u32, item))?;
        self.checked(emissions)
    }

    /// Every input has ended: the final items.
    pub fn finish(&mut self) -> Result<Vec<Emission>, PluginError> {
        let emissions = from_ffi(self.stage.finish())?;
        self.checked(emissions)
    }

    /// Every distinct warning the stage has reported so far (plain sentences,
    /// in the order first reported; none from a library built before 0.2.1).
    pub fn warnings(&mut self) -> &[String] {
        if let Some(take) = self.take_warnings {
            for warning in take(&mut self.stage) {
                let warning = warning.into_string();
                if !warning.trim().is_empty() && !self.warnings.contains(&warning) {
                    self.warnings.push(warning);
                }
            }
        }
        &self.warnings
    }

    fn checked(&self, emissions: RVec<Emission>) -> Result<Vec<Emission>, PluginError> {
        for emission in emissions.iter() {
            let spec =
                self.outputs
                    .get(emission.port as usize)
                    .ok_or(PortMismatch::UndeclaredPort {
                        port: emission.port,
                        declared: self.outputs.len(),
                    });
            spec.and_then(|spec| spec.check_emission(emission))
                .map_err(|e| PluginError::of_kind(ErrorKind::BrokeContract, e.to_string()))?;
        }
        Ok(emissions.into_vec())
    }

    fn merge_started_attributes(&mut self) -> Result<(), PluginError> {
        let broke = |message: String| PluginError::of_kind(ErrorKind::BrokeContract, message);
        for started in self.stage.started_attributes() {
            let declared = self.outputs.len();
            let port = self
                .outputs
                .get_mut(started.port as usize)
                .ok_or_else(|| {
                    broke(format!(
                        "reported attributes at start for output port {}, but declared only {declared} port(s)",
                        started.port
                    ))
                })?;
            let serde_json::Value::Object(facts) =
                serde_json::from_str(&started.attributes).unwrap_or(serde_json::Value::Null)
            else {
                return Err(broke(format!(
                    "reported attributes at start for port `{}` that are not a JSON object",
                    port.name
                )));
            };
            let mut attributes = port.attributes_json();
            if let Some(object) = attributes.as_object_mut() {
                object.extend(facts);
            }
            port.attributes = attributes.to_string().into();
        }
        Ok(())
    }
}

fn from_ffi<T>(result: RResult<T, FfiError>) -> Result<T, PluginError> {
    result.into_result().map_err(PluginError::from)
}
