#![allow(dead_code)] // each test binary uses a different part of the driver
//! Drives plugins in tests through the plugin test harness, the way the host
//! runtime does: through the FFI descriptor, every emission checked against its
//! port; lend items, collect what each call emits.

use std::marker::PhantomData;

use macroscope_plugin_api::{
    ArrayData, Element, Emission, Flow, InputPort, Plugin, PortSpec, Scalar,
};
use macroscope_plugin_harness::{OwnedItem, PluginUnderTest, Stage};

/// A started plugin and the output ports it declared.
pub struct Driven<P: Plugin> {
    stage: Stage,
    /// Output ports in declaration order.
    pub outputs: Vec<PortSpec>,
    plugin: PhantomData<P>,
}

/// An input port fed by `source` with the upstream spec `spec`.
pub fn input(source: &str, spec: &PortSpec) -> InputPort {
    InputPort {
        source: source.into(),
        spec: spec.clone(),
    }
}

impl<P: Plugin> Driven<P>
where
    P::Params: serde::Serialize,
{
    /// Starts the plugin, panicking with its message if it refuses.
    pub fn configure(params: P::Params, inputs: &[InputPort]) -> Self {
        let params = serde_json::to_value(params).expect("parameters serialise");
        match PluginUnderTest::of::<P>().start_for(&params, inputs) {
            Ok(stage) => Driven {
                outputs: stage.outputs.clone(),
                stage,
                plugin: PhantomData,
            },
            Err(e) => panic!("{} refused its configuration: {e}", P::INFO.name),
        }
    }

    /// The spec of output `name`.
    pub fn output(&self, name: &str) -> &PortSpec {
        self.outputs
            .iter()
            .find(|p| p.name.as_str() == name)
            .unwrap_or_else(|| panic!("{} has no output `{name}`", P::INFO.name))
    }

    /// Index of output `name`.
    pub fn output_index(&self, name: &str) -> u32 {
        self.outputs
            .iter()
            .position(|p| p.name.as_str() == name)
            .expect("output exists") as u32
    }

    /// One `poll` of a source.
    pub fn poll(&mut self) -> (Vec<Emission>, Flow) {
        let (emissions, finished) = self
            .stage
            .poll()
            .unwrap_or_else(|e| panic!("{} poll: {e}", P::INFO.name));
        let flow = if finished {
            Flow::Finished
        } else {
            Flow::Continue
        };
        (emissions, flow)
    }

    /// Lends `data` (one item of `shape`) to input `input`.
    pub fn send(
        &mut self,
        input: usize,
        data: &ArrayData,
        shape: &[u64],
        meta: &[Scalar],
    ) -> Vec<Emission> {
        let item = OwnedItem {
            data: data.clone(),
            shape: shape.to_vec(),
            meta: meta.to_vec(),
        };
        self.stage
            .receive(input, &item)
            .unwrap_or_else(|e| panic!("{} receive on input {input}: {e}", P::INFO.name))
    }

    /// Lends a typed slice to input `input`.
    pub fn send_slice<T: Element>(
        &mut self,
        input: usize,
        data: &[T],
        shape: &[u64],
    ) -> Vec<Emission> {
        self.send(input, &ArrayData::from_vec(data.to_vec()), shape, &[])
    }

    /// The distinct warnings the stage reported so far.
    pub fn warnings(&mut self) -> Vec<String> {
        self.stage.warnings()
    }

    /// Ends the inputs and collects the final emissions.
    pub fn finish(&mut self) -> Vec<Emission> {
        self.stage
            .finish()
            .unwrap_or_else(|e| panic!("{} finish: {e}", P::INFO.name))
    }
}

/// The single emission on output `port` (a dataset), typed.
pub fn dataset<T: Element>(emissions: &[Emission], port: u32) -> &[T] {
    let mut found = emissions.iter().filter(|e| e.port == port);
    let emission = found
        .next()
        .unwrap_or_else(|| panic!("no emission on port {port}"));
    assert!(found.next().is_none(), "port {port} emitted more than once");
    emission
        .data
        .as_slice::<T>()
        .unwrap_or_else(|| panic!("port {port} is {}", emission.data.element()))
}
