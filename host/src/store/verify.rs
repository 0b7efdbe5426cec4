//! `verify`: recompute every content hash of a file and compare it with the
//! recorded one.

use std::path::{Path, PathBuf};

use super::attribute_hash::attributes_sha256;
use super::attributes::get_str;
use super::content::{all_datasets, content_sha256};
use super::entries::OUTPUT_GROUP;
use super::error::StoreError;
use super::hashing::sha256_hex;
use super::layout::{self, dataset as attr, root};
use super::open;

/// What checking one dataset found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The recomputed hash equals the recorded one.
    Intact,
    /// The data changed since its hash was recorded.
    Mismatch {
        /// The recorded hash.
        expected: String,
        /// The recomputed hash.
        actual: String,
    },
    /// No hash was recorded (a file that was never finalised).
    NoHash,
    /// The data cannot be read back (e.g. a corrupted compressed chunk).
    Unreadable(String),
}

/// One dataset's (or hashed root attribute's) check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// Dataset path (or `/ (attribute NAME)` for a hashed root attribute).
    pub dataset: String,
    /// What was found.
    pub outcome: Outcome,
}

/// Every dataset's check.
#[derive(Debug, Clone)]
pub struct Report {
    /// The file.
    pub file: PathBuf,
    /// Checks in path order.
    pub checks: Vec<Check>,
}

impl Report {
    /// True if every dataset is intact.
    pub fn all_intact(&self) -> bool {
        self.checks.iter().all(|c| c.outcome == Outcome::Intact)
    }
}

/// Recomputes every dataset's content hash. Fails only if the file cannot be
/// opened or is not a macroscope file this host can read.
pub fn verify_file(path: &Path) -> Result<Report, StoreError> {
    let file = open::open_read(path)?;
    let format = get_str(&file, root::FORMAT)
        .ok_or_else(|| StoreError::format(path, "no `format` attribute: not a macroscope file"))?;
    match layout::format_major(&format) {
        Some(major) if major <= layout::FORMAT_MAJOR => {}
        Some(_) => {
            return Err(StoreError::format(
                path,
                format!(
                    "written in format `{format}`, newer than this host's `{}`: upgrade macroscope",
                    layout::FORMAT
                ),
            ))
        }
        None => {
            return Err(StoreError::format(
                path,
                format!("format `{format}` is not a macroscope format"),
            ))
        }
    }
    // Root texts stored with their hash: the pipeline file, a store entry's key.
    let root_texts = [
        (root::PIPELINE_TOML, root::PIPELINE_SHA256),
        (root::STORE_KEY_JSON, root::STORE_KEY),
    ];
    let mut checks: Vec<Check> = root_texts
        .into_iter()
        .filter_map(|(text, hash)| {
            let (text, expected) = (get_str(&file, text)?, get_str(&file, hash)?);
            let actual = sha256_hex(text.as_bytes());
            let outcome = if actual == expected {
                Outcome::Intact
            } else {
                Outcome::Mismatch { expected, actual }
            };
            Some(Check {
                dataset: format!("/ (attribute {hash})"),
                outcome,
            })
        })
        .collect();
    // A store entry's provenance, covered by `attributes_sha256`.
    if let Some(expected) = get_str(&file, root::ATTRIBUTES_SHA256) {
        let outcome = match file.group(OUTPUT_GROUP).and_then(|g| attributes_sha256(&g)) {
            Ok(actual) if actual == expected => Outcome::Intact,
            Ok(actual) => Outcome::Mismatch { expected, actual },
            Err(e) => Outcome::Unreadable(e.to_string()),
        };
        checks.push(Check {
            dataset: format!("{OUTPUT_GROUP} (attribute {})", root::ATTRIBUTES_SHA256),
            outcome,
        });
    }
    let datasets =
        all_datasets(&file).map_err(|e| StoreError::hdf5(path, "listing datasets", e))?;
    checks.extend(datasets.iter().map(|dataset| {
        let outcome = match get_str(dataset, attr::CONTENT_SHA256).filter(|h| !h.is_empty()) {
            None => Outcome::NoHash,
            Some(expected) => match content_sha256(dataset) {
                Ok(actual) if actual == expected => Outcome::Intact,
                Ok(actual) => Outcome::Mismatch { expected, actual },
                Err(e) => Outcome::Unreadable(e.to_string()),
            },
        };
        Check {
            dataset: dataset.name(),
            outcome,
        }
    }));
    Ok(Report {
        file: path.to_owned(),
        checks,
    })
}
