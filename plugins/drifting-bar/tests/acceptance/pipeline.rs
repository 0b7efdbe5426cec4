//! `pipelines/stimulus.toml` stays a valid, full-resolution drifting-bar stage.

use drifting_bar::params::Params;

const PIPELINE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../pipelines/stimulus.toml");

#[test]
fn the_stimulus_pipeline_spells_out_the_default_full_resolution_stimulus() {
    let text = std::fs::read_to_string(PIPELINE).expect("pipelines/stimulus.toml exists");
    let file: toml::Table = toml::from_str(&text).expect("valid TOML");
    assert_eq!(
        file["pipeline"]["output"].as_str(),
        Some("runs/stimulus.h5")
    );
    let stage = &file["stages"]["stimulus"];
    assert_eq!(stage["plugin"].as_str(), Some("drifting-bar"));
    let params: Params = stage["params"]
        .clone()
        .try_into()
        .expect("params deserialise with no unknown field");
    assert_eq!(params.validate(), Ok(()));
    assert_eq!(
        (params.width_px, params.height_px, params.downsample),
        (1920, 1200, 1)
    );
    assert_eq!(params, Params::default());
}
