//! The ports: what every stored frame is and what its columns mean, and the
//! clock fit stored when the recording ends.

use macroscope_plugin_api::{ColumnSpec, ElementType, PortSpec, DROPPED_BEFORE};

use crate::params::Params;

/// The `frames` stream port for `params`: known before the camera is opened,
/// since the size and pixel format are parameters.
pub fn frames(params: &Params) -> PortSpec {
    PortSpec::stream(
        "frames",
        params.pixel_format.element(),
        &[u64::from(params.height), u64::from(params.width)],
    )
    .with_unit("counts")
    .with_description(&format!(
        "{} frames from a GenICam camera (Aravis), row-major [height, width]",
        params.pixel_format.genicam_name()
    ))
    .with_column(ColumnSpec::new(
        "frame_id",
        ElementType::U64,
        "",
        "the camera's block id, unwrapped past the 16-bit wrap-around of GigE Vision 1.x: \
         one more per frame the camera sent",
    ))
    .with_column(ColumnSpec::new(
        "camera_timestamp_ns",
        ElementType::U64,
        "ns",
        "the camera's timestamp of the frame, on the camera's own clock",
    ))
    .with_column(ColumnSpec::new(
        "host_time_ns",
        ElementType::I64,
        "ns",
        "host CLOCK_MONOTONIC when the plugin took the completed frame from Aravis",
    ))
    .with_column(ColumnSpec::new(
        "time_s",
        ElementType::F64,
        "s",
        "when the frame was taken, on the run clock (docs/science.md §1, the stimulus schedule's \
         clock): its camera timestamp mapped through the least-squares fit of host_time_ns against \
         camera_timestamp_ns over the frames up to and including this one",
    ))
    .with_column(ColumnSpec::new(
        "clock_residual_ns",
        ElementType::F64,
        "ns",
        "host_time_ns minus the fitted host time of this frame (the fit as it stood when the frame \
         was stored): how late the host took the frame compared with the camera's own spacing",
    ))
    .with_column(ColumnSpec::new(
        DROPPED_BEFORE,
        ElementType::U64,
        "",
        "frames lost between the previous stored frame and this one: lost by the camera link \
         (block-id gaps, incomplete frames) or dropped by the host (its sink's queue was full)",
    ))
}

/// What the `clock_fit` dataset holds, in order.
pub const CLOCK_FIT_FIELDS: [&str; 5] = [
    "rate_ratio",
    "offset_ns",
    "residual_rms_ns",
    "residual_max_ns",
    "frames",
];

/// The `clock_fit` dataset port: the camera-to-run-clock fit over the whole
/// recording, written when the recording ends by itself (`frames` or
/// `duration_s`; not after Ctrl-C, when the per-frame columns say the same).
pub fn clock_fit() -> PortSpec {
    PortSpec::dataset("clock_fit", ElementType::F64, &[CLOCK_FIT_FIELDS.len() as u64])
        .with_description(
            "the camera clock mapped onto the run clock, fitted by least squares over every stored \
             frame: run-clock ns = offset_ns + rate_ratio × camera_timestamp_ns; the residuals \
             (host_time_ns minus the fit) as their root mean square and largest absolute value, in ns; \
             and the number of frames fitted (all NaN but frames = 0 if none was stored)",
        )
        .with_attributes(&serde_json::json!({ "fields": CLOCK_FIT_FIELDS }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pixel_format: &str) -> Params {
        serde_json::from_value(serde_json::json!({
            "width": 640, "height": 480, "pixel_format": pixel_format
        }))
        .unwrap()
    }

    #[test]
    fn mono8_frames_are_u8_of_height_by_width() {
        let spec = frames(&params("Mono8"));
        assert_eq!(spec.element, ElementType::U8);
        assert_eq!(spec.shape.as_slice(), [480, 640]);
    }

    #[test]
    fn every_frame_carries_its_id_both_times_and_the_loss_before_it() {
        let spec = frames(&params("Mono16"));
        let names: Vec<&str> = spec.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "frame_id",
                "camera_timestamp_ns",
                "host_time_ns",
                "time_s",
                "clock_residual_ns",
                "dropped_before"
            ]
        );
    }
}
