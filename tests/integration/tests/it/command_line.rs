//! One pipeline file, many sessions: `--var NAME=VALUE` fills the file's
//! `{NAME}` placeholders and `--set STAGE.PARAM=VALUE` changes a parameter;
//! the run file records the text that ran, changes included.

use crate::pipeline_files::per_session_pipeline;
use crate::run_file::{stage_group, status, text_attr};

#[test]
fn a_var_names_the_output_a_set_changes_a_parameter_and_the_run_file_records_both() {
    let work = tempfile::tempdir().unwrap();
    let pipeline = per_session_pipeline(work.path());
    let output = crate::cli::macroscope()
        .args(["run", "-q", "--no-figures"])
        .arg(&pipeline)
        .args(["--var", "session=m042", "--set", "camera.frame_rate_hz=10"])
        .output()
        .expect("the macroscope binary runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let file = hdf5::File::open(work.path().join("runs/m042.h5")).unwrap();
    assert_eq!(status(&file), "complete");
    let text = text_attr(&file, "pipeline_toml");
    assert!(
        text.contains("params = { width_px = 32, height_px = 24, frame_rate_hz = 10 }"),
        "{text}"
    );
    assert!(
        text.ends_with(
            "\n# changed on the command line: --set camera.frame_rate_hz=10 --var session=m042\n"
        ),
        "{text}"
    );
    let frames = stage_group(&file, "acquisitions", "camera")
        .dataset("frames")
        .unwrap();
    let parameters: serde_json::Value =
        serde_json::from_str(&text_attr(&frames, "parameters")).unwrap();
    assert_eq!(parameters["frame_rate_hz"], 10);
}

#[test]
fn validate_names_a_placeholder_without_a_var_and_says_how_to_fill_it() {
    let work = tempfile::tempdir().unwrap();
    let pipeline = per_session_pipeline(work.path());
    let output = crate::cli::output("validate", &pipeline);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        format!(
            "{path}: error: `{{session}}` in [pipeline] output has no value: pass `--var session=VALUE`\n\n\
             error: {path} is not a valid pipeline (1 problem)\n",
            path = pipeline.display()
        )
    );
}

#[test]
fn validate_refuses_a_set_of_a_stage_the_file_does_not_have_naming_those_it_has() {
    let work = tempfile::tempdir().unwrap();
    let pipeline = per_session_pipeline(work.path());
    let output = crate::cli::macroscope()
        .arg("validate")
        .arg(&pipeline)
        .args(["--var", "session=m042", "--set", "camra.frame_rate_hz=10"])
        .output()
        .expect("the macroscope binary runs");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr).starts_with(&format!(
            "{}: error: `--set camra.frame_rate_hz=10`: the pipeline has no stage `camra` \
             (its stages: stimulus, camera)\n",
            pipeline.display()
        )),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
