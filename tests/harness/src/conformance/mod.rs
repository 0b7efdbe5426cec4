//! The conformance suite: named checks every plugin should pass before a lab
//! ships it. `macroscope plugin check LIBRARY` runs it on a built library.

mod behaviour;
mod descriptor;
mod schema;

use std::fmt;

use crate::driver::{HarnessError, PluginUnderTest, RunOutput};
use crate::synthetic::{InputStream, Timeline};

/// The parameter a plugin may declare to let the suite test its panic guard:
/// set to `N`, the stage panics while handling its `N`-th item (0-based).
pub const FAULT_INJECTION_PARAMETER: &str = "panic_at_frame";

/// One named check of the suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Check {
    /// Name is a lower-case dashed identifier; description and authors are filled in.
    DescriptorComplete,
    /// The version is a valid semantic version.
    VersionSemver,
    /// The parameter schema is valid JSON Schema describing an object.
    SchemaValid,
    /// The schema's `default` values validate against the schema.
    SchemaDefaultsValid,
    /// The stage declares, starts and runs on synthetic inputs to the end.
    RunsToCompletion,
    /// Every item matches its declared port: element type, item size, column
    /// count; a dataset port produces exactly one item.
    OutputsMatchPorts,
    /// A plugin declared deterministic gives identical output hashes on two runs.
    DeterministicOutput,
    /// Parameters the schema rejects give an error from `outputs`, not a panic.
    BadParamsRejected,
    /// A panic inside the stage comes back as an error naming the plugin, and
    /// the stage refuses further calls.
    PanicBecomesError,
}

impl Check {
    /// Every check, in the order the suite runs them.
    pub const ALL: [Check; 9] = [
        Check::DescriptorComplete,
        Check::VersionSemver,
        Check::SchemaValid,
        Check::SchemaDefaultsValid,
        Check::RunsToCompletion,
        Check::OutputsMatchPorts,
        Check::DeterministicOutput,
        Check::BadParamsRejected,
        Check::PanicBecomesError,
    ];

    /// The check's name as printed (`version-semver`).
    pub fn name(self) -> &'static str {
        match self {
            Check::DescriptorComplete => "descriptor-complete",
            Check::VersionSemver => "version-semver",
            Check::SchemaValid => "schema-valid",
            Check::SchemaDefaultsValid => "schema-defaults-valid",
            Check::RunsToCompletion => "runs-to-completion",
            Check::OutputsMatchPorts => "outputs-match-ports",
            Check::DeterministicOutput => "deterministic-output",
            Check::BadParamsRejected => "bad-params-rejected",
            Check::PanicBecomesError => "panic-becomes-error",
        }
    }
}

/// How a check ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Passed, with an optional note on what was checked.
    Pass(String),
    /// Not applicable to this plugin, or blocked by an earlier failure (why).
    Skip(String),
    /// Failed (why).
    Fail(String),
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    /// The check.
    pub check: Check,
    /// How it ended.
    pub outcome: Outcome,
}

impl fmt::Display for CheckResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (label, detail) = match &self.outcome {
            Outcome::Pass(note) => ("PASS", note),
            Outcome::Skip(why) => ("SKIP", why),
            Outcome::Fail(why) => ("FAIL", why),
        };
        write!(f, "{label}  {}", self.check.name())?;
        if !detail.is_empty() {
            write!(f, ": {detail}")?;
        }
        Ok(())
    }
}

/// The suite's results for one plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The plugin's name.
    pub plugin: String,
    /// One result per check, in [`Check::ALL`] order.
    pub results: Vec<CheckResult>,
}

impl Report {
    /// True when no check failed.
    pub fn passed(&self) -> bool {
        self.failed().next().is_none()
    }

    /// The checks that failed.
    pub fn failed(&self) -> impl Iterator<Item = Check> + '_ {
        self.results
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Fail(_)))
            .map(|r| r.check)
    }

    /// The outcome of `check`.
    pub fn outcome(&self, check: Check) -> &Outcome {
        &self
            .results
            .iter()
            .find(|r| r.check == check)
            .expect("a report holds every check")
            .outcome
    }
}

/// What the suite runs a plugin on.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Parameters the stage runs with (they must be accepted).
    pub params: serde_json::Value,
    /// Its inputs (empty for a source).
    pub inputs: Vec<InputStream>,
    /// Parameters that make the stage panic mid-run, if it offers fault
    /// injection; without them the panic check feeds malformed items instead.
    pub panic_params: Option<serde_json::Value>,
    /// A source (no inputs) is stopped after this many polls if it has not
    /// finished, as a user stops a camera; [`DEFAULT_SOURCE_POLLS`] unless changed.
    pub source_polls: usize,
}

/// How many times the suite polls a source before stopping it.
pub const DEFAULT_SOURCE_POLLS: usize = 1_000;

impl Scenario {
    /// Starts the plugin with this scenario and runs it to the end (a
    /// source: until it finishes or [`Scenario::source_polls`] polls).
    pub fn run(&self, plugin: &PluginUnderTest) -> Result<RunOutput, HarnessError> {
        let stage = plugin.start(&self.params, &self.inputs)?;
        if self.inputs.is_empty() {
            stage.drive_source_for(self.source_polls)
        } else {
            stage.drive(&self.inputs)
        }
    }

    /// A scenario with `params` and `inputs`. When the plugin's schema declares
    /// [`FAULT_INJECTION_PARAMETER`], `panic_params` sets it to 1 (panic on the second item).
    pub fn new(
        plugin: &PluginUnderTest,
        params: serde_json::Value,
        inputs: Vec<InputStream>,
    ) -> Self {
        let declares_fault_injection = serde_json::from_str::<serde_json::Value>(
            plugin.handle().params_schema(),
        )
        .is_ok_and(|schema| {
            schema["properties"]
                .get(FAULT_INJECTION_PARAMETER)
                .is_some()
        });
        let panic_params = match &params {
            serde_json::Value::Object(map) if declares_fault_injection => {
                let mut map = map.clone();
                map.insert(FAULT_INJECTION_PARAMETER.to_owned(), 1.into());
                Some(serde_json::Value::Object(map))
            }
            _ => None,
        };
        Scenario {
            params,
            inputs,
            panic_params,
            source_polls: DEFAULT_SOURCE_POLLS,
        }
    }

    /// Finds standard synthetic inputs ([`InputSize::STANDARD`]) the plugin
    /// accepts with `params`: see [`Scenario::probe_sized`].
    pub fn probe(plugin: &PluginUnderTest, params: serde_json::Value) -> Result<Scenario, String> {
        Scenario::probe_sized(plugin, params, InputSize::STANDARD)
    }

    /// Finds synthetic inputs of `size` the plugin accepts with `params`:
    /// none (a source), a camera frames stream, frames plus a stimulus
    /// schedule, or a schedule alone, in that order. Only `outputs` is called
    /// (nothing is started). The error lists what each attempt said.
    pub fn probe_sized(
        plugin: &PluginUnderTest,
        params: serde_json::Value,
        size: InputSize,
    ) -> Result<Scenario, String> {
        let mut attempts = Vec::new();
        for (label, inputs) in input_sets(size) {
            match plugin.outputs(&params, &inputs) {
                Ok(_) => return Ok(Scenario::new(plugin, params, inputs)),
                Err(e) => attempts.push(format!("with {label}: {e}")),
            }
        }
        Err(format!(
            "no standard synthetic inputs are accepted with parameters {params}: {}",
            attempts.join("; ")
        ))
    }
}

/// The size of the synthetic inputs the suite probes a plugin with: `frames`
/// camera frames of `height` × `width` u16 pixels and as many schedule rows,
/// on a timeline of one sweep per direction (LR, RL, BT, TB), `frames / 4`
/// frames each, 0.1 s apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputSize {
    frames: usize,
    height: usize,
    width: usize,
}

/// Why an [`InputSize`] cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputSizeError {
    /// The frames cannot be split evenly over the four sweep directions.
    #[error(
        "{0} frames cannot be split over the 4 sweep directions: use a positive multiple of 4"
    )]
    Frames(usize),
    /// A frame with no pixels.
    #[error(
        "frames of {height} x {width} pixels hold nothing: use a height and width of at least 1"
    )]
    Empty {
        /// Rows asked for.
        height: usize,
        /// Columns asked for.
        width: usize,
    },
}

impl InputSize {
    /// The standard inputs: 8 frames (2 per sweep) of 12 × 16.
    pub const STANDARD: InputSize = InputSize {
        frames: 8,
        height: 12,
        width: 16,
    };

    /// `frames` frames (a positive multiple of 4) of `height` × `width` (each at least 1).
    pub fn new(frames: usize, height: usize, width: usize) -> Result<InputSize, InputSizeError> {
        if frames == 0 || !frames.is_multiple_of(4) {
            return Err(InputSizeError::Frames(frames));
        }
        if height == 0 || width == 0 {
            return Err(InputSizeError::Empty { height, width });
        }
        Ok(InputSize {
            frames,
            height,
            width,
        })
    }

    /// Frames (and schedule rows).
    pub fn frames(self) -> usize {
        self.frames
    }

    /// Rows of each frame.
    pub fn height(self) -> usize {
        self.height
    }

    /// Columns of each frame.
    pub fn width(self) -> usize {
        self.width
    }

    /// The timeline: 10 Hz, one sweep per direction of `frames / 4` frames.
    pub fn timeline(self) -> Timeline {
        Timeline {
            rate_hz: 10.0,
            frames_per_sweep: self.frames / 4,
            sweeps_per_direction: 1,
        }
    }
}

impl fmt::Display for InputSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} frames of {} x {}",
            self.frames, self.height, self.width
        )
    }
}

/// The input sets probed, in order; the pixel at (row, col) of frame f is
/// `1000 + 100 f + width row + col` (wrapping at 65536).
fn input_sets(size: InputSize) -> [(&'static str, Vec<InputStream>); 4] {
    let timeline = size.timeline();
    let frames = || {
        timeline.camera_frames(size.height, size.width, |f, r, c| {
            (1000 + 100 * f + size.width * r + c) as u16
        })
    };
    let schedule = || timeline.schedule();
    [
        ("no inputs", vec![]),
        ("a camera frames stream", vec![frames()]),
        (
            "camera frames and a stimulus schedule",
            vec![frames(), schedule()],
        ),
        ("a stimulus schedule", vec![schedule()]),
    ]
}

/// The parameters the suite runs `plugin` with when none are given: the first
/// of its schema's `examples` (JSON Schema's annotation, which a plugin with
/// required parameters declares so that it can be checked as it is), else `{}`.
/// The second value says whether it is the schema's example.
pub fn default_params(plugin: &PluginUnderTest) -> (serde_json::Value, bool) {
    let schema: serde_json::Value =
        serde_json::from_str(plugin.handle().params_schema()).unwrap_or_default();
    match schema["examples"].get(0) {
        Some(example @ serde_json::Value::Object(_)) => (example.clone(), true),
        _ => (serde_json::json!({}), false),
    }
}

/// Runs every check on `plugin` with `scenario`.
pub fn check(plugin: &PluginUnderTest, scenario: &Scenario) -> Report {
    finish_report(plugin, Ok(scenario))
}

/// Runs every check with standard inputs found by [`Scenario::probe`]; if
/// none is accepted, the checks that need a run fail or are skipped with the reason.
pub fn check_probing(plugin: &PluginUnderTest, params: serde_json::Value) -> Report {
    check_probing_sized(plugin, params, InputSize::STANDARD)
}

/// [`check_probing`] on synthetic inputs of `size` ([`Scenario::probe_sized`]).
pub fn check_probing_sized(
    plugin: &PluginUnderTest,
    params: serde_json::Value,
    size: InputSize,
) -> Report {
    match Scenario::probe_sized(plugin, params, size) {
        Ok(scenario) => check(plugin, &scenario),
        Err(why) => finish_report(plugin, Err(why)),
    }
}

fn finish_report(plugin: &PluginUnderTest, scenario: Result<&Scenario, String>) -> Report {
    let handle = plugin.handle();
    let schema = schema::parse(handle.params_schema());
    let mut results = vec![
        descriptor::complete(handle),
        descriptor::semver(handle.version()),
        schema::valid(&schema),
        schema::defaults_valid(&schema),
    ];
    match scenario {
        Ok(scenario) => results.extend(behaviour::checks(plugin, scenario, schema.as_ref().ok())),
        Err(why) => {
            results.push(CheckResult {
                check: Check::RunsToCompletion,
                outcome: Outcome::Fail(why),
            });
            let blocked = [
                Check::OutputsMatchPorts,
                Check::DeterministicOutput,
                Check::BadParamsRejected,
                Check::PanicBecomesError,
            ];
            results.extend(blocked.into_iter().map(|check| CheckResult {
                check,
                outcome: Outcome::Skip("needs inputs the stage accepts".to_owned()),
            }));
        }
    }
    Report {
        plugin: handle.name().to_owned(),
        results,
    }
}
