//! Applying the pipeline's settings to an open camera: each value is checked
//! against the range the camera reports before it is written, and read back
//! after, so what is stored is what the camera actually does.

use aravis::glib;
use aravis::prelude::*;
use aravis::{AcquisitionMode, Auto, Camera};
use serde_json::{json, Map, Value};

use crate::error::GenicamError;
use crate::params::{Params, Trigger};

/// The camera's settings after [`apply`]: per GenICam feature, what the
/// pipeline asked for (`null` when it left the feature alone) and what the
/// camera reports.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Applied {
    /// `{feature: {"requested": …, "actual": …}}`.
    pub features: Map<String, Value>,
    /// The frame rate the camera reports, if it has one (frames/s).
    pub frame_rate_hz: Option<f64>,
}

/// Writes `params` to `camera` (named `name` in errors) in the order GenICam
/// dependencies need: format and binning before the size, the size before the
/// offsets, the frame rate before the trigger.
pub fn apply(camera: &Camera, name: &str, params: &Params) -> Result<Applied, GenicamError> {
    let mut setter = Setter {
        camera,
        name,
        applied: Applied::default(),
    };
    setter.pixel_format(params)?;
    setter.binning(params.binning)?;
    setter.region(params)?;
    setter.frame_rate(params.frame_rate_hz)?;
    setter.exposure(params.exposure_us)?;
    setter.gain(params.gain_db)?;
    setter.packet_size(params.packet_size)?;
    setter.trigger(&params.trigger)?;
    camera
        .set_acquisition_mode(AcquisitionMode::Continuous)
        .map_err(|e| setter.failed("AcquisitionMode", e))?;
    Ok(setter.applied)
}

/// Aravis's calls for one float setting.
struct FloatAccess {
    available: fn(&Camera) -> Result<bool, glib::Error>,
    bounds: fn(&Camera) -> Result<(f64, f64), glib::Error>,
    set: fn(&Camera, f64) -> Result<(), glib::Error>,
    get: fn(&Camera) -> Result<f64, glib::Error>,
}

struct Setter<'a> {
    camera: &'a Camera,
    name: &'a str,
    applied: Applied,
}

impl Setter<'_> {
    fn failed(&self, feature: &str, error: impl std::fmt::Display) -> GenicamError {
        GenicamError::Feature {
            camera: self.name.to_owned(),
            feature: feature.to_owned(),
            message: error.to_string(),
        }
    }

    fn record(&mut self, feature: &str, requested: Option<Value>, actual: Value) {
        self.applied.features.insert(
            feature.to_owned(),
            json!({"requested": requested, "actual": actual}),
        );
    }

    fn available(&self, feature: &str) -> bool {
        self.camera.is_feature_available(feature).unwrap_or(false)
    }

    /// Errors unless `min <= value <= max`.
    fn in_range(
        &self,
        param: &'static str,
        feature: &str,
        value: f64,
        (min, max): (f64, f64),
        unit: &'static str,
    ) -> Result<(), GenicamError> {
        if value >= min && value <= max {
            return Ok(());
        }
        Err(GenicamError::OutOfRange {
            camera: self.name.to_owned(),
            param,
            feature: feature.to_owned(),
            value,
            min,
            max,
            unit,
        })
    }

    /// Checks an integer feature's range and increment, writes it and reads it back.
    fn integer(
        &mut self,
        param: &'static str,
        feature: &str,
        value: u32,
    ) -> Result<i64, GenicamError> {
        let value = i64::from(value);
        let (min, max) = self
            .camera
            .integer_bounds(feature)
            .map_err(|e| self.failed(feature, e))?;
        self.in_range(param, feature, value as f64, (min as f64, max as f64), "")?;
        let step = self.camera.integer_increment(feature).unwrap_or(1).max(1);
        if (value - min) % step != 0 {
            return Err(GenicamError::NotAStep {
                camera: self.name.to_owned(),
                param,
                feature: feature.to_owned(),
                value,
                min,
                step,
            });
        }
        self.camera
            .set_integer(feature, value)
            .map_err(|e| self.failed(feature, e))?;
        let actual = self
            .camera
            .integer(feature)
            .map_err(|e| self.failed(feature, e))?;
        self.record(feature, Some(json!(value)), json!(actual));
        Ok(actual)
    }

    /// Reads an integer feature the pipeline leaves alone, if the camera has it.
    fn keep_integer(&mut self, feature: &str) {
        if let Ok(actual) = self.camera.integer(feature) {
            self.record(feature, None, json!(actual));
        }
    }

    /// Checks a float setting's range, writes it and reads it back, through
    /// Aravis's camera calls, which know each feature's older names (the
    /// fake camera's exposure is `ExposureTimeAbs`, for instance).
    fn float(
        &mut self,
        param: &'static str,
        feature: &str,
        requested: Option<f64>,
        unit: &'static str,
        access: FloatAccess,
    ) -> Result<Option<f64>, GenicamError> {
        if let Some(value) = requested {
            let bounds = (access.bounds)(self.camera).map_err(|e| self.failed(feature, e))?;
            self.in_range(param, feature, value, bounds, unit)?;
            (access.set)(self.camera, value).map_err(|e| self.failed(feature, e))?;
        } else if !(access.available)(self.camera).unwrap_or(false) {
            return Ok(None);
        }
        let actual = (access.get)(self.camera).map_err(|e| self.failed(feature, e))?;
        self.record(feature, requested.map(|v| json!(v)), json!(actual));
        Ok(Some(actual))
    }

    /// The camera lacks `feature`, which parameter `param` needs.
    fn unsupported(
        &self,
        param: &'static str,
        feature: &'static str,
        advice: &'static str,
    ) -> GenicamError {
        GenicamError::Unsupported {
            camera: self.name.to_owned(),
            param,
            feature,
            advice,
        }
    }

    /// Checks that an enumeration offers `value` (asked for by parameter
    /// `param`, if any), writes it and reads it back.
    fn enumeration(
        &mut self,
        param: Option<&'static str>,
        feature: &str,
        value: &str,
    ) -> Result<(), GenicamError> {
        let offered: Vec<String> = self
            .camera
            .dup_available_enumerations_as_strings(feature)
            .map_err(|e| self.failed(feature, e))?
            .iter()
            .map(|s| s.to_string())
            .collect();
        if !offered.iter().any(|o| o == value) {
            return Err(GenicamError::NotOffered {
                camera: self.name.to_owned(),
                param,
                feature: feature.to_owned(),
                value: value.to_owned(),
                offered,
            });
        }
        self.camera
            .set_string(feature, value)
            .map_err(|e| self.failed(feature, e))?;
        let actual = self
            .camera
            .string(feature)
            .map_err(|e| self.failed(feature, e))?;
        if actual != value {
            return Err(self.failed(
                feature,
                format!("was set to `{value}` but reads back `{actual}`"),
            ));
        }
        self.record(feature, Some(json!(value)), json!(actual.as_str()));
        Ok(())
    }

    fn pixel_format(&mut self, params: &Params) -> Result<(), GenicamError> {
        self.enumeration(
            Some("pixel_format"),
            "PixelFormat",
            params.pixel_format.genicam_name(),
        )
    }

    fn binning(&mut self, binning: Option<u32>) -> Result<(), GenicamError> {
        match binning {
            Some(factor) => {
                if !self.available("BinningHorizontal") {
                    return Err(self.unsupported(
                        "binning",
                        "BinningHorizontal",
                        "leave `binning` unset",
                    ));
                }
                self.integer("binning", "BinningHorizontal", factor)?;
                self.integer("binning", "BinningVertical", factor)?;
            }
            None => {
                self.keep_integer("BinningHorizontal");
                self.keep_integer("BinningVertical");
            }
        }
        Ok(())
    }

    fn region(&mut self, params: &Params) -> Result<(), GenicamError> {
        let offsets = self.available("OffsetX") && self.available("OffsetY");
        if offsets {
            // Offsets first to 0, so that the full width is allowed.
            for feature in ["OffsetX", "OffsetY"] {
                self.camera
                    .set_integer(feature, 0)
                    .map_err(|e| self.failed(feature, e))?;
            }
        } else if params.offset_x != 0 || params.offset_y != 0 {
            return Err(self.unsupported(
                if params.offset_x != 0 {
                    "offset_x"
                } else {
                    "offset_y"
                },
                "OffsetX",
                "set `offset_x` and `offset_y` to 0",
            ));
        }
        for (param, feature, value) in [
            ("width", "Width", params.width),
            ("height", "Height", params.height),
        ] {
            let actual = self.integer(param, feature, value)?;
            if actual != i64::from(value) {
                return Err(self.failed(
                    feature,
                    format!("was set to {value} but reads back {actual}"),
                ));
            }
        }
        if offsets {
            self.integer("offset_x", "OffsetX", params.offset_x)?;
            self.integer("offset_y", "OffsetY", params.offset_y)?;
        }
        Ok(())
    }

    fn frame_rate(&mut self, rate: Option<f64>) -> Result<(), GenicamError> {
        if rate.is_some() && self.available("AcquisitionFrameRateEnable") {
            self.camera
                .set_boolean("AcquisitionFrameRateEnable", true)
                .map_err(|e| self.failed("AcquisitionFrameRateEnable", e))?;
        }
        self.applied.frame_rate_hz = self.float(
            "frame_rate_hz",
            "AcquisitionFrameRate",
            rate,
            " frames/s",
            FloatAccess {
                available: Camera::is_frame_rate_available,
                bounds: Camera::frame_rate_bounds,
                set: Camera::set_frame_rate,
                get: Camera::frame_rate,
            },
        )?;
        Ok(())
    }

    fn exposure(&mut self, exposure_us: Option<f64>) -> Result<(), GenicamError> {
        if exposure_us.is_some() && self.camera.is_exposure_auto_available().unwrap_or(false) {
            self.camera
                .set_exposure_time_auto(Auto::Off)
                .map_err(|e| self.failed("ExposureAuto", e))?;
        }
        self.float(
            "exposure_us",
            "ExposureTime",
            exposure_us,
            " µs",
            FloatAccess {
                available: Camera::is_exposure_time_available,
                bounds: Camera::exposure_time_bounds,
                set: Camera::set_exposure_time,
                get: Camera::exposure_time,
            },
        )?;
        Ok(())
    }

    fn gain(&mut self, gain_db: Option<f64>) -> Result<(), GenicamError> {
        if gain_db.is_some() && self.camera.is_gain_auto_available().unwrap_or(false) {
            self.camera
                .set_gain_auto(Auto::Off)
                .map_err(|e| self.failed("GainAuto", e))?;
        }
        self.float(
            "gain_db",
            "Gain",
            gain_db,
            " dB",
            FloatAccess {
                available: Camera::is_gain_available,
                bounds: Camera::gain_bounds,
                set: Camera::set_gain,
                get: Camera::gain,
            },
        )?;
        Ok(())
    }

    fn packet_size(&mut self, bytes: Option<u32>) -> Result<(), GenicamError> {
        const FEATURE: &str = "GevSCPSPacketSize";
        match bytes {
            Some(_) if !self.available(FEATURE) => Err(self.unsupported(
                "packet_size",
                FEATURE,
                "leave `packet_size` unset (it is a GigE Vision feature)",
            )),
            Some(bytes) => self.integer("packet_size", FEATURE, bytes).map(|_| ()),
            None => {
                self.keep_integer(FEATURE);
                Ok(())
            }
        }
    }

    fn trigger(&mut self, trigger: &Trigger) -> Result<(), GenicamError> {
        if !self.available("TriggerMode") {
            return match trigger {
                Trigger::FreeRun => Ok(()),
                Trigger::Hardware { .. } => {
                    Err(self.unsupported("trigger", "TriggerMode", "use `trigger = \"free_run\"`"))
                }
            };
        }
        if self.available("TriggerSelector") {
            self.enumeration(None, "TriggerSelector", "FrameStart")?;
        }
        match trigger {
            Trigger::FreeRun => self.enumeration(None, "TriggerMode", "Off"),
            Trigger::Hardware { line, edge } => {
                self.enumeration(Some("trigger.hardware.line"), "TriggerSource", line)?;
                if !self.available("TriggerActivation") {
                    return Err(self.unsupported(
                        "trigger.hardware.edge",
                        "TriggerActivation",
                        "it cannot choose the edge that fires",
                    ));
                }
                self.enumeration(
                    Some("trigger.hardware.edge"),
                    "TriggerActivation",
                    edge.genicam_name(),
                )?;
                self.enumeration(None, "TriggerMode", "On")
            }
        }
    }
}
