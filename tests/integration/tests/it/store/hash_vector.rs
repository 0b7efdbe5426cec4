//! Hash test vectors: canonical JSON bytes written out by hand, and their
//! SHA-256 computed outside the code under test with
//! `printf '%s' '<bytes>' | sha256sum`.

use macroscope::store::{canonical_json, sha256_hex};
use macroscope_integration::store_fixtures::{options, pipeline, run, StageDef, TestStimulus};

use crate::run_file::{stimulus_key, text_attr};

#[test]
fn parameters_hash_is_sha256_of_their_rfc8785_canonical_json() {
    // Keys out of order, a float that serde_json prints as 1e-07, a non-ASCII string.
    let parameters: serde_json::Value =
        serde_json::from_str(r#"{"speed_deg_s": 9.50, "seed": 42, "name": "é", "directions": ["LR", "RL"], "bar_width_deg": 0.0000001}"#)
            .unwrap();
    let canonical =
        r#"{"bar_width_deg":1e-7,"directions":["LR","RL"],"name":"é","seed":42,"speed_deg_s":9.5}"#;
    assert_eq!(canonical_json(&parameters), canonical);
    assert_eq!(
        sha256_hex(canonical.as_bytes()),
        "495e3fbe47d330337fa4ae25e7d5a6ad2a84af3ec6466980c9f013d1d5f939f6"
    );
}

#[test]
fn a_written_dataset_records_the_parameters_hash_of_its_stage() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("run.h5");
    let stimulus = serde_json::json!({"width": 2, "level": 7, "height": 2, "frames": 3});
    let p = pipeline(
        &output,
        vec![StageDef::of::<TestStimulus>("stimulus", stimulus, vec![])],
    );
    run(p, &options(&dir.path().join("store")), |_| {}).unwrap();
    let file = hdf5::File::open(&output).unwrap();
    let frames = file
        .dataset(&format!("/stimuli/{}/frames", stimulus_key(&file)))
        .unwrap();
    assert_eq!(
        text_attr(&frames, "parameters"),
        r#"{"frames":3,"height":2,"level":7,"width":2}"#
    );
    assert_eq!(
        text_attr(&frames, "parameters_sha256"),
        "52f5096b887885bf452dc2e4f75f7078a6a23bba9eb895a95f51de630aac52ab"
    );
}
