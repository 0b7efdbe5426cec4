//! The conformance suite on in-process plugins: the example passes, and each
//! deliberate fault fails exactly the check named for it.

use std::sync::atomic::{AtomicU64, Ordering};

use example_frame_stats::FrameStats;
use macroscope_plugin_api::{
    schemars::{self, JsonSchema},
    ElementType, InputPort, Item, Outputs, Plugin, PluginError, PluginInfo, PluginKind, PortSpec,
};
use macroscope_plugin_harness::conformance::{self, Check, InputSize, Outcome, Scenario};
use macroscope_plugin_harness::{InputStream, PluginUnderTest, Timeline};
use serde::Deserialize;
use serde_json::json;

const TIMELINE: Timeline = Timeline {
    rate_hz: 10.0,
    frames_per_sweep: 2,
    sweeps_per_direction: 1,
};

fn frames() -> Vec<InputStream> {
    vec![TIMELINE.camera_frames(4, 4, |f, r, c| (f * 16 + r * 4 + c) as u16)]
}

/// What the test plugin does wrong.
#[derive(Deserialize, JsonSchema, PartialEq)]
#[serde(rename_all = "kebab-case")]
enum Fault {
    /// Nothing.
    None,
    /// Emits 2 values on a port declared with shape [3].
    ShortItems,
    /// Emits its dataset port twice.
    DatasetTwice,
    /// Numbers its runs in the output while claiming determinism.
    CountsRuns,
    /// Panics in configure when `gain` is negative.
    PanicsOnNegativeGain,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Params {
    /// Which fault to show.
    fault: Fault,
    /// A non-negative factor.
    #[serde(default)]
    #[schemars(range(min = 0.0))]
    gain: f64,
}

static RUNS: AtomicU64 = AtomicU64::new(0);

struct Faulty {
    fault: Fault,
    run: u64,
}

impl Plugin for Faulty {
    type Params = Params;

    const INFO: PluginInfo = PluginInfo {
        name: "faulty",
        version: "1.2.3",
        kind: PluginKind::ANALYSIS,
        description: "Shows one fault at a time.",
        authors: &["Test <test@example.org>"],
        deterministic: true,
    };

    fn outputs(params: &Params, _inputs: &[InputPort]) -> Result<Vec<PortSpec>, PluginError> {
        if params.fault == Fault::PanicsOnNegativeGain {
            assert!(params.gain >= 0.0, "negative gain");
        }
        Ok(vec![
            PortSpec::stream("values", ElementType::F64, &[3]),
            PortSpec::dataset("total", ElementType::U64, &[]),
        ])
    }

    fn start(params: Params, _inputs: &[InputPort]) -> Result<Self, PluginError> {
        Ok(Faulty {
            fault: params.fault,
            run: RUNS.fetch_add(1, Ordering::Relaxed),
        })
    }

    fn receive(
        &mut self,
        _input: usize,
        _item: Item<'_>,
        out: &mut Outputs,
    ) -> Result<(), PluginError> {
        match self.fault {
            Fault::ShortItems => out.emit(0, vec![1.0, 2.0], &[]),
            Fault::CountsRuns => out.emit(0, vec![self.run as f64, 0.0, 0.0], &[]),
            _ => out.emit(0, vec![1.0, 2.0, 3.0], &[]),
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut Outputs) -> Result<(), PluginError> {
        out.emit(1, vec![8u64], &[]);
        if self.fault == Fault::DatasetTwice {
            out.emit(1, vec![8u64], &[]);
        }
        Ok(())
    }
}

fn failed_checks(fault: &str) -> Vec<Check> {
    let plugin = PluginUnderTest::of::<Faulty>();
    let report = conformance::check(
        &plugin,
        &Scenario::new(&plugin, json!({ "fault": fault }), frames()),
    );
    report.failed().collect()
}

#[test]
fn the_example_plugin_passes_every_check() {
    let plugin = PluginUnderTest::of::<FrameStats>();
    let report = conformance::check_probing(&plugin, json!({}));
    assert!(report.passed(), "{report:#?}");
    assert!(
        report
            .results
            .iter()
            .all(|r| matches!(r.outcome, Outcome::Pass(_))),
        "{report:#?}"
    );
}

#[test]
fn the_example_plugin_s_panic_is_injected_through_its_fault_parameter() {
    let plugin = PluginUnderTest::of::<FrameStats>();
    let report = conformance::check_probing(&plugin, json!({}));
    let Outcome::Pass(note) = report.outcome(Check::PanicBecomesError) else {
        panic!("{report:#?}");
    };
    assert!(
        note.contains(
            "plugin `example-frame-stats` failed in receive: panicked: fault injected at frame 1"
        ),
        "{note}"
    );
}

#[test]
fn a_plugin_without_faults_passes_every_check() {
    assert_eq!(failed_checks("none"), []);
}

#[test]
fn items_shorter_than_their_declared_shape_end_the_run_and_fail_outputs_match_ports() {
    assert_eq!(
        failed_checks("short-items"),
        [Check::RunsToCompletion, Check::OutputsMatchPorts]
    );
}

#[test]
fn a_dataset_emitted_twice_fails_outputs_match_ports() {
    assert_eq!(failed_checks("dataset-twice"), [Check::OutputsMatchPorts]);
}

#[test]
fn output_that_changes_between_runs_fails_deterministic_output() {
    assert_eq!(failed_checks("counts-runs"), [Check::DeterministicOutput]);
}

#[test]
fn a_panic_on_a_schema_invalid_parameter_fails_bad_params_rejected() {
    assert_eq!(
        failed_checks("panics-on-negative-gain"),
        [Check::BadParamsRejected]
    );
}

#[test]
fn a_plugin_that_accepts_no_standard_input_fails_runs_to_completion() {
    let plugin = PluginUnderTest::of::<Faulty>();
    let report = conformance::check_probing(&plugin, json!({ "fault": "no-such-fault" }));
    let failed: Vec<Check> = report.failed().collect();
    assert_eq!(failed, [Check::RunsToCompletion]);
    assert_eq!(
        report.outcome(Check::OutputsMatchPorts),
        &Outcome::Skip("needs inputs the stage accepts".into())
    );
}

static STARTS: AtomicU64 = AtomicU64::new(0);

/// Counts the calls to `start`, which no static check may make.
struct CountsStarts;

impl Plugin for CountsStarts {
    type Params = NoParams;

    const INFO: PluginInfo = PluginInfo {
        name: "counts-starts",
        version: "1.0.0",
        kind: PluginKind::CAMERA,
        description: "Records that it was started.",
        authors: &["Test <test@example.org>"],
        deterministic: false,
    };

    fn outputs(_: &NoParams, _inputs: &[InputPort]) -> Result<Vec<PortSpec>, PluginError> {
        Ok(vec![PortSpec::stream("frames", ElementType::U16, &[2, 2])])
    }

    fn start(_: NoParams, _inputs: &[InputPort]) -> Result<Self, PluginError> {
        STARTS.fetch_add(1, Ordering::Relaxed);
        Ok(CountsStarts)
    }
}

#[test]
fn probing_for_inputs_declares_outputs_but_never_starts_the_stage() {
    let plugin = PluginUnderTest::of::<CountsStarts>();
    let scenario = Scenario::probe(&plugin, json!({})).unwrap();
    assert!(scenario.inputs.is_empty());
    assert_eq!(plugin.outputs(&json!({}), &[]).unwrap().len(), 1);
    assert_eq!(STARTS.load(Ordering::Relaxed), 0);
}

#[derive(Deserialize, JsonSchema)]
struct NoParams {}

/// Sums its frames and, like an analysis whose defaults need a few sweeps,
/// refuses to finish on fewer than 20.
struct NeedsTwentyFrames {
    seen: u64,
}

impl Plugin for NeedsTwentyFrames {
    type Params = NoParams;

    const INFO: PluginInfo = PluginInfo {
        name: "needs-twenty-frames",
        version: "1.0.0",
        kind: PluginKind::ANALYSIS,
        description: "Counts frames and needs at least 20.",
        authors: &["Test <test@example.org>"],
        deterministic: true,
    };

    fn outputs(_: &NoParams, inputs: &[InputPort]) -> Result<Vec<PortSpec>, PluginError> {
        match inputs {
            [frames] if frames.spec.element == ElementType::U16 => Ok(vec![PortSpec::dataset(
                "frames_seen",
                ElementType::U64,
                &[],
            )]),
            _ => Err(PluginError::input(0, "takes one u16 frames stream")),
        }
    }

    fn start(_: NoParams, _inputs: &[InputPort]) -> Result<Self, PluginError> {
        Ok(NeedsTwentyFrames { seen: 0 })
    }

    fn receive(&mut self, _: usize, _: Item<'_>, _: &mut Outputs) -> Result<(), PluginError> {
        self.seen += 1;
        Ok(())
    }

    fn finish(&mut self, out: &mut Outputs) -> Result<(), PluginError> {
        if self.seen < 20 {
            return Err(format!("needs 20 frames, got {}", self.seen).into());
        }
        out.emit(0, vec![self.seen], &[]);
        Ok(())
    }
}

#[test]
fn the_standard_inputs_are_eight_frames_of_12_by_16() {
    let plugin = PluginUnderTest::of::<NeedsTwentyFrames>();
    let scenario = Scenario::probe(&plugin, json!({})).unwrap();
    let frames = &scenario.inputs[0];
    assert_eq!(frames.items.len(), 8);
    assert_eq!(frames.port.spec.shape.to_vec(), vec![12, 16]);
}

#[test]
fn a_plugin_needing_more_frames_than_the_standard_inputs_passes_on_inputs_sized_for_it() {
    let plugin = PluginUnderTest::of::<NeedsTwentyFrames>();
    let standard = conformance::check_probing(&plugin, json!({}));
    assert_eq!(
        standard.outcome(Check::RunsToCompletion),
        &Outcome::Fail(
            "plugin `needs-twenty-frames` failed in finish: needs 20 frames, got 8".to_owned()
        )
    );
    let sized =
        conformance::check_probing_sized(&plugin, json!({}), InputSize::new(20, 5, 7).unwrap());
    assert!(sized.passed(), "{sized:#?}");
    assert_eq!(
        sized.outcome(Check::RunsToCompletion),
        &Outcome::Pass("1 item(s) on 1 input(s)".to_owned())
    );
}

#[test]
fn synthetic_inputs_are_sized_as_asked() {
    let plugin = PluginUnderTest::of::<NeedsTwentyFrames>();
    let scenario =
        Scenario::probe_sized(&plugin, json!({}), InputSize::new(20, 5, 7).unwrap()).unwrap();
    let frames = &scenario.inputs[0];
    assert_eq!(frames.items.len(), 20);
    assert_eq!(frames.port.spec.shape.to_vec(), vec![5, 7]);
    assert_eq!(frames.items[19].shape.to_vec(), vec![5, 7]);
}

#[test]
fn a_frame_count_that_does_not_split_over_four_directions_is_refused() {
    assert_eq!(
        InputSize::new(10, 12, 16).unwrap_err().to_string(),
        "10 frames cannot be split over the 4 sweep directions: use a positive multiple of 4"
    );
    assert_eq!(
        InputSize::new(8, 0, 16).unwrap_err().to_string(),
        "frames of 0 x 16 pixels hold nothing: use a height and width of at least 1"
    );
}
