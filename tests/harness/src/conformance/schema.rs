//! Checks on the parameter schema, and the schema-invalid parameter documents
//! the suite feeds to `configure`.

use std::panic::{catch_unwind, AssertUnwindSafe};

use jsonschema::Validator;
use serde_json::{json, Map, Value};

use super::{Check, CheckResult, Outcome};

/// A parameter schema that is valid JSON Schema for an object, compiled.
pub(super) struct ParamSchema {
    json: Value,
    validator: Validator,
}

/// Parses, meta-validates and compiles the schema text; the error says what is wrong.
pub(super) fn parse(text: &str) -> Result<ParamSchema, String> {
    let json: Value =
        serde_json::from_str(text).map_err(|e| format!("the schema is not JSON: {e}"))?;
    // jsonschema panics when the `$schema` draft is unknown: that is the plugin's error, not ours.
    match catch_unwind(AssertUnwindSafe(|| {
        jsonschema::meta::validate(&json).map_err(|e| e.to_string())
    })) {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(format!("not valid JSON Schema: {e}")),
        Err(_) => return Err(format!("unknown JSON Schema draft {}", json["$schema"])),
    }
    let validator = jsonschema::validator_for(&json)
        .map_err(|e| format!("the schema does not compile: {e}"))?;
    if json["type"] != "object" {
        return Err(format!(
            "parameters are a TOML table, so the schema's root must have \"type\": \"object\", found {}",
            json["type"]
        ));
    }
    Ok(ParamSchema { json, validator })
}

/// `schema-valid`.
pub(super) fn valid(schema: &Result<ParamSchema, String>) -> CheckResult {
    CheckResult {
        check: Check::SchemaValid,
        outcome: match schema {
            Ok(_) => Outcome::Pass(String::new()),
            Err(why) => Outcome::Fail(why.clone()),
        },
    }
}

/// `schema-defaults-valid`: every property's `default` (and a root `default`)
/// validates. Required properties are not demanded of the defaults alone.
pub(super) fn defaults_valid(schema: &Result<ParamSchema, String>) -> CheckResult {
    let outcome = match schema {
        Err(_) => Outcome::Skip("needs a valid schema".to_owned()),
        Ok(schema) => schema.default_problems(),
    };
    CheckResult {
        check: Check::SchemaDefaultsValid,
        outcome,
    }
}

impl ParamSchema {
    fn properties(&self) -> Option<&Map<String, Value>> {
        self.json["properties"].as_object()
    }

    fn default_problems(&self) -> Outcome {
        let defaults: Map<String, Value> = self
            .properties()
            .into_iter()
            .flatten()
            .filter_map(|(name, property)| Some((name.clone(), property.get("default")?.clone())))
            .collect();
        let mut documents = Vec::new();
        if !defaults.is_empty() {
            documents.push(Value::Object(defaults));
        }
        documents.extend(self.json.get("default").cloned());
        if documents.is_empty() {
            return Outcome::Pass("no defaults declared".to_owned());
        }
        let mut relaxed = self.json.clone();
        if let Some(root) = relaxed.as_object_mut() {
            root.remove("required");
        }
        let validator = match jsonschema::validator_for(&relaxed) {
            Ok(v) => v,
            Err(e) => {
                return Outcome::Fail(format!(
                    "the schema without `required` does not compile: {e}"
                ))
            }
        };
        let problems: Vec<String> = documents
            .iter()
            .flat_map(|doc| {
                validator
                    .iter_errors(doc)
                    .map(|e| format!("default at `{}`: {e}", e.instance_path()))
            })
            .collect();
        if problems.is_empty() {
            Outcome::Pass(String::new())
        } else {
            Outcome::Fail(problems.join("; "))
        }
    }

    /// Variations of the good parameters `base` that this schema rejects: not an
    /// object, an unknown key, and per top-level property a value of the wrong
    /// type, just past each numeric bound, or outside an `enum`.
    pub(super) fn rejected_variants(&self, base: &Value) -> Vec<Value> {
        let mut candidates = vec![json!(42), json!("parameters")];
        if let Value::Object(base) = base {
            let with = |name: &str, value: Value| {
                let mut doc = base.clone();
                doc.insert(name.to_owned(), value);
                Value::Object(doc)
            };
            candidates.push(with("__not_a_parameter__", json!(true)));
            for (name, property) in self.properties().into_iter().flatten() {
                candidates.extend(wrong_values(property).into_iter().map(|v| with(name, v)));
            }
        }
        candidates.retain(|doc| !self.validator.is_valid(doc));
        candidates
    }
}

/// Values a property schema is likely to reject.
fn wrong_values(property: &Value) -> Vec<Value> {
    let mut values = vec![json!("__wrong_type__"), json!({ "__wrong_type__": true })];
    for (bound, step) in [
        ("minimum", -1),
        ("exclusiveMinimum", 0),
        ("maximum", 1),
        ("exclusiveMaximum", 0),
    ] {
        let value = &property[bound];
        if let Some(integer) = value.as_i64() {
            values.push(json!(integer + step));
        } else if let Some(float) = value.as_f64() {
            values.push(json!(float + step as f64));
        }
    }
    if property.get("enum").is_some() {
        values.push(json!("__not_a_choice__"));
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome_of(schema: Value) -> Outcome {
        defaults_valid(&parse(&schema.to_string())).outcome
    }

    #[test]
    fn a_schema_for_a_number_is_not_a_parameter_schema() {
        let error = parse(r#"{"type": "number"}"#).err().unwrap();
        assert!(
            error.contains("root must have \"type\": \"object\""),
            "{error}"
        );
    }

    #[test]
    fn an_unknown_type_name_is_invalid_json_schema() {
        let error = parse(r#"{"type": "object", "properties": {"a": {"type": "float"}}}"#)
            .err()
            .unwrap();
        assert!(error.starts_with("not valid JSON Schema"), "{error}");
    }

    #[test]
    fn a_default_below_its_minimum_is_reported_with_its_path() {
        let outcome = outcome_of(json!({
            "type": "object",
            "properties": {"level": {"type": "integer", "minimum": 1, "default": 0}},
            "required": ["level"]
        }));
        assert_eq!(
            outcome,
            Outcome::Fail("default at `/level`: 0 is less than the minimum of 1".to_owned())
        );
    }

    #[test]
    fn required_properties_without_defaults_do_not_fail_the_defaults() {
        let outcome = outcome_of(json!({
            "type": "object",
            "properties": {"a": {"type": "integer"}, "b": {"type": "integer", "default": 2}},
            "required": ["a"]
        }));
        assert_eq!(outcome, Outcome::Pass(String::new()));
    }

    #[test]
    fn rejected_variants_probe_type_bounds_and_unknown_keys() {
        let schema = parse(
            &json!({
                "type": "object",
                "properties": {"gain": {"type": "number", "minimum": 0.5}},
                "additionalProperties": false
            })
            .to_string(),
        )
        .unwrap();
        let variants = schema.rejected_variants(&json!({"gain": 1.0}));
        assert_eq!(
            variants,
            vec![
                json!(42),
                json!("parameters"),
                json!({"gain": 1.0, "__not_a_parameter__": true}),
                json!({"gain": "__wrong_type__"}),
                json!({"gain": {"__wrong_type__": true}}),
                json!({"gain": -0.5}),
            ]
        );
    }
}
