//! `macroscope inspect PLUGIN`: what a plugin is, its parameters (from its JSON
//! Schema: type, default, doc) and, when it has no inputs to wait for, its outputs.

use std::fmt::Write as _;
use std::process::ExitCode;

use macroscope_plugin_api::PortSpec;
use serde_json::Value;

use crate::registry::{Origin, RegisteredPlugin, SearchPath};

/// Arguments of this command.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The plugin's name (see `macroscope plugins`).
    pub plugin: String,
}

/// Runs the command.
pub fn run(args: Args, search: &SearchPath) -> anyhow::Result<ExitCode> {
    let registry = super::load_registry(search)?;
    let plugin = registry.lookup(&args.plugin)?;
    print!("{}", describe(plugin));
    Ok(ExitCode::SUCCESS)
}

fn describe(plugin: &RegisteredPlugin) -> String {
    let d = &plugin.handle;
    let mut text = format!(
        "{} {} ({} plugin, {})\n",
        d.name(),
        d.version(),
        d.kind(),
        if d.deterministic() {
            "deterministic"
        } else {
            "not deterministic"
        }
    );
    match &plugin.origin {
        Origin::Builtin => text.push_str("origin: builtin\n"),
        Origin::Library { path, sha256 } => {
            let _ = writeln!(text, "origin: {} (sha256 {sha256})", path.display());
        }
    }
    let _ = writeln!(
        text,
        "authors: {}\n\n{}\n",
        d.authors().join(", "),
        d.description()
    );
    text.push_str(&parameters(d.params_schema()));
    text.push('\n');
    text.push_str(&inputs(plugin));
    text.push('\n');
    text.push_str(&outputs(plugin));
    text
}

/// The parameters section, read from the JSON Schema.
fn parameters(schema_text: &str) -> String {
    let schema: Value = match serde_json::from_str(schema_text) {
        Ok(schema) => schema,
        Err(e) => return format!("parameters: the plugin's schema is not JSON ({e})\n"),
    };
    let Some(properties) = schema["properties"].as_object().filter(|p| !p.is_empty()) else {
        return "parameters: none\n".to_owned();
    };
    let required: Vec<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut text = "parameters:\n".to_owned();
    for (name, written) in properties {
        // A parameter of a named type (`$ref`) says what it is for in its own
        // `default` and `description`; its type's are the fallback.
        let property = resolve(&schema, written);
        let mut line = format!("  {name}: {}", type_of(&schema, property));
        if let Some(default) = written.get("default").or(property.get("default")) {
            let _ = write!(line, ", default {default}");
        } else if required.contains(&name.as_str()) {
            line.push_str(", required");
        }
        let _ = writeln!(text, "{line}");
        if let Some(doc) = written["description"]
            .as_str()
            .or(property["description"].as_str())
        {
            for doc_line in doc.lines() {
                let _ = writeln!(text, "      {doc_line}");
            }
        }
    }
    text
}

/// Follows a local `$ref` (`#/$defs/Name`); other values come back unchanged.
fn resolve<'a>(schema: &'a Value, property: &'a Value) -> &'a Value {
    match property["$ref"].as_str().and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => schema.pointer(pointer).unwrap_or(property),
        None => property,
    }
}

/// A short human type: `number (>= 0)`, `integer | null`, `one of "LR", "RL"`, `array of string`.
fn type_of(schema: &Value, property: &Value) -> String {
    let property = resolve(schema, property);
    let mut text = if let Some(choices) = property["enum"].as_array() {
        let choices: Vec<String> = choices.iter().map(Value::to_string).collect();
        format!("one of {}", choices.join(", "))
    } else if let Some(variants) = property["anyOf"]
        .as_array()
        .or(property["oneOf"].as_array())
    {
        let variants: Vec<String> = variants.iter().map(|v| type_of(schema, v)).collect();
        variants.join(" | ")
    } else {
        let names: Vec<&str> = match &property["type"] {
            Value::String(name) => vec![name.as_str()],
            Value::Array(names) => names.iter().filter_map(Value::as_str).collect(),
            _ => vec!["any"],
        };
        names
            .iter()
            .map(|&name| match (name, property.get("items")) {
                ("array", Some(items)) => format!("array of {}", type_of(schema, items)),
                _ => name.to_owned(),
            })
            .collect::<Vec<_>>()
            .join(" | ")
    };
    let bounds: Vec<String> = [
        ("minimum", ">="),
        ("exclusiveMinimum", ">"),
        ("maximum", "<="),
        ("exclusiveMaximum", "<"),
    ]
    .iter()
    .filter_map(|(key, op)| property.get(*key).map(|v| format!("{op} {v}")))
    .collect();
    if !bounds.is_empty() {
        let _ = write!(text, " ({})", bounds.join(", "));
    }
    text
}

/// The inputs the plugin declares, in order.
fn inputs(plugin: &RegisteredPlugin) -> String {
    match plugin.handle.inputs() {
        None => "inputs: not declared (the plugin checks what it is given)\n".to_owned(),
        Some([]) => "inputs: none (a source)\n".to_owned(),
        Some(inputs) => {
            let mut text = "inputs (in the order they are wired):\n".to_owned();
            for input in inputs {
                let _ = write!(text, "  {}: {}", input.name, input.describe());
                if input.optional {
                    text.push_str(" (optional)");
                }
                if !input.description.is_empty() {
                    let _ = write!(text, " - {}", input.description);
                }
                text.push('\n');
            }
            text
        }
    }
}

/// The outputs with default parameters and no inputs, or why they depend on
/// inputs. Only the pure `outputs` entry point is called: nothing is started.
fn outputs(plugin: &RegisteredPlugin) -> String {
    match plugin.handle.outputs(&serde_json::json!({}), &[]) {
        Ok(ports) => {
            let mut text = "outputs (with default parameters):\n".to_owned();
            for port in &ports {
                text.push_str(&port_lines(port));
            }
            text
        }
        Err(reason) => format!(
            "outputs: depend on the inputs and parameters (with default parameters and no inputs, \
             the plugin says: {reason})\n"
        ),
    }
}

fn port_lines(port: &PortSpec) -> String {
    let mut text = format!(
        "  {}: {} of {} {:?}",
        port.name,
        port.kind,
        port.element,
        port.shape.as_slice()
    );
    if !port.unit.is_empty() {
        let _ = write!(text, " in {}", port.unit);
    }
    if !port.description.is_empty() {
        let _ = write!(text, " - {}", port.description);
    }
    text.push('\n');
    for column in port.columns.iter() {
        let _ = write!(text, "      column {}: {}", column.name, column.element);
        if !column.unit.is_empty() {
            let _ = write!(text, " in {}", column.unit);
        }
        if !column.description.is_empty() {
            let _ = write!(text, " - {}", column.description);
        }
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn parameters_show_type_bounds_default_and_doc() {
        let schema = json!({
            "type": "object",
            "properties": {
                "gain": {"type": "number", "minimum": 0.0, "default": 1.5, "description": "Scale factor."},
                "mode": {"$ref": "#/$defs/Mode"},
                "names": {"type": "array", "items": {"type": "string"}}
            },
            "required": ["mode"],
            "$defs": {"Mode": {"enum": ["fast", "slow"], "description": "How hard to try."}}
        });
        assert_eq!(
            parameters(&schema.to_string()),
            "parameters:\n\
             \x20 gain: number (>= 0.0), default 1.5\n\
             \x20     Scale factor.\n\
             \x20 mode: one of \"fast\", \"slow\", required\n\
             \x20     How hard to try.\n\
             \x20 names: array of string\n"
        );
    }

    #[test]
    fn a_parameter_of_a_named_type_shows_its_own_doc_and_default_before_its_types() {
        let schema = json!({
            "type": "object",
            "properties": {
                "travel": {"$ref": "#/$defs/PerAxis", "description": "How far it goes.", "default": {}},
            },
            "$defs": {"PerAxis": {"type": "object", "description": "A number per axis."}}
        });
        assert_eq!(
            parameters(&schema.to_string()),
            "parameters:\n\
             \x20 travel: object, default {}\n\
             \x20     How far it goes.\n"
        );
    }

    #[derive(serde::Deserialize, macroscope_plugin_api::schemars::JsonSchema)]
    #[schemars(crate = "macroscope_plugin_api::schemars")]
    struct NoParams {}

    /// A source whose ports are known without inputs.
    struct Ticks;

    impl macroscope_plugin_api::Plugin for Ticks {
        type Params = NoParams;
        const INFO: macroscope_plugin_api::PluginInfo = macroscope_plugin_api::PluginInfo {
            name: "ticks",
            version: "1.0.0",
            kind: macroscope_plugin_api::PluginKind::STIMULUS,
            description: "Ticks.",
            authors: &["Test"],
            deterministic: true,
        };
        fn outputs(
            _: &NoParams,
            _: &[macroscope_plugin_api::InputPort],
        ) -> Result<Vec<PortSpec>, macroscope_plugin_api::PluginError> {
            use macroscope_plugin_api::{ColumnSpec, ElementType};
            let port = PortSpec::stream("tick", ElementType::F64, &[])
                .with_unit("s")
                .with_description("time of the tick")
                .with_column(ColumnSpec::new(
                    "index",
                    ElementType::I64,
                    "",
                    "tick number",
                ));
            Ok(vec![port])
        }
        fn start(
            _: NoParams,
            _: &[macroscope_plugin_api::InputPort],
        ) -> Result<Self, macroscope_plugin_api::PluginError> {
            panic!("inspect never starts a stage")
        }
    }

    #[test]
    fn a_plugin_that_configures_without_inputs_lists_its_outputs() {
        let plugin = RegisteredPlugin {
            handle: macroscope_plugin_api::PluginHandle::of::<Ticks>(),
            origin: Origin::Builtin,
        };
        assert_eq!(
            outputs(&plugin),
            "outputs (with default parameters):\n\
             \x20 tick: stream of f64 [] in s - time of the tick\n\
             \x20     column index: i64 - tick number\n"
        );
    }

    #[test]
    fn an_optional_integer_reads_as_a_union_with_null() {
        let schema = json!({"type": ["integer", "null"], "minimum": 0});
        assert_eq!(type_of(&json!({}), &schema), "integer | null (>= 0)");
    }
}
