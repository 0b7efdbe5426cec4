//! Locating problems in the pipeline file and reporting them all at once:
//! `FILE:LINE:COLUMN: error: MESSAGE`, the offending line with carets, a hint.

use std::fmt;
use std::ops::Range;
use std::path::PathBuf;

use super::error::PipelineError;

/// A place in the pipeline file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The byte range in the file's text.
    pub bytes: Range<usize>,
}

impl Location {
    /// The location of byte range `bytes` of `text`.
    pub fn in_text(text: &str, bytes: Range<usize>) -> Location {
        let start = floor_char_boundary(text, bytes.start);
        let before = &text[..start];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Location {
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
            bytes,
        }
    }
}

fn floor_char_boundary(text: &str, index: usize) -> usize {
    let mut index = index.min(text.len());
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// One problem and where it is.
#[derive(Debug)]
pub struct Located {
    /// The problem.
    pub error: PipelineError,
    /// Where, if TOML gave a span.
    pub location: Option<Location>,
}

/// Every problem found in one pipeline file. `Display` prints each as
/// `FILE:LINE:COLUMN: error: MESSAGE`, the offending line with carets, and a hint.
#[derive(Debug)]
pub struct ValidationErrors {
    /// The pipeline file, as given.
    pub file: PathBuf,
    /// The problems, in the order found.
    pub errors: Vec<Located>,
    text: String,
}

impl ValidationErrors {
    /// A report of `errors` found in `file`, whose text is `text`.
    pub fn new(file: PathBuf, text: String, errors: Vec<Located>) -> Self {
        ValidationErrors { file, errors, text }
    }
}

impl std::error::Error for ValidationErrors {}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for located in &self.errors {
            match &located.location {
                Some(at) => {
                    writeln!(
                        f,
                        "{}:{}:{}: error: {}",
                        self.file.display(),
                        at.line,
                        at.column,
                        located.error
                    )?;
                    write_snippet(f, &self.text, at)?;
                }
                None => writeln!(f, "{}: error: {}", self.file.display(), located.error)?,
            }
            if let Some(hint) = located.error.hint() {
                writeln!(f, "  help: {hint}")?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

/// The line of `at` with carets under the located text (first line only).
fn write_snippet(f: &mut fmt::Formatter<'_>, text: &str, at: &Location) -> fmt::Result {
    let Some(line) = text.lines().nth(at.line - 1) else {
        return Ok(());
    };
    let before: String = line
        .chars()
        .take(at.column - 1)
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let located = text
        .get(at.bytes.clone())
        .unwrap_or("")
        .lines()
        .next()
        .unwrap_or("");
    let carets = located.chars().count().max(1);
    let number = at.line.to_string();
    let gutter = " ".repeat(number.len());
    writeln!(f, " {number} | {line}")?;
    writeln!(f, " {gutter} | {before}{}", "^".repeat(carets))
}

/// Collects problems while a file is checked, locating each span in the text.
pub(crate) struct Problems<'t> {
    text: &'t str,
    list: Vec<Located>,
}

impl<'t> Problems<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        Problems {
            text,
            list: Vec::new(),
        }
    }

    /// Records `error` at byte range `span` of the text.
    pub(crate) fn at(&mut self, span: Range<usize>, error: PipelineError) {
        let location = Some(Location::in_text(self.text, span));
        self.list.push(Located { error, location });
    }

    /// Records `error` with no location.
    pub(crate) fn unlocated(&mut self, error: PipelineError) {
        self.list.push(Located {
            error,
            location: None,
        });
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The text being checked.
    pub(crate) fn text(&self) -> &'t str {
        self.text
    }

    /// The problems in file order (unlocated ones first), so a report reads
    /// top to bottom like the file.
    pub(crate) fn into_vec(mut self) -> Vec<Located> {
        self.list
            .sort_by_key(|p| p.location.as_ref().map(|at| (at.bytes.start, at.bytes.end)));
        self.list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_counts_lines_and_characters_from_one() {
        let text = "a = 1\nbé = \"x\"\n";
        // byte 10 is the `=` on line 2, after `b`, the two-byte `é` and a space
        assert_eq!(
            Location::in_text(text, 10..11),
            Location {
                line: 2,
                column: 4,
                bytes: 10..11
            }
        );
        assert_eq!(Location::in_text(text, 0..1).line, 1);
        assert_eq!(Location::in_text(text, 0..1).column, 1);
    }

    #[test]
    fn report_shows_file_line_column_the_line_and_carets() {
        let text = "[stages.a]\nplugin = \"nope\"\n".to_owned();
        let mut problems = Problems::new(&text);
        problems.at(
            20..26,
            PipelineError::MissingKey {
                table: "[stages.a]".into(),
                key: "x".into(),
            },
        );
        let report = ValidationErrors::new("p.toml".into(), text.clone(), problems.into_vec());
        assert_eq!(
            report.to_string(),
            "p.toml:2:10: error: missing key `x` in [stages.a]\n \
             2 | plugin = \"nope\"\n   \
               |          ^^^^^^\n  \
             help: add `x = ...`\n\n"
        );
    }

    #[test]
    fn unlocated_error_shows_the_file_only() {
        let report = ValidationErrors::new(
            "p.toml".into(),
            String::new(),
            vec![Located {
                error: PipelineError::NoStages,
                location: None,
            }],
        );
        assert!(report
            .to_string()
            .starts_with("p.toml: error: the pipeline has no stages\n"));
    }
}
