//! Drives the plugin the way the host does, through its FFI descriptor (the
//! plugin test harness): declare, start, then poll until finished.

use drifting_bar::{params::Params, DriftingBar};
use macroscope_plugin_api::{Emission, PortSpec};
use macroscope_plugin_harness::PluginUnderTest;

/// Everything one run produced.
pub struct Run {
    /// Declared output ports.
    pub ports: Vec<PortSpec>,
    /// Items of port 0 (`frames`).
    pub frames: Vec<Emission>,
    /// Items of port 1 (`schedule`).
    pub schedule: Vec<Emission>,
    /// Items emitted by each `poll` call.
    pub per_poll: Vec<usize>,
}

/// Runs a stimulus to the end.
pub fn run(params: Params) -> Run {
    let params = serde_json::to_value(params).expect("parameters serialise");
    let mut stage = PluginUnderTest::of::<DriftingBar>()
        .start_for(&params, &[])
        .expect("valid parameters");
    let ports = stage.outputs.clone();
    let (mut frames, mut schedule, mut per_poll) = (Vec::new(), Vec::new(), Vec::new());
    loop {
        let (emitted, finished) = stage.poll().expect("poll succeeds");
        per_poll.push(emitted.len());
        for e in emitted {
            match e.port {
                0 => frames.push(e),
                1 => schedule.push(e),
                other => panic!("unexpected port {other}"),
            }
        }
        if finished {
            break;
        }
    }
    Run {
        ports,
        frames,
        schedule,
        per_poll,
    }
}

/// A small, quick stimulus: a 52 × 32 cm monitor at 192 × 120 px, fast bar, short baselines.
pub fn small() -> Params {
    Params {
        width_px: 192,
        height_px: 120,
        drift_speed_deg_per_s: 120.0,
        baseline_before_s: 0.5,
        baseline_after_s: 0.25,
        sweeps_per_direction: 2,
        indicator_size_px: 0,
        ..Params::default()
    }
}
