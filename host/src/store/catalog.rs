//! What a finished run file holds, listed for readers outside the store (the
//! NWB export): its root facts and each stage's ports with their datasets,
//! columns and provenance strings, read once. The open file is handed out so a
//! reader can read the arrays it needs, or copy them chunk for chunk with
//! [`copy_dataset_bare`].

use std::path::{Path, PathBuf};

use hdf5::{File, Group};

use super::attributes::{get_flag, get_str, get_u64};
use super::content::all_groups;
use super::error::StoreError;
use super::hdf5_raw;
use super::layout::{self, dataset as attr, group as gattr, role, root};
use super::open::open_read;

/// A run file opened for reading, with its stages listed.
pub struct RunCatalog {
    /// The open file.
    pub file: File,
    /// Its path.
    pub path: PathBuf,
    /// Root `run_id`.
    pub run_id: String,
    /// Root `created` (UTC ISO 8601): when the run started.
    pub created: String,
    /// Root `status` (`complete`, `failed`, `interrupted`).
    pub status: String,
    /// Root `finished` (UTC ISO 8601; empty if the run never finished).
    pub finished: String,
    /// Root `error`: why a failed run failed (empty otherwise).
    pub error: String,
    /// What the stages reported as suspect (root `warnings`).
    pub warnings: Vec<super::StageWarning>,
    /// Root `pipeline_name`.
    pub pipeline_name: String,
    /// Root `pipeline_file`.
    pub pipeline_file: String,
    /// Root `pipeline_toml`.
    pub pipeline_toml: String,
    /// Root `host_version`.
    pub host_version: String,
    /// Root `session` (canonical JSON), if the run has one.
    pub session: Option<String>,
    /// Every stage group, in the file's order.
    pub stages: Vec<StoredStage>,
}

/// One stage group of a run file.
#[derive(Debug, Clone)]
pub struct StoredStage {
    /// The stage id in the run's pipeline.
    pub stage: String,
    /// Plugin name.
    pub plugin: String,
    /// Plugin version.
    pub plugin_version: String,
    /// `camera`, `stimulus`, `analysis` or `other`.
    pub kind: String,
    /// Whether the outputs were copied from the store, not computed.
    pub reused: bool,
    /// The stage's parameters as it ran (JSON; `{}` if none recorded).
    pub parameters: serde_json::Value,
    /// The group's path.
    pub group: String,
    /// Its output ports.
    pub ports: Vec<StoredPort>,
}

/// One output port of a stage: a stream's data or a dataset port's array.
#[derive(Debug, Clone)]
pub struct StoredPort {
    /// Port name.
    pub name: String,
    /// The data dataset's path.
    pub path: String,
    /// True for a stream (`role` = `stream`), false for a dataset port.
    pub stream: bool,
    /// The dataset's shape.
    pub shape: Vec<usize>,
    /// Column names of a stream (each at `<path>.<column>`).
    pub columns: Vec<String>,
    /// `unit` (empty if none).
    pub unit: String,
    /// `description` (empty if none).
    pub description: String,
    /// `port_attributes` as JSON (`{}` if none).
    pub port_attributes: serde_json::Value,
    /// Items of a stream the sink dropped and could not count on a later
    /// item (`dropped_items`; 0 if none).
    pub dropped_items: u64,
}

impl StoredPort {
    /// The path of column `name` (listed or not).
    pub fn column_path(&self, name: &str) -> String {
        format!("{}.{name}", self.path)
    }

    /// Whether the stream has column `name`.
    pub fn has_column(&self, name: &str) -> bool {
        self.columns.iter().any(|c| c == name)
    }
}

impl RunCatalog {
    /// Opens the run file at `path` and lists it. A file that is not a
    /// macroscope run, is of a newer format, or is still being written
    /// (`running`: recover it first) is refused.
    pub fn open(path: &Path) -> Result<RunCatalog, StoreError> {
        let file = open_read(path)?;
        let text = |name| get_str(&file, name).unwrap_or_default();
        let format = text(root::FORMAT);
        let refused = match layout::format_major(&format) {
            None => {
                Some("not a macroscope run file (no `format` attribute `macroscope/1`)".to_owned())
            }
            Some(major) if major > layout::FORMAT_MAJOR => Some(format!(
                "written in format `{format}`, newer than this host's `{}`: upgrade macroscope",
                layout::FORMAT
            )),
            Some(_) => None,
        };
        if let Some(reason) = refused {
            return Err(StoreError::format(path, reason));
        }
        let status = text(root::STATUS);
        if status == "running" {
            return Err(StoreError::format(
                path,
                format!(
                    "the run is still being written (status `running`), or was killed: run `macroscope recover {}` first",
                    path.display()
                ),
            ));
        }
        let stages = list_stages(&file).map_err(|e| StoreError::hdf5(path, "listing stages", e))?;
        Ok(RunCatalog {
            path: path.to_owned(),
            run_id: text(root::RUN_ID),
            created: text(root::CREATED),
            status,
            finished: text(root::FINISHED),
            error: text(root::ERROR),
            warnings: super::warnings::read_warnings(&file),
            pipeline_name: text(root::PIPELINE_NAME),
            pipeline_file: text(root::PIPELINE_FILE),
            pipeline_toml: text(root::PIPELINE_TOML),
            host_version: text(root::HOST_VERSION),
            session: get_str(&file, root::SESSION),
            stages,
            file,
        })
    }

    /// The stages of plugin kind `kind`.
    pub fn stages_of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a StoredStage> {
        self.stages.iter().filter(move |s| s.kind == kind)
    }
}

fn list_stages(file: &File) -> hdf5::Result<Vec<StoredStage>> {
    let mut stages = Vec::new();
    for group in all_groups(file)? {
        let Some(stage) = get_str(&group, gattr::STAGE) else {
            continue;
        };
        let ports = list_ports(&group)?;
        let parameters = group
            .datasets()?
            .iter()
            .find_map(|d| get_str(d, attr::PARAMETERS))
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_else(|| serde_json::json!({}));
        stages.push(StoredStage {
            stage,
            plugin: get_str(&group, gattr::PLUGIN).unwrap_or_default(),
            plugin_version: get_str(&group, gattr::PLUGIN_VERSION).unwrap_or_default(),
            kind: get_str(&group, gattr::KIND).unwrap_or_default(),
            reused: get_flag(&group, gattr::REUSED),
            parameters,
            group: group.name(),
            ports,
        });
    }
    Ok(stages)
}

fn list_ports(group: &Group) -> hdf5::Result<Vec<StoredPort>> {
    let mut ports = Vec::new();
    for dataset in group.datasets()? {
        let dataset_role = get_str(&dataset, attr::ROLE).unwrap_or_default();
        if dataset_role != role::STREAM && dataset_role != role::DATASET {
            continue;
        }
        let text = |name| get_str(&dataset, name).unwrap_or_default();
        let path = dataset.name();
        let name = match text(attr::PORT) {
            port if port.is_empty() => path.rsplit('/').next().unwrap_or_default().to_owned(),
            port => port,
        };
        ports.push(StoredPort {
            name,
            stream: dataset_role == role::STREAM,
            shape: dataset.shape(),
            columns: serde_json::from_str(&text(attr::COLUMNS)).unwrap_or_default(),
            unit: text(attr::UNIT),
            description: text(attr::DESCRIPTION),
            port_attributes: serde_json::from_str(&text(attr::PORT_ATTRIBUTES))
                .unwrap_or_else(|_| serde_json::json!({})),
            dropped_items: get_u64(&dataset, attr::DROPPED_ITEMS).unwrap_or(0),
            path,
        });
    }
    Ok(ports)
}

/// Copies dataset `src_path` of `src` to `name` in `dst`, its compressed
/// chunks as they are (HDF5 object copy: no decompression, no
/// recompression), without its attributes: the reader gives the copy its own.
pub fn copy_dataset_bare(src: &File, src_path: &str, dst: &Group, name: &str) -> hdf5::Result<()> {
    hdf5_raw::copy_object(src, src_path, dst, name, hdf5_raw::Attributes::Leave)
}
