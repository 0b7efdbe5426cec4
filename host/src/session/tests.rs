use super::*;

const DEMO: &str = r#"
subject_id = "synthetic-001"
species = "Mus musculus"
strain = "C57BL/6J"
sex = "F"
age = "P90D"
date_of_birth = 2026-01-05
weight_g = 24.5
experimenters = ["Doe, Jane"]
hemisphere = "left"
um_per_pixel = 6.45
binning = 2
keywords = ["retinotopy", "synthetic"]
"#;

#[test]
fn a_session_is_recorded_as_json_with_only_the_keys_written() {
    let session: Session = toml::from_str(DEMO).unwrap();
    assert_eq!(
        serde_json::to_value(&session).unwrap(),
        serde_json::json!({
            "subject_id": "synthetic-001", "species": "Mus musculus", "strain": "C57BL/6J", "sex": "F",
            "age": "P90D", "date_of_birth": "2026-01-05", "weight_g": 24.5, "experimenters": ["Doe, Jane"],
            "hemisphere": "left", "um_per_pixel": 6.45, "binning": 2, "keywords": ["retinotopy", "synthetic"]
        })
    );
}

#[test]
fn a_zero_binning_is_refused_naming_the_key() {
    let error = toml::from_str::<Session>("binning = 0").unwrap_err();
    assert_eq!(
        error.message(),
        "`binning` must be a whole number ≥ 1 (1 for none), found 0"
    );
}
