//! What identifies the content of a port, and the store key of a
//! deterministic stage: SHA-256 of the RFC 8785 canonical JSON of
//! `{plugin, plugin_version, plugin_code, parameters, inputs}` where
//! `plugin_code` identifies the plugin's code (its library's SHA-256, or the
//! host build's for a built-in) and each input is the identity of the port it
//! reads.

use std::collections::BTreeMap;
use std::path::Path;

use hdf5::{Dataset, File};
use serde::{Deserialize, Serialize};

use super::attributes::get_str;
use super::content::content_sha256;
use super::element;
use super::hashing::canonical_sha256;
use super::layout::{self, dataset as attr, role};
use super::table::{self, Table};

/// The content of one port, as an input of a stage sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortIdentity {
    /// Port name (the name the consuming stage sees).
    pub port: String,
    /// Element type (`u16`, ...).
    pub element: String,
    /// Stored shape (`[N, ...item shape]` for a stream).
    pub shape: Vec<u64>,
    /// Content SHA-256 of the data.
    pub sha256: String,
    /// Content SHA-256 of each metadata column, by name.
    pub columns: BTreeMap<String, String>,
    /// The port's JSON attributes.
    pub attributes: serde_json::Value,
}

/// A deterministic stage's store key and the canonical JSON it hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageKey {
    /// SHA-256 of `json`, lower-case hex: the store entry's name.
    pub key: String,
    /// RFC 8785 canonical JSON of plugin, version, code, parameters and inputs.
    pub json: String,
}

/// Which plugin a stage runs: what its store key says about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PluginIdentity<'a> {
    /// Plugin name.
    pub name: &'a str,
    /// Plugin version.
    pub version: &'a str,
    /// What identifies its code: the library's SHA-256, or the host build's for a built-in.
    pub code_sha256: &'a str,
}

/// The key of a stage running `plugin` with `parameters` on `inputs`.
pub fn stage_key(
    plugin: PluginIdentity<'_>,
    parameters: &serde_json::Value,
    inputs: &[PortIdentity],
) -> StageKey {
    let material = serde_json::json!({
        "plugin": plugin.name,
        "plugin_version": plugin.version,
        "plugin_code": plugin.code_sha256,
        "parameters": parameters,
        "inputs": inputs,
    });
    let (json, key) = canonical_sha256(&material);
    StageKey { key, json }
}

/// The identity of the port whose data is `path` in `file`: from the
/// macroscope attributes where recorded, computed for foreign datasets (a
/// table's: its row numbers and its fields, as the stream it is read as).
pub fn identity_of(file: &File, path: &str) -> hdf5::Result<PortIdentity> {
    let data = file.dataset(path)?;
    let port = get_str(&data, attr::PORT).unwrap_or_else(|| last_component(path).to_owned());
    let attributes = get_str(&data, attr::PORT_ATTRIBUTES)
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_else(|| serde_json::json!({}));
    let table = Table::of(Path::new(&file.filename()), path, &data)
        .map_err(|e| hdf5::Error::from(e.to_string()))?;
    if let Some(table) = table {
        return Ok(PortIdentity {
            port,
            element: table::ROW_NUMBER.as_str().to_owned(),
            shape: vec![table.rows],
            sha256: table.rows_sha256(),
            columns: table.column_hashes(&data)?,
            attributes,
        });
    }
    let element = element::of_dataset(&data)?.ok_or_else(|| {
        hdf5::Error::from(format!("{path}: element type is not one macroscope stores"))
    })?;
    let sha256 = match get_str(&data, attr::CONTENT_SHA256) {
        Some(hash) if !hash.is_empty() => hash,
        _ => content_sha256(&data)?,
    };
    let mut columns = BTreeMap::new();
    if get_str(&data, attr::ROLE).as_deref() == Some(role::STREAM) {
        for (name, column) in stream_columns(file, path, &data)? {
            let hash = match get_str(&column, attr::CONTENT_SHA256) {
                Some(hash) if !hash.is_empty() => hash,
                _ => content_sha256(&column)?,
            };
            columns.insert(name, hash);
        }
    }
    Ok(PortIdentity {
        port,
        element: element.as_str().to_owned(),
        shape: data.shape().iter().map(|&d| d as u64).collect(),
        sha256,
        columns,
        attributes,
    })
}

/// The column datasets of the stream whose data is `path`, by column name, in
/// the order the `columns` attribute lists them.
pub fn stream_columns(
    file: &File,
    path: &str,
    data: &Dataset,
) -> hdf5::Result<Vec<(String, Dataset)>> {
    let names: Vec<String> = get_str(data, attr::COLUMNS)
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    let (group, port) = path.rsplit_once('/').unwrap_or(("", path));
    names
        .into_iter()
        .map(|name| {
            let column = file.dataset(&layout::column_path(group, port, &name))?;
            Ok((name, column))
        })
        .collect()
}

/// The last `/`-separated component of a path.
pub fn last_component(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule_identity() -> PortIdentity {
        PortIdentity {
            port: "schedule".into(),
            element: "f64".into(),
            shape: vec![10],
            sha256: "ab".into(),
            columns: BTreeMap::from([("direction".into(), "cd".into())]),
            attributes: serde_json::json!({"display_rate_hz": 60.0}),
        }
    }

    fn plugin(version: &'static str, code_sha256: &'static str) -> PluginIdentity<'static> {
        PluginIdentity {
            name: "fourier-maps",
            version,
            code_sha256,
        }
    }

    /// The key is SHA-256 of exactly this canonical text. The expected hash was
    /// computed outside the code under test:
    /// `printf '%s' '<the json below>' | sha256sum`.
    #[test]
    fn stage_key_hashes_the_canonical_json_of_plugin_version_code_parameters_and_inputs() {
        let key = stage_key(
            plugin("0.1.0", "c0de"),
            &serde_json::json!({"b": 1e-7, "a": [1, 2.5]}),
            &[schedule_identity()],
        );
        let expected_json = concat!(
            r#"{"inputs":[{"attributes":{"display_rate_hz":60},"columns":{"direction":"cd"},"#,
            r#""element":"f64","port":"schedule","sha256":"ab","shape":[10]}],"#,
            r#""parameters":{"a":[1,2.5],"b":1e-7},"plugin":"fourier-maps","plugin_code":"c0de","#,
            r#""plugin_version":"0.1.0"}"#
        );
        assert_eq!(key.json, expected_json);
        assert_eq!(
            key.key,
            "93558b5a13a33467c1562666e423b8fdb9e3119a660d94345ada907f9e8982ca"
        );
    }

    #[test]
    fn a_changed_parameter_changes_the_key() {
        let a = stage_key(plugin("1", "c0de"), &serde_json::json!({"x": 1}), &[]);
        let b = stage_key(plugin("1", "c0de"), &serde_json::json!({"x": 2}), &[]);
        assert_ne!(a.key, b.key);
    }

    #[test]
    fn changed_code_of_the_same_version_changes_the_key() {
        let a = stage_key(plugin("1", "c0de"), &serde_json::json!({}), &[]);
        let b = stage_key(plugin("1", "c0df"), &serde_json::json!({}), &[]);
        assert_ne!(a.key, b.key);
    }

    #[test]
    fn last_component_is_the_name_after_the_last_slash() {
        assert_eq!(last_component("/analysis/R/maps/phase"), "phase");
        assert_eq!(last_component("phase"), "phase");
    }
}
