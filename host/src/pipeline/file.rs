//! The pipeline file as written: TOML parsed with serde (`deny_unknown_fields`),
//! every value keeping its span so later checks can point at it.
//!
//! Each section (`[pipeline]`, `[session]`, every `[stages.NAME]`) is deserialised on its
//! own, so a mistake in one stage does not hide the mistakes in the others.

use std::fmt;
use std::ops::Range;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use toml::de::{DeTable, DeValue, ValueDeserializer};
use toml::Spanned;

use super::error::PipelineError;
use super::report::Problems;
use crate::session::Session;

/// What serde parsed from a pipeline file. Sections that failed to parse are
/// `None`; their problems are already recorded.
#[derive(Debug)]
pub struct PipelineFile {
    /// `[pipeline]`.
    pub header: Option<Header>,
    /// `[session]`, if written and valid.
    pub session: Option<Session>,
    /// `[stages.NAME]` tables, in the order written.
    pub stages: Vec<StageEntry>,
}

/// The `[pipeline]` table.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table with `name` and `output`")]
pub struct Header {
    /// Name of the pipeline, recorded in its output.
    pub name: Spanned<String>,
    /// The HDF5 file to write, relative to the working directory.
    pub output: Spanned<String>,
    /// The content-addressed store directory, relative to the working directory.
    pub store: Option<Spanned<String>>,
}

/// One `[stages.NAME]` table.
#[derive(Debug)]
pub struct StageEntry {
    /// The stage id (the table's key).
    pub id: Spanned<String>,
    /// Span of the table: its `[stages.NAME]` header, or the inline table.
    pub span: Range<usize>,
    /// Its body, `None` if it did not parse.
    pub table: Option<StageTable>,
}

/// The body of a stage table.
#[derive(Debug, serde::Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a stage table with `plugin = \"NAME\"`"
)]
pub struct StageTable {
    /// The plugin name.
    pub plugin: Spanned<String>,
    /// `stage.port` or `file:PATH#/dataset` references, in order.
    pub inputs: Option<Spanned<Vec<Spanned<String>>>>,
    /// The plugin's parameters.
    pub params: Option<Spanned<ParamValue>>,
}

/// A parameter value as written, each part with its span.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    /// `true` / `false`.
    Boolean(bool),
    /// A TOML integer.
    Integer(i64),
    /// A TOML float (may be `nan` or `inf`, which JSON cannot carry).
    Float(f64),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Spanned<ParamValue>>),
    /// A table, entries in the order written.
    Table(Vec<(Spanned<String>, Spanned<ParamValue>)>),
}

impl ParamValue {
    /// The entry `key` of a table.
    pub fn entry(&self, key: &str) -> Option<&(Spanned<String>, Spanned<ParamValue>)> {
        match self {
            ParamValue::Table(entries) => entries.iter().find(|(k, _)| k.get_ref() == key),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for ParamValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ParamVisitor)
    }
}

struct ParamVisitor;

impl<'de> Visitor<'de> for ParamVisitor {
    type Value = ParamValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a TOML value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<ParamValue, E> {
        Ok(ParamValue::Boolean(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<ParamValue, E> {
        Ok(ParamValue::Integer(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<ParamValue, E> {
        i64::try_from(v)
            .map(ParamValue::Integer)
            .map_err(|_| E::custom("integer too large"))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<ParamValue, E> {
        Ok(ParamValue::Float(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<ParamValue, E> {
        Ok(ParamValue::String(v.to_owned()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ParamValue, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(ParamValue::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ParamValue, A::Error> {
        let mut entries = Vec::new();
        // The toml crate hands a date or time over as a map with one private
        // key, whose plain-string key fails to deserialise as a spanned key.
        let not_a_date = |e: A::Error| {
            if e.to_string().contains("datetime") {
                de::Error::custom("a date or time cannot be a parameter: write it as a string")
            } else {
                e
            }
        };
        while let Some(key) = map.next_key::<Spanned<String>>().map_err(not_a_date)? {
            entries.push((key, map.next_value()?));
        }
        Ok(ParamValue::Table(entries))
    }
}

const TOP_LEVEL: &str = "the top level";
const TOP_LEVEL_KEYS: [&str; 3] = ["pipeline", "session", "stages"];

impl PipelineFile {
    /// Parses `problems.text()`, recording every problem. `None` on a TOML
    /// syntax error, after which nothing else can be checked.
    pub(crate) fn parse(problems: &mut Problems<'_>) -> Option<PipelineFile> {
        let root = match DeTable::parse(problems.text()) {
            Ok(root) => root.into_inner(),
            Err(e) => {
                let message = e.message().trim().to_owned();
                problems.at(e.span().unwrap_or(0..0), PipelineError::Syntax { message });
                return None;
            }
        };
        let mut file = PipelineFile {
            header: None,
            session: None,
            stages: Vec::new(),
        };
        let mut saw_header = false;
        for (key, value) in &root {
            match key.get_ref().as_ref() {
                "pipeline" => {
                    saw_header = true;
                    file.header = section(value, "[pipeline]", problems);
                }
                "session" => file.session = section(value, "[session]", problems),
                "stages" => file.stages = stage_entries(value, problems),
                other => problems.at(
                    key.span(),
                    PipelineError::UnknownKey {
                        table: TOP_LEVEL.to_owned(),
                        key: other.to_owned(),
                        allowed: TOP_LEVEL_KEYS.map(str::to_owned).to_vec(),
                    },
                ),
            }
        }
        if !saw_header {
            problems.unlocated(PipelineError::MissingKey {
                table: TOP_LEVEL.to_owned(),
                key: "pipeline".to_owned(),
            });
        }
        Some(file)
    }
}

fn stage_entries(value: &Spanned<DeValue<'_>>, problems: &mut Problems<'_>) -> Vec<StageEntry> {
    let Some(table) = value.get_ref().as_table() else {
        problems.at(
            value.span(),
            PipelineError::InvalidValue {
                table: TOP_LEVEL.to_owned(),
                message: "`stages` must be a table with one `[stages.NAME]` table per stage"
                    .to_owned(),
            },
        );
        return Vec::new();
    };
    let mut stages: Vec<StageEntry> = table
        .iter()
        .map(|(id, body)| StageEntry {
            id: Spanned::new(id.span(), id.get_ref().to_string()),
            span: body.span(),
            table: section(body, &format!("[stages.{}]", id.get_ref()), problems),
        })
        .collect();
    stages.sort_by_key(|s| s.id.span().start);
    stages
}

/// Deserialises one section, recording its first problem (serde stops there).
fn section<T: for<'de> Deserialize<'de>>(
    value: &Spanned<DeValue<'_>>,
    table: &str,
    problems: &mut Problems<'_>,
) -> Option<T> {
    match T::deserialize(ValueDeserializer::from(value.clone())) {
        Ok(parsed) => Some(parsed),
        Err(e) => {
            problems.at(
                e.span().unwrap_or_else(|| value.span()),
                classify(table, e.message()),
            );
            None
        }
    }
}

/// Turns serde's message into a typed error. serde words these two cases as
/// "unknown field `x`, expected one of `a`, `b`" and "missing field `x`".
fn classify(table: &str, message: &str) -> PipelineError {
    let table = table.to_owned();
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let mut names = backticked(rest).into_iter();
        let key = names.next().unwrap_or_default();
        return PipelineError::UnknownKey {
            table,
            key,
            allowed: names.collect(),
        };
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        let key = backticked(rest).into_iter().next().unwrap_or_default();
        return PipelineError::MissingKey { table, key };
    }
    PipelineError::InvalidValue {
        table,
        message: message.trim().to_owned(),
    }
}

fn backticked(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Option<PipelineFile>, Vec<super::super::report::Located>) {
        let mut problems = Problems::new(text);
        let file = PipelineFile::parse(&mut problems);
        (file, problems.into_vec())
    }

    #[test]
    fn stages_keep_the_order_written() {
        let (file, problems) = parse(
            "[pipeline]\nname = \"n\"\noutput = \"o.h5\"\n[stages.zeta]\nplugin = \"p\"\n[stages.alpha]\nplugin = \"q\"\n",
        );
        assert!(problems.is_empty());
        let ids: Vec<_> = file
            .unwrap()
            .stages
            .iter()
            .map(|s| s.id.get_ref().clone())
            .collect();
        assert_eq!(ids, ["zeta", "alpha"]);
    }

    #[test]
    fn params_keep_the_span_of_every_value() {
        let text = "[pipeline]\nname = \"n\"\noutput = \"o\"\n[stages.s]\nplugin = \"p\"\nparams = { w = 2.5, d = [\"LR\", \"RL\"] }\n";
        let (file, _) = parse(text);
        let file = file.unwrap();
        let params = file.stages[0]
            .table
            .as_ref()
            .unwrap()
            .params
            .as_ref()
            .unwrap();
        let (key, w) = params.get_ref().entry("w").unwrap();
        assert_eq!(&text[key.span()], "w");
        assert_eq!(&text[w.span()], "2.5");
        assert_eq!(w.get_ref(), &ParamValue::Float(2.5));
        let (_, d) = params.get_ref().entry("d").unwrap();
        let ParamValue::Array(items) = d.get_ref() else {
            panic!("not an array")
        };
        assert_eq!(&text[items[1].span()], "\"RL\"");
    }

    #[test]
    fn every_stage_reports_its_own_unknown_key() {
        let (file, problems) = parse(
            "[pipeline]\nname = \"n\"\noutput = \"o\"\n[stages.a]\nplugin = \"p\"\ncolour = 1\n[stages.b]\nplugin = \"p\"\nsize = 2\n",
        );
        let keys: Vec<_> = problems
            .iter()
            .map(|p| match &p.error {
                PipelineError::UnknownKey {
                    key,
                    table,
                    allowed,
                } => {
                    assert_eq!(allowed, &["plugin", "inputs", "params"]);
                    (
                        table.clone(),
                        key.clone(),
                        p.location.as_ref().unwrap().line,
                    )
                }
                other => panic!("unexpected {other}"),
            })
            .collect();
        assert_eq!(
            keys,
            [
                ("[stages.a]".to_owned(), "colour".to_owned(), 6),
                ("[stages.b]".to_owned(), "size".to_owned(), 9)
            ]
        );
        assert!(file.unwrap().stages.iter().all(|s| s.table.is_none()));
    }

    #[test]
    fn a_missing_plugin_key_points_at_the_stage_header() {
        let (_, problems) =
            parse("[pipeline]\nname = \"n\"\noutput = \"o\"\n[stages.a]\ninputs = []\n");
        assert_eq!(problems.len(), 1);
        assert!(
            matches!(&problems[0].error, PipelineError::MissingKey { key, .. } if key == "plugin")
        );
        let at = problems[0].location.as_ref().unwrap();
        assert_eq!((at.line, at.column), (4, 1));
    }

    #[test]
    fn a_wrong_type_names_what_was_expected() {
        let (_, problems) = parse("[pipeline]\nname = \"n\"\noutput = 5\n");
        assert_eq!(
            problems[0].error.to_string(),
            "[pipeline]: invalid type: integer `5`, expected a string"
        );
        let at = problems[0].location.as_ref().unwrap();
        assert_eq!((at.line, at.column), (3, 10));
    }

    #[test]
    fn a_stage_that_is_not_a_table_says_what_a_stage_is() {
        let (_, problems) = parse("[pipeline]\nname = \"n\"\noutput = \"o\"\n[stages]\ns = 3\n");
        assert_eq!(
            problems[0].error.to_string(),
            "[stages.s]: invalid type: integer `3`, expected a stage table with `plugin = \"NAME\"`"
        );
    }

    #[test]
    fn a_date_as_a_parameter_is_refused_where_it_is_written() {
        let text = "[pipeline]\nname = \"n\"\noutput = \"o\"\n[stages.s]\nplugin = \"p\"\nparams = { when = 1979-05-27 }\n";
        let (_, problems) = parse(text);
        assert_eq!(
            problems[0].error.to_string(),
            "[stages.s]: a date or time cannot be a parameter: write it as a string"
        );
        let at = problems[0].location.as_ref().unwrap();
        assert_eq!((at.line, at.column), (6, 19));
    }

    /// The one problem of a `[session]` table with body `body`: its message and line:column.
    fn session_problem(body: &str) -> (String, Option<String>, (usize, usize)) {
        let text = format!("[pipeline]\nname = \"n\"\noutput = \"o\"\n[session]\n{body}\n");
        let (file, problems) = parse(&text);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(file.unwrap().session.is_none());
        let at = problems[0].location.as_ref().unwrap();
        (
            problems[0].error.to_string(),
            problems[0].error.hint(),
            (at.line, at.column),
        )
    }

    #[test]
    fn a_sex_that_is_not_an_nwb_code_is_refused_at_its_value() {
        assert_eq!(
            session_problem("subject_id = \"m1\"\nsex = \"male\""),
            (
                "[session]: `sex` must be one of `M`, `F`, `U`, `O` (NWB's codes for male, female, unknown, other), \
                 found `male`"
                    .to_owned(),
                None,
                (6, 7)
            )
        );
    }

    #[test]
    fn a_negative_scale_is_refused_at_its_value() {
        assert_eq!(
            session_problem("um_per_pixel = -3"),
            (
                "[session]: `um_per_pixel` must be a number of µm > 0, found -3".to_owned(),
                None,
                (5, 16)
            )
        );
    }

    #[test]
    fn an_unknown_session_key_is_refused_with_the_closest_one() {
        let (message, hint, at) = session_problem("sx = \"F\"");
        assert_eq!(message, "unknown key `sx` in [session]");
        assert_eq!(
            hint.unwrap(),
            "did you mean `sex`? allowed keys here: subject_id, species, strain, genotype, sex, age, \
             date_of_birth, weight_g, experimenters, lab, institution, description, hemisphere, orientation, \
             um_per_pixel, objective, binning, notes, keywords"
        );
        assert_eq!(at, (5, 1));
    }

    #[test]
    fn a_session_table_is_parsed_with_the_pipeline() {
        let (file, problems) = parse(
            "[pipeline]\nname = \"n\"\noutput = \"o\"\n[session]\nsubject_id = \"m1\"\nhemisphere = \"right\"\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        let session = file.unwrap().session.unwrap();
        assert_eq!(session.subject_id.as_deref(), Some("m1"));
        assert_eq!(session.hemisphere, Some(crate::session::Hemisphere::Right));
    }

    #[test]
    fn a_syntax_error_stops_parsing_with_its_location() {
        let (file, problems) = parse("[pipeline\nname = \"n\"\n");
        assert!(file.is_none());
        assert_eq!(
            problems[0].error.to_string(),
            "TOML syntax error: unclosed table, expected `]`"
        );
        let at = problems[0].location.as_ref().unwrap();
        assert_eq!((at.line, at.column), (1, 10));
    }

    #[test]
    fn an_unknown_top_level_key_and_a_missing_pipeline_table_are_both_reported() {
        let (_, problems) = parse("pipelines = 1\n");
        let messages: Vec<_> = problems.iter().map(|p| p.error.to_string()).collect();
        assert_eq!(
            messages,
            [
                "missing key `pipeline` in the top level",
                "unknown key `pipelines` in the top level"
            ]
        );
    }
}
