#![allow(dead_code)] // each test binary uses a different part of the driver
//! Drives plugins through the `Plugin` trait in tests, the way the host runtime does:
//! configure with input specs, lend items by reference, collect what each call emits.

use macroscope_plugin_api::abi_stable::std_types::RSlice;
use macroscope_plugin_api::{
    ArrayData, Element, Emission, Flow, InputPort, Item, ItemRef, Outputs, Plugin, PortSpec, Scalar,
};

/// A configured plugin and the output ports it declared.
pub struct Driven<P: Plugin> {
    plugin: P,
    /// Output ports in declaration order.
    pub outputs: Vec<PortSpec>,
}

/// An input port fed by `source` with the upstream spec `spec`.
pub fn input(source: &str, spec: &PortSpec) -> InputPort {
    InputPort {
        source: source.into(),
        spec: spec.clone(),
    }
}

impl<P: Plugin> Driven<P> {
    /// Configures the plugin, panicking with its message if it refuses.
    pub fn configure(params: P::Params, inputs: &[InputPort]) -> Self {
        match P::configure(params, inputs) {
            Ok((plugin, outputs)) => Driven { plugin, outputs },
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
        let mut out = Outputs::default();
        let flow = self
            .plugin
            .poll(&mut out)
            .unwrap_or_else(|e| panic!("{} poll: {e}", P::INFO.name));
        (out.take(), flow)
    }

    /// Lends `data` (one item of `shape`) to input `input`.
    pub fn send(
        &mut self,
        input: usize,
        data: &ArrayData,
        shape: &[u64],
        meta: &[Scalar],
    ) -> Vec<Emission> {
        let item = Item::new(ItemRef {
            element: data.element(),
            shape: RSlice::from_slice(shape),
            bytes: RSlice::from_slice(data.as_bytes()),
            meta: RSlice::from_slice(meta),
        });
        let mut out = Outputs::default();
        self.plugin
            .receive(input, item, &mut out)
            .unwrap_or_else(|e| panic!("{} receive on input {input}: {e}", P::INFO.name));
        out.take()
    }

    /// Lends a typed slice to input `input`.
    pub fn send_slice<T: Element>(
        &mut self,
        input: usize,
        data: &[T],
        shape: &[u64],
    ) -> Vec<Emission> {
        self.send(input, &T::into_array(data.to_vec()), shape, &[])
    }

    /// Ends the inputs and collects the final emissions.
    pub fn finish(&mut self) -> Vec<Emission> {
        let mut out = Outputs::default();
        self.plugin
            .finish(&mut out)
            .unwrap_or_else(|e| panic!("{} finish: {e}", P::INFO.name));
        out.take()
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
