//! What was imaged: the `[session]` table of a pipeline file (subject,
//! experimenters, hemisphere, scale, ...). Every key is optional; every value
//! is checked when the file is read, in the forms NWB expects (its sex codes,
//! ISO 8601 ages and dates), so a later export needs no second guess.
//!
//! A leaf module: the pipeline parses it, the store records it as the run
//! file's root `session` attribute (JSON), `show` prints it. It never enters a
//! store key: who was imaged does not change what a deterministic stage computes.

mod values;

use serde::{Deserialize, Serialize};

pub use values::{
    Binning, BirthDate, Grams, Hemisphere, ImageSide, IsoAge, MicronsPerPixel, Orientation, Sex,
    Species,
};

/// The `[session]` table: who and what was imaged, and by whom.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a table of facts about the session, e.g. `subject_id = \"m123\"`"
)]
pub struct Session {
    /// The subject's id in the lab (NWB `Subject.subject_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_id: Option<String>,
    /// Latin binomial (`Mus musculus`) or NCBI taxonomy URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub species: Option<Species>,
    /// Strain (`C57BL/6J`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strain: Option<String>,
    /// Genotype (`Cux2-CreERT2;Ai93`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub genotype: Option<String>,
    /// NWB's sex code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    /// Age at the session, an ISO 8601 duration (`P90D`) or range (`P90D/P120D`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<IsoAge>,
    /// Date (or date and time) of birth, ISO 8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<BirthDate>,
    /// Weight at the session, in grams.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_g: Option<Grams>,
    /// Who did the experiment, `Last, First` as NWB recommends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experimenters: Option<Vec<String>>,
    /// The lab.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lab: Option<String>,
    /// The institution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub institution: Option<String>,
    /// What the session was (NWB `session_description`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The hemisphere imaged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hemisphere: Option<Hemisphere>,
    /// Where anterior and lateral point in the camera image as stored: the
    /// figures draw it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orientation: Option<Orientation>,
    /// Size of one camera pixel on the cortex, in µm: what a scale bar uses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub um_per_pixel: Option<MicronsPerPixel>,
    /// The objective, as written (`2x/0.08 Nikon`), recorded beside the scale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objective: Option<String>,
    /// Camera binning (pixels per side combined into one), recorded beside the scale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binning: Option<Binning>,
    /// Free notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Free keywords.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keywords: Option<Vec<String>>,
}

#[cfg(test)]
mod tests;
