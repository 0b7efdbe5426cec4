//! Real files hold to `docs/format-schema.json`, the machine-readable twin
//! of `docs/FORMAT.md`: a JSON Schema over a JSON projection of the HDF5
//! file (every group, dataset and attribute, typed). Run files (fresh,
//! reused, recovered, with file inputs) and store entries are checked.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use hdf5::types::{IntSize, TypeDescriptor, VarLenUnicode};
use macroscope::item::HostItem;
use macroscope_integration::store_fixtures::{
    create_sink, options, pipeline, run, run_stimulus_and_mean, Input, StageDef, TestCamera,
    TestMean,
};
use macroscope_plugin_api::{ArrayData, Scalar};
use serde_json::{json, Map, Value};

use crate::run_file::run_id;

/// `docs/format-schema.json`, compiled.
fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/format-schema.json"),
    )
    .unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap())
        .expect("the schema is a valid JSON Schema")
}

/// The schema's name of an HDF5 element type (`u16`, `f64`, `string`, …).
fn element_name(descriptor: &TypeDescriptor) -> String {
    match descriptor {
        TypeDescriptor::Unsigned(size) => format!("u{}", int_bits(*size)),
        TypeDescriptor::Integer(size) => format!("i{}", int_bits(*size)),
        TypeDescriptor::Float(size) => format!("f{}", *size as usize * 8),
        TypeDescriptor::VarLenUnicode => "string".to_owned(),
        other => format!("{other:?}"),
    }
}

/// The width of an integer type, in bits.
fn int_bits(size: IntSize) -> usize {
    size as usize * 8
}

/// The JSON projection of the attributes of a file, group or dataset.
fn attributes(location: &hdf5::Location) -> Value {
    let mut out = Map::new();
    for name in location.attr_names().unwrap() {
        let attr = location.attr(&name).unwrap();
        let descriptor = attr.dtype().unwrap().to_descriptor().unwrap();
        let kind = element_name(&descriptor);
        let mut projected = json!({"type": kind});
        match descriptor {
            TypeDescriptor::VarLenUnicode => {
                let text = attr.read_scalar::<VarLenUnicode>().unwrap().to_string();
                if let Ok(parsed @ (Value::Object(_) | Value::Array(_))) =
                    serde_json::from_str::<Value>(&text)
                {
                    projected["json"] = parsed;
                }
                projected["value"] = Value::String(text);
            }
            TypeDescriptor::Unsigned(_) => {
                projected["value"] = json!(attr.read_scalar::<u64>().unwrap())
            }
            TypeDescriptor::Integer(_) => {
                projected["value"] = json!(attr.read_scalar::<i64>().unwrap())
            }
            _ => projected["value"] = Value::Null,
        }
        out.insert(name, projected);
    }
    Value::Object(out)
}

/// The JSON projection the schema describes.
fn project(path: &Path) -> Value {
    fn walk(
        group: &hdf5::Group,
        groups: &mut Map<String, Value>,
        datasets: &mut Map<String, Value>,
    ) {
        for name in group.member_names().unwrap() {
            if let Ok(child) = group.group(&name) {
                groups.insert(child.name(), json!({"attributes": attributes(&child)}));
                walk(&child, groups, datasets);
            } else {
                let dataset = group.dataset(&name).unwrap();
                let space = dataset.space().unwrap();
                datasets.insert(
                    dataset.name(),
                    json!({
                        "dtype": element_name(&dataset.dtype().unwrap().to_descriptor().unwrap()),
                        "shape": space.shape(),
                        "maxshape": space.maxdims(),
                        "attributes": attributes(&dataset),
                    }),
                );
            }
        }
    }
    let file = hdf5::File::open(path).unwrap();
    let (mut groups, mut datasets) = (Map::new(), Map::new());
    walk(&file, &mut groups, &mut datasets);
    json!({"attributes": attributes(&file), "groups": groups, "datasets": datasets})
}

/// Asserts the file at `path` matches the schema, listing every mismatch if not.
pub(crate) fn assert_valid(path: &Path) {
    let projection = project(path);
    let validator = schema();
    let errors: Vec<String> = validator
        .iter_errors(&projection)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{} does not match docs/format-schema.json:\n{}",
        path.display(),
        errors.join("\n")
    );
}

/// Parameters of the small stimulus the schema tests write.
fn stimulus() -> Value {
    json!({"frames": 4, "height": 48, "width": 64})
}

#[test]
fn a_fresh_run_file_matches_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    run_stimulus_and_mean(dir.path(), "run.h5", stimulus(), 1.0);
    assert_valid(&dir.path().join("run.h5"));
}

/// The demo's `[session]` table, every value kind included, as a run records it.
#[test]
fn a_run_with_a_session_matches_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let demo = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../pipelines/demo.toml"),
    )
    .unwrap();
    let session = &demo[demo.find("[session]").unwrap()..demo.find("[stages.").unwrap()];
    let text = format!(
        "[pipeline]\nname = \"session\"\noutput = \"run.h5\"\nstore = \"store\"\n\n{session}\
         date_of_birth = 2026-01-05\nobjective = \"2x/0.08\"\nbinning = 2\nnotes = \"n\"\ngenotype = \"wt\"\n\n\
         [stages.stimulus]\nplugin = \"drifting-bar\"\nparams = {{ directions = [\"LR\"], sweeps_per_direction = 1, \
         downsample = 40, baseline_before_s = 0.0, baseline_after_s = 0.0 }}\n"
    );
    std::fs::write(dir.path().join("session.toml"), text).unwrap();
    let run = crate::cli::macroscope()
        .current_dir(dir.path())
        .args(["run", "-q", "--no-figures", "session.toml"])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_valid(&dir.path().join("run.h5"));
}

#[test]
fn store_entries_and_a_run_that_reused_them_match_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let first = run_stimulus_and_mean(dir.path(), "first.h5", stimulus(), 1.0);
    let second = run_stimulus_and_mean(dir.path(), "second.h5", stimulus(), 1.0);
    assert_eq!(second.executed, [false, false]);
    assert_valid(&dir.path().join("second.h5"));
    for (_, entry) in &first.summary.stored {
        assert_valid(entry);
    }
}

#[test]
fn an_acquisition_and_its_reanalysis_from_file_match_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let recording = dir.path().join("recording.h5");
    let camera = json!({"frames": 3, "height": 48, "width": 64});
    run(
        pipeline(
            &recording,
            vec![StageDef::of::<TestCamera>("camera", camera, vec![])],
        ),
        &options(&dir.path().join("store")),
        |_| {},
    )
    .unwrap();
    assert_valid(&recording);
    let recorded_run = run_id(&hdf5::File::open(&recording).unwrap());
    let reanalysis = dir.path().join("reanalysis.h5");
    let input = Input::File(
        recording.clone(),
        format!("/acquisitions/{recorded_run}/camera/frames"),
    );
    run(
        pipeline(
            &reanalysis,
            vec![StageDef::of::<TestMean>(
                "mean",
                json!({"scale": 1.0}),
                vec![input],
            )],
        ),
        &options(&dir.path().join("store")),
        |_| {},
    )
    .unwrap();
    assert_valid(&reanalysis);
}

#[test]
fn a_recovered_file_matches_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let output: PathBuf = dir.path().join("cut.h5");
    {
        let camera = json!({"frames": 3, "height": 48, "width": 64});
        let p = pipeline(
            &output,
            vec![StageDef::of::<TestCamera>("camera", camera, vec![])],
        );
        let mut sink = create_sink(&p, &options(&dir.path().join("store"))).unwrap();
        for i in 0..3 {
            let item = Arc::new(HostItem {
                data: ArrayData::from_vec(vec![7u16; 48 * 64]),
                shape: vec![48, 64],
                meta: vec![Scalar::Int(i), Scalar::Int(i * 10)],
            });
            sink.write(0, 0, &item).unwrap();
        }
        // Dropped without `finish`, as when the runtime dies.
    }
    macroscope::store::recover::recover_file(&dir.path().join("cut.h5.partial")).unwrap();
    assert_valid(&output);
}

#[test]
fn the_schema_rejects_undocumented_attributes_and_missing_hashes() {
    let dir = tempfile::tempdir().unwrap();
    run_stimulus_and_mean(dir.path(), "run.h5", stimulus(), 1.0);
    let projection = project(&dir.path().join("run.h5"));
    let validator = schema();
    assert!(validator.is_valid(&projection));
    let frames = projection["datasets"]
        .as_object()
        .unwrap()
        .keys()
        .find(|k| k.ends_with("/frames"))
        .unwrap()
        .clone();

    let mut extra = projection.clone();
    extra["datasets"][&frames]["attributes"]["colour"] = json!({"type": "string", "value": "blue"});
    assert!(
        !validator.is_valid(&extra),
        "an attribute the format does not document is an error"
    );

    let mut unhashed = projection.clone();
    unhashed["datasets"][&frames]["attributes"]
        .as_object_mut()
        .unwrap()
        .remove("content_sha256");
    assert!(
        !validator.is_valid(&unhashed),
        "a sealed dataset without its content hash is an error"
    );

    let mut stray = projection;
    stray["groups"]["/scratch"] = json!({"attributes": {}});
    assert!(
        !validator.is_valid(&stray),
        "a group outside the layout is an error"
    );
}
