//! `show`: the tree of a file with shapes, types, compression ratios, the
//! warnings its stages reported and a provenance summary of each stage.

use std::fmt::Write as _;
use std::path::Path;

use hdf5::{Dataset, Group};

use super::attributes::{get_flag, get_str, get_u64};
use super::content::{all_datasets, all_groups};
use super::element;
use super::error::StoreError;
use super::layout::{self, dataset as attr, group as gattr, root};
use super::open;
use super::provenance::parse_inputs;
use super::warnings::read_warnings;
use crate::readable::bytes;

/// Renders the whole description of the file at `path`.
pub fn render(path: &Path) -> Result<String, StoreError> {
    let file = open::open_read(path)?;
    let h5 = |e| StoreError::hdf5(path, "reading the file tree", e);
    let mut out = String::new();
    let format = get_str(&file, root::FORMAT).unwrap_or_default();
    let a = |name| get_str(&file, name).unwrap_or_default();
    let _ = writeln!(out, "{}", path.display());
    match layout::format_major(&format) {
        Some(major) if major > layout::FORMAT_MAJOR => {
            let _ = writeln!(out, "  warning: format `{format}` is newer than `{}`; showing what this version understands", layout::FORMAT);
        }
        None => {
            let _ = writeln!(
                out,
                "  warning: no macroscope `format` attribute; showing the raw tree"
            );
        }
        Some(_) => {}
    }
    let _ = writeln!(
        out,
        "  format {format} · status {} · run {}",
        a(root::STATUS),
        a(root::RUN_ID)
    );
    if !a(root::ERROR).is_empty() {
        let _ = writeln!(out, "  error: {}", a(root::ERROR));
    }
    let finished = match a(root::FINISHED) {
        f if f.is_empty() => "not yet".to_owned(),
        f => f,
    };
    let _ = writeln!(
        out,
        "  created {} · finished {finished} · host {}",
        a(root::CREATED),
        a(root::HOST_VERSION)
    );
    let _ = writeln!(
        out,
        "  pipeline `{}` from {} (sha256 {})",
        a(root::PIPELINE_NAME),
        a(root::PIPELINE_FILE),
        short(&a(root::PIPELINE_SHA256))
    );
    let _ = writeln!(out, "  store {}", a(root::STORE_DIR));
    render_session(&mut out, &a(root::SESSION));
    let warnings = read_warnings(&file);
    if !warnings.is_empty() {
        let _ = writeln!(out, "  warnings ({}):", warnings.len());
        for warning in warnings {
            let _ = writeln!(out, "    {warning}");
        }
    }

    let groups = all_groups(&file).map_err(h5)?;
    let mut shown = 0;
    for group in groups.iter().filter(|g| get_str(g, gattr::STAGE).is_some()) {
        render_stage(&mut out, group).map_err(h5)?;
        shown += 1;
    }
    if shown == 0 {
        for dataset in all_datasets(&file).map_err(h5)? {
            render_dataset(&mut out, &dataset, &dataset.name()).map_err(h5)?;
        }
    }
    Ok(out)
}

/// The `session` attribute, one `key: value` line per entry (arrays joined
/// by `; `, tables written `key value, key value`), in the file's (alphabetical) order; nothing if there is none.
fn render_session(out: &mut String, json: &str) {
    let Ok(serde_json::Value::Object(session)) = serde_json::from_str(json) else {
        return;
    };
    let _ = writeln!(out, "  session:");
    for (key, value) in &session {
        let text = match value {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Array(items) => items
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .collect::<Vec<_>>()
                .join("; "),
            serde_json::Value::Object(fields) => fields
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{k} {}",
                        v.as_str().map_or_else(|| v.to_string(), str::to_owned)
                    )
                })
                .collect::<Vec<_>>()
                .join(", "),
            other => other.to_string(),
        };
        let _ = writeln!(out, "    {key}: {text}");
    }
}

fn render_stage(out: &mut String, group: &Group) -> hdf5::Result<()> {
    let g = |name| get_str(group, name).unwrap_or_default();
    let datasets = all_datasets(group)?;
    let first = datasets.first();
    let d = |name| first.and_then(|ds| get_str(ds, name)).unwrap_or_default();
    let origin = match d(attr::PLUGIN_ORIGIN).as_str() {
        "library" => format!(
            "library {} (sha256 {})",
            d(attr::PLUGIN_LIBRARY),
            short(&d(attr::PLUGIN_SHA256))
        ),
        "builtin" => match d(attr::PLUGIN_CODE) {
            // Files written before the code identity was recorded.
            code if code.is_empty() => format!("builtin, host {}", d(attr::HOST_VERSION)),
            code => format!(
                "builtin, host {} (code {})",
                d(attr::HOST_VERSION),
                short(&code)
            ),
        },
        other => other.to_owned(),
    };
    let deterministic = if get_flag(group, gattr::DETERMINISTIC) {
        ", deterministic"
    } else {
        ""
    };
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{}  stage `{}`: {} {} ({}{deterministic}; {origin})",
        group.name(),
        g(gattr::STAGE),
        g(gattr::PLUGIN),
        g(gattr::PLUGIN_VERSION),
        g(gattr::KIND)
    );
    if get_flag(group, gattr::REUSED) {
        let _ = writeln!(
            out,
            "  REUSED: copied from verified store entry {}",
            g(gattr::STORE_ENTRY)
        );
    } else if !g(gattr::STORE_ENTRY).is_empty() {
        let _ = writeln!(out, "  filed in the store as {}", g(gattr::STORE_ENTRY));
    }
    if !g(gattr::STORE_KEY).is_empty() {
        let _ = writeln!(out, "  store key {}", g(gattr::STORE_KEY));
    }
    let _ = writeln!(
        out,
        "  parameters {} (sha256 {})",
        ellipsis(&d(attr::PARAMETERS), 100),
        short(&d(attr::PARAMETERS_SHA256))
    );
    let inputs = parse_inputs(&d(attr::INPUTS)).unwrap_or_default();
    if inputs.is_empty() {
        let _ = writeln!(out, "  inputs: none");
    }
    for input in inputs {
        let place = if input.file.is_empty() {
            input.path.clone()
        } else {
            format!("{}#{}", input.file, input.path)
        };
        let _ = writeln!(
            out,
            "  input `{}` ← {} ({place}, sha256 {})",
            input.port,
            input.source,
            short(&input.sha256)
        );
    }
    let prefix = format!("{}/", group.name());
    for dataset in &datasets {
        let name = dataset.name();
        render_dataset(out, dataset, name.strip_prefix(&prefix).unwrap_or(&name))?;
    }
    Ok(())
}

fn render_dataset(out: &mut String, dataset: &Dataset, name: &str) -> hdf5::Result<()> {
    let element =
        element::of_dataset(dataset)?.map_or_else(|| "?".to_owned(), |e| e.as_str().to_owned());
    let shape = dataset.shape();
    let shape_text = if shape.is_empty() {
        "scalar".to_owned()
    } else {
        shape
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(" × ")
    };
    let raw = (shape.iter().product::<usize>() * dataset.dtype()?.size()) as u64;
    let stored = dataset.storage_size();
    let ratio = match raw as f64 / stored as f64 {
        _ if stored == 0 => "-".to_owned(),
        r if r < 1.0 => format!("{r:.2}×"),
        r => format!("{r:.1}×"),
    };
    let role = get_str(dataset, attr::ROLE).unwrap_or_default();
    let unit = get_str(dataset, attr::UNIT)
        .filter(|u| !u.is_empty())
        .map(|u| format!(" [{u}]"))
        .unwrap_or_default();
    let dropped = match get_u64(dataset, attr::DROPPED_ITEMS) {
        Some(n) if n > 0 => format!("  DROPPED {n}"),
        _ => String::new(),
    };
    let hash = get_str(dataset, attr::CONTENT_SHA256)
        .map_or_else(|| "no hash".to_owned(), |h| format!("sha256 {}", short(&h)));
    let _ = writeln!(
        out,
        "    {name:<28} {element:<4} {shape_text:<18} {role:<7} {} → {} ({ratio}){unit}  {hash}{dropped}",
        bytes(raw),
        bytes(stored)
    );
    Ok(())
}

/// The first 12 hex digits and an ellipsis.
fn short(hash: &str) -> String {
    if hash.len() > 12 {
        format!("{}…", &hash[..12])
    } else if hash.is_empty() {
        "-".to_owned()
    } else {
        hash.to_owned()
    }
}

fn ellipsis(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_shortened_to_twelve_digits() {
        assert_eq!(short("0123456789abcdef"), "0123456789ab…");
        assert_eq!(short(""), "-");
    }
}
