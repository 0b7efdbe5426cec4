//! Changes to a pipeline file given on the command line, so one file serves
//! many sessions: `--set STAGE.PARAM=VALUE` replaces (or adds) a stage
//! parameter, `--var NAME=VALUE` fills every `{NAME}` placeholder in the
//! file's strings (`file:` inputs, `output`, `store`, string parameters).
//!
//! They are applied to the text before it is checked, keeping everything else
//! of the file as written (comments, layout, line numbers), so the checks and
//! their located messages are those of any pipeline file; the text that runs,
//! with a closing comment naming the changes, is what the run file records.

use std::fmt;

use toml_edit::{DocumentMut, Formatted, Item, Value};

/// One `--set STAGE.PARAM=VALUE`.
#[derive(Debug, Clone)]
pub struct Set {
    /// The stage, then the parameter's path inside its `params` (nested tables).
    stage: String,
    param: Vec<String>,
    /// The value: TOML (`50`, `true`, `["LR", "RL"]`, `"text"`), or else the
    /// text itself as a string (`--set camera.camera=GV01`).
    value: Value,
    /// The argument as given.
    arg: String,
}

/// One `--var NAME=VALUE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Var {
    name: String,
    value: String,
}

/// Every change asked for on one command line.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--set` arguments, in order (a later one wins).
    pub sets: Vec<Set>,
    /// `--var` arguments.
    pub vars: Vec<Var>,
}

/// Why the command-line changes cannot be applied to a pipeline file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OverrideError {
    /// The file is not TOML at all (checking it says where).
    #[error("the file is not valid TOML, so `{arg}` cannot be applied")]
    NotToml {
        /// The first change that could not be applied.
        arg: String,
    },
    /// `--set` names a stage the file does not have.
    #[error("`--set {arg}`: the pipeline has no stage `{stage}` (its stages: {})", stages.join(", "))]
    UnknownStage {
        /// The argument.
        arg: String,
        /// The stage it names.
        stage: String,
        /// The stages the file has.
        stages: Vec<String>,
    },
    /// `--set` goes through something that is not a table.
    #[error("`--set {arg}`: `{key}` of stage `{stage}` is not a table of parameters")]
    NotATable {
        /// The argument.
        arg: String,
        /// The stage.
        stage: String,
        /// The key that is not a table.
        key: String,
    },
    /// A `--var` whose placeholder appears nowhere (a misspelt name).
    #[error("`--var {name}=…`: the pipeline has no `{{{name}}}` placeholder")]
    UnusedVar {
        /// The variable's name.
        name: String,
    },
    /// A placeholder that no `--var` fills.
    #[error("`{{{name}}}` in {place} has no value: pass `--var {name}=VALUE`")]
    MissingVar {
        /// The placeholder's name.
        name: String,
        /// Where it is (`[pipeline] output`, `[stages.maps] inputs`, ...).
        place: String,
    },
}

impl Set {
    /// Parses `STAGE.PARAM=VALUE` (`PARAM` may be a dotted path into nested tables).
    pub fn parse(arg: &str) -> Result<Set, String> {
        let (path, text) = arg
            .split_once('=')
            .ok_or_else(|| format!("`{arg}` is not STAGE.PARAM=VALUE"))?;
        let mut keys = path.trim().split('.').map(str::trim);
        let stage = keys.next().unwrap_or_default().to_owned();
        let param: Vec<String> = keys.map(str::to_owned).collect();
        if stage.is_empty() || param.is_empty() || param.iter().any(String::is_empty) {
            return Err(format!(
                "`{arg}` is not STAGE.PARAM=VALUE (e.g. `camera.frame_rate_hz=50`)"
            ));
        }
        let value = text
            .trim()
            .parse::<Value>()
            .unwrap_or_else(|_| Value::String(Formatted::new(text.trim().to_owned())));
        Ok(Set {
            stage,
            param,
            value,
            arg: arg.to_owned(),
        })
    }
}

impl fmt::Display for Set {
    /// The argument as given: `STAGE.PARAM=VALUE`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.arg)
    }
}

impl Var {
    /// Parses `NAME=VALUE`; a name is letters, digits, `_` and `-`.
    pub fn parse(arg: &str) -> Result<Var, String> {
        let (name, value) = arg
            .split_once('=')
            .ok_or_else(|| format!("`{arg}` is not NAME=VALUE (e.g. `session=m042`)"))?;
        if !is_name(name) {
            return Err(format!(
                "`{name}` is not a placeholder name (letters, digits, `_`, `-`)"
            ));
        }
        Ok(Var {
            name: name.to_owned(),
            value: value.to_owned(),
        })
    }
}

fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl Overrides {
    /// True when nothing is to change.
    pub fn is_empty(&self) -> bool {
        self.sets.is_empty() && self.vars.is_empty()
    }

    /// `text` with every change applied, or every reason they cannot be.
    /// Unchanged text when there is nothing to apply.
    pub fn apply(&self, text: &str) -> Result<String, Vec<OverrideError>> {
        let mut doc = match text.parse::<DocumentMut>() {
            Ok(doc) => doc,
            Err(_) if self.is_empty() => return Ok(text.to_owned()),
            Err(_) => {
                let arg = self.sets.first().map_or_else(
                    || format!("--var {}", self.vars[0].name),
                    |s| format!("--set {}", s.arg),
                );
                return Err(vec![OverrideError::NotToml { arg }]);
            }
        };
        let mut errors = Vec::new();
        for set in &self.sets {
            if let Err(e) = set_param(&mut doc, set) {
                errors.push(e);
            }
        }
        let mut used = vec![false; self.vars.len()];
        fill_placeholders(doc.as_item_mut(), "", &self.vars, &mut used, &mut errors);
        for (var, used) in self.vars.iter().zip(used) {
            if !used {
                errors.push(OverrideError::UnusedVar {
                    name: var.name.clone(),
                });
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        if self.is_empty() {
            return Ok(text.to_owned());
        }
        let mut out = doc.to_string();
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&format!("\n# changed on the command line: {self}\n"));
        Ok(out)
    }
}

impl fmt::Display for Overrides {
    /// The changes as command-line arguments: `--set a.b=1 --var session=m042`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sets = self.sets.iter().map(|s| format!("--set {}", s.arg));
        let vars = self
            .vars
            .iter()
            .map(|v| format!("--var {}={}", v.name, v.value));
        let args: Vec<String> = sets.chain(vars).collect();
        f.write_str(&args.join(" "))
    }
}

fn set_param(doc: &mut DocumentMut, set: &Set) -> Result<(), OverrideError> {
    let stages = doc
        .get("stages")
        .and_then(Item::as_table_like)
        .map(|t| t.iter().map(|(k, _)| k.to_owned()).collect::<Vec<_>>())
        .unwrap_or_default();
    let Some(stage) = doc
        .get_mut("stages")
        .and_then(Item::as_table_like_mut)
        .and_then(|t| t.get_mut(&set.stage))
        .and_then(Item::as_table_like_mut)
    else {
        return Err(OverrideError::UnknownStage {
            arg: set.arg.clone(),
            stage: set.stage.clone(),
            stages,
        });
    };
    let not_a_table = |key: &str| OverrideError::NotATable {
        arg: set.arg.clone(),
        stage: set.stage.clone(),
        key: key.to_owned(),
    };
    if stage.get("params").is_none() {
        stage.insert(
            "params",
            Item::Value(Value::InlineTable(Default::default())),
        );
    }
    let mut table = stage
        .get_mut("params")
        .and_then(Item::as_table_like_mut)
        .ok_or_else(|| not_a_table("params"))?;
    let (last, path) = set.param.split_last().expect("parse requires a parameter");
    for key in path {
        if table.get(key).is_none() {
            table.insert(key, Item::Value(Value::InlineTable(Default::default())));
        }
        table = table
            .get_mut(key)
            .and_then(Item::as_table_like_mut)
            .ok_or_else(|| not_a_table(key))?;
    }
    let mut value = set.value.clone();
    // Keep the spacing of the value replaced (`a = 1` stays `a = 50`, not `a =50`).
    if let Some(Item::Value(old)) = table.get(last) {
        *value.decor_mut() = old.decor().clone();
    } else {
        value.decor_mut().set_prefix(" ");
    }
    table.insert(last, Item::Value(value));
    Ok(())
}

/// Replaces `{NAME}` in every string under `item` by its `--var`, marking the
/// vars used; a placeholder without a var is an error naming where it is.
fn fill_placeholders(
    item: &mut Item,
    place: &str,
    vars: &[Var],
    used: &mut [bool],
    errors: &mut Vec<OverrideError>,
) {
    match item {
        Item::Value(value) => fill_value(value, place, vars, used, errors),
        Item::Table(table) => {
            for (key, child) in table.iter_mut() {
                let place = child_place(place, key.get(), child.is_table());
                fill_placeholders(child, &place, vars, used, errors);
            }
        }
        Item::ArrayOfTables(tables) => {
            for table in tables.iter_mut() {
                for (key, child) in table.iter_mut() {
                    let place = child_place(place, key.get(), child.is_table());
                    fill_placeholders(child, &place, vars, used, errors);
                }
            }
        }
        Item::None => {}
    }
}

fn fill_value(
    value: &mut Value,
    place: &str,
    vars: &[Var],
    used: &mut [bool],
    errors: &mut Vec<OverrideError>,
) {
    match value {
        Value::String(s) => {
            let mut text = s.value().clone();
            for (var, used) in vars.iter().zip(used.iter_mut()) {
                let placeholder = format!("{{{}}}", var.name);
                if text.contains(&placeholder) {
                    text = text.replace(&placeholder, &var.value);
                    *used = true;
                }
            }
            for name in placeholders(&text) {
                let missing = OverrideError::MissingVar {
                    name,
                    place: place.to_owned(),
                };
                // Said once per place, however many strings there have it.
                if !errors.contains(&missing) {
                    errors.push(missing);
                }
            }
            if text != *s.value() {
                let decor = s.decor().clone();
                *s = Formatted::new(text);
                *s.decor_mut() = decor;
            }
        }
        Value::Array(array) => {
            for element in array.iter_mut() {
                fill_value(element, place, vars, used, errors);
            }
        }
        Value::InlineTable(table) => {
            for (key, child) in table.iter_mut() {
                let place = child_place(place, key.get(), false);
                fill_value(child, &place, vars, used, errors);
            }
        }
        _ => {}
    }
}

/// How a message names a key: `[pipeline] output`, `[stages.maps] inputs`,
/// `[stages.camera] params.movie`.
fn child_place(parent: &str, key: &str, is_table: bool) -> String {
    match (parent, is_table) {
        ("", true) => format!("[{key}]"),
        ("", false) => format!("top-level `{key}`"),
        (p, true) if p.starts_with('[') && p.ends_with(']') => {
            format!("{}.{key}]", &p[..p.len() - 1])
        }
        (p, _) if p.ends_with(']') => format!("{p} {key}"),
        (p, _) => format!("{p}.{key}"),
    }
}

/// The names of the `{NAME}` placeholders left in `text`.
fn placeholders(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        rest = &rest[start + 1..];
        if let Some(end) = rest.find('}') {
            if is_name(&rest[..end]) {
                names.push(rest[..end].to_owned());
            }
        }
    }
    names
}

#[cfg(test)]
mod tests;
