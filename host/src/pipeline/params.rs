//! Stage parameters: checked against the plugin's JSON Schema (every violation
//! located at the value that caused it), then completed with the schema's
//! top-level defaults to give the effective parameters.

use std::ops::Range;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::paths::LocationSegment;
use jsonschema::ValidationError;
use serde_json::{Map, Value};
use toml::Spanned;

use super::error::PipelineError;
use super::file::ParamValue;
use super::report::Problems;

/// Longest stretch of the file quoted as "found".
const FOUND_MAX_CHARS: usize = 60;

/// The parameters of one stage, as written, with what is needed to check them.
pub(crate) struct StageParams<'a> {
    /// The stage id.
    pub stage: &'a str,
    /// The plugin name.
    pub plugin: &'a str,
    /// The plugin's JSON Schema, as text.
    pub schema: &'a str,
    /// `params` as written, if any.
    pub written: Option<&'a Spanned<ParamValue>>,
    /// Where to point when `params` is absent: the stage's table.
    pub stage_span: Range<usize>,
    /// Where to point for a broken schema: the `plugin = ...` value.
    pub plugin_span: Range<usize>,
}

/// One step of a path into the parameters.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

impl StageParams<'_> {
    /// The effective parameters (as written plus the schema's top-level
    /// defaults), or `None` after recording every problem found.
    pub(crate) fn check(&self, problems: &mut Problems<'_>) -> Option<Value> {
        let schema = self.schema_value(problems)?;
        let validator = match jsonschema::validator_for(&schema) {
            Ok(validator) => validator,
            Err(e) => {
                self.report_schema(problems, e.to_string());
                return None;
            }
        };
        let instance = self.written_json(problems)?;
        let mut valid = true;
        for error in validator.iter_errors(&instance) {
            valid = false;
            self.report(&schema, &error, problems);
        }
        valid.then(|| with_defaults(instance, &schema))
    }

    fn schema_value(&self, problems: &mut Problems<'_>) -> Option<Value> {
        serde_json::from_str(self.schema)
            .map_err(|e| self.report_schema(problems, format!("not JSON: {e}")))
            .ok()
    }

    fn report_schema(&self, problems: &mut Problems<'_>, message: String) {
        problems.at(
            self.plugin_span.clone(),
            PipelineError::InvalidSchema {
                stage: self.stage.to_owned(),
                plugin: self.plugin.to_owned(),
                message,
            },
        );
    }

    /// The parameters as JSON; `None` after reporting values JSON cannot carry.
    fn written_json(&self, problems: &mut Problems<'_>) -> Option<Value> {
        let Some(written) = self.written else {
            return Some(Value::Object(Map::new()));
        };
        let mut non_finite = Vec::new();
        let json = to_json(written, &mut Vec::new(), &mut non_finite);
        for (path, span) in &non_finite {
            let found = problems.text()[span.clone()].to_owned();
            problems.at(
                span.clone(),
                PipelineError::InvalidParameter {
                    stage: self.stage.to_owned(),
                    plugin: self.plugin.to_owned(),
                    path: path_text(path),
                    expected: "a finite number (parameters are passed as JSON)".to_owned(),
                    found,
                    description: None,
                },
            );
        }
        non_finite.is_empty().then_some(json)
    }

    fn report(&self, schema: &Value, error: &ValidationError<'_>, problems: &mut Problems<'_>) {
        let path: Vec<Step> = error
            .instance_path()
            .segments()
            .map(|s| match s {
                LocationSegment::Property(key) => Step::Key(key.into_owned()),
                LocationSegment::Index(i) => Step::Index(i),
            })
            .collect();
        let span = self.span_of(&path);
        let stage = self.stage.to_owned();
        let plugin = self.plugin.to_owned();
        match error.kind() {
            ValidationErrorKind::Required { property } => {
                let name = path_text(&child(&path, property.as_str().unwrap_or_default()));
                let description = path
                    .is_empty()
                    .then(|| property_description(schema, &name))
                    .flatten();
                problems.at(
                    span,
                    PipelineError::MissingParameter {
                        stage,
                        plugin,
                        name,
                        description,
                    },
                );
            }
            ValidationErrorKind::AdditionalProperties { unexpected }
            | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
                let known = if path.is_empty() {
                    property_names(schema)
                } else {
                    Vec::new()
                };
                for key in unexpected {
                    let key_span = self.key_span(&path, key).unwrap_or_else(|| span.clone());
                    problems.at(
                        key_span,
                        PipelineError::UnknownParameter {
                            stage: stage.clone(),
                            plugin: plugin.clone(),
                            name: path_text(&child(&path, key)),
                            known: known.clone(),
                        },
                    );
                }
            }
            kind => {
                let found = match self.written {
                    Some(_) => quote(&problems.text()[span.clone()]),
                    None => error.instance().to_string(),
                };
                let description = match path.first() {
                    Some(Step::Key(top)) => property_description(schema, top),
                    _ => None,
                };
                let expected = expectation(kind).unwrap_or_else(|| error.to_string());
                let path = path_text(&path);
                problems.at(
                    span,
                    PipelineError::InvalidParameter {
                        stage,
                        plugin,
                        path,
                        expected,
                        found,
                        description,
                    },
                );
            }
        }
    }

    /// The span of the written value at `field` (`roi.width`, `directions[2]`),
    /// or of the deepest written value along it (a parameter left at its
    /// default points at the `params` table, or the stage).
    pub(crate) fn span_of_field(&self, field: &str) -> Range<usize> {
        let mut path = Vec::new();
        for part in field.split('.').filter(|p| !p.is_empty()) {
            let mut pieces = part.split('[');
            if let Some(key) = pieces.next().filter(|k| !k.is_empty()) {
                path.push(Step::Key(key.to_owned()));
            }
            path.extend(
                pieces
                    .filter_map(|index| index.trim_end_matches(']').parse().ok())
                    .map(Step::Index),
            );
        }
        self.span_of(&path)
    }

    /// The deepest written value along `path` (the stage's table if none was written).
    fn span_of(&self, path: &[Step]) -> Range<usize> {
        let Some(mut node) = self.written else {
            return self.stage_span.clone();
        };
        for step in path {
            let next = match (step, node.get_ref()) {
                (Step::Key(key), value) => value.entry(key).map(|(_, v)| v),
                (Step::Index(i), ParamValue::Array(items)) => items.get(*i),
                (Step::Index(_), _) => None,
            };
            match next {
                Some(value) => node = value,
                None => break,
            }
        }
        node.span()
    }

    /// The span of key `key` in the table at `path`.
    fn key_span(&self, path: &[Step], key: &str) -> Option<Range<usize>> {
        let mut node = self.written?;
        for step in path {
            node = match (step, node.get_ref()) {
                (Step::Key(k), value) => &value.entry(k)?.1,
                (Step::Index(i), ParamValue::Array(items)) => items.get(*i)?,
                (Step::Index(_), _) => return None,
            };
        }
        node.get_ref().entry(key).map(|(k, _)| k.span())
    }
}

fn child(path: &[Step], key: &str) -> Vec<Step> {
    let mut path = path.to_vec();
    path.push(Step::Key(key.to_owned()));
    path
}

/// `optics.focal_mm`, `directions[2]`; empty for the whole table.
fn path_text(path: &[Step]) -> String {
    let mut text = String::new();
    for step in path {
        match step {
            Step::Key(key) if text.is_empty() => text.push_str(key),
            Step::Key(key) => {
                text.push('.');
                text.push_str(key);
            }
            Step::Index(i) => text.push_str(&format!("[{i}]")),
        }
    }
    text
}

fn quote(source: &str) -> String {
    let mut chars = source.chars();
    let head: String = chars.by_ref().take(FOUND_MAX_CHARS).collect();
    if chars.next().is_some() {
        format!("{head}...")
    } else {
        head
    }
}

/// The written value as JSON; non-finite floats become `null` and are listed
/// in `non_finite` with their paths and spans.
fn to_json(
    value: &Spanned<ParamValue>,
    path: &mut Vec<Step>,
    non_finite: &mut Vec<(Vec<Step>, Range<usize>)>,
) -> Value {
    match value.get_ref() {
        ParamValue::Boolean(b) => Value::Bool(*b),
        ParamValue::Integer(i) => Value::from(*i),
        ParamValue::Float(f) => serde_json::Number::from_f64(*f)
            .map(Value::Number)
            .unwrap_or_else(|| {
                non_finite.push((path.clone(), value.span()));
                Value::Null
            }),
        ParamValue::String(s) => Value::String(s.clone()),
        ParamValue::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    path.push(Step::Index(i));
                    let json = to_json(item, path, non_finite);
                    path.pop();
                    json
                })
                .collect(),
        ),
        ParamValue::Table(entries) => Value::Object(
            entries
                .iter()
                .map(|(key, item)| {
                    path.push(Step::Key(key.get_ref().clone()));
                    let json = to_json(item, path, non_finite);
                    path.pop();
                    (key.get_ref().clone(), json)
                })
                .collect(),
        ),
    }
}

/// `instance` plus the `default` of every top-level property it lacks.
fn with_defaults(mut instance: Value, schema: &Value) -> Value {
    if let (Value::Object(params), Some(Value::Object(properties))) =
        (&mut instance, schema.get("properties"))
    {
        for (name, property) in properties {
            if let (false, Some(default)) = (params.contains_key(name), property.get("default")) {
                params.insert(name.clone(), default.clone());
            }
        }
    }
    instance
}

fn property_names(schema: &Value) -> Vec<String> {
    match schema.get("properties") {
        Some(Value::Object(properties)) => properties.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

fn property_description(schema: &Value, name: &str) -> Option<String> {
    let description = schema
        .get("properties")?
        .get(name)?
        .get("description")?
        .as_str()?;
    Some(description.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// What the schema keyword behind `kind` expects, in words a TOML author reads.
fn expectation(kind: &ValidationErrorKind) -> Option<String> {
    use ValidationErrorKind as K;
    let plural = |n: u64, one: &str, many: &str| {
        if n == 1 {
            one.to_owned()
        } else {
            many.to_owned()
        }
    };
    Some(match kind {
        K::Type { kind } => type_words(kind),
        K::Minimum { limit } => format!("a number >= {limit}"),
        K::Maximum { limit } => format!("a number <= {limit}"),
        K::ExclusiveMinimum { limit } => format!("a number > {limit}"),
        K::ExclusiveMaximum { limit } => format!("a number < {limit}"),
        K::MultipleOf { multiple_of } => format!("a multiple of {multiple_of}"),
        K::Enum { options } => one_of(options.as_array().map(Vec::as_slice).unwrap_or_default()),
        K::Constant { expected_value } => expected_value.to_string(),
        K::AnyOf { context } | K::OneOfNotValid { context } => alternatives(context),
        K::MinItems { limit } => format!("at least {limit} {}", plural(*limit, "item", "items")),
        K::MaxItems { limit } => format!("at most {limit} {}", plural(*limit, "item", "items")),
        K::MinLength { limit } => format!(
            "at least {limit} {}",
            plural(*limit, "character", "characters")
        ),
        K::MaxLength { limit } => format!(
            "at most {limit} {}",
            plural(*limit, "character", "characters")
        ),
        K::MinProperties { limit } => {
            format!("at least {limit} {}", plural(*limit, "entry", "entries"))
        }
        K::MaxProperties { limit } => {
            format!("at most {limit} {}", plural(*limit, "entry", "entries"))
        }
        K::Pattern { pattern } => format!("a string matching `{pattern}`"),
        K::UniqueItems => "items that are all different".to_owned(),
        K::FalseSchema => "no value at all (leave it out)".to_owned(),
        _ => return None,
    })
}

/// JSON type names as TOML words; `null` is left out (TOML cannot write it).
fn type_words(kind: &TypeKind) -> String {
    let names: Vec<String> = match kind {
        TypeKind::Single(t) => vec![t.to_string()],
        TypeKind::Multiple(set) => set.iter().map(|t| t.to_string()).collect(),
    };
    let words: Vec<&str> = names
        .iter()
        .filter_map(|name| match name.as_str() {
            "null" => None,
            "boolean" => Some("a boolean (true or false)"),
            "object" => Some("a table"),
            "array" => Some("an array"),
            "integer" => Some("an integer"),
            "number" => Some("a number"),
            "string" => Some("a string"),
            other => Some(other),
        })
        .collect();
    if words.is_empty() {
        "no value (leave it out)".to_owned()
    } else {
        words.join(" or ")
    }
}

fn one_of(values: &[Value]) -> String {
    let listed: Vec<String> = values
        .iter()
        .filter(|v| !v.is_null())
        .map(Value::to_string)
        .collect();
    format!("one of {}", listed.join(", "))
}

/// Lists the allowed values of an `anyOf`/`oneOf` whose branches are constants
/// or enumerations (how schemars writes Rust enums); otherwise counts them.
fn alternatives(branches: &[Vec<ValidationError<'static>>]) -> String {
    let mut values = Vec::new();
    for error in branches.iter().flatten() {
        match error.kind() {
            ValidationErrorKind::Constant { expected_value } => {
                values.push((**expected_value).clone())
            }
            ValidationErrorKind::Enum { options } => {
                values.extend(options.as_array().into_iter().flatten().cloned())
            }
            ValidationErrorKind::Type {
                kind: TypeKind::Single(t),
            } if t.to_string() == "null" => {}
            _ => {
                return format!(
                    "a value matching one of the {} forms the schema allows",
                    branches.len()
                )
            }
        }
    }
    one_of(&values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_text_joins_keys_with_dots_and_indexes_with_brackets() {
        let path = [
            Step::Key("optics".into()),
            Step::Key("lenses".into()),
            Step::Index(2),
        ];
        assert_eq!(path_text(&path), "optics.lenses[2]");
        assert_eq!(path_text(&[]), "");
    }

    #[test]
    fn missing_top_level_properties_take_their_schema_default() {
        let schema = serde_json::json!({"properties": {"a": {"default": 1}, "b": {"default": [2]}, "c": {}}});
        let effective = with_defaults(serde_json::json!({"a": 5}), &schema);
        assert_eq!(effective, serde_json::json!({"a": 5, "b": [2]}));
    }

    #[test]
    fn long_found_values_are_cut() {
        let long = "x".repeat(FOUND_MAX_CHARS + 5);
        assert_eq!(quote(&long), format!("{}...", "x".repeat(FOUND_MAX_CHARS)));
        assert_eq!(quote("20.0"), "20.0");
    }
}
