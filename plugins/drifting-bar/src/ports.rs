//! The output ports, exactly as the port contract names and types them.

use macroscope_plugin_api::{ColumnSpec, ElementType, PortSpec};

use crate::schedule::Timeline;

/// Index of the `frames` port in the declared outputs.
pub const FRAMES: usize = 0;
/// Index of the `schedule` port in the declared outputs.
pub const SCHEDULE: usize = 1;

/// `frames`: u8 `[height, width]` per displayed frame, with `frame_index` and `time_s`.
pub fn frames_port(width: usize, height: usize, downsample: u32) -> PortSpec {
    PortSpec::stream("frames", ElementType::U8, &[height as u64, width as u64])
        .with_description("displayed stimulus frames (grey, checkered bar, photodiode patch), sampled every `downsample` display pixels")
        .with_column(ColumnSpec::new("frame_index", ElementType::I64, "", "displayed frame number from 0"))
        .with_column(ColumnSpec::new("time_s", ElementType::F64, "s", "time from the start of the stimulus"))
        .with_attributes(&serde_json::json!({ "downsample": downsample }))
}

/// `schedule`: one f64 scalar (the frame's time, s) per displayed frame, with the stimulus state as columns.
pub fn schedule_port(timeline: &Timeline) -> PortSpec {
    PortSpec::stream("schedule", ElementType::F64, &[])
        .with_unit("s")
        .with_description("stimulus state of every displayed frame; the value is the frame's time_s")
        .with_column(ColumnSpec::new("frame_index", ElementType::I64, "", "displayed frame number from 0"))
        .with_column(ColumnSpec::new(
            "direction",
            ElementType::I8,
            "",
            "0 = LR, 1 = RL, 2 = BT, 3 = TB, -1 = baseline",
        ))
        .with_column(ColumnSpec::new(
            "sweep",
            ElementType::I32,
            "",
            "sweep index within its direction from 0, -1 in baseline",
        ))
        .with_column(ColumnSpec::new(
            "bar_centre_deg",
            ElementType::F64,
            "deg",
            "bar centre along the direction's axis (azimuth for LR/RL, altitude for BT/TB), NaN in baseline",
        ))
        .with_column(ColumnSpec::new("polarity", ElementType::I8, "", "checker polarity, +1 or -1"))
        .with_column(ColumnSpec::new("indicator", ElementType::U8, "", "photodiode patch value, 0 or 255"))
        .with_attributes(&timeline.attributes())
}
