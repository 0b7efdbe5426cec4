//! What the user sets: which camera, the image, the exposure, the trigger, the
//! receiver and when the recording ends.

use macroscope_plugin_api::schemars::JsonSchema;
use macroscope_plugin_api::{ElementType, PluginError};
use serde::Deserialize;

/// Parameters of the `genicam` camera. `width` and `height` are required: they
/// are the shape of every stored frame, declared before the camera is opened.
/// Every other feature left unset keeps the camera's own value, which is read
/// back and stored with the stream all the same.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "macroscope_plugin_api::schemars")]
#[schemars(example = example())]
pub struct Params {
    /// Which camera: its Aravis device id (as `arv-tool-0.8` or the error
    /// listing cameras prints it, e.g. `Aravis-Fake-GV01`), its serial number,
    /// or its IP address. Unset: the only camera found; none or several found
    /// is an error listing what was found.
    #[serde(default)]
    pub camera: Option<String>,
    /// Pixel format: `Mono8` is stored as u8, `Mono12` and `Mono16` as u16
    /// (Mono12 values are 0..=4095 in 16-bit words).
    #[serde(default)]
    pub pixel_format: PixelFormat,
    /// Image width in pixels after binning (the GenICam `Width` feature).
    #[schemars(range(min = 1))]
    pub width: u32,
    /// Image height in pixels after binning (the GenICam `Height` feature).
    #[schemars(range(min = 1))]
    pub height: u32,
    /// Left edge of the region of interest on the sensor, in pixels (`OffsetX`).
    #[serde(default)]
    pub offset_x: u32,
    /// Top edge of the region of interest on the sensor, in pixels (`OffsetY`).
    #[serde(default)]
    pub offset_y: u32,
    /// Binning factor, the same horizontally and vertically (`BinningHorizontal`,
    /// `BinningVertical`). Unset: the camera's current binning.
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub binning: Option<u32>,
    /// Exposure time in microseconds (`ExposureTime`). Unset: the camera's.
    #[serde(default)]
    #[schemars(extend("exclusiveMinimum" = 0.0))]
    pub exposure_us: Option<f64>,
    /// Analog gain in dB (`Gain`). Unset: the camera's.
    #[serde(default)]
    pub gain_db: Option<f64>,
    /// Frame rate of the free-running camera in frames/s
    /// (`AcquisitionFrameRate`). Unset: the camera's.
    #[serde(default)]
    #[schemars(extend("exclusiveMinimum" = 0.0))]
    pub frame_rate_hz: Option<f64>,
    /// What starts each exposure: `"free_run"` (the camera's own clock at
    /// `frame_rate_hz`) or a hardware line, e.g.
    /// `trigger = { hardware = { line = "Line1", edge = "rising" } }`.
    #[serde(default)]
    pub trigger: Trigger,
    /// Frame buffers allocated before acquisition starts. The camera never
    /// waits: while every buffer is full, arriving frames are lost and counted
    /// in `dropped_before`. 2..=1024.
    #[serde(default = "default_buffers")]
    #[schemars(range(min = 2, max = 1024))]
    pub buffers: u32,
    /// Stop after this many seconds of acquisition. With `frames` too, the
    /// first reached ends the run; with neither, only Ctrl-C does.
    #[serde(default)]
    #[schemars(extend("exclusiveMinimum" = 0.0))]
    pub duration_s: Option<f64>,
    /// Stop after this many stored frames.
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub frames: Option<u64>,
    /// Receive GigE Vision packets through Aravis's packet socket (fast, but it
    /// sees nothing on the loopback interface). Unset: off for a camera on a
    /// loopback address (127.x.x.x, such as `arv-fake-gv-camera-0.8 -i
    /// 127.0.0.1`), on otherwise. Ignored for USB3 Vision cameras.
    #[serde(default)]
    pub packet_socket: Option<bool>,
    /// Receive buffer of the GigE Vision stream socket, in bytes: the packets
    /// the kernel keeps while Aravis's receiver thread waits for a CPU. Unset:
    /// room for 8 frames. Linux grants at most `net.core.rmem_max` (stored
    /// with the stream); packets beyond it are lost, and so are their frames.
    /// Not used with the packet socket or by USB3 Vision cameras.
    #[serde(default)]
    #[schemars(range(min = 65536))]
    pub socket_buffer_bytes: Option<u32>,
    /// GigE Vision stream packet size in bytes (`GevSCPSPacketSize`): larger
    /// packets (jumbo frames, e.g. 8192 or 9000) mean fewer packets per frame
    /// and less work for the receiver, if every network interface on the way
    /// has an MTU that large. Unset: the camera's own value. Checked against
    /// the camera's range and step, and read back, like every feature.
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub packet_size: Option<u32>,
}

/// The schema's example, which `macroscope plugin check` runs with: the only
/// camera found (such as the fake one), 512 × 512 (the fake camera's size),
/// 50 frames.
fn example() -> serde_json::Value {
    serde_json::json!({ "width": 512, "height": 512, "frames": 50 })
}

fn default_buffers() -> u32 {
    16
}

impl Params {
    /// The checks that need no camera: counts and durations the schema
    /// bounds, for callers that do not validate against it. What the camera
    /// allows (sizes, exposure, gain) is checked when it is opened.
    pub fn check(&self) -> Result<(), PluginError> {
        for (field, value) in [("width", self.width), ("height", self.height)] {
            if value == 0 {
                return Err(PluginError::parameter(
                    field,
                    format!("`{field}` must be at least 1"),
                ));
            }
        }
        if self.binning == Some(0) {
            return Err(PluginError::parameter(
                "binning",
                "`binning` must be at least 1",
            ));
        }
        if !(2..=1024).contains(&self.buffers) {
            return Err(PluginError::parameter(
                "buffers",
                format!("`buffers` = {} is outside 2..=1024", self.buffers),
            ));
        }
        if let Some(bytes) = self.socket_buffer_bytes.filter(|&b| b < 65536) {
            return Err(PluginError::parameter(
                "socket_buffer_bytes",
                format!("`socket_buffer_bytes` = {bytes} is below 65536"),
            ));
        }
        if self.packet_size == Some(0) {
            return Err(PluginError::parameter(
                "packet_size",
                "`packet_size` must be at least 1",
            ));
        }
        if self.frames == Some(0) {
            return Err(PluginError::parameter(
                "frames",
                "`frames` must be at least 1",
            ));
        }
        for (field, value) in [
            ("exposure_us", self.exposure_us),
            ("frame_rate_hz", self.frame_rate_hz),
            ("duration_s", self.duration_s),
        ] {
            if let Some(value) = value.filter(|v| !(v.is_finite() && *v > 0.0)) {
                return Err(PluginError::parameter(
                    field,
                    format!("`{field}` = {value} must be a finite number above 0"),
                ));
            }
        }
        Ok(())
    }
}

/// The pixel formats the plugin stores.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[schemars(crate = "macroscope_plugin_api::schemars")]
pub enum PixelFormat {
    /// 8 bits per pixel, stored as u8.
    Mono8,
    /// 12 significant bits in a 16-bit word, stored as u16.
    Mono12,
    /// 16 bits per pixel, stored as u16.
    #[default]
    Mono16,
}

impl PixelFormat {
    /// The GenICam `PixelFormat` entry name.
    pub fn genicam_name(self) -> &'static str {
        match self {
            PixelFormat::Mono8 => "Mono8",
            PixelFormat::Mono12 => "Mono12",
            PixelFormat::Mono16 => "Mono16",
        }
    }

    /// The element type of the stored frames.
    pub fn element(self) -> ElementType {
        match self {
            PixelFormat::Mono8 => ElementType::U8,
            PixelFormat::Mono12 | PixelFormat::Mono16 => ElementType::U16,
        }
    }

    /// Bytes per pixel in the camera's buffers.
    pub fn bytes_per_pixel(self) -> usize {
        self.element().size()
    }
}

/// What starts each exposure.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[schemars(crate = "macroscope_plugin_api::schemars")]
pub enum Trigger {
    /// The camera's own clock, at `frame_rate_hz` (`TriggerMode` Off).
    #[default]
    FreeRun,
    /// An edge on a hardware input line starts each frame
    /// (`TriggerSelector` FrameStart, `TriggerMode` On).
    Hardware {
        /// The input line (`TriggerSource`), e.g. `Line1`.
        line: String,
        /// Which edge fires (`TriggerActivation`).
        edge: Edge,
    },
}

/// A signal edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(crate = "macroscope_plugin_api::schemars")]
pub enum Edge {
    /// Low to high (`RisingEdge`).
    Rising,
    /// High to low (`FallingEdge`).
    Falling,
}

impl Edge {
    /// The GenICam `TriggerActivation` entry name.
    pub fn genicam_name(self) -> &'static str {
        match self {
            Edge::Rising => "RisingEdge",
            Edge::Falling => "FallingEdge",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(toml_like_json: serde_json::Value) -> Result<Params, String> {
        serde_json::from_value(toml_like_json).map_err(|e| e.to_string())
    }

    #[test]
    fn only_width_and_height_are_required() {
        let params = parse(serde_json::json!({"width": 512, "height": 256})).unwrap();
        assert_eq!(params.pixel_format, PixelFormat::Mono16);
        assert_eq!(params.trigger, Trigger::FreeRun);
        assert_eq!(params.buffers, 16);
        assert_eq!(
            (params.camera, params.frames, params.duration_s),
            (None, None, None)
        );
    }

    #[test]
    fn a_hardware_trigger_names_its_line_and_edge() {
        let params = parse(serde_json::json!({
            "width": 8, "height": 8,
            "trigger": {"hardware": {"line": "Line1", "edge": "falling"}}
        }))
        .unwrap();
        assert_eq!(
            params.trigger,
            Trigger::Hardware {
                line: "Line1".into(),
                edge: Edge::Falling
            }
        );
    }

    #[test]
    fn an_unknown_field_is_refused() {
        let error = parse(serde_json::json!({"width": 8, "height": 8, "exposure": 1})).unwrap_err();
        assert!(error.starts_with("unknown field `exposure`"), "{error}");
    }

    #[test]
    fn a_duration_of_zero_is_refused() {
        let params =
            parse(serde_json::json!({"width": 8, "height": 8, "duration_s": 0.0})).unwrap();
        assert_eq!(
            params.check().unwrap_err().message(),
            "`duration_s` = 0 must be a finite number above 0"
        );
    }

    #[test]
    fn mono8_is_stored_as_u8_and_mono12_as_u16() {
        assert_eq!(PixelFormat::Mono8.element(), ElementType::U8);
        assert_eq!(PixelFormat::Mono12.element(), ElementType::U16);
        assert_eq!(PixelFormat::Mono16.bytes_per_pixel(), 2);
    }
}
