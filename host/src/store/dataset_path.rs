//! Dataset paths in `file:` inputs may use `*` for one path segment (usually
//! the run id, which differs in every file): it must match exactly one dataset.

use std::path::Path;

use hdf5::File;

use super::error::StoreError;

/// The one dataset path in `h5` matching `pattern` (`/acquisitions/*/camera/frames`).
pub(crate) fn resolve(h5: &File, file: &Path, pattern: &str) -> Result<String, StoreError> {
    if !pattern.split('/').any(|segment| segment == "*") {
        return Ok(pattern.to_owned());
    }
    let mut candidates = vec![String::new()];
    for segment in pattern.split('/').filter(|s| !s.is_empty()) {
        candidates = if segment == "*" {
            candidates
                .iter()
                .flat_map(|parent| {
                    let group = if parent.is_empty() {
                        "/"
                    } else {
                        parent.as_str()
                    };
                    h5.group(group)
                        .and_then(|g| g.member_names())
                        .unwrap_or_default()
                        .into_iter()
                        .map(move |name| format!("{parent}/{name}"))
                })
                .collect()
        } else {
            candidates
                .into_iter()
                .map(|parent| format!("{parent}/{segment}"))
                .collect()
        };
    }
    let mut matches: Vec<String> = candidates
        .into_iter()
        .filter(|path| h5.dataset(path).is_ok())
        .collect();
    match matches.len() {
        1 => Ok(matches.remove(0)),
        0 => Err(StoreError::format(
            file,
            format!("no dataset matches {pattern}"),
        )),
        _ => Err(StoreError::format(
            file,
            format!(
                "{pattern} matches {} datasets ({}); name the one you mean",
                matches.len(),
                matches.join(", ")
            ),
        )),
    }
}
