//! A seeded fuzz of the built-in plugins' parameters: one or more
//! parameters of the sample pipeline (drifting bar, synthetic cortex,
//! Fourier maps, retinotopy) set to hostile values (zero, negative, huge,
//! tiny, not a number, the wrong type) or an unknown name added, given to
//! `validate`, which must answer (accept, or refuse naming the parameter)
//! without hanging, panicking or aborting.

use std::path::Path;

use rand::rngs::StdRng;
use rand::Rng;
use toml::Value;

use super::{Counts, Mode};

/// Values no parameter should crash on.
fn hostile(rng: &mut StdRng) -> Value {
    let values = [
        Value::Integer(0),
        Value::Integer(-1),
        Value::Integer(4_000_000_000),
        Value::Integer(i64::MAX),
        Value::Float(1e9),
        Value::Float(1e300),
        Value::Float(-1e300),
        Value::Float(1e-300),
        Value::Float(f64::NAN),
        Value::Float(f64::INFINITY),
        Value::Float(0.5),
        Value::String("x".into()),
        Value::String(String::new()),
        Value::Boolean(true),
        Value::Array(Vec::new()),
        Value::Array(vec![Value::Integer(1), Value::Integer(1_000_000_000)]),
        Value::Array(vec![Value::String("LR".into()); 1000]),
        Value::Table(toml::Table::new()),
    ];
    values[rng.random_range(0..values.len())].clone()
}

/// The sample pipeline with 1-3 parameters of random stages replaced.
fn fuzzed(base: &toml::Table, rng: &mut StdRng) -> (String, Vec<String>) {
    let mut pipeline = base.clone();
    let mut changed = Vec::new();
    let stages = pipeline["stages"].as_table_mut().unwrap();
    let names: Vec<String> = stages.keys().cloned().collect();
    for _ in 0..rng.random_range(1..4) {
        let name = &names[rng.random_range(0..names.len())];
        let stage = stages[name].as_table_mut().unwrap();
        let params = stage
            .entry("params")
            .or_insert_with(|| Value::Table(toml::Table::new()))
            .as_table_mut()
            .unwrap();
        let keys: Vec<String> = params.keys().cloned().collect();
        let key = match keys.len() {
            0 => "unknown_parameter".to_owned(),
            n => keys[rng.random_range(0..n)].clone(),
        };
        let value = hostile(rng);
        changed.push(format!("{name}.{key} = {value}"));
        params.insert(key, value);
    }
    (toml::to_string(&pipeline).unwrap(), changed)
}

pub fn fuzzed_parameters(dir: &Path, mode: &Mode, rng: &mut StdRng, counts: &mut Counts) {
    let base: toml::Table = std::fs::read_to_string(dir.join("sample.toml"))
        .unwrap()
        .parse()
        .unwrap();
    for i in 0..mode.fuzzed_parameters {
        let (text, changed) = fuzzed(&base, rng);
        let path = dir.join(format!("fuzzed-parameters-{i}.toml"));
        std::fs::write(&path, &text).unwrap();
        let mut validate = crate::cli::macroscope();
        validate.arg("validate").arg(&path);
        counts.run(format!("fuzzed parameters {i}: {changed:?}"), validate);
    }
}
