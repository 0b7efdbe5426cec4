//! Streaming: the receiver, the pre-allocated buffer pool, and taking
//! completed frames out of it.
//!
//! Aravis receives on a thread of its own into buffers allocated here before
//! acquisition starts. The stage copies each completed frame out and gives
//! the buffer straight back, so the camera never waits for the stage: if the
//! stage falls behind, frames arriving while every buffer is full are lost,
//! and their block ids show the gap.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aravis::glib::object::Cast;
use aravis::prelude::*;
use aravis::{
    Buffer, BufferStatus, Camera, GvStream, GvStreamOption, GvStreamSocketBuffer, Stream,
};
use macroscope_plugin_api::clock::monotonic_ns;
use macroscope_plugin_api::ArrayData;

use crate::error::GenicamError;
use crate::loss::{Delivered, LossCounter};
use crate::params::PixelFormat;

/// How the stream is set up.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamConfig {
    /// Pixel format of every frame.
    pub format: PixelFormat,
    /// Frame width in pixels.
    pub width: u32,
    /// Frame height in pixels.
    pub height: u32,
    /// Buffers in the pool.
    pub buffers: u32,
    /// Use Aravis's packet socket receiver (GigE Vision only).
    pub packet_socket: bool,
    /// The stream socket's receive buffer in bytes; `None`: [`SOCKET_FRAMES`] frames.
    pub socket_buffer_bytes: Option<u32>,
    /// Free run at this rate: a silence of many frame periods is an error.
    /// `None` (hardware trigger): frames come when they come.
    pub free_run_hz: Option<f64>,
}

/// One frame taken from the camera.
#[derive(Debug)]
pub struct Frame {
    /// Pixels, row-major `[height, width]`.
    pub pixels: ArrayData,
    /// Block id and loss count.
    pub delivered: Delivered,
    /// The camera's timestamp, in ns of its own clock.
    pub camera_timestamp_ns: u64,
    /// The host's monotonic clock ([`monotonic_ns`]: the run clock's, before
    /// its origin is subtracted) when the stage took the completed buffer, in ns.
    pub host_time_ns: i64,
}

/// A camera acquiring into a stream.
pub struct Acquisition {
    camera: Camera,
    stream: Stream,
    name: String,
    config: StreamConfig,
    control_lost: Arc<AtomicBool>,
    socket_buffer_bytes: Option<u32>,
    loss: LossCounter,
    frames: u64,
    last_frame: Instant,
    state: State,
}

/// Where acquisition is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Buffers queued, the camera not yet started.
    Ready,
    /// The camera is sending frames.
    Acquiring,
    /// Stopped for good.
    Stopped,
}

/// Frames the stream socket's receive buffer holds by default. Aravis's own
/// default (`auto`) is one frame, and on a loaded machine its receiver thread
/// can wait longer than one frame for a CPU: the kernel then drops packets.
pub const SOCKET_FRAMES: usize = 8;

/// The camera is asked whether it still answers after this long without a frame.
const SILENCE_PROBE: Duration = Duration::from_secs(2);
/// In free run, this many frame periods without a frame (and at least
/// [`SILENCE_PROBE`]) is an error even when the camera answers.
const SILENT_PERIODS: f64 = 10.0;

impl Acquisition {
    /// Creates the stream and fills the buffer pool. Acquisition starts with
    /// the first [`Acquisition::next`], so no frame is lost between opening
    /// the camera and the run's first request.
    pub fn prepare(camera: Camera, name: &str, config: StreamConfig) -> Result<Self, GenicamError> {
        let failed = |feature: &str, e: &dyn std::fmt::Display| GenicamError::Feature {
            camera: name.to_owned(),
            feature: feature.to_owned(),
            message: e.to_string(),
        };
        if camera.is_gv_device() && !config.packet_socket {
            camera.gv_set_stream_options(GvStreamOption::PACKET_SOCKET_DISABLED);
        }
        let payload = camera.payload().map_err(|e| failed("PayloadSize", &e))? as usize;
        let stream = camera.create_stream().map_err(|e| failed("stream", &e))?;
        let socket_buffer_bytes = match stream.downcast_ref::<GvStream>() {
            Some(gv) if !config.packet_socket => {
                let bytes = config.socket_buffer_bytes.unwrap_or_else(|| {
                    u32::try_from(payload.saturating_mul(SOCKET_FRAMES)).unwrap_or(i32::MAX as u32)
                });
                let bytes = bytes.min(i32::MAX as u32);
                gv.set_socket_buffer(GvStreamSocketBuffer::Fixed);
                gv.set_socket_buffer_size(bytes as i32);
                Some(bytes)
            }
            _ => None,
        };
        let frame_bytes =
            config.width as usize * config.height as usize * config.format.bytes_per_pixel();
        if payload < frame_bytes {
            return Err(failed(
                "PayloadSize",
                &format!(
                    "{payload} bytes is less than one {}×{} frame",
                    config.width, config.height
                ),
            ));
        }
        for _ in 0..config.buffers {
            stream.push_buffer(Buffer::new_allocate(payload));
        }
        let control_lost = Arc::new(AtomicBool::new(false));
        if let Some(device) = camera.device() {
            let flag = control_lost.clone();
            device.connect_control_lost(move |_| flag.store(true, Ordering::SeqCst));
        }
        Ok(Acquisition {
            socket_buffer_bytes,
            camera,
            stream,
            name: name.to_owned(),
            config,
            control_lost,
            loss: LossCounter::default(),
            frames: 0,
            last_frame: Instant::now(),
            state: State::Ready,
        })
    }

    /// The receive buffer asked of the stream socket, in bytes (`None`: the
    /// packet socket or a USB3 Vision stream, which have none).
    pub fn socket_buffer_bytes(&self) -> Option<u32> {
        self.socket_buffer_bytes
    }

    /// The next complete frame, or `None` if none came within `wait`.
    /// The first call starts acquisition.
    pub fn next(&mut self, wait: Duration) -> Result<Option<Frame>, GenicamError> {
        if self.state == State::Ready {
            self.camera
                .start_acquisition()
                .map_err(|e| GenicamError::Feature {
                    camera: self.name.clone(),
                    feature: "AcquisitionStart".to_owned(),
                    message: e.to_string(),
                })?;
            self.state = State::Acquiring;
            self.last_frame = Instant::now();
        }
        let Some(buffer) = self.stream.timeout_pop_buffer(wait.as_micros() as u64) else {
            self.check_alive()?;
            return Ok(None);
        };
        let host_time_ns = monotonic_ns();
        let frame = self.take(&buffer, host_time_ns);
        self.stream.push_buffer(buffer);
        if let Ok(Some(_)) = frame {
            self.frames += 1;
            self.last_frame = Instant::now();
        }
        frame
    }

    /// Copies a completed buffer out; an incomplete one counts as lost.
    fn take(&mut self, buffer: &Buffer, host_time_ns: i64) -> Result<Option<Frame>, GenicamError> {
        if buffer.status() != BufferStatus::Success {
            self.loss.fail();
            return Ok(None);
        }
        let (width, height) = (buffer.image_width(), buffer.image_height());
        let format = buffer.image_pixel_format();
        let expected = (self.config.width as i32, self.config.height as i32);
        let (data, len) = buffer.data();
        let bytes = self.config.width as usize
            * self.config.height as usize
            * self.config.format.bytes_per_pixel();
        if (width, height) != expected || len < bytes || data.is_null() {
            return Err(GenicamError::UnexpectedFrame {
                camera: self.name.clone(),
                found: format!(
                    "{width}×{height} (pixel format 0x{:08x}, {len} bytes)",
                    format.raw()
                ),
                expected: format!(
                    "{}×{} {}",
                    expected.0,
                    expected.1,
                    self.config.format.genicam_name()
                ),
            });
        }
        // SAFETY: Aravis owns `data` for `len` bytes until the buffer is pushed
        // back, which `next` does only after this copy.
        let raw = unsafe { std::slice::from_raw_parts(data as *const u8, bytes) };
        let pixels = match self.config.format {
            PixelFormat::Mono8 => ArrayData::from_vec(raw.to_vec()),
            PixelFormat::Mono12 | PixelFormat::Mono16 => copy_words(raw),
        };
        Ok(Some(Frame {
            pixels,
            delivered: self.loss.deliver(buffer.frame_id()),
            camera_timestamp_ns: buffer.timestamp(),
            host_time_ns,
        }))
    }

    /// After a silence: is the camera still there, and should frames have come?
    fn check_alive(&mut self) -> Result<(), GenicamError> {
        let vanished = || GenicamError::Vanished {
            camera: self.name.clone(),
            frames: self.frames,
        };
        if self.control_lost.load(Ordering::SeqCst) {
            return Err(vanished());
        }
        let silence = self.last_frame.elapsed();
        if silence < SILENCE_PROBE {
            return Ok(());
        }
        // Register 0 exists on every GigE Vision and USB3 Vision device.
        let answers = self
            .camera
            .device()
            .is_some_and(|device| device.read_register(0).is_ok_and(|(ok, _)| ok));
        if !answers {
            return Err(vanished());
        }
        let silent_for = silence.as_secs_f64();
        match self.config.free_run_hz {
            Some(rate) if silent_for >= SILENCE_PROBE.as_secs_f64().max(SILENT_PERIODS / rate) => {
                let camera = self.name.clone();
                let seconds = silent_for.round();
                Err(match self.loss.incomplete_since() {
                    0 => GenicamError::NoFrames { camera, seconds },
                    incomplete => GenicamError::AllIncomplete {
                        camera,
                        seconds,
                        incomplete,
                    },
                })
            }
            Some(_) => Ok(()),
            None => {
                // Waiting for triggers: ask again after the next silence.
                self.last_frame = Instant::now();
                Ok(())
            }
        }
    }

    /// Stops acquisition for good (idempotent).
    pub fn stop(&mut self) {
        if std::mem::replace(&mut self.state, State::Stopped) == State::Acquiring {
            // A camera that vanished cannot be told; there is nothing else to do.
            let _ = self.camera.stop_acquisition();
        }
    }
}

impl Drop for Acquisition {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Copies 16-bit pixels (GenICam Mono12/Mono16: little-endian, like every host we ship).
fn copy_words(raw: &[u8]) -> ArrayData {
    let mut words = vec![0u16; raw.len() / 2];
    bytemuck::cast_slice_mut::<u16, u8>(&mut words).copy_from_slice(raw);
    ArrayData::from_vec(words)
}
