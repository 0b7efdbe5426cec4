//! The warnings of a run: what stages reported as suspect while still
//! succeeding, kept in the root `warnings` attribute and, with the outputs
//! they are about, in each stage group's `warnings` (docs/FORMAT.md), so a
//! stage reused from the store brings its warnings along.

use hdf5::Location;

use super::attributes::{get_str, set_str};
use super::layout::{group, root};

/// One warning a stage reported.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StageWarning {
    /// Stage id.
    pub stage: String,
    /// Plugin name.
    pub plugin: String,
    /// The plugin's sentence.
    pub message: String,
}

impl std::fmt::Display for StageWarning {
    /// `<stage> (<plugin>): <message>`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.stage, self.plugin, self.message)
    }
}

/// Writes `warnings` as the root `warnings` attribute: a JSON array of
/// `{"stage", "plugin", "message"}` objects (`[]` when there are none).
pub fn write_warnings(file: &Location, warnings: &[StageWarning]) -> hdf5::Result<()> {
    let json = serde_json::to_string(warnings).expect("warnings always serialise");
    set_str(file, root::WARNINGS, &json)
}

/// The root `warnings` attribute of `file`: none when it is absent (a file
/// written before warnings were stored, or recovered after a kill) or not
/// such a JSON array.
pub fn read_warnings(file: &Location) -> Vec<StageWarning> {
    get_str(file, root::WARNINGS)
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

/// Writes a stage group's `warnings`: its messages as a JSON array.
pub fn write_stage_warnings(stage_group: &Location, messages: &[String]) -> hdf5::Result<()> {
    let json = serde_json::to_string(messages).expect("strings always serialise");
    set_str(stage_group, group::WARNINGS, &json)
}

/// A stage group's `warnings`: none when absent (a stage that reported none,
/// or a file or store entry written before warnings were kept).
pub fn read_stage_warnings(stage_group: &Location) -> Vec<String> {
    get_str(stage_group, group::WARNINGS)
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warning() -> StageWarning {
        StageWarning {
            stage: "maps".into(),
            plugin: "fourier-maps".into(),
            message: "something is off".into(),
        }
    }

    #[test]
    fn a_warning_reads_as_stage_plugin_and_message() {
        assert_eq!(
            warning().to_string(),
            "maps (fourier-maps): something is off"
        );
    }

    #[test]
    fn warnings_are_a_json_array_of_objects_in_the_root_attribute() {
        let dir = tempfile::tempdir().unwrap();
        let file = hdf5::File::create(dir.path().join("f.h5")).unwrap();
        write_warnings(&file, &[warning()]).unwrap();
        assert_eq!(
            get_str(&file, root::WARNINGS).unwrap(),
            r#"[{"stage":"maps","plugin":"fourier-maps","message":"something is off"}]"#
        );
        assert_eq!(read_warnings(&file), vec![warning()]);
    }

    #[test]
    fn a_stage_groups_warnings_are_a_json_array_of_its_messages() {
        let dir = tempfile::tempdir().unwrap();
        let file = hdf5::File::create(dir.path().join("f.h5")).unwrap();
        let stage = file.create_group("maps").unwrap();
        write_stage_warnings(&stage, &["one".into(), "two".into()]).unwrap();
        assert_eq!(
            get_str(&stage, group::WARNINGS).unwrap(),
            r#"["one","two"]"#
        );
        assert_eq!(read_stage_warnings(&stage), ["one", "two"]);
    }

    #[test]
    fn a_file_without_the_attribute_has_no_warnings() {
        let dir = tempfile::tempdir().unwrap();
        let file = hdf5::File::create(dir.path().join("f.h5")).unwrap();
        assert!(read_warnings(&file).is_empty());
    }
}
