//! The capture thread: nokhwa's `Camera` lives and dies on it.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::Duration;

use macroscope_plugin_api::PluginError;
use nokhwa::pixel_format::RgbFormat;
use nokhwa::utils::{CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType};
use nokhwa::Camera;

use crate::Params;

/// One captured frame.
pub(crate) struct Frame {
    /// Luminance, row-major.
    pub(crate) luma: Vec<u8>,
    /// When the host received it, on the host's monotonic clock
    /// (`macroscope_plugin_api::clock::monotonic_ns`).
    pub(crate) received_ns: i64,
}

/// The receiving end of a running capture thread.
pub(crate) struct Capture {
    frames: Receiver<Result<Frame, String>>,
}

impl Capture {
    /// Opens the device on a new thread and waits for its resolution.
    pub(crate) fn open(params: &Params) -> Result<Capture, PluginError> {
        let (shape_tx, shape_rx) = mpsc::channel();
        let (frames_tx, frames) = mpsc::sync_channel(4);
        let (device, width, height, fps) = (params.device, params.width, params.height, params.fps);
        thread::Builder::new()
            .name("webcam".into())
            .spawn(move || {
                let requested = RequestedFormat::new::<RgbFormat>(RequestedFormatType::Closest(
                    CameraFormat::new_from(width, height, FrameFormat::MJPEG, fps),
                ));
                let mut camera = match Camera::new(CameraIndex::Index(device), requested)
                    .and_then(|mut c| c.open_stream().map(|()| c))
                {
                    Ok(camera) => camera,
                    Err(err) => {
                        let _ = shape_tx.send(Err(err.to_string()));
                        return;
                    }
                };
                let resolution = camera.resolution();
                let _ = shape_tx.send(Ok((resolution.height() as u64, resolution.width() as u64)));
                loop {
                    let frame = camera
                        .frame()
                        .and_then(|buffer| buffer.decode_image::<RgbFormat>())
                        .map(|rgb| Frame {
                            luma: to_luma(rgb.as_raw()),
                            received_ns: macroscope_plugin_api::clock::monotonic_ns(),
                        })
                        .map_err(|e| e.to_string());
                    if frames_tx.send(frame).is_err() {
                        return; // the stage is gone
                    }
                }
            })
            .map_err(|e| PluginError::new(format!("cannot start the capture thread: {e}")))?;
        let shape = shape_rx
            .recv_timeout(Duration::from_secs(10))
            .map_err(|_| PluginError::new(format!("camera {device} did not answer within 10 s")))?
            .map_err(|e| {
                PluginError::new(format!(
                    "cannot open camera {device}: {e}. Is a webcam connected (`ls /dev/video*`) and free?"
                ))
            })?;
        if shape != (u64::from(height), u64::from(width)) {
            return Err(PluginError::parameter(
                "width",
                format!(
                    "camera {device} delivers {}x{} frames, not the {width}x{height} asked for: \
                     set `width` and `height` to a resolution it supports",
                    shape.1, shape.0
                ),
            ));
        }
        Ok(Capture { frames })
    }

    /// The next frame, `None` if none came within `wait`.
    pub(crate) fn next(&self, wait: Duration) -> Result<Option<Frame>, PluginError> {
        match self.frames.recv_timeout(wait) {
            Ok(frame) => frame
                .map(Some)
                .map_err(|e| PluginError::new(format!("camera read failed: {e}"))),
            Err(RecvTimeoutError::Timeout) => Ok(None),
            Err(RecvTimeoutError::Disconnected) => {
                Err(PluginError::new("the capture thread stopped"))
            }
        }
    }
}

/// BT.601 luma from interleaved RGB.
fn to_luma(rgb: &[u8]) -> Vec<u8> {
    rgb.chunks_exact(3)
        .map(|p| ((77 * p[0] as u32 + 150 * p[1] as u32 + 29 * p[2] as u32 + 128) >> 8) as u8)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::to_luma;

    #[test]
    fn luma_of_white_is_255_and_of_black_is_0() {
        assert_eq!(to_luma(&[255, 255, 255, 0, 0, 0]), vec![255, 0]);
    }

    #[test]
    fn luma_weights_green_most() {
        assert_eq!(to_luma(&[0, 255, 0]), vec![149]);
    }
}
