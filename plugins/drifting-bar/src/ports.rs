//! The output ports, exactly as the port contract names and types them.

use macroscope_plugin_api::{ColumnSpec, ElementType, PortSpec};
use macroscope_schedule::SchedulePort;

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

/// `schedule`: one f64 scalar (the frame's time, s) per displayed frame, with the stimulus state as
/// columns: the schedule contract's port, with the timeline's descriptive attributes added.
pub fn schedule_port(timeline: &Timeline) -> PortSpec {
    timeline
        .descriptive_attributes()
        .into_iter()
        .fold(
            SchedulePort::new(timeline.schedule_attributes()),
            |port, (key, value)| port.with_attribute(key, value),
        )
        .spec()
}

#[cfg(test)]
mod tests {
    use macroscope_schedule::{Axis, ScheduleAttributes};

    use super::*;
    use crate::geometry::Monitor;
    use crate::params::Params;

    #[test]
    fn the_schedule_port_keeps_the_schedule_contract() {
        let params = Params::default();
        let timeline = Timeline::new(&params, Monitor::from_params(&params).field());
        let read = ScheduleAttributes::from_port(&schedule_port(&timeline)).unwrap();
        assert_eq!(read, timeline.schedule_attributes());
        assert_eq!(read.bar_width_deg, Some(20.0));
        assert_eq!(
            read.sweep_duration_s.get(Axis::Azimuth),
            Some(timeline.sweep_frames(Axis::Azimuth) as f64 / 60.0)
        );
    }
}
