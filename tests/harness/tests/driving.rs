//! Driving plugins through the FFI descriptor: values, sources, panics, and
//! proof that items are lent, not copied.

use example_frame_stats::FrameStats;
use macroscope_plugin_api::{
    schemars::{self, JsonSchema},
    ElementType, ErrorKind, Flow, InputPort, Item, Outputs, Plugin, PluginError, PluginInfo,
    PluginKind, PortSpec, Scalar,
};
use macroscope_plugin_harness::{HarnessError, PluginUnderTest, Timeline};
use serde::Deserialize;
use serde_json::json;

const TIMELINE: Timeline = Timeline {
    rate_hz: 10.0,
    frames_per_sweep: 1,
    sweeps_per_direction: 1,
};

#[test]
fn frame_stats_gives_mean_min_max_of_each_frame() {
    // Frame f holds 10f + (0, 1, 2, 3, 4, 5): mean 10f + 2.5, min 10f, max 10f + 5.
    let frames = TIMELINE.camera_frames(2, 3, |f, r, c| (10 * f + 3 * r + c) as u16);
    let output = PluginUnderTest::of::<FrameStats>()
        .run(&json!({}), &[frames])
        .unwrap();
    let stats = output.port("stats").unwrap();
    assert_eq!(
        stats.values::<f64>().unwrap(),
        [
            [2.5, 0.0, 5.0],
            [12.5, 10.0, 15.0],
            [22.5, 20.0, 25.0],
            [32.5, 30.0, 35.0]
        ]
    );
    let frame_index: Vec<&[Scalar]> = stats.items.iter().map(|e| e.meta.as_slice()).collect();
    assert_eq!(
        frame_index,
        [
            [Scalar::Int(0)],
            [Scalar::Int(1)],
            [Scalar::Int(2)],
            [Scalar::Int(3)]
        ]
    );
}

#[test]
fn a_panic_mid_run_comes_back_as_an_error_naming_the_plugin() {
    let frames = TIMELINE.camera_frames(2, 2, |_, _, _| 7);
    let error = PluginUnderTest::of::<FrameStats>()
        .run(&json!({ "panic_at_frame": 2 }), &[frames])
        .unwrap_err();
    assert!(error.is_panic());
    assert_eq!(
        error,
        HarnessError::Call {
            plugin: "example-frame-stats".into(),
            call: "receive",
            error: PluginError::of_kind(
                ErrorKind::Panicked,
                "panicked: fault injected at frame 2 \
                 (parameter panic_at_frame)"
            ),
        }
    );
}

#[test]
fn a_stage_that_panicked_refuses_further_calls() {
    let frames = TIMELINE.camera_frames(2, 2, |_, _, _| 7);
    let plugin = PluginUnderTest::of::<FrameStats>();
    let mut stage = plugin
        .start(
            &json!({ "panic_at_frame": 0 }),
            std::slice::from_ref(&frames),
        )
        .unwrap();
    assert!(stage.receive(0, &frames.items[0]).unwrap_err().is_panic());
    let refusal = stage.finish().unwrap_err();
    assert_eq!(
        refusal.to_string(),
        "plugin `example-frame-stats` failed in finish: panicked earlier and cannot continue"
    );
}

#[test]
fn unknown_parameters_are_an_invalid_parameter_error_from_outputs() {
    let frames = TIMELINE.camera_frames(2, 2, |_, _, _| 7);
    let error = PluginUnderTest::of::<FrameStats>()
        .outputs(&json!({ "gain": 2 }), &[frames])
        .unwrap_err();
    assert_eq!(
        error.kind(),
        Some(&ErrorKind::InvalidParameter {
            field: String::new()
        })
    );
    assert!(
        error.to_string().contains("unknown field `gain`"),
        "{error}"
    );
}

#[derive(Deserialize, JsonSchema)]
struct NoParams {}

/// Emits, for every item, the address of the bytes it was lent.
struct AddressProbe;

impl Plugin for AddressProbe {
    type Params = NoParams;

    const INFO: PluginInfo = PluginInfo {
        name: "address-probe",
        version: "0.1.0",
        kind: PluginKind::OTHER,
        description: "Reports where the item it reads lives.",
        authors: &["Test"],
        deterministic: false,
    };

    fn outputs(_: &NoParams, _inputs: &[InputPort]) -> Result<Vec<PortSpec>, PluginError> {
        Ok(vec![PortSpec::stream("address", ElementType::U64, &[])])
    }

    fn start(_: NoParams, _inputs: &[InputPort]) -> Result<Self, PluginError> {
        Ok(AddressProbe)
    }

    fn receive(
        &mut self,
        _input: usize,
        item: Item<'_>,
        out: &mut Outputs,
    ) -> Result<(), PluginError> {
        out.emit(0, vec![item.bytes().as_ptr() as u64], &[]);
        Ok(())
    }
}

#[test]
fn the_plugin_reads_the_hosts_buffer_itself_not_a_copy() {
    let frames = TIMELINE.camera_frames(64, 64, |f, r, c| (f + r + c) as u16);
    let lent: Vec<u64> = frames
        .items
        .iter()
        .map(|i| i.data.as_bytes().as_ptr() as u64)
        .collect();
    let output = PluginUnderTest::of::<AddressProbe>()
        .run(&json!({}), &[frames])
        .unwrap();
    let seen: Vec<u64> = output
        .port("address")
        .unwrap()
        .values::<u64>()
        .unwrap()
        .concat();
    assert_eq!(seen, lent);
}

/// A source that counts to `count`, one item per poll.
struct Counter {
    next: u32,
    count: u32,
}

#[derive(Deserialize, JsonSchema)]
struct CounterParams {
    count: u32,
}

impl Plugin for Counter {
    type Params = CounterParams;

    const INFO: PluginInfo = PluginInfo {
        name: "counter",
        version: "0.1.0",
        kind: PluginKind::STIMULUS,
        description: "Counts.",
        authors: &["Test"],
        deterministic: true,
    };

    fn outputs(_: &CounterParams, _inputs: &[InputPort]) -> Result<Vec<PortSpec>, PluginError> {
        Ok(vec![PortSpec::stream("n", ElementType::U32, &[])])
    }

    fn start(params: CounterParams, _inputs: &[InputPort]) -> Result<Self, PluginError> {
        Ok(Counter {
            next: 0,
            count: params.count,
        })
    }

    fn poll(&mut self, out: &mut Outputs) -> Result<Flow, PluginError> {
        if self.next == self.count {
            return Ok(Flow::Finished);
        }
        out.emit(0, vec![self.next], &[]);
        self.next += 1;
        Ok(Flow::Continue)
    }
}

#[test]
fn a_source_is_polled_until_it_finishes() {
    let output = PluginUnderTest::of::<Counter>()
        .run(&json!({ "count": 3 }), &[])
        .unwrap();
    assert_eq!(
        output.port("n").unwrap().values::<u32>().unwrap(),
        [[0], [1], [2]]
    );
}

#[test]
fn an_endless_source_is_stopped_after_the_polls_asked_for_and_then_finished() {
    let plugin = PluginUnderTest::of::<Counter>();
    let stage = plugin.start(&json!({ "count": u32::MAX }), &[]).unwrap();
    let output = stage.drive_source_for(4).unwrap();
    assert_eq!(
        output.port("n").unwrap().values::<u32>().unwrap(),
        [[0], [1], [2], [3]]
    );
}
