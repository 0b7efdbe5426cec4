//! The run clock reaches a started stage through the FFI descriptor
//! (`set_run_clock`), before its first poll.

use macroscope_plugin_api::{
    schemars::{self, JsonSchema},
    ElementType, Flow, InputPort, Outputs, Plugin, PluginError, PluginInfo, PluginKind, PortSpec,
    RunClock,
};
use macroscope_plugin_harness::PluginUnderTest;
use serde::Deserialize;
use serde_json::json;

/// No parameters.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Params {}

/// A source that emits, once, the origin of the run clock it was told.
struct ClockEcho {
    origin_ns: Option<i64>,
}

impl Plugin for ClockEcho {
    type Params = Params;

    const INFO: PluginInfo = PluginInfo {
        name: "clock-echo",
        version: "1.0.0",
        kind: PluginKind::OTHER,
        description: "Emits the origin of the run clock it was told.",
        authors: &["macroscope developers"],
        deterministic: false,
    };

    fn outputs(_: &Params, _: &[InputPort]) -> Result<Vec<PortSpec>, PluginError> {
        Ok(vec![PortSpec::dataset("origin_ns", ElementType::I64, &[1])])
    }

    fn start(_: Params, _: &[InputPort]) -> Result<Self, PluginError> {
        Ok(ClockEcho { origin_ns: None })
    }

    fn run_clock(&mut self, clock: RunClock) {
        self.origin_ns = Some(clock.origin_ns());
    }

    fn poll(&mut self, out: &mut Outputs) -> Result<Flow, PluginError> {
        let origin = self
            .origin_ns
            .ok_or_else(|| PluginError::new("polled before it was told the run clock"))?;
        out.emit(0, vec![origin], &[]);
        Ok(Flow::Finished)
    }
}

#[test]
fn a_started_stage_is_told_the_run_clock_before_its_first_poll() {
    let clock = RunClock::from_origin_ns(123_456_789);
    let mut stage = PluginUnderTest::of::<ClockEcho>()
        .start_on_clock(&json!({}), &[], clock)
        .unwrap();
    let (emissions, finished) = stage.poll().unwrap();
    assert!(finished);
    assert_eq!(emissions[0].data.as_slice::<i64>().unwrap(), [123_456_789]);
}

#[test]
fn the_harness_starts_a_stage_on_a_run_clock_starting_now() {
    let before = macroscope_plugin_api::clock::monotonic_ns();
    let mut stage = PluginUnderTest::of::<ClockEcho>()
        .start_for(&json!({}), &[])
        .unwrap();
    let after = macroscope_plugin_api::clock::monotonic_ns();
    let (emissions, _) = stage.poll().unwrap();
    let origin = emissions[0].data.as_slice::<i64>().unwrap()[0];
    assert!(
        (before..=after).contains(&origin),
        "{before} ≤ {origin} ≤ {after}"
    );
}
