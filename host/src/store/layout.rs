//! Where things go in a macroscope file, and what their attributes are called.
//! `docs/FORMAT.md` describes the same layout for readers; `docs/format-schema.json`
//! is its machine-readable twin, held against real files by a test.

use macroscope_plugin_api::PluginKind;

/// Format name and major version, the root `format` attribute.
pub const FORMAT: &str = "macroscope/1";
/// Format name without the version.
pub const FORMAT_NAME: &str = "macroscope";
/// Major version this host reads and writes.
pub const FORMAT_MAJOR: u32 = 1;

/// Names of root attributes.
pub mod root {
    /// `macroscope/<major>`.
    pub const FORMAT: &str = "format";
    /// The run id (UTC time the run started, `YYYYMMDDTHHMMSSZ`).
    pub const RUN_ID: &str = "run_id";
    /// UTC ISO 8601 time the file was created.
    pub const CREATED: &str = "created";
    /// UTC ISO 8601 time the file was finalised (or recovered).
    pub const FINISHED: &str = "finished";
    /// Version of the host that wrote the file.
    pub const HOST_VERSION: &str = "host_version";
    /// `[pipeline] name`.
    pub const PIPELINE_NAME: &str = "pipeline_name";
    /// Path of the pipeline file as given.
    pub const PIPELINE_FILE: &str = "pipeline_file";
    /// The pipeline file's text.
    pub const PIPELINE_TOML: &str = "pipeline_toml";
    /// SHA-256 of the pipeline file's text.
    pub const PIPELINE_SHA256: &str = "pipeline_sha256";
    /// `running` | `complete` | `failed` | `interrupted`.
    pub const STATUS: &str = "status";
    /// Why the run failed (empty unless `status` is `failed`).
    pub const ERROR: &str = "error";
    /// The content-addressed store directory the run used.
    pub const STORE_DIR: &str = "store_dir";
    /// The run clock's zero on the host's monotonic clock, in ns (i64).
    pub const RUN_CLOCK_ORIGIN_NS: &str = "run_clock_origin_ns";
    /// The pipeline's `[session]` as canonical JSON (absent if it has none).
    pub const SESSION: &str = "session";
    /// What stages reported as suspect: a JSON array of `{stage, plugin,
    /// message}` (absent in files sealed before warnings were kept).
    pub const WARNINGS: &str = "warnings";
    /// In a store entry: the key (file name without `.h5`).
    pub const STORE_KEY: &str = "store_key";
    /// In a store entry: the canonical JSON the key is the SHA-256 of.
    pub const STORE_KEY_JSON: &str = "store_key_json";
    /// In a store entry: the SHA-256 of every attribute under `/output`.
    pub const ATTRIBUTES_SHA256: &str = "attributes_sha256";
}

/// Names of stage-group attributes.
pub mod group {
    /// The stage id in this run's pipeline.
    pub const STAGE: &str = "stage";
    /// Plugin name.
    pub const PLUGIN: &str = "plugin";
    /// Plugin version.
    pub const PLUGIN_VERSION: &str = "plugin_version";
    /// Plugin kind (`camera`, `stimulus`, `analysis`, `other`).
    pub const KIND: &str = "kind";
    /// 1 if the plugin is deterministic.
    pub const DETERMINISTIC: &str = "deterministic";
    /// SHA-256 key of a deterministic stage's output (empty if none).
    pub const STORE_KEY: &str = "store_key";
    /// The canonical JSON the key hashes (empty if none).
    pub const STORE_KEY_JSON: &str = "store_key_json";
    /// 1 if the outputs were copied from the store instead of being computed.
    pub const REUSED: &str = "reused";
    /// The store entry the outputs were copied from or filed into (empty if none).
    pub const STORE_ENTRY: &str = "store_entry";
    /// What the stage reported as suspect when it computed these outputs: a
    /// JSON array of sentences (absent when none). Filed and reused with them.
    pub const WARNINGS: &str = "warnings";
}

/// Names of dataset attributes.
pub mod dataset {
    /// Stage id.
    pub const STAGE: &str = "stage";
    /// Plugin name.
    pub const PLUGIN: &str = "plugin";
    /// Plugin version.
    pub const PLUGIN_VERSION: &str = "plugin_version";
    /// `builtin` or `library`.
    pub const PLUGIN_ORIGIN: &str = "plugin_origin";
    /// Path of the plugin library (empty for built-ins).
    pub const PLUGIN_LIBRARY: &str = "plugin_library";
    /// SHA-256 of the plugin library (empty for built-ins: see `plugin_code`).
    pub const PLUGIN_SHA256: &str = "plugin_sha256";
    /// What identifies the plugin's code, as in the store key: the library's
    /// SHA-256, or the host build's code identity for a built-in.
    pub const PLUGIN_CODE: &str = "plugin_code";
    /// Host version.
    pub const HOST_VERSION: &str = "host_version";
    /// Effective parameters, RFC 8785 canonical JSON.
    pub const PARAMETERS: &str = "parameters";
    /// SHA-256 of `parameters`.
    pub const PARAMETERS_SHA256: &str = "parameters_sha256";
    /// JSON array describing each input: source, file, path and content hashes.
    pub const INPUTS: &str = "inputs";
    /// Output port name.
    pub const PORT: &str = "port";
    /// `stream`, `column` or `dataset`.
    pub const ROLE: &str = "role";
    /// Column name (columns only).
    pub const COLUMN: &str = "column";
    /// JSON array of the column names of a stream (stream data only).
    pub const COLUMNS: &str = "columns";
    /// Unit of the values (empty if none).
    pub const UNIT: &str = "unit";
    /// What the values mean.
    pub const DESCRIPTION: &str = "description";
    /// The port's JSON attributes (stream and dataset data only).
    pub const PORT_ATTRIBUTES: &str = "port_attributes";
    /// UTC ISO 8601 creation time.
    pub const CREATED: &str = "created";
    /// SHA-256 of the values as little-endian bytes in C order.
    pub const CONTENT_SHA256: &str = "content_sha256";
    /// Items a camera produced that the run could not keep (stream data only).
    pub const DROPPED_ITEMS: &str = "dropped_items";
}

/// `role` attribute values.
pub mod role {
    /// The `[N, ...]` data of a stream port.
    pub const STREAM: &str = "stream";
    /// A metadata column of a stream port.
    pub const COLUMN: &str = "column";
    /// The array of a dataset port.
    pub const DATASET: &str = "dataset";
}

/// Top-level group of each plugin kind.
pub fn kind_root(kind: PluginKind) -> &'static str {
    match kind {
        PluginKind::STIMULUS => "/stimuli",
        PluginKind::CAMERA => "/acquisitions",
        PluginKind::ANALYSIS => "/analysis",
        _ => "/other",
    }
}

/// The group holding one stage's outputs.
///
/// Stimuli are named by their store key when it is known before the run, so
/// one stimulus has the same path in every file that uses it; everything else
/// lives under its run and stage id.
pub fn stage_group(kind: PluginKind, run_id: &str, stage: &str, key: Option<&str>) -> String {
    match (kind, key) {
        (PluginKind::STIMULUS, Some(key)) => format!("/stimuli/{key}"),
        (PluginKind::STIMULUS, None) => format!("/stimuli/{run_id}-{stage}"),
        (kind, _) => format!("{}/{run_id}/{stage}", kind_root(kind)),
    }
}

/// Path of a port's data dataset inside its stage group.
pub fn port_path(group: &str, port: &str) -> String {
    format!("{group}/{port}")
}

/// Path of a stream column dataset: beside the data, `<port>.<column>`.
pub fn column_path(group: &str, port: &str, column: &str) -> String {
    format!("{group}/{port}.{column}")
}

/// The run id for a run started at `now`.
pub fn run_id(now: chrono::DateTime<chrono::Utc>) -> String {
    now.format("%Y%m%dT%H%M%SZ").to_string()
}

/// UTC ISO 8601 with seconds and a `Z`.
pub fn timestamp(now: chrono::DateTime<chrono::Utc>) -> String {
    now.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Parses the major version out of a `format` attribute (`macroscope/1` → 1).
pub fn format_major(format: &str) -> Option<u32> {
    let (name, version) = format.split_once('/')?;
    if name != FORMAT_NAME {
        return None;
    }
    version.split('.').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_stimulus_is_named_by_its_key() {
        assert_eq!(
            stage_group(PluginKind::STIMULUS, "R", "bar", Some("ab12")),
            "/stimuli/ab12"
        );
    }

    #[test]
    fn stimulus_without_key_is_named_by_run_and_stage() {
        assert_eq!(
            stage_group(PluginKind::STIMULUS, "R", "bar", None),
            "/stimuli/R-bar"
        );
    }

    #[test]
    fn camera_and_analysis_live_under_their_run() {
        assert_eq!(
            stage_group(PluginKind::CAMERA, "R", "cam", None),
            "/acquisitions/R/cam"
        );
        assert_eq!(
            stage_group(PluginKind::ANALYSIS, "R", "maps", Some("k")),
            "/analysis/R/maps"
        );
        assert_eq!(stage_group(PluginKind::OTHER, "R", "x", None), "/other/R/x");
    }

    #[test]
    fn columns_sit_beside_their_port() {
        assert_eq!(
            column_path("/a/R/cam", "frames", "time_s"),
            "/a/R/cam/frames.time_s"
        );
    }

    #[test]
    fn format_major_reads_name_and_version() {
        assert_eq!(format_major("macroscope/1"), Some(1));
        assert_eq!(format_major("macroscope/2.3"), Some(2));
        assert_eq!(format_major("other/1"), None);
        assert_eq!(format_major("macroscope"), None);
    }

    #[test]
    fn run_id_is_compact_utc() {
        let t = chrono::DateTime::parse_from_rfc3339("2026-03-04T05:06:07Z")
            .unwrap()
            .to_utc();
        assert_eq!(run_id(t), "20260304T050607Z");
        assert_eq!(timestamp(t), "2026-03-04T05:06:07.000Z");
    }
}
