//! Pipeline validation end to end, against three small test plugins: `tone`
//! (a source with a required parameter), `gain` (takes one f32 stream) and
//! `mix` (takes f32 streams of one shape).

use std::path::{Path, PathBuf};

use macroscope_plugin_api::schemars::JsonSchema;
use macroscope_plugin_api::{
    ColumnSpec, ElementType, InputPort, InputSpec, Plugin, PluginError, PluginHandle, PluginInfo,
    PluginKind, PortSpec,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{InputSource, Pipeline, PipelineError, ValidationErrors};
use crate::registry::{Origin, RegisteredPlugin, Registry};

#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[schemars(crate = "macroscope_plugin_api::schemars")]
enum Wave {
    Sine,
    Square,
}

fn one() -> f64 {
    1.0
}

fn sine() -> Wave {
    Wave::Sine
}

/// Shape of each item's rise.
#[derive(Serialize, Deserialize, JsonSchema)]
#[schemars(crate = "macroscope_plugin_api::schemars")]
#[serde(deny_unknown_fields)]
struct Envelope {
    /// Rise time.
    attack_s: f64,
}

fn no_envelope() -> Envelope {
    Envelope { attack_s: 0.0 }
}

/// Parameters of `tone`.
#[derive(Serialize, Deserialize, JsonSchema)]
#[schemars(crate = "macroscope_plugin_api::schemars")]
#[serde(deny_unknown_fields)]
struct ToneParams {
    /// Samples per item.
    length: u32,
    /// Peak value.
    #[serde(default = "one")]
    #[schemars(range(min = 0.0))]
    amplitude: f64,
    /// Waveform.
    #[serde(default = "sine")]
    wave: Wave,
    /// Rise of each item.
    #[serde(default = "no_envelope")]
    envelope: Envelope,
}

struct Tone;

impl Plugin for Tone {
    type Params = ToneParams;
    const INFO: PluginInfo = PluginInfo {
        name: "tone",
        version: "1.2.0",
        kind: PluginKind::STIMULUS,
        description: "A test source.",
        authors: &[],
        deterministic: true,
    };

    fn inputs() -> Option<Vec<InputSpec>> {
        Some(Vec::new())
    }

    fn outputs(params: &ToneParams, _inputs: &[InputPort]) -> Result<Vec<PortSpec>, PluginError> {
        if params.length > 1000 {
            return Err(PluginError::parameter(
                "length",
                format!("{} is above 1000", params.length),
            ));
        }
        let n = u64::from(params.length);
        Ok(vec![
            signal_port(n),
            PortSpec::dataset("spectrum", ElementType::F64, &[n]),
        ])
    }

    fn start(_: ToneParams, _inputs: &[InputPort]) -> Result<Self, PluginError> {
        panic!("validate never starts a stage")
    }
}

/// `tone`'s stream: `length` samples per item, numbered.
fn signal_port(length: u64) -> PortSpec {
    PortSpec::stream("signal", ElementType::F32, &[length]).with_column(ColumnSpec::new(
        "index",
        ElementType::I64,
        "",
        "item number",
    ))
}

/// Parameters of `gain`.
#[derive(Serialize, Deserialize, JsonSchema)]
#[schemars(crate = "macroscope_plugin_api::schemars")]
#[serde(deny_unknown_fields)]
struct GainParams {
    /// Multiplier.
    #[serde(default = "one")]
    factor: f64,
}

struct Gain;

impl Plugin for Gain {
    type Params = GainParams;
    const INFO: PluginInfo = PluginInfo {
        name: "gain",
        version: "0.3.1",
        kind: PluginKind::ANALYSIS,
        description: "A test filter.",
        authors: &[],
        deterministic: true,
    };

    fn inputs() -> Option<Vec<InputSpec>> {
        Some(vec![InputSpec::stream("signal").of(&[ElementType::F32])])
    }

    fn outputs(_: &GainParams, inputs: &[InputPort]) -> Result<Vec<PortSpec>, PluginError> {
        Ok(vec![PortSpec::stream(
            "scaled",
            ElementType::F32,
            &inputs[0].spec.shape,
        )])
    }

    fn start(_: GainParams, _inputs: &[InputPort]) -> Result<Self, PluginError> {
        panic!("validate never starts a stage")
    }
}

/// `mix` has no parameters.
#[derive(Serialize, Deserialize, JsonSchema)]
#[schemars(crate = "macroscope_plugin_api::schemars")]
#[serde(deny_unknown_fields)]
struct MixParams {}

struct Mix;

impl Plugin for Mix {
    type Params = MixParams;
    const INFO: PluginInfo = PluginInfo {
        name: "mix",
        version: "0.1.0",
        kind: PluginKind::ANALYSIS,
        description: "A test mixer.",
        authors: &[],
        deterministic: true,
    };

    fn outputs(_: &MixParams, inputs: &[InputPort]) -> Result<Vec<PortSpec>, PluginError> {
        let first = inputs.first().ok_or("mix needs inputs")?;
        if let Some(other) = inputs.iter().position(|i| i.spec.shape != first.spec.shape) {
            return Err(PluginError::input(
                other,
                format!(
                    "`{}` has shape {:?} but `{}` has {:?}",
                    inputs[other].source, inputs[other].spec.shape, first.source, first.spec.shape
                ),
            ));
        }
        Ok(vec![PortSpec::stream(
            "mixed",
            ElementType::F32,
            &first.spec.shape,
        )])
    }

    fn start(_: MixParams, _inputs: &[InputPort]) -> Result<Self, PluginError> {
        panic!("validate never starts a stage")
    }
}

/// `tone`, registered as a built-in.
pub(super) fn tone() -> RegisteredPlugin {
    builtin(PluginHandle::of::<Tone>())
}

/// `gain`, registered as a built-in.
pub(super) fn gain() -> RegisteredPlugin {
    builtin(PluginHandle::of::<Gain>())
}

fn builtin(handle: PluginHandle) -> RegisteredPlugin {
    RegisteredPlugin {
        handle,
        origin: Origin::Builtin,
    }
}

/// `total` takes one f64 stream and declares it.
struct Total;

impl Plugin for Total {
    type Params = MixParams;
    const INFO: PluginInfo = PluginInfo {
        name: "total",
        version: "0.1.0",
        kind: PluginKind::ANALYSIS,
        description: "A test sum of f64 items.",
        authors: &[],
        deterministic: true,
    };

    fn inputs() -> Option<Vec<InputSpec>> {
        Some(vec![InputSpec::stream("values").of(&[ElementType::F64])])
    }

    fn outputs(_: &MixParams, _inputs: &[InputPort]) -> Result<Vec<PortSpec>, PluginError> {
        Ok(vec![PortSpec::dataset("total", ElementType::F64, &[])])
    }

    fn start(_: MixParams, _inputs: &[InputPort]) -> Result<Self, PluginError> {
        panic!("validate never starts a stage")
    }
}

/// `dashed` declares a port whose name cannot name a dataset (a plugin bug).
struct Dashed;

impl Plugin for Dashed {
    type Params = MixParams;
    const INFO: PluginInfo = PluginInfo {
        name: "dashed",
        version: "0.1.0",
        kind: PluginKind::STIMULUS,
        description: "A test source with a dashed port name.",
        authors: &[],
        deterministic: true,
    };

    fn outputs(_: &MixParams, _inputs: &[InputPort]) -> Result<Vec<PortSpec>, PluginError> {
        Ok(vec![PortSpec::stream("raw-frames", ElementType::U16, &[2])])
    }

    fn start(_: MixParams, _inputs: &[InputPort]) -> Result<Self, PluginError> {
        panic!("validate never starts a stage")
    }
}

/// Parameters whose schema is not valid JSON Schema (a plugin bug).
#[derive(Deserialize)]
struct NonsenseParams {}

impl JsonSchema for NonsenseParams {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "NonsenseParams".into()
    }

    fn json_schema(
        _: &mut macroscope_plugin_api::schemars::SchemaGenerator,
    ) -> macroscope_plugin_api::schemars::Schema {
        macroscope_plugin_api::schemars::json_schema!({"type": "nonsense"})
    }
}

/// `gain` with a broken parameter schema.
struct BrokenSchema;

impl Plugin for BrokenSchema {
    type Params = NonsenseParams;
    const INFO: PluginInfo = Gain::INFO;

    fn outputs(_: &NonsenseParams, _inputs: &[InputPort]) -> Result<Vec<PortSpec>, PluginError> {
        Ok(Vec::new())
    }

    fn start(_: NonsenseParams, _inputs: &[InputPort]) -> Result<Self, PluginError> {
        panic!("validate never starts a stage")
    }
}

fn registry() -> Registry {
    Registry::from_plugins(vec![
        tone(),
        gain(),
        builtin(PluginHandle::of::<Mix>()),
        builtin(PluginHandle::of::<Total>()),
        builtin(PluginHandle::of::<Dashed>()),
    ])
}

/// Its output is in the working directory, which exists wherever the tests run.
const HEADER: &str = "[pipeline]\nname = \"test\"\noutput = \"test.h5\"\n";

/// Validates `HEADER` followed by `stages`, as the file `lab/test.toml`.
fn check_with(stages: &str, registry: &Registry) -> Result<Pipeline, ValidationErrors> {
    Pipeline::from_text(
        Path::new("lab/test.toml"),
        format!("{HEADER}{stages}"),
        registry,
    )
}

fn check(stages: &str) -> Result<Pipeline, ValidationErrors> {
    check_with(stages, &registry())
}

/// Each problem as `line:column message`.
fn problems(stages: &str) -> Vec<String> {
    let Err(errors) = check(stages) else {
        panic!("the pipeline was accepted")
    };
    errors
        .errors
        .iter()
        .map(|e| match &e.location {
            Some(at) => format!("{}:{} {}", at.line, at.column, e.error),
            None => format!("- {}", e.error),
        })
        .collect()
}

fn only_error(stages: &str) -> PipelineError {
    let Err(errors) = check(stages) else {
        panic!("the pipeline was accepted")
    };
    let mut all = errors.errors;
    assert_eq!(all.len(), 1, "{all:?}");
    all.remove(0).error
}

#[test]
fn stages_run_upstream_first_whatever_the_order_written() {
    let pipeline = check("[stages.loud]\nplugin = \"gain\"\ninputs = [\"source.signal\"]\n[stages.source]\nplugin = \"tone\"\nparams = { length = 8 }\n").unwrap();
    let ids: Vec<&str> = pipeline.stages.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["source", "loud"]);
}

#[test]
fn an_input_is_bound_to_the_upstream_port_and_its_spec() {
    let pipeline = check("[stages.loud]\nplugin = \"gain\"\ninputs = [\"source.signal\"]\n[stages.source]\nplugin = \"tone\"\nparams = { length = 8 }\n").unwrap();
    let input = &pipeline.stages[1].inputs[0];
    assert_eq!(input.source, InputSource::Stage { stage: 0, port: 0 });
    assert_eq!(input.port.source.as_str(), "source.signal");
    assert_eq!(input.port.spec, signal_port(8));
    assert_eq!(
        pipeline.stages[1].outputs,
        [PortSpec::stream("scaled", ElementType::F32, &[8])]
    );
}

#[test]
fn effective_params_add_the_schema_defaults_to_what_was_written() {
    let pipeline =
        check("[stages.source]\nplugin = \"tone\"\nparams = { length = 8, wave = \"Square\" }\n")
            .unwrap();
    assert_eq!(
        pipeline.stages[0].params,
        json!({"length": 8, "amplitude": 1.0, "wave": "Square", "envelope": {"attack_s": 0.0}})
    );
}

#[test]
fn the_header_gives_name_output_and_store() {
    let text = "[pipeline]\nname = \"demo\"\noutput = \"src/demo.h5\"\nstore = \"runs/store\"\n[stages.s]\nplugin = \"tone\"\nparams = { length = 1 }\n";
    let pipeline = Pipeline::from_text(Path::new("p.toml"), text.to_owned(), &registry()).unwrap();
    assert_eq!(pipeline.name, "demo");
    assert_eq!(pipeline.output, PathBuf::from("src/demo.h5"));
    assert_eq!(pipeline.store, Some(PathBuf::from("runs/store")));
    assert_eq!(pipeline.text, text);
}

/// A pipeline of one `tone` stage writing `output`.
fn writing(output: &str) -> String {
    format!("[pipeline]\nname = \"test\"\noutput = \"{output}\"\n[stages.s]\nplugin = \"tone\"\nparams = {{ length = 1 }}\n")
}

#[test]
fn an_output_in_a_missing_directory_is_located_at_the_output() {
    let Err(errors) = Pipeline::from_text(
        Path::new("lab/test.toml"),
        writing("no-such-dir/run.h5"),
        &registry(),
    ) else {
        panic!("accepted")
    };
    assert_eq!(
        errors.to_string(),
        "lab/test.toml:3:10: error: output `no-such-dir/run.h5`: directory `no-such-dir` does not exist\n \
         3 | output = \"no-such-dir/run.h5\"\n   \
           |          ^^^^^^^^^^^^^^^^^^^^\n  \
         help: create `no-such-dir` first, or write `output` in a directory that exists: `run` does not create \
         directories, and relative paths start at the current directory\n\n"
    );
}

#[test]
fn an_output_whose_directory_is_a_file_is_refused() {
    let errors = Pipeline::from_text(
        Path::new("p.toml"),
        writing("Cargo.toml/run.h5"),
        &registry(),
    )
    .err()
    .expect("refused");
    assert_eq!(
        errors.errors[0].error.to_string(),
        "output `Cargo.toml/run.h5`: `Cargo.toml` is a file, not a directory"
    );
}

#[test]
fn an_output_replaced_on_the_command_line_is_not_checked_in_the_file() {
    let pipeline = Pipeline::check(
        Path::new("p.toml"),
        writing("no-such-dir/run.h5"),
        &registry(),
        Some(PathBuf::from("elsewhere.h5")),
    )
    .unwrap();
    assert_eq!(pipeline.output(), Path::new("elsewhere.h5"));
}

#[test]
fn an_unknown_plugin_lists_the_available_ones() {
    let error = only_error("[stages.s]\nplugin = \"tones\"\n");
    assert_eq!(error.to_string(), "stage `s`: unknown plugin `tones`");
    assert_eq!(
        error.hint().unwrap(),
        "did you mean `tone`? available plugins: dashed 0.1.0, gain 0.3.1, mix 0.1.0, tone 1.2.0, total 0.1.0; plugin libraries were searched for in: \
         (none) (add a directory with --plugin-path or MACROSCOPE_PLUGIN_PATH)"
    );
    assert_eq!(
        problems("[stages.s]\nplugin = \"tones\"\n"),
        ["5:10 stage `s`: unknown plugin `tones`"]
    );
}

#[test]
fn an_unknown_plugin_names_the_searched_directories_and_the_libraries_that_failed() {
    let error = PipelineError::UnknownPlugin {
        stage: "s".into(),
        plugin: "frame-stats".into(),
        available: vec!["tone 1.2.0".into()],
        searched: vec![PathBuf::from("/opt/macroscope/plugins")],
        failed: vec![PathBuf::from("/opt/macroscope/plugins/libframe_stats.so")],
    };
    assert_eq!(
        error.hint().unwrap(),
        "available plugins: tone 1.2.0; plugin libraries were searched for in: /opt/macroscope/plugins \
         (add a directory with --plugin-path or MACROSCOPE_PLUGIN_PATH); these libraries failed to load \
         (`macroscope plugins` says why): /opt/macroscope/plugins/libframe_stats.so"
    );
}

#[test]
fn an_input_naming_a_missing_stage_lists_the_stages() {
    let stages = "[stages.source]\nplugin = \"tone\"\nparams = { length = 4 }\n[stages.g]\nplugin = \"gain\"\ninputs = [\"sorce.signal\"]\n";
    assert_eq!(
        problems(stages),
        ["9:11 stage `g`: input `sorce.signal` names stage `sorce`, which does not exist"]
    );
    let error = only_error(stages);
    assert_eq!(
        error.hint().unwrap(),
        "did you mean `source`? stages in this pipeline: source, g"
    );
}

#[test]
fn an_input_naming_a_missing_port_lists_the_ports() {
    let stages = "[stages.source]\nplugin = \"tone\"\nparams = { length = 4 }\n[stages.g]\nplugin = \"gain\"\ninputs = [\"source.signl\"]\n";
    assert_eq!(
        problems(stages),
        ["9:11 stage `g`: input `source.signl`: stage `source` (plugin `tone`) has no output `signl`"]
    );
    assert_eq!(
        only_error(stages).hint().unwrap(),
        "did you mean `signal`? outputs of `source`: signal, spectrum"
    );
}

#[test]
fn an_input_of_neither_form_is_refused() {
    assert_eq!(
        problems("[stages.g]\nplugin = \"gain\"\ninputs = [\"source\"]\n"),
        ["6:11 stage `g`: input `source` is neither `stage.port` nor `file:PATH#/dataset`"]
    );
}

#[test]
fn a_missing_input_file_is_resolved_against_the_pipeline_directory() {
    assert_eq!(
        problems("[stages.g]\nplugin = \"gain\"\ninputs = [\"file:old/run.h5#/maps/azimuth\"]\n"),
        ["6:11 stage `g`: input `file:old/run.h5#/maps/azimuth`: file `lab/old/run.h5` does not exist"]
    );
}

#[test]
fn a_cycle_prints_its_chain_at_the_input_that_closes_it() {
    let stages = "[stages.a]\nplugin = \"gain\"\ninputs = [\"c.scaled\"]\n\
                  [stages.b]\nplugin = \"gain\"\ninputs = [\"a.scaled\"]\n\
                  [stages.c]\nplugin = \"gain\"\ninputs = [\"b.scaled\"]\n";
    assert_eq!(
        problems(stages),
        ["9:11 stages form a cycle: a -> b -> c -> a"]
    );
}

#[test]
fn a_stage_reading_its_own_output_is_a_cycle() {
    assert_eq!(
        problems("[stages.a]\nplugin = \"gain\"\ninputs = [\"a.scaled\"]\n"),
        ["6:11 stages form a cycle: a -> a"]
    );
}

#[test]
fn an_input_the_plugin_does_not_declare_is_refused_at_the_input_naming_every_mismatch() {
    let stages = "[stages.source]\nplugin = \"tone\"\nparams = { length = 4 }\n[stages.g]\nplugin = \"gain\"\ninputs = [\"source.spectrum\"]\n";
    assert_eq!(
        problems(stages),
        [
            "9:11 stage `g`: input `source.spectrum` is a dataset, not a stream, is f64, not f32; \
          plugin `gain` takes `signal` as stream f32"
        ]
    );
}

#[test]
fn an_f32_stream_where_f64_is_declared_is_refused_at_the_input() {
    let stages = "[stages.source]\nplugin = \"tone\"\nparams = { length = 4 }\n\
                  [stages.t]\nplugin = \"total\"\ninputs = [\"source.signal\"]\n";
    assert_eq!(
        problems(stages),
        ["9:11 stage `t`: input `source.signal` is f32, not f64; plugin `total` takes `values` as stream f64"]
    );
}

#[test]
fn a_port_name_that_cannot_name_a_dataset_is_refused_by_validate_as_a_plugin_bug() {
    let Err(errors) = check("[stages.d]\nplugin = \"dashed\"\n") else {
        panic!("accepted")
    };
    let located: Vec<String> = errors
        .errors
        .iter()
        .map(|e| {
            let at = e.location.as_ref().expect("located");
            format!("{}:{} {}", at.line, at.column, e.error)
        })
        .collect();
    assert_eq!(
        located,
        ["5:10 stage `d`: plugin `dashed` broke the plugin contract: declares port or column \
          `raw-frames`, which is not a valid name (letters, digits and `_`, not starting with a digit)"]
    );
    assert_eq!(
        errors.errors[0].error.hint().unwrap(),
        "this is a bug in plugin `dashed`: report it to its authors"
    );
}

#[test]
fn validating_a_pipeline_declares_every_stage_but_starts_none() {
    // Every test plugin here panics in `start`.
    let pipeline = check(
        "[stages.source]\nplugin = \"tone\"\nparams = { length = 4 }\n\
         [stages.g]\nplugin = \"gain\"\ninputs = [\"source.signal\"]\n",
    )
    .unwrap();
    assert_eq!(pipeline.stages.len(), 2);
}

#[test]
fn more_inputs_than_declared_are_refused_at_the_inputs() {
    let stages = "[stages.source]\nplugin = \"tone\"\nparams = { length = 4 }\n\
                  [stages.g]\nplugin = \"gain\"\ninputs = [\"source.signal\", \"source.signal\"]\n";
    assert_eq!(
        problems(stages),
        ["9:10 stage `g`: plugin `gain` takes 1 input(s) (signal), but 2 are connected"]
    );
}

#[test]
fn a_refused_input_is_the_one_the_plugin_names_by_index() {
    let stages = "[stages.short]\nplugin = \"tone\"\nparams = { length = 3 }\n\
                  [stages.long]\nplugin = \"tone\"\nparams = { length = 4 }\n\
                  [stages.m]\nplugin = \"mix\"\ninputs = [\"long.signal\", \"short.signal\"]\n";
    assert_eq!(
        problems(stages),
        [
            "12:26 stage `m`: plugin `mix` rejected input `short.signal` (stream f32 [3]): \
          `short.signal` has shape [3] but `long.signal` has [4]"
        ]
    );
}

#[test]
fn a_parameter_of_the_wrong_type_says_what_was_expected_and_found() {
    let stages = "[stages.s]\nplugin = \"tone\"\nparams = { length = 4, amplitude = \"loud\" }\n";
    assert_eq!(
        problems(stages),
        ["6:36 stage `s`: parameter `amplitude`: expected a number, found \"loud\""]
    );
    assert_eq!(
        only_error(stages).hint().unwrap(),
        "Peak value. (`macroscope inspect tone` lists every parameter)"
    );
}

#[test]
fn a_parameter_below_its_minimum_names_the_limit() {
    assert_eq!(
        problems("[stages.s]\nplugin = \"tone\"\nparams = { length = 4, amplitude = -2 }\n"),
        ["6:36 stage `s`: parameter `amplitude`: expected a number >= 0.0, found -2"]
    );
}

#[test]
fn an_enumeration_lists_its_values() {
    assert_eq!(
        problems("[stages.s]\nplugin = \"tone\"\n[stages.s.params]\nlength = 4\nwave = \"Triangle\"\n"),
        ["8:8 stage `s`: parameter `wave`: expected one of \"Sine\", \"Square\", found \"Triangle\""]
    );
}

#[test]
fn a_missing_required_parameter_is_named_with_its_description() {
    let stages = "[stages.s]\nplugin = \"tone\"\nparams = { amplitude = 2.0 }\n";
    assert_eq!(
        problems(stages),
        ["6:10 stage `s`: missing required parameter `length` of plugin `tone`"]
    );
    assert_eq!(
        only_error(stages).hint().unwrap(),
        "add `length = ...` to `params`: Samples per item."
    );
}

#[test]
fn with_no_params_table_a_missing_parameter_points_at_the_stage() {
    assert_eq!(
        problems("[stages.s]\nplugin = \"tone\"\n"),
        ["4:1 stage `s`: missing required parameter `length` of plugin `tone`"]
    );
}

#[test]
fn an_unknown_parameter_points_at_its_key_and_suggests_the_right_one() {
    let stages = "[stages.s]\nplugin = \"tone\"\nparams = { length = 4, amplitud = 2.0 }\n";
    assert_eq!(
        problems(stages),
        ["6:24 stage `s`: plugin `tone` has no parameter `amplitud`"]
    );
    assert_eq!(
        only_error(stages).hint().unwrap(),
        "did you mean `amplitude`? parameters of this plugin: amplitude, envelope, length, wave"
    );
}

#[test]
fn a_nested_parameter_is_named_by_its_path() {
    assert_eq!(
        problems("[stages.s]\nplugin = \"tone\"\n[stages.s.params]\nlength = 4\nenvelope = { attack_s = \"slow\", decay_s = 1 }\n"),
        [
            "8:25 stage `s`: parameter `envelope.attack_s`: expected a number, found \"slow\"",
            "8:33 stage `s`: plugin `tone` has no parameter `envelope.decay_s`",
        ]
    );
}

#[test]
fn nan_cannot_be_a_parameter() {
    assert_eq!(
        problems("[stages.s]\nplugin = \"tone\"\nparams = { length = 4, amplitude = nan }\n"),
        ["6:36 stage `s`: parameter `amplitude`: expected a finite number (parameters are passed as JSON), found nan"]
    );
}

#[test]
fn a_parameter_the_plugin_refuses_is_located_at_that_parameter() {
    assert_eq!(
        problems("[stages.s]\nplugin = \"tone\"\nparams = { length = 5000 }\n"),
        ["6:21 stage `s`: plugin `tone` refused parameter `length`: 5000 is above 1000"]
    );
}

#[test]
fn a_plugin_with_a_broken_schema_is_reported_as_a_plugin_bug() {
    let registry = Registry::from_plugins(vec![builtin(PluginHandle::of::<BrokenSchema>())]);
    let Err(errors) = check_with("[stages.g]\nplugin = \"gain\"\n", &registry) else {
        panic!("accepted")
    };
    let error = &errors.errors[0].error;
    assert!(
        matches!(error, PipelineError::InvalidSchema { plugin, .. } if plugin == "gain"),
        "{error}"
    );
    assert_eq!(
        error.hint().unwrap(),
        "this is a bug in plugin `gain`: report it to its authors"
    );
}

#[test]
fn every_problem_in_the_file_is_reported_not_just_the_first() {
    let stages = "[stages.a]\nplugin = \"tone\"\ncolour = \"red\"\n\
                  [stages.b]\nplugin = \"tonne\"\n\
                  [stages.c]\nplugin = \"tone\"\nparams = { length = \"four\" }\n\
                  [stages.d]\nplugin = \"gain\"\ninputs = [\"e.scaled\"]\n";
    assert_eq!(
        problems(stages),
        [
            "6:1 unknown key `colour` in [stages.a]",
            "8:10 stage `b`: unknown plugin `tonne`",
            "11:21 stage `c`: parameter `length`: expected an integer, found \"four\"",
            "14:11 stage `d`: input `e.scaled` names stage `e`, which does not exist",
        ]
    );
}

#[test]
fn a_stage_downstream_of_a_broken_one_is_not_blamed_for_it() {
    let stages = "[stages.s]\nplugin = \"tone\"\nparams = { length = -1 }\n[stages.g]\nplugin = \"gain\"\ninputs = [\"s.signal\"]\n";
    assert_eq!(
        problems(stages),
        ["6:21 stage `s`: parameter `length`: expected a number >= 0, found -1"]
    );
}

#[test]
fn a_pipeline_without_stages_is_refused() {
    assert_eq!(problems(""), ["- the pipeline has no stages"]);
}

#[test]
fn a_stage_name_that_cannot_be_referenced_is_refused() {
    assert_eq!(
        problems("[stages.\"my stage\"]\nplugin = \"tone\"\nparams = { length = 1 }\n"),
        ["4:9 stage name `my stage` is not allowed"]
    );
}

#[test]
fn the_report_quotes_the_line_and_underlines_the_value() {
    let Err(errors) =
        check("[stages.s]\nplugin = \"tone\"\nparams = { length = 4, amplitude = \"loud\" }\n")
    else {
        panic!("accepted")
    };
    assert_eq!(
        errors.to_string(),
        "lab/test.toml:6:36: error: stage `s`: parameter `amplitude`: expected a number, found \"loud\"\n \
         6 | params = { length = 4, amplitude = \"loud\" }\n   \
           |                                    ^^^^^^\n  \
         help: Peak value. (`macroscope inspect tone` lists every parameter)\n\n"
    );
}

#[test]
fn the_summary_lists_stages_ports_and_connections() {
    let pipeline = check("[stages.loud]\nplugin = \"gain\"\ninputs = [\"source.signal\"]\n[stages.source]\nplugin = \"tone\"\nparams = { length = 8 }\n").unwrap();
    assert_eq!(
        pipeline.summary(),
        "pipeline `test` (lab/test.toml) is valid: 2 stages, 1 connection\n\
         \x20 output: test.h5\n\
         \x20 expected: duration unknown (no source declares its rate); 64 B before compression \
         and 2 streams of unknown length\n\
         \n\
         stages, in run order:\n\
         \x20 source: tone 1.2.0 (stimulus, builtin)\n\
         \x20   signal    stream   f32  [8]  +1 column\n\
         \x20   spectrum  dataset  f64  [8]\n\
         \x20 loud: gain 0.3.1 (analysis, builtin)\n\
         \x20   scaled    stream   f32  [8]\n\
         \n\
         connections:\n\
         \x20 source.signal -> loud\n"
    );
}
