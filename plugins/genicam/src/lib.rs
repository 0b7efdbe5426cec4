//! `genicam`: a camera plugin for GenICam cameras (GigE Vision, USB3 Vision)
//! through Aravis.
//!
//! Declaring the outputs looks at the parameters alone (no camera is
//! discovered or opened); starting finds and opens the chosen camera, applies and reads back every setting, and fills a
//! pre-allocated buffer pool; the first poll starts acquisition. Built as a
//! plugin library (`libgenicam.so`) because it needs the system's libaravis,
//! which the host binary must not require.
#![deny(missing_docs)]

mod acquisition;
mod clock_fit;
mod discovery;
mod error;
mod features;
mod loss;
mod params;
mod ports;
mod settings;

use std::time::{Duration, Instant};

use aravis::prelude::*;
use aravis::Camera;
use macroscope_plugin_api::{
    ArrayData, Flow, InputPort, InputSpec, Outputs, Plugin, PluginError, PluginInfo, PluginKind,
    PortSpec, RunClock, Scalar,
};
use serde_json::{json, Value};

pub use discovery::{list_cameras, CameraInfo};
pub use error::GenicamError;
pub use params::{Edge, Params, PixelFormat, Trigger};

use acquisition::{Acquisition, StreamConfig};
use clock_fit::ClockFit;

/// The running camera stage.
pub struct Genicam {
    acquisition: Acquisition,
    stop: StopWhen,
    /// Camera identity, settings and feature dump, stored with the `frames` port.
    attributes: Value,
    /// When the first frame was asked for.
    started: Option<Instant>,
    stored: u64,
    /// The run clock: the host's, once it says (until then, a host that
    /// predates the run clock: zero when the stage started).
    clock: RunClock,
    /// Camera time mapped onto the run clock.
    fit: ClockFit,
}

/// How the recording ends (Ctrl-C aside).
#[derive(Debug, Clone, Copy)]
struct StopWhen {
    frames: Option<u64>,
    duration: Option<Duration>,
}

impl StopWhen {
    fn reached(&self, stored: u64, since: Instant) -> bool {
        self.frames.is_some_and(|n| stored >= n)
            || self.duration.is_some_and(|d| since.elapsed() >= d)
    }
}

/// How long one poll waits for a frame, so that Ctrl-C is seen promptly.
const POLL_WAIT: Duration = Duration::from_millis(100);

impl Genicam {
    /// Opens the camera, applies and reads back the settings, and prepares the
    /// stream. Every error (no such camera, a value out of range) comes here,
    /// before any frame is stored.
    fn open(params: Params) -> Result<Self, GenicamError> {
        let info = discovery::select(&list_cameras(), params.camera.as_deref())?;
        let camera = Camera::new(Some(&info.id)).map_err(|e| GenicamError::Open {
            camera: info.id.clone(),
            message: e.to_string(),
        })?;
        let applied = settings::apply(&camera, &info.id, &params)?;
        let packet_socket = params.packet_socket.unwrap_or(!info.on_loopback());
        let identity = identity(&camera, &info);
        let genicam_features = features::dump(&camera);
        let config = StreamConfig {
            format: params.pixel_format,
            width: params.width,
            height: params.height,
            buffers: params.buffers,
            packet_socket,
            socket_buffer_bytes: params.socket_buffer_bytes,
            free_run_hz: match params.trigger {
                Trigger::FreeRun => Some(applied.frame_rate_hz.unwrap_or(1.0)),
                Trigger::Hardware { .. } => None,
            },
        };
        let acquisition = Acquisition::prepare(camera, &info.id, config)?;
        let attributes = json!({
            "camera": identity,
            "settings": applied.features,
            "receiver": {
                "packet_socket": packet_socket,
                "buffers": params.buffers,
                "socket_buffer_bytes": acquisition.socket_buffer_bytes(),
                "kernel_rmem_max_bytes": kernel_rmem_max(),
            },
            "genicam_features": genicam_features,
        });
        Ok(Genicam {
            acquisition,
            stop: StopWhen {
                frames: params.frames,
                duration: params.duration_s.map(Duration::from_secs_f64),
            },
            attributes,
            started: None,
            stored: 0,
            clock: RunClock::starting_now(),
            fit: ClockFit::default(),
        })
    }
}

/// Linux's cap on a socket's receive buffer (`net.core.rmem_max`), in bytes,
/// when it can be read: a larger `socket_buffer_bytes` is silently cut to it.
fn kernel_rmem_max() -> Option<u64> {
    std::fs::read_to_string("/proc/sys/net/core/rmem_max")
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Vendor, model, serial number, firmware and where the camera answers.
fn identity(camera: &Camera, info: &CameraInfo) -> Value {
    let text = |value: Result<aravis::glib::GString, aravis::glib::Error>, fallback: &str| {
        value
            .map(|v| v.to_string())
            .unwrap_or_else(|_| fallback.to_owned())
    };
    let firmware = camera
        .string("DeviceFirmwareVersion")
        .or_else(|_| camera.string("DeviceVersion"))
        .map(|v| v.to_string())
        .unwrap_or_default();
    json!({
        "id": info.id,
        "vendor": text(camera.vendor_name(), &info.vendor),
        "model": text(camera.model_name(), &info.model),
        "serial": text(camera.device_serial_number(), &info.serial),
        "firmware": firmware,
        "protocol": info.protocol,
        "address": info.address,
    })
}

impl Plugin for Genicam {
    type Params = Params;

    const INFO: PluginInfo = PluginInfo {
        name: "genicam",
        version: env!("CARGO_PKG_VERSION"),
        kind: PluginKind::CAMERA,
        description: "Records from a GenICam camera (GigE Vision or USB3 Vision: Basler, FLIR, \
                      Allied Vision, …) through Aravis: Mono8 as u8, Mono12/Mono16 as u16 frames \
                      with the camera's frame id and timestamp, the host time, the time on the \
                      run clock (the camera clock fitted onto the host's) and the frames lost \
                      before each; the clock fit is stored when the recording ends. Every \
                      setting is read back and stored with the camera's identity and a dump of \
                      its features.",
        authors: &["macroscope developers"],
        deterministic: false,
    };

    fn inputs() -> Option<Vec<InputSpec>> {
        Some(Vec::new())
    }

    /// The frames port, from the parameters alone: neither discovers nor
    /// opens a camera (`validate`, `inspect` and `plugin check` call it).
    fn outputs(params: &Params, _inputs: &[InputPort]) -> Result<Vec<PortSpec>, PluginError> {
        params.check()?;
        Ok(vec![ports::frames(params), ports::clock_fit()])
    }

    /// Finds and opens the camera, applies and reads back every setting, and
    /// fills the buffer pool; acquisition starts with the first poll.
    fn start(params: Params, _inputs: &[InputPort]) -> Result<Self, PluginError> {
        Ok(Self::open(params)?)
    }

    /// For the `frames` port: the camera's identity, every setting as
    /// requested and as read back, the receiver, and a dump of the camera's
    /// GenICam features.
    fn started_attributes(&self) -> Vec<(usize, Value)> {
        vec![(0, self.attributes.clone())]
    }

    /// Frame times are put on this clock, the stimulus schedule's.
    fn run_clock(&mut self, clock: RunClock) {
        self.clock = clock;
    }

    fn poll(&mut self, out: &mut Outputs) -> Result<Flow, PluginError> {
        let started = *self.started.get_or_insert_with(Instant::now);
        if self.stop.reached(self.stored, started) {
            self.acquisition.stop();
            return Ok(Flow::Finished);
        }
        let Some(frame) = self.acquisition.next(POLL_WAIT)? else {
            return Ok(Flow::Continue);
        };
        let placed = self
            .fit
            .place(frame.camera_timestamp_ns, frame.host_time_ns, self.clock);
        out.emit_array(
            0,
            frame.pixels,
            &[
                Scalar::Int(frame.delivered.frame_id as i64),
                Scalar::Int(frame.camera_timestamp_ns as i64),
                Scalar::Int(frame.host_time_ns),
                Scalar::Float(placed.time_s),
                Scalar::Float(placed.residual_ns),
                Scalar::Int(frame.delivered.dropped_before as i64),
            ],
        );
        self.stored += 1;
        Ok(Flow::Continue)
    }

    /// Stops acquisition and stores the clock fit over every stored frame.
    fn finish(&mut self, out: &mut Outputs) -> Result<(), PluginError> {
        self.acquisition.stop();
        let fit = match self.fit.summary(self.clock) {
            Some(summary) => summary.values(),
            None => vec![f64::NAN, f64::NAN, f64::NAN, f64::NAN, 0.0],
        };
        out.emit_array(1, ArrayData::from_vec(fit), &[]);
        Ok(())
    }
}

macroscope_plugin_api::export_plugins!(Genicam);
