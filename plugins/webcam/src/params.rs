//! Parameters of the webcam plugin.

use macroscope_plugin_api::schemars::JsonSchema;
use serde::Deserialize;

/// What to open and for how long.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
#[schemars(crate = "macroscope_plugin_api::schemars")]
pub struct Params {
    /// Device index as the OS enumerates cameras (0 = first).
    pub device: u32,
    /// Requested frame rate (frames/s); the camera may pick the nearest it supports.
    pub fps: u32,
    /// Frame width in pixels: the camera must deliver exactly this (the port is declared
    /// before the device is opened).
    pub width: u32,
    /// Frame height in pixels, like `width`.
    pub height: u32,
    /// How long to film, in seconds.
    pub duration_s: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            device: 0,
            fps: 30,
            width: 640,
            height: 480,
            duration_s: 10.0,
        }
    }
}
