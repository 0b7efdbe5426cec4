//! The checked values of `[session]`: each type refuses, in words naming its
//! key and the form expected, what NWB would not take.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

/// The subject's sex, as NWB codes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Sex {
    /// Male.
    M,
    /// Female.
    F,
    /// Unknown.
    U,
    /// Other.
    O,
}

/// The hemisphere imaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Hemisphere {
    /// The left hemisphere.
    Left,
    /// The right hemisphere.
    Right,
}

/// A side of the camera image as stored (row 0 at the top).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageSide {
    /// Towards row 0.
    Up,
    /// Towards the last row.
    Down,
    /// Towards column 0.
    Left,
    /// Towards the last column.
    Right,
}

impl ImageSide {
    /// Whether this side is up or down (else left or right).
    fn is_vertical(self) -> bool {
        matches!(self, ImageSide::Up | ImageSide::Down)
    }

    /// The side as written: `up`, `down`, `left` or `right`.
    pub fn name(self) -> &'static str {
        match self {
            ImageSide::Up => "up",
            ImageSide::Down => "down",
            ImageSide::Left => "left",
            ImageSide::Right => "right",
        }
    }

    /// The arrow pointing to this side.
    pub fn arrow(self) -> char {
        match self {
            ImageSide::Up => '↑',
            ImageSide::Down => '↓',
            ImageSide::Left => '←',
            ImageSide::Right => '→',
        }
    }
}

/// Where the brain's axes point in the camera image: the figures draw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Orientation {
    /// The side of the image towards the nose.
    pub anterior: ImageSide,
    /// The side of the image away from the midline.
    pub lateral: ImageSide,
}

/// A species as NWB checks it: a Latin binomial (`Mus musculus`) or an NCBI
/// taxonomy URL (`http://purl.obolibrary.org/obo/NCBITaxon_10090`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Species(pub String);

/// An age as an ISO 8601 duration (`P90D`, `P12W`, `P1Y2M`), or a range
/// (`P90D/P120D`, or `P90D/` for "at least").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IsoAge(pub String);

/// A date of birth, ISO 8601: a date (`2026-01-05`) or a date and time with
/// its offset (`2026-01-05T09:00:00+01:00`), kept as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BirthDate(pub String);

/// A weight in grams, > 0.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Grams(pub f64);

/// Micrometres of cortex per camera pixel, > 0.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MicronsPerPixel(pub f64);

/// Camera binning: how many sensor pixels per side make one pixel, ≥ 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Binning(pub u32);

/// A value written as text and checked when read.
trait FromText: Sized {
    /// What a value of another TOML type is refused for wanting (names the key).
    const EXPECTING: &'static str;
    /// The value, or what is wrong with `text` (naming the key).
    fn from_text(text: &str) -> Result<Self, String>;
}

impl FromText for Sex {
    const EXPECTING: &'static str = "`sex` as a string: `M`, `F`, `U` or `O`";

    fn from_text(text: &str) -> Result<Self, String> {
        match text {
            "M" => Ok(Sex::M),
            "F" => Ok(Sex::F),
            "U" => Ok(Sex::U),
            "O" => Ok(Sex::O),
            _ => Err(format!(
                "`sex` must be one of `M`, `F`, `U`, `O` (NWB's codes for male, female, unknown, other), found `{text}`"
            )),
        }
    }
}

impl FromText for Hemisphere {
    const EXPECTING: &'static str = "`hemisphere` as a string: `left` or `right`";

    fn from_text(text: &str) -> Result<Self, String> {
        match text {
            "left" => Ok(Hemisphere::Left),
            "right" => Ok(Hemisphere::Right),
            _ => Err(format!(
                "`hemisphere` must be `left` or `right`, found `{text}`"
            )),
        }
    }
}

impl FromText for ImageSide {
    const EXPECTING: &'static str =
        "a side of the image as a string: `up`, `down`, `left` or `right`";

    fn from_text(text: &str) -> Result<Self, String> {
        match text {
            "up" => Ok(ImageSide::Up),
            "down" => Ok(ImageSide::Down),
            "left" => Ok(ImageSide::Left),
            "right" => Ok(ImageSide::Right),
            _ => Err(format!(
                "a side of the image must be `up`, `down`, `left` or `right`, found `{text}`"
            )),
        }
    }
}

impl FromText for Species {
    const EXPECTING: &'static str = "`species` as a string such as `Mus musculus`";

    fn from_text(text: &str) -> Result<Self, String> {
        let mut words = text.split(' ');
        let genus = words.next().unwrap_or("");
        let species = words.next().unwrap_or("");
        let binomial = genus.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && genus.chars().skip(1).all(|c| c.is_ascii_lowercase())
            && !species.is_empty()
            && species.chars().all(|c| c.is_ascii_lowercase());
        if binomial || text.starts_with("http://purl.obolibrary.org/obo/NCBITaxon_") {
            Ok(Species(text.to_owned()))
        } else {
            Err(format!(
                "`species` must be a Latin binomial such as `Mus musculus`, or an NCBI taxonomy URL such as \
                 `http://purl.obolibrary.org/obo/NCBITaxon_10090`, found `{text}`"
            ))
        }
    }
}

impl FromText for IsoAge {
    const EXPECTING: &'static str = "`age` as a string such as `P90D`";

    fn from_text(text: &str) -> Result<Self, String> {
        let valid = match text.split_once('/') {
            Some((low, high)) => is_iso_duration(low) && (high.is_empty() || is_iso_duration(high)),
            None => is_iso_duration(text),
        };
        if valid {
            Ok(IsoAge(text.to_owned()))
        } else {
            Err(format!(
                "`age` must be an ISO 8601 duration such as `P90D` (90 days), `P12W` or `P1Y2M`, or a range such as \
                 `P90D/P120D`, found `{text}`"
            ))
        }
    }
}

impl FromText for BirthDate {
    const EXPECTING: &'static str = "`date_of_birth` as a date such as 2026-01-05";

    fn from_text(text: &str) -> Result<Self, String> {
        let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok();
        if date || chrono::DateTime::parse_from_rfc3339(text).is_ok() {
            Ok(BirthDate(text.to_owned()))
        } else {
            Err(format!(
                "`date_of_birth` must be an ISO 8601 date such as `2026-01-05`, or a date and time with its offset \
                 such as `2026-01-05T09:00:00+01:00`, found `{text}`"
            ))
        }
    }
}

/// Whether `text` is an ISO 8601 duration: `P`, then number-unit pairs in the
/// order `Y M W D`, then optionally `T` and pairs in the order `H M S`, at
/// least one pair in all (and at least one after a `T`).
fn is_iso_duration(text: &str) -> bool {
    let Some(rest) = text.strip_prefix('P') else {
        return false;
    };
    let (date, time) = match rest.split_once('T') {
        Some((date, time)) => (date, Some(time)),
        None => (rest, None),
    };
    let date = pairs(date, &['Y', 'M', 'W', 'D']);
    let time = match time {
        Some(time) => pairs(time, &['H', 'M', 'S']).filter(|&n| n > 0),
        None => Some(0),
    };
    matches!((date, time), (Some(d), Some(t)) if d + t > 0)
}

/// How many `<number><unit>` pairs `text` is, units in the order of `units`,
/// each at most once; `None` if it is anything else.
fn pairs(text: &str, units: &[char]) -> Option<usize> {
    let mut count = 0;
    let mut next = 0;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() || c == '.' {
            number.push(c);
            continue;
        }
        let at = units.get(next..)?.iter().position(|&u| u == c)? + next;
        let digits_around_point = number.split('.').all(|part| !part.is_empty());
        if number.matches('.').count() > 1 || !digits_around_point {
            return None;
        }
        next = at + 1;
        count += 1;
        number.clear();
    }
    number.is_empty().then_some(count)
}

/// A positive, finite number; the error names `key` and its unit.
fn positive(value: f64, key: &str, unit: &str) -> Result<f64, String> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(format!(
            "`{key}` must be a number of {unit} > 0, found {value}"
        ))
    }
}

/// Reads a [`FromText`] value: a string, or (for a date) a bare TOML date.
struct TextVisitor<T>(PhantomData<T>);

impl<'de, T: FromText> Visitor<'de> for TextVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
        T::from_text(text).map_err(E::custom)
    }

    // The toml crate hands a bare date over as a map of one private key to its text.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        match map.next_entry::<String, String>() {
            Ok(Some((_, text))) => T::from_text(&text).map_err(de::Error::custom),
            _ => Err(de::Error::invalid_type(de::Unexpected::Map, &self)),
        }
    }
}

macro_rules! deserialize_from_text {
    ($($t:ty),*) => {$(
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_any(TextVisitor(PhantomData))
            }
        }
    )*};
}

deserialize_from_text!(Sex, Hemisphere, ImageSide, Species, IsoAge, BirthDate);

impl<'de> Deserialize<'de> for Orientation {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        /// The table as written, before its two sides are checked against each other.
        #[derive(Deserialize)]
        #[serde(
            deny_unknown_fields,
            expecting = "`orientation` as a table: `{ anterior = \"up\", lateral = \"left\" }`"
        )]
        struct Written {
            anterior: ImageSide,
            lateral: ImageSide,
        }
        let Written { anterior, lateral } = Written::deserialize(deserializer)?;
        if anterior.is_vertical() == lateral.is_vertical() {
            return Err(de::Error::custom(format!(
                "`orientation`: anterior ({}) and lateral ({}) must be at right angles: one `up` or `down`, \
                 the other `left` or `right`",
                anterior.name(),
                lateral.name(),
            )));
        }
        Ok(Orientation { anterior, lateral })
    }
}

/// Reads a number (a TOML integer or float); its `expecting` names the key.
struct NumberVisitor(&'static str);

impl Visitor<'_> for NumberVisitor {
    type Value = f64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<f64, E> {
        Ok(value)
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<f64, E> {
        Ok(value as f64)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<f64, E> {
        Ok(value as f64)
    }
}

impl<'de> Deserialize<'de> for Grams {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value =
            deserializer.deserialize_any(NumberVisitor("`weight_g` as a number of grams"))?;
        positive(value, "weight_g", "grams")
            .map(Grams)
            .map_err(de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for MicronsPerPixel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value =
            deserializer.deserialize_any(NumberVisitor("`um_per_pixel` as a number of µm"))?;
        positive(value, "um_per_pixel", "µm")
            .map(MicronsPerPixel)
            .map_err(de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for Binning {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value =
            deserializer.deserialize_any(NumberVisitor("`binning` as a whole number ≥ 1"))?;
        let whole = value.fract() == 0.0 && value >= 1.0 && value <= f64::from(u32::MAX);
        if whole {
            Ok(Binning(value as u32))
        } else {
            Err(de::Error::custom(format!(
                "`binning` must be a whole number ≥ 1 (1 for none), found {value}"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_of_the_wrong_toml_type_is_refused_naming_the_key() {
        #[derive(Debug, Deserialize)]
        struct Table {
            #[serde(rename = "sex")]
            _sex: Option<Sex>,
            #[serde(rename = "um_per_pixel")]
            _um_per_pixel: Option<MicronsPerPixel>,
        }
        let error = |text| {
            toml::from_str::<Table>(text)
                .unwrap_err()
                .message()
                .to_owned()
        };
        assert_eq!(
            error("sex = 1"),
            "invalid type: integer `1`, expected `sex` as a string: `M`, `F`, `U` or `O`"
        );
        assert_eq!(
            error("um_per_pixel = \"6.5\""),
            "invalid type: string \"6.5\", expected `um_per_pixel` as a number of µm"
        );
    }

    #[test]
    fn iso_durations_are_recognised() {
        for ok in [
            "P90D",
            "P12W",
            "P1Y2M",
            "P1Y2M3DT4H5M6.5S",
            "PT36H",
            "P0.5D",
        ] {
            assert!(is_iso_duration(ok), "{ok}");
        }
        for bad in [
            "P", "PT", "90D", "P90", "PD", "P1D2Y", "P1DT", "P1.2.3D", "P.5D", "p90d",
        ] {
            assert!(!is_iso_duration(bad), "{bad}");
        }
    }

    #[test]
    fn an_age_may_be_a_range_or_open_ended() {
        assert!(IsoAge::from_text("P90D/P120D").is_ok());
        assert!(IsoAge::from_text("P90D/").is_ok());
        assert!(IsoAge::from_text("/P90D").is_err());
    }

    #[test]
    fn a_species_is_a_binomial_or_a_taxonomy_url() {
        assert!(Species::from_text("Mus musculus").is_ok());
        assert!(Species::from_text("http://purl.obolibrary.org/obo/NCBITaxon_10090").is_ok());
        assert_eq!(
            Species::from_text("mouse").unwrap_err(),
            "`species` must be a Latin binomial such as `Mus musculus`, or an NCBI taxonomy URL such as \
             `http://purl.obolibrary.org/obo/NCBITaxon_10090`, found `mouse`"
        );
    }

    #[test]
    fn a_date_of_birth_is_a_date_or_a_date_and_time_with_offset() {
        assert!(BirthDate::from_text("2026-01-05").is_ok());
        assert!(BirthDate::from_text("2026-01-05T09:00:00+01:00").is_ok());
        assert!(BirthDate::from_text("05/01/2026").is_err());
        assert!(BirthDate::from_text("2026-02-30").is_err());
    }
}
