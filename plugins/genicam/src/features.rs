//! A dump of every readable GenICam feature, so the file says exactly how
//! the camera was configured, including what the pipeline did not touch.

use aravis::glib::object::{Cast, ObjectExt};
use aravis::prelude::*;
use aravis::{Camera, GcAccessMode, GcCategory, GcCommand, GcFeatureNode, GcNode};
use serde_json::{Map, Value};

/// `{feature name: value as the camera's description formats it}` for every
/// implemented, available and readable feature under the `Root` category.
/// Commands are left out, and so is a feature whose value has no text form
/// (a raw register) or fails to read.
pub fn dump(camera: &Camera) -> Value {
    let mut features = Map::new();
    let genicam = camera.device().and_then(|device| device.genicam());
    if let Some(genicam) = genicam {
        let mut pending = vec!["Root".to_owned()];
        while let Some(name) = pending.pop() {
            let Some(node) = genicam.node(&name) else {
                continue;
            };
            if let Some(category) = node.downcast_ref::<GcCategory>() {
                // Reversed so that popping visits them in the camera's order.
                pending.extend(category.features().iter().rev().map(|f| f.to_string()));
            } else if let Some(value) = readable_value(&node) {
                features.insert(name, Value::String(value));
            }
        }
    }
    Value::Object(features)
}

fn readable_value(node: &GcNode) -> Option<String> {
    if node.is::<GcCommand>() {
        return None;
    }
    let feature = node.downcast_ref::<GcFeatureNode>()?;
    let usable =
        feature.is_implemented().unwrap_or(false) && feature.is_available().unwrap_or(false);
    let readable = matches!(
        feature.actual_access_mode(),
        GcAccessMode::Ro | GcAccessMode::Rw
    );
    if !(usable && readable) {
        return None;
    }
    feature.value_as_string().ok().map(|v| v.to_string())
}
