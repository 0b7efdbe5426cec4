//! Turns a safe [`Plugin`] into the FFI descriptor, catching every panic.

use std::any::TypeId;
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Mutex, PoisonError};

use abi_stable::{
    prefix_type::PrefixTypeTrait,
    sabi_trait::TD_CanDowncast,
    std_types::{RResult, RSlice, RStr, RString, RVec},
};

use crate::clock::RunClock;
use crate::error::{ErrorKind, FfiError, PluginError};
use crate::ffi::{
    FfiStage, FfiStage_TO, PluginDescriptor, PluginDescriptorRef, Polled, StageBox,
    StartedAttributes,
};
use crate::items::{Emission, ItemRef};
use crate::plugin::{Flow, Item, Outputs, Plugin};
use crate::ports::{InputPort, PortSpec};

/// The FFI descriptor of plugin `P`, built once per process (its strings and
/// tables live as long as the process, like a library's).
pub fn descriptor_of<P: Plugin>() -> PluginDescriptorRef {
    static BUILT: Mutex<Option<HashMap<TypeId, PluginDescriptorRef>>> = Mutex::new(None);
    let mut built = BUILT.lock().unwrap_or_else(PoisonError::into_inner);
    *built
        .get_or_insert_with(HashMap::new)
        .entry(TypeId::of::<P>())
        .or_insert_with(build_descriptor::<P>)
}

fn build_descriptor<P: Plugin>() -> PluginDescriptorRef {
    let info = P::INFO;
    let schema = serde_json::to_string(&schemars::schema_for!(P::Params))
        .expect("a schemars schema always serialises");
    let authors: Vec<RStr<'static>> = info.authors.iter().map(|a| RStr::from(*a)).collect();
    let inputs = P::inputs();
    PluginDescriptor {
        name: info.name.into(),
        version: info.version.into(),
        kind: info.kind,
        description: info.description.into(),
        authors: RSlice::from_slice(Box::leak(authors.into_boxed_slice())),
        deterministic: info.deterministic,
        params_schema: RStr::from(&*Box::leak(schema.into_boxed_str())),
        inputs_declared: inputs.is_some(),
        inputs: RSlice::from_slice(Box::leak(inputs.unwrap_or_default().into_boxed_slice())),
        outputs: outputs::<P>,
        start: start::<P>,
        take_warnings: take_warnings::<P>,
        set_run_clock: set_run_clock::<P>,
    }
    .leak_into_prefix()
}

fn params<P: Plugin>(json: RStr<'_>) -> Result<P::Params, PluginError> {
    serde_json::from_str(json.as_str())
        .map_err(|e| PluginError::parameter("", format!("invalid parameters: {e}")))
}

extern "C" fn outputs<P: Plugin>(
    params_json: RStr<'_>,
    inputs: RSlice<'_, InputPort>,
) -> RResult<RVec<PortSpec>, FfiError> {
    guarded(|| {
        let params = params::<P>(params_json)?;
        Ok(P::outputs(&params, inputs.as_slice())?.into())
    })
}

extern "C" fn start<P: Plugin>(
    params_json: RStr<'_>,
    inputs: RSlice<'_, InputPort>,
) -> RResult<StageBox, FfiError> {
    guarded(|| {
        let plugin = P::start(params::<P>(params_json)?, inputs.as_slice())?;
        // Downcastable, so that `take_warnings` reaches the adapter (the
        // stage vtable is frozen for ABI 2: no method can be added to it).
        Ok(FfiStage_TO::from_value(
            Adapter {
                plugin,
                poisoned: false,
                warnings: Vec::new(),
            },
            TD_CanDowncast,
        ))
    })
}

extern "C" fn take_warnings<P: Plugin>(stage: &mut StageBox) -> RVec<RString> {
    match stage.obj.downcast_as_mut::<Adapter<P>>() {
        Ok(adapter) => adapter.warnings.drain(..).map(RString::from).collect(),
        // A stage some other plugin made: it is not ours to read.
        Err(_) => RVec::new(),
    }
}

extern "C" fn set_run_clock<P: Plugin>(stage: &mut StageBox, origin_ns: i64) {
    // A stage some other plugin made is not ours to tell.
    if let Ok(adapter) = stage.obj.downcast_as_mut::<Adapter<P>>() {
        let clock = RunClock::from_origin_ns(origin_ns);
        let plugin = &mut adapter.plugin;
        // A panic here poisons the stage: its next call reports it.
        if catch_unwind(AssertUnwindSafe(|| plugin.run_clock(clock))).is_err() {
            adapter.poisoned = true;
        }
    }
}

/// Runs `f`, turning a panic into a `PANICKED` error with the panic's message
/// (callers name the plugin and the entry point).
fn guarded<T>(f: impl FnOnce() -> Result<T, PluginError>) -> RResult<T, FfiError> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(value)) => RResult::ROk(value),
        Ok(Err(error)) => RResult::RErr(error.into()),
        Err(payload) => RResult::RErr(
            PluginError::of_kind(
                ErrorKind::Panicked,
                format!("panicked: {}", panic_message(&*payload)),
            )
            .into(),
        ),
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-string panic payload)".to_owned()
    }
}

/// Holds a running plugin and the distinct warnings it reported that the
/// host has not taken yet; refuses further calls once it has panicked.
struct Adapter<P> {
    plugin: P,
    poisoned: bool,
    warnings: Vec<String>,
}

impl<P: Plugin> Adapter<P> {
    fn call<T>(
        &mut self,
        f: impl FnOnce(&mut P, &mut Outputs) -> Result<T, PluginError>,
    ) -> RResult<(T, RVec<Emission>), FfiError> {
        if self.poisoned {
            return RResult::RErr(
                PluginError::of_kind(ErrorKind::Panicked, "panicked earlier and cannot continue")
                    .into(),
            );
        }
        let plugin = &mut self.plugin;
        let mut out = Outputs::default();
        let result = guarded(|| {
            let value = f(plugin, &mut out)?;
            Ok((value, out.take().into()))
        });
        // A warning repeated on every frame is kept once.
        for warning in out.take_warnings() {
            if !self.warnings.contains(&warning) {
                self.warnings.push(warning);
            }
        }
        if let RResult::RErr(error) = &result {
            self.poisoned = error.kind == crate::error::ErrorCode::PANICKED;
        }
        result
    }
}

impl<P: Plugin> FfiStage for Adapter<P> {
    fn started_attributes(&self) -> RVec<StartedAttributes> {
        catch_unwind(AssertUnwindSafe(|| self.plugin.started_attributes()))
            .unwrap_or_default()
            .into_iter()
            .map(|(port, attributes)| StartedAttributes {
                port: port as u32,
                attributes: attributes.to_string().into(),
            })
            .collect()
    }

    fn poll(&mut self) -> RResult<Polled, FfiError> {
        self.call(|p, out| p.poll(out))
            .map(|(flow, emissions)| Polled {
                emissions,
                finished: flow == Flow::Finished,
            })
    }

    fn receive(&mut self, input: u32, item: ItemRef<'_>) -> RResult<RVec<Emission>, FfiError> {
        self.call(|p, out| p.receive(input as usize, Item::new(item), out))
            .map(|((), emissions)| emissions)
    }

    fn finish(&mut self) -> RResult<RVec<Emission>, FfiError> {
        self.call(|p, out| p.finish(out))
            .map(|((), emissions)| emissions)
    }
}
