//! The `NWBFile` itself: the root's type attributes and required datasets,
//! the required groups, and `/general` (experimenters, lab, the `Subject`,
//! provenance) filled from the run's `[session]` and root attributes.

use hdf5::{File, Group};

use super::namespaces::NWB_VERSION;
use super::typed::{self, CORE};
use crate::session::Session;
use crate::store::RunCatalog;

/// The facts of the root every NWB file has.
pub struct RootFacts {
    /// `identifier`: unique to this file.
    pub identifier: String,
    /// `session_description`.
    pub session_description: String,
    /// `session_start_time` (and `timestamps_reference_time`), ISO 8601.
    pub session_start_time: String,
    /// `file_create_date`, ISO 8601.
    pub file_create_date: String,
}

/// Writes the root: its type, required datasets and required (empty) groups.
pub fn write_root(file: &File, facts: &RootFacts) -> hdf5::Result<()> {
    typed::mark(file, CORE, "NWBFile")?;
    typed::attr_text(file, "nwb_version", NWB_VERSION)?;
    typed::date_time_list(file, "file_create_date", &[&facts.file_create_date])?;
    typed::text(file, "identifier", &facts.identifier)?;
    typed::text(file, "session_description", &facts.session_description)?;
    typed::date_time(file, "session_start_time", &facts.session_start_time)?;
    typed::date_time(file, "timestamps_reference_time", &facts.session_start_time)?;
    for group in ["acquisition", "analysis", "processing", "general"] {
        file.create_group(group)?;
    }
    let stimulus = file.create_group("stimulus")?;
    stimulus.create_group("presentation")?;
    stimulus.create_group("templates")?;
    Ok(())
}

/// Writes `/general` from the session and the run's provenance.
pub fn write_general(file: &File, run: &RunCatalog, session: &Session) -> hdf5::Result<()> {
    let general = file.group("general")?;
    if let Some(experimenters) = &session.experimenters {
        typed::text_list(&general, "experimenter", experimenters)?;
    }
    for (name, value) in [
        ("lab", &session.lab),
        ("institution", &session.institution),
        ("notes", &session.notes),
    ] {
        if let Some(value) = value {
            typed::text(&general, name, value)?;
        }
    }
    if let Some(keywords) = &session.keywords {
        typed::text_list(&general, "keywords", keywords)?;
    }
    typed::text(&general, "session_id", &run.run_id)?;
    if let Some(imaging) = imaging_text(session) {
        typed::text(&general, "data_collection", &imaging)?;
    }
    let script = typed::text(&general, "source_script", &run.pipeline_toml)?;
    typed::attr_text(&script, "file_name", &run.pipeline_file)?;
    typed::text_rows(
        &general,
        "was_generated_by",
        &[["macroscope", crate::HOST_VERSION]],
    )?;
    if has_subject(session) {
        write_subject(&general, session)?;
    }
    Ok(())
}

/// What NWB has no field for, said in words: hemisphere and scale.
fn imaging_text(session: &Session) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(hemisphere) = session.hemisphere {
        let side = serde_json::to_value(hemisphere).ok()?;
        parts.push(format!("Hemisphere imaged: {}.", side.as_str()?));
    }
    if let Some(scale) = session.um_per_pixel {
        parts.push(format!("Scale: {} µm of cortex per camera pixel.", scale.0));
    }
    if let Some(objective) = &session.objective {
        parts.push(format!("Objective: {objective}."));
    }
    if let Some(binning) = session.binning {
        parts.push(format!("Camera binning: {}.", binning.0));
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

fn has_subject(session: &Session) -> bool {
    session.subject_id.is_some()
        || session.species.is_some()
        || session.sex.is_some()
        || session.age.is_some()
        || session.date_of_birth.is_some()
        || session.weight_g.is_some()
        || session.strain.is_some()
        || session.genotype.is_some()
}

/// `/general/subject`, a core `Subject`: every key of `[session]` NWB's
/// Subject has, in the form NWB takes (weight as text with its unit).
fn write_subject(general: &Group, session: &Session) -> hdf5::Result<()> {
    let subject = typed::group(general, "subject", CORE, "Subject")?;
    let sex = session.sex.map(|sex| format!("{sex:?}"));
    let weight = session.weight_g.map(|w| format!("{} g", w.0));
    for (name, value) in [
        ("subject_id", session.subject_id.as_deref()),
        ("species", session.species.as_ref().map(|s| s.0.as_str())),
        ("sex", sex.as_deref()),
        ("strain", session.strain.as_deref()),
        ("genotype", session.genotype.as_deref()),
        ("weight", weight.as_deref()),
    ] {
        if let Some(value) = value {
            typed::text(&subject, name, value)?;
        }
    }
    if let Some(age) = &session.age {
        let age = typed::text(&subject, "age", &age.0)?;
        typed::attr_text(&age, "reference", "birth")?;
    }
    if let Some(born) = &session.date_of_birth {
        typed::date_time(&subject, "date_of_birth", &born.0)?;
    }
    Ok(())
}
