use super::*;

const FILE: &str = r#"# a lab's pipeline
[pipeline]
name = "session"
output = "runs/{session}.h5"

[stages.camera]
plugin = "movie-file"
params = { movie = "movies/{session}.tif", frame_rate_hz = 25.0 }

[stages.maps]
plugin = "fourier-maps"
inputs = ["file:movies/{session}.h5#/frames", "file:stimuli/{session}.h5#/schedule"]
"#;

fn overrides(sets: &[&str], vars: &[&str]) -> Overrides {
    Overrides {
        sets: sets.iter().map(|s| Set::parse(s).unwrap()).collect(),
        vars: vars.iter().map(|v| Var::parse(v).unwrap()).collect(),
    }
}

#[test]
fn a_var_fills_its_placeholder_in_every_string_and_keeps_the_rest_of_the_file() {
    let text = overrides(&[], &["session=m042"]).apply(FILE).unwrap();
    assert_eq!(
        text,
        FILE.replace("{session}", "m042") + "\n# changed on the command line: --var session=m042\n"
    );
}

#[test]
fn a_set_replaces_a_parameter_in_place() {
    let text = overrides(&["camera.frame_rate_hz=50"], &["session=m042"])
        .apply(FILE)
        .unwrap();
    assert!(
        text.contains(r#"params = { movie = "movies/m042.tif", frame_rate_hz = 50 }"#),
        "{text}"
    );
    assert_eq!(
        text.lines().count(),
        FILE.lines().count() + 2,
        "the file's lines stay where they were"
    );
}

#[test]
fn a_set_adds_a_parameter_and_a_params_table_when_missing() {
    let text = overrides(&["maps.skip_sweeps=2"], &["session=m042"])
        .apply(FILE)
        .unwrap();
    assert!(text.contains("params = { skip_sweeps = 2 }"), "{text}");
}

#[test]
fn a_set_value_that_is_not_toml_is_a_string() {
    let text = overrides(&["camera.camera=GV01"], &["session=m042"])
        .apply(FILE)
        .unwrap();
    assert!(text.contains(r#"camera = "GV01""#), "{text}");
}

#[test]
fn a_set_takes_toml_arrays() {
    let set = Set::parse(r#"stimulus.directions=["LR", "RL"]"#).unwrap();
    assert_eq!(set.value.to_string(), r#"["LR", "RL"]"#);
}

#[test]
fn a_set_of_an_unknown_stage_names_the_stages_there_are() {
    let errors = overrides(&["camra.frame_rate_hz=50"], &["session=m042"])
        .apply(FILE)
        .unwrap_err();
    assert_eq!(
        errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["`--set camra.frame_rate_hz=50`: the pipeline has no stage `camra` (its stages: camera, maps)"]
    );
}

#[test]
fn a_placeholder_without_a_var_is_an_error_naming_where_it_is() {
    let errors = Overrides::default().apply(FILE).unwrap_err();
    assert_eq!(
        errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
        [
            "`{session}` in [pipeline] output has no value: pass `--var session=VALUE`",
            "`{session}` in [stages.camera] params.movie has no value: pass `--var session=VALUE`",
            "`{session}` in [stages.maps] inputs has no value: pass `--var session=VALUE`",
        ]
    );
}

#[test]
fn a_var_no_placeholder_uses_is_refused_as_a_likely_typo() {
    let errors = overrides(&[], &["session=m042", "sesion=m042"])
        .apply(FILE)
        .unwrap_err();
    assert_eq!(
        errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["`--var sesion=…`: the pipeline has no `{sesion}` placeholder"]
    );
}

#[test]
fn malformed_arguments_say_the_form_expected() {
    assert_eq!(
        Set::parse("frame_rate_hz=50").unwrap_err(),
        "`frame_rate_hz=50` is not STAGE.PARAM=VALUE (e.g. `camera.frame_rate_hz=50`)"
    );
    assert_eq!(
        Var::parse("session").unwrap_err(),
        "`session` is not NAME=VALUE (e.g. `session=m042`)"
    );
    assert_eq!(
        Var::parse("my session=1").unwrap_err(),
        "`my session` is not a placeholder name (letters, digits, `_`, `-`)"
    );
}

#[test]
fn nothing_to_apply_leaves_the_text_as_it_is() {
    let plain = "[pipeline]\nname = \"x\"\n";
    assert_eq!(Overrides::default().apply(plain).unwrap(), plain);
}
