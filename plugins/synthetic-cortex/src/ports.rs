//! The output ports the camera declares before the first frame.

use macroscope_plugin_api::{ColumnSpec, ElementType, PortSpec};
use serde_json::json;

use crate::params::Params;
use crate::retinotopy_model::{AREA_NAMES, V1_SIGN};
use crate::schedule::ScheduleInput;

/// Index of the `frames` stream.
pub const FRAMES: usize = 0;
/// Index of the `true_azimuth_deg` dataset.
pub const TRUE_AZIMUTH: usize = 1;
/// Index of the `true_altitude_deg` dataset.
pub const TRUE_ALTITUDE: usize = 2;
/// Index of the `true_sign` dataset.
pub const TRUE_SIGN: usize = 3;
/// Index of the `true_areas` dataset.
pub const TRUE_AREAS: usize = 4;
/// Index of the `baseline` dataset.
pub const BASELINE: usize = 5;

/// The six output ports, in index order.
pub fn output_ports(
    params: &Params,
    schedule: &ScheduleInput,
    response_sigma_deg: f64,
) -> Vec<PortSpec> {
    let image = [u64::from(params.height_px), u64::from(params.width_px)];
    let frames = PortSpec::stream("frames", ElementType::U16, &image)
        .with_unit("counts")
        .with_description("12-bit camera frames of the simulated cortex (0..=4095 in a u16)")
        .with_column(ColumnSpec::new(
            "frame_id",
            ElementType::U64,
            "",
            "camera frame number from 0; a gap means a dropped frame",
        ))
        .with_column(ColumnSpec::new(
            "timestamp_ns",
            ElementType::I64,
            "ns",
            "exposure time on the camera clock, which is the stimulus clock",
        ))
        .with_column(ColumnSpec::new(
            "time_s",
            ElementType::F64,
            "s",
            "exposure time in seconds (timestamp_ns / 1e9)",
        ))
        .with_column(ColumnSpec::new(
            "direction",
            ElementType::I8,
            "",
            "stimulus direction at exposure: -1 baseline, 0 LR, 1 RL, 2 BT, 3 TB",
        ))
        .with_column(ColumnSpec::new(
            "sweep",
            ElementType::I32,
            "",
            "stimulus sweep index at exposure, -1 in baseline",
        ))
        .with_column(ColumnSpec::new(
            "bar_centre_deg",
            ElementType::F64,
            "deg",
            "bar centre shown at exposure, NaN in baseline",
        ))
        .with_attributes(&json!({
            "bit_depth": 12,
            "frame_rate_hz": params.frame_rate_hz,
            "seed": params.seed,
            "hemodynamic_delay_s": params.hemodynamic_delay_s,
            "response_amplitude": params.response_amplitude,
            "response_sigma_deg": response_sigma_deg,
            "bar_width_deg": schedule.bar_width_deg,
        }));
    let map = |name: &str, what: &str| {
        PortSpec::dataset(name, ElementType::F64, &image)
            .with_unit("deg")
            .with_description(&format!(
                "true preferred {what} of each pixel; NaN outside every area"
            ))
    };
    vec![
        frames,
        map("true_azimuth_deg", "azimuth"),
        map("true_altitude_deg", "altitude"),
        PortSpec::dataset("true_sign", ElementType::I8, &image)
            .with_description("true visual field sign: sign of det d(azimuth, altitude)/d(row, col), +1/-1 inside areas, 0 outside")
            .with_attributes(&json!({
                "formula": "sign(sin(angle(exp(i*g_alt) * exp(-i*g_azi)))), g = atan2(d/dcol, d/drow)",
                "v1_sign": V1_SIGN,
            })),
        PortSpec::dataset("true_areas", ElementType::I32, &image)
            .with_description("true area labels: 0 outside, 1..K inside; names in the `names` attribute (label i = names[i-1])")
            .with_attributes(&json!({ "names": AREA_NAMES })),
        PortSpec::dataset("baseline", ElementType::F32, &image)
            .with_unit("counts")
            .with_description("noise-free mean reflectance without response: illumination with vignetting and vessels"),
    ]
}
