//! Turns a safe [`Plugin`] into the FFI descriptor, catching every panic.

use std::panic::{catch_unwind, AssertUnwindSafe};

use abi_stable::{
    sabi_trait::TD_Opaque,
    std_types::{RResult, RSlice, RStr, RString, RVec},
};

use crate::ffi::{ConfiguredStage, FfiStage, FfiStage_TO, PluginDescriptor, Polled};
use crate::plugin::{Flow, Item, Outputs, Plugin};
use crate::types::{Emission, InputPort, ItemRef};

/// Builds the FFI descriptor of plugin `P`.
pub fn descriptor_of<P: Plugin>() -> PluginDescriptor {
    let info = P::INFO;
    let schema = schemars::schema_for!(P::Params);
    PluginDescriptor {
        name: info.name.into(),
        version: info.version.into(),
        kind: info.kind,
        description: info.description.into(),
        authors: info.authors.iter().map(|a| RString::from(*a)).collect(),
        deterministic: info.deterministic,
        params_schema: serde_json::to_string(&schema)
            .expect("a schemars schema always serialises")
            .into(),
        configure: configure::<P>,
    }
}

extern "C" fn configure<P: Plugin>(
    params_json: RStr<'_>,
    inputs: RSlice<'_, InputPort>,
) -> RResult<ConfiguredStage, RString> {
    guarded::<P, _>("configure", || {
        let params: P::Params = serde_json::from_str(params_json.as_str())
            .map_err(|e| format!("invalid parameters: {e}"))?;
        let (plugin, outputs) = P::configure(params, inputs.as_slice()).map_err(|e| e.0)?;
        let stage = FfiStage_TO::from_value(
            Adapter {
                plugin,
                poisoned: false,
            },
            TD_Opaque,
        );
        Ok(ConfiguredStage {
            outputs: outputs.into_iter().collect(),
            stage,
        })
    })
}

/// Runs `f`, turning an error or a panic into an `RErr` that names the plugin.
fn guarded<P: Plugin, T>(
    entry: &str,
    f: impl FnOnce() -> Result<T, String>,
) -> RResult<T, RString> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(value)) => RResult::ROk(value),
        Ok(Err(message)) => RResult::RErr(message.into()),
        Err(payload) => RResult::RErr(
            format!(
                "plugin `{}` panicked in {entry}: {}",
                P::INFO.name,
                panic_message(&*payload)
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

/// Holds a running plugin; refuses further calls once it has panicked.
struct Adapter<P> {
    plugin: P,
    poisoned: bool,
}

impl<P: Plugin> Adapter<P> {
    fn call<T>(
        &mut self,
        entry: &str,
        f: impl FnOnce(&mut P, &mut Outputs) -> Result<T, crate::PluginError>,
    ) -> RResult<(T, RVec<Emission>), RString> {
        if self.poisoned {
            return RResult::RErr(
                format!(
                    "plugin `{}` panicked earlier and cannot continue",
                    P::INFO.name
                )
                .into(),
            );
        }
        let plugin = &mut self.plugin;
        let result = guarded::<P, _>(entry, || {
            let mut out = Outputs::default();
            let value = f(plugin, &mut out).map_err(|e| e.0)?;
            Ok((value, out.take().into_iter().collect()))
        });
        if let RResult::RErr(message) = &result {
            self.poisoned = message.as_str().contains("panicked in");
        }
        result
    }
}

impl<P: Plugin> FfiStage for Adapter<P> {
    fn poll(&mut self) -> RResult<Polled, RString> {
        self.call("poll", |p, out| p.poll(out))
            .map(|(flow, emissions)| Polled {
                emissions,
                finished: flow == Flow::Finished,
            })
    }

    fn receive(&mut self, input: u32, item: ItemRef<'_>) -> RResult<RVec<Emission>, RString> {
        self.call("receive", |p, out| {
            p.receive(input as usize, Item::new(item), out)
        })
        .map(|((), emissions)| emissions)
    }

    fn finish(&mut self) -> RResult<RVec<Emission>, RString> {
        self.call("finish", |p, out| p.finish(out))
            .map(|((), emissions)| emissions)
    }
}
