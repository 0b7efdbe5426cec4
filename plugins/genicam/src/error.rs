//! What can go wrong with a camera, said so that the user knows what to do.

use macroscope_plugin_api::PluginError;
use thiserror::Error;

use crate::discovery::CameraInfo;

/// An error of the `genicam` plugin.
#[derive(Debug, Error, PartialEq)]
pub enum GenicamError {
    /// No camera, or none matching the selector.
    #[error("{}", not_found(selector.as_deref(), found))]
    NotFound {
        /// The `camera` parameter, if set.
        selector: Option<String>,
        /// Every camera discovery found.
        found: Vec<CameraInfo>,
    },
    /// Several cameras and nothing saying which.
    #[error(
        "{} cameras found{}; set `camera` to the id, serial number or address of one: {}",
        found.len(),
        selector.as_ref().map(|s| format!(" matching `camera = \"{s}\"`")).unwrap_or_default(),
        list(found)
    )]
    Ambiguous {
        /// The `camera` parameter, if set.
        selector: Option<String>,
        /// The cameras it could mean.
        found: Vec<CameraInfo>,
    },
    /// Opening the camera failed.
    #[error("cannot open camera {camera}: {message}")]
    Open {
        /// The camera.
        camera: String,
        /// What Aravis said.
        message: String,
    },
    /// A requested value is outside what the camera allows.
    #[error(
        "`{param}` = {value} is outside the range camera {camera} allows for {feature}: {min} to {max}{unit}"
    )]
    OutOfRange {
        /// The camera.
        camera: String,
        /// The pipeline parameter.
        param: &'static str,
        /// The GenICam feature it sets.
        feature: String,
        /// The requested value.
        value: f64,
        /// The smallest allowed value.
        min: f64,
        /// The largest allowed value.
        max: f64,
        /// Unit suffix (` µs`, ` dB`), possibly empty.
        unit: &'static str,
    },
    /// An integer between allowed steps.
    #[error(
        "`{param}` = {value} is not a value camera {camera} allows for {feature}: it must be {min} plus a multiple of {step}"
    )]
    NotAStep {
        /// The camera.
        camera: String,
        /// The pipeline parameter.
        param: &'static str,
        /// The GenICam feature it sets.
        feature: String,
        /// The requested value.
        value: i64,
        /// The smallest allowed value.
        min: i64,
        /// The increment.
        step: i64,
    },
    /// An enumeration value the camera does not offer.
    #[error("camera {camera} offers no {feature} `{value}`; it offers: {}", offered.join(", "))]
    NotOffered {
        /// The camera.
        camera: String,
        /// The pipeline parameter that asked for it; `None` for a value the
        /// plugin itself needs (`TriggerMode` `Off`).
        param: Option<&'static str>,
        /// The GenICam feature.
        feature: String,
        /// The requested entry.
        value: String,
        /// The entries it offers.
        offered: Vec<String>,
    },
    /// The camera lacks the feature a parameter needs.
    #[error("camera {camera} has no {feature}: {advice}")]
    Unsupported {
        /// The camera.
        camera: String,
        /// The pipeline parameter.
        param: &'static str,
        /// The GenICam feature it lacks.
        feature: &'static str,
        /// What to set instead.
        advice: &'static str,
    },
    /// Setting, reading or running a feature failed.
    #[error("camera {camera}: {feature}: {message}")]
    Feature {
        /// The camera.
        camera: String,
        /// The GenICam feature.
        feature: String,
        /// What Aravis said.
        message: String,
    },
    /// The camera stopped answering while streaming.
    #[error(
        "camera {camera} stopped answering after {frames} frame(s): it was disconnected, powered off \
         or its process ended. The frames received before are kept"
    )]
    Vanished {
        /// The camera.
        camera: String,
        /// Frames stored before it vanished.
        frames: u64,
    },
    /// The camera answers but no frame arrives in free run.
    #[error(
        "camera {camera} answers but sent no frame for {seconds} s. Check that nothing blocks its \
         stream (a firewall, another program streaming from it); on the loopback interface set \
         `packet_socket = false`"
    )]
    NoFrames {
        /// The camera.
        camera: String,
        /// How long nothing came.
        seconds: f64,
    },
    /// Frames arrive, but none complete.
    #[error(
        "camera {camera} sent {incomplete} frame(s) in {seconds} s but every one arrived incomplete \
         (packets lost on the link): check the cable and switch, or lower the frame size or rate"
    )]
    AllIncomplete {
        /// The camera.
        camera: String,
        /// How long no complete frame came.
        seconds: f64,
        /// Incomplete frames in that time.
        incomplete: u64,
    },
    /// A frame differs from the declared port.
    #[error("camera {camera} delivered a {found} frame, but {expected} was configured")]
    UnexpectedFrame {
        /// The camera.
        camera: String,
        /// What arrived, e.g. `Mono8 640×480`.
        found: String,
        /// What was configured.
        expected: String,
    },
}

fn not_found(selector: Option<&str>, found: &[CameraInfo]) -> String {
    match (selector, found) {
        (None, []) => "no GenICam camera found. Connect and power the camera (check `arv-tool-0.8` \
                       lists it), or for a test start the fake one: `arv-fake-gv-camera-0.8 -i 127.0.0.1`"
            .to_owned(),
        (Some(selector), []) => format!(
            "no camera matches `camera = \"{selector}\"`: no GenICam camera was found at all. \
             Connect and power the camera (check `arv-tool-0.8` lists it)"
        ),
        (selector, found) => format!(
            "no camera matches `camera = \"{}\"` (an id, serial number or address). Found: {}",
            selector.unwrap_or_default(),
            list(found)
        ),
    }
}

fn list(found: &[CameraInfo]) -> String {
    found
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl GenicamError {
    /// The pipeline parameter at fault, when a parameter is: the `camera`
    /// selector, or the setting the camera cannot take.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            GenicamError::NotFound { .. } | GenicamError::Ambiguous { .. } => Some("camera"),
            GenicamError::OutOfRange { param, .. }
            | GenicamError::NotAStep { param, .. }
            | GenicamError::Unsupported { param, .. } => Some(param),
            GenicamError::NotOffered { param, .. } => *param,
            _ => None,
        }
    }
}

/// A parameter at fault becomes `ErrorKind::InvalidParameter` naming it;
/// everything else (the camera, the link) is a failure of the stage.
impl From<GenicamError> for PluginError {
    fn from(error: GenicamError) -> Self {
        match error.field() {
            Some(field) => PluginError::parameter(field, error.to_string()),
            None => PluginError::new(error.to_string()),
        }
    }
}
