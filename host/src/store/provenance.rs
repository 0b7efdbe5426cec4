//! Provenance: who made a dataset, how, and from what. Written as attributes
//! on every dataset (and a summary on every stage group).

use hdf5::Location;
use macroscope_plugin_api::PluginKind;
use serde::{Deserialize, Serialize};

use super::attributes::{set_flag, set_str};
use super::hashing::canonical_sha256;
use super::identity::PluginIdentity;
use super::layout;
use super::run_plan::StageRecord;
use crate::registry::Origin;

/// The facts about a stage that every one of its datasets records.
#[derive(Debug, Clone, PartialEq)]
pub struct Provenance {
    /// Stage id.
    pub stage: String,
    /// Plugin name.
    pub plugin: String,
    /// Plugin version.
    pub plugin_version: String,
    /// Plugin kind.
    pub kind: PluginKind,
    /// Whether the plugin is deterministic.
    pub deterministic: bool,
    /// Where the plugin came from.
    pub origin: Origin,
    /// Effective parameters, RFC 8785 canonical JSON.
    pub parameters: String,
    /// SHA-256 of `parameters`.
    pub parameters_sha256: String,
}

impl Provenance {
    /// The provenance of a planned stage.
    pub fn of(stage: &StageRecord) -> Provenance {
        let (parameters, parameters_sha256) = canonical_sha256(&stage.params);
        let plugin = &stage.plugin;
        Provenance {
            stage: stage.id.clone(),
            plugin: plugin.name.clone(),
            plugin_version: plugin.version.clone(),
            kind: plugin.kind,
            deterministic: plugin.deterministic,
            origin: plugin.origin.clone(),
            parameters,
            parameters_sha256,
        }
    }

    /// The plugin as the store key names it: name, version and code identity.
    pub fn plugin_identity(&self) -> PluginIdentity<'_> {
        PluginIdentity {
            name: &self.plugin,
            version: &self.plugin_version,
            code_sha256: self.origin.code_sha256(),
        }
    }

    /// Writes the per-dataset provenance attributes (everything but content
    /// and input hashes, which are known only when the data is complete).
    pub fn write_dataset_attributes(&self, location: &Location, created: &str) -> hdf5::Result<()> {
        use layout::dataset as a;
        let (origin, library, library_sha256) = match &self.origin {
            Origin::Builtin => ("builtin", String::new(), String::new()),
            Origin::Library { path, sha256 } => {
                ("library", path.display().to_string(), sha256.clone())
            }
        };
        set_str(location, a::STAGE, &self.stage)?;
        set_str(location, a::PLUGIN, &self.plugin)?;
        set_str(location, a::PLUGIN_VERSION, &self.plugin_version)?;
        set_str(location, a::PLUGIN_ORIGIN, origin)?;
        set_str(location, a::PLUGIN_LIBRARY, &library)?;
        set_str(location, a::PLUGIN_SHA256, &library_sha256)?;
        set_str(location, a::PLUGIN_CODE, self.origin.code_sha256())?;
        set_str(location, a::HOST_VERSION, crate::HOST_VERSION)?;
        set_str(location, a::PARAMETERS, &self.parameters)?;
        set_str(location, a::PARAMETERS_SHA256, &self.parameters_sha256)?;
        set_str(location, a::CREATED, created)
    }

    /// Writes the stage-group summary attributes.
    pub fn write_group_attributes(&self, location: &Location) -> hdf5::Result<()> {
        use layout::group as g;
        set_str(location, g::STAGE, &self.stage)?;
        set_str(location, g::PLUGIN, &self.plugin)?;
        set_str(location, g::PLUGIN_VERSION, &self.plugin_version)?;
        set_str(location, g::KIND, self.kind.as_str())?;
        set_flag(location, g::DETERMINISTIC, self.deterministic)
    }
}

/// One input of a stage as recorded in a dataset's `inputs` attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputRecord {
    /// The port name the stage saw.
    pub port: String,
    /// Where it came from as the pipeline says it: `stage.port` or `file:PATH#/dataset`.
    pub source: String,
    /// The file holding it: empty for this file.
    pub file: String,
    /// The dataset path of its data in that file.
    pub path: String,
    /// Content SHA-256 of its data (empty until known).
    pub sha256: String,
    /// Content SHA-256 of each of its columns (by column name).
    pub columns_sha256: std::collections::BTreeMap<String, String>,
}

/// The `inputs` attribute text of a list of records.
pub fn inputs_json(records: &[InputRecord]) -> String {
    serde_json::to_string(records).expect("input records always serialise")
}

/// Parses an `inputs` attribute.
pub fn parse_inputs(text: &str) -> Result<Vec<InputRecord>, serde_json::Error> {
    serde_json::from_str(text)
}
