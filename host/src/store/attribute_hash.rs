//! The hash that covers a store entry's provenance: every attribute of its
//! `/output` group and of each dataset under it (`parameters`, `unit`,
//! `port_attributes`, ...), so an edited attribute is caught on reuse as an
//! edited dataset is by its content hash.
//!
//! The hashed text is the canonical JSON (RFC 8785) of
//! `{"<object path>": {"<attribute>": <value>, ...}, ...}`, every object
//! under the group, the group itself included; a value is its string, its
//! integer, or, for any other type, `null` with its HDF5 type's size.

use std::collections::BTreeMap;

use hdf5::types::VarLenUnicode;
use hdf5::{Group, Location};
use serde_json::{json, Value};

use super::attributes::get_str;
use super::content::all_datasets;
use super::hashing::{canonical_json, sha256_hex};

/// SHA-256 (hex) of every attribute of `group` and of the datasets under it.
pub fn attributes_sha256(group: &Group) -> hdf5::Result<String> {
    let mut objects = BTreeMap::new();
    objects.insert(group.name(), attributes_of(group)?);
    for dataset in all_datasets(group)? {
        objects.insert(dataset.name(), attributes_of(&dataset)?);
    }
    // Paths relative to the group, so the hash survives copying the group.
    let base = group.name();
    let relative: serde_json::Map<String, Value> = objects
        .into_iter()
        .map(|(path, attrs)| {
            let relative = path.strip_prefix(&base).unwrap_or(&path);
            (format!("/{}", relative.trim_start_matches('/')), attrs)
        })
        .collect();
    Ok(sha256_hex(
        canonical_json(&Value::Object(relative)).as_bytes(),
    ))
}

fn attributes_of(location: &Location) -> hdf5::Result<Value> {
    let mut values = serde_json::Map::new();
    for name in location.attr_names()? {
        values.insert(name.clone(), value_of(location, &name)?);
    }
    Ok(Value::Object(values))
}

fn value_of(location: &Location, name: &str) -> hdf5::Result<Value> {
    if let Some(text) = get_str(location, name) {
        return Ok(json!(text));
    }
    let attr = location.attr(name)?;
    if let Ok(number) = attr.read_scalar::<i64>() {
        return Ok(json!(number));
    }
    if let Ok(texts) = attr.read_raw::<VarLenUnicode>() {
        return Ok(json!(texts.iter().map(|t| t.as_str()).collect::<Vec<_>>()));
    }
    Ok(json!({ "unreadable_type_size": attr.dtype()?.size() }))
}

#[cfg(test)]
mod tests {
    use super::super::attributes::set_str;
    use super::*;

    fn entry(dir: &std::path::Path, unit: &str) -> hdf5::File {
        let file = hdf5::File::create(dir.join(format!("{unit}.h5"))).unwrap();
        let group = file.create_group("output").unwrap();
        set_str(&group, "stage", "camera").unwrap();
        let dataset = group
            .new_dataset::<u16>()
            .shape([4])
            .create("frames")
            .unwrap();
        set_str(&dataset, "unit", unit).unwrap();
        set_str(&dataset, "parameters", r#"{"gain":2}"#).unwrap();
        file
    }

    #[test]
    fn an_edited_attribute_changes_the_hash() {
        let dir = tempfile::tempdir().unwrap();
        let counts = entry(dir.path(), "counts");
        let before = attributes_sha256(&counts.group("output").unwrap()).unwrap();
        let volts = entry(dir.path(), "volts");
        assert_ne!(
            before,
            attributes_sha256(&volts.group("output").unwrap()).unwrap()
        );
        let frames = counts.dataset("output/frames").unwrap();
        set_str(&frames, "parameters", r#"{"gain":3}"#).unwrap();
        assert_ne!(
            before,
            attributes_sha256(&counts.group("output").unwrap()).unwrap()
        );
        set_str(&frames, "parameters", r#"{"gain":2}"#).unwrap();
        assert_eq!(
            before,
            attributes_sha256(&counts.group("output").unwrap()).unwrap()
        );
    }
}
