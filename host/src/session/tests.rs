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

#[test]
fn an_orientation_is_recorded_as_its_two_sides() {
    let session: Session =
        toml::from_str("orientation = { anterior = \"up\", lateral = \"left\" }").unwrap();
    assert_eq!(
        serde_json::to_value(&session).unwrap(),
        serde_json::json!({"orientation": {"anterior": "up", "lateral": "left"}})
    );
}

#[test]
fn an_orientation_whose_sides_are_not_at_right_angles_is_refused_naming_both() {
    let error =
        toml::from_str::<Session>("orientation = { anterior = \"up\", lateral = \"down\" }")
            .unwrap_err();
    assert_eq!(
        error.message(),
        "`orientation`: anterior (up) and lateral (down) must be at right angles: one `up` or `down`, \
         the other `left` or `right`"
    );
}

#[test]
fn an_unknown_side_of_the_image_is_refused_with_the_four_sides() {
    let error =
        toml::from_str::<Session>("orientation = { anterior = \"front\", lateral = \"left\" }")
            .unwrap_err();
    assert_eq!(
        error.message(),
        "a side of the image must be `up`, `down`, `left` or `right`, found `front`"
    );
}
