//! PNG figures a scientist looks at after a run: azimuth and altitude maps with
//! a percentile colour scale, the visual field sign map (red +, blue −), and
//! area borders over the baseline image; low-response pixels masked and a scale
//! bar when the session gives µm per pixel (docs/science.md "Figures").

mod canvas;
mod colormap;
mod font;
mod layout;
mod levels;
mod render;
mod scale_bar;

use std::path::{Path, PathBuf};

use ndarray::Array2;

use crate::session::{Orientation, Session};

pub use canvas::Canvas;
pub use layout::{Decor, MASK_COLOUR};
pub use levels::{colour_limits, low_response_mask, response, COLOUR_PERCENTILES};
pub use render::{render_borders, render_map, render_sign_map, AreaName};

/// The default of [`FigureOptions::mask_fraction`]: pixels whose response is
/// under 20% of the 99th-percentile response are masked.
pub const DEFAULT_MASK_FRACTION: f64 = 0.2;

/// Areas after Allen's split/merge, with their names.
#[derive(Debug, Clone)]
pub struct NamedAreas {
    /// Area labels (0 = none or a border line).
    pub labels: Array2<i32>,
    /// The named areas' names and centroids (unnamed areas are left out).
    pub names: Vec<AreaName>,
}

/// How the figures are drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FigureOptions {
    /// Pixels whose Fourier magnitude (mean over directions) is below this
    /// fraction of the 99th percentile of all pixels' are masked; 0 masks only
    /// pixels without a response. In 0..1.
    pub mask_fraction: f64,
}

impl Default for FigureOptions {
    fn default() -> Self {
        FigureOptions {
            mask_fraction: DEFAULT_MASK_FRACTION,
        }
    }
}

/// The maps one figure set is drawn from (all the same shape, row-major).
#[derive(Debug, Clone)]
pub struct MapSet {
    /// Azimuth, degrees.
    pub azimuth_deg: Array2<f64>,
    /// Altitude, degrees.
    pub altitude_deg: Array2<f64>,
    /// Smoothed visual field sign, −1..1.
    pub sign_map: Array2<f64>,
    /// Area labels (0 = none): the sign-map patches.
    pub area_labels: Array2<i32>,
    /// The refined, named areas, when the run stored them (`areas` and
    /// `area_table`); the figure then draws these instead of the patches.
    pub named_areas: Option<NamedAreas>,
    /// Baseline (reflectance or vasculature) image, any scale; resampled to the maps' shape if needed.
    pub baseline: Option<Array2<f64>>,
    /// Response per pixel (Fourier magnitude averaged over directions), when stored.
    pub response: Option<Array2<f64>>,
    /// µm of cortex per map pixel, from the run's session, when it says.
    pub um_per_pixel: Option<f64>,
    /// Where anterior and lateral point in the maps, from the run's session,
    /// when it says.
    pub orientation: Option<Orientation>,
}

/// Errors while drawing or writing figures.
#[derive(Debug, thiserror::Error)]
pub enum FigureError {
    /// A figure could not be encoded as PNG.
    #[error("encoding the figure {name}: {source}")]
    Encode {
        /// The figure's file name.
        name: &'static str,
        /// Why.
        source: png::EncodingError,
    },
    /// The maps could not be read.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// The PNG could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// One figure, drawn and encoded.
#[derive(Debug, Clone)]
pub struct Figure {
    /// Its file name (`azimuth.png`, ...).
    pub name: &'static str,
    /// Its PNG bytes.
    pub png: Vec<u8>,
}

/// A run's maps with their figures: read and drawn once, for the PNG files
/// and the report alike.
#[derive(Debug, Clone)]
pub struct DrawnMaps {
    /// The maps.
    pub maps: MapSet,
    /// Their figures.
    pub figures: Vec<Figure>,
}

impl DrawnMaps {
    /// The maps of the run file at `path` (see [`find_map_set`]) drawn with
    /// `options`, or `None` when the file holds no retinotopy outputs.
    pub fn find(path: &Path, options: &FigureOptions) -> Result<Option<DrawnMaps>, FigureError> {
        let Some(maps) = find_map_set(path)? else {
            return Ok(None);
        };
        let figures = draw(&maps, options)?;
        Ok(Some(DrawnMaps { maps, figures }))
    }
}

/// Writes each figure into `dir` (created if missing) under its name;
/// returns the files written.
pub fn write_figures(figures: &[Figure], dir: &Path) -> Result<Vec<PathBuf>, FigureError> {
    std::fs::create_dir_all(dir).map_err(|source| FigureError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut written = Vec::new();
    for figure in figures {
        let path = dir.join(figure.name);
        std::fs::write(&path, &figure.png).map_err(|source| FigureError::Write {
            path: path.clone(),
            source,
        })?;
        written.push(path);
    }
    Ok(written)
}

/// The four figures of `maps`: `azimuth.png`, `altitude.png`, `sign_map.png`
/// and `areas.png`.
pub fn draw(maps: &MapSet, options: &FigureOptions) -> Result<Vec<Figure>, FigureError> {
    let mask = maps
        .response
        .as_ref()
        .map(|r| low_response_mask(r, options.mask_fraction));
    let mut notes = vec![format!(
        "colour range: {:.0}st–{:.0}th percentile of the shown pixels",
        COLOUR_PERCENTILES.0 * 100.0,
        COLOUR_PERCENTILES.1 * 100.0
    )];
    if mask.is_some() {
        notes.push(format!(
            "grey: response < {} × its 99th percentile",
            options.mask_fraction
        ));
    }
    let masked = Decor {
        mask: mask.as_ref(),
        um_per_pixel: maps.um_per_pixel,
        orientation: maps.orientation,
        notes,
    };
    let sign_decor = Decor {
        notes: masked.notes[1..].to_vec(),
        ..masked.clone()
    };
    let plain = Decor {
        um_per_pixel: maps.um_per_pixel,
        orientation: maps.orientation,
        ..Decor::default()
    };
    let figures = [
        (
            "azimuth.png",
            render_map(&maps.azimuth_deg, "azimuth (°)", &masked),
        ),
        (
            "altitude.png",
            render_map(&maps.altitude_deg, "altitude (°)", &masked),
        ),
        ("sign_map.png", render_sign_map(&maps.sign_map, &sign_decor)),
        (
            "areas.png",
            match &maps.named_areas {
                Some(areas) => render_borders(
                    maps.baseline.as_ref(),
                    &areas.labels,
                    &maps.sign_map,
                    &areas.names,
                    &plain,
                ),
                None => render_borders(
                    maps.baseline.as_ref(),
                    &maps.area_labels,
                    &maps.sign_map,
                    &[],
                    &plain,
                ),
            },
        ),
    ];
    figures
        .into_iter()
        .map(|(name, canvas)| {
            let png = canvas
                .png()
                .map_err(|source| FigureError::Encode { name, source })?;
            Ok(Figure { name, png })
        })
        .collect()
}

/// The maps of the first stage under `/analysis` that has them (with the
/// camera's baseline, or the Fourier stage's mean frame, to draw them over),
/// or `None` when the file holds no retinotopy outputs.
pub fn find_map_set(path: &Path) -> Result<Option<MapSet>, crate::store::StoreError> {
    use crate::store::StageDatasets;
    let Some(maps) = StageDatasets::find(path, "analysis", "area_labels")? else {
        return Ok(None);
    };
    let baseline = match StageDatasets::find(path, "acquisitions", "baseline")? {
        Some(camera) => Some(camera.read_2d::<f32>("baseline")?.mapv(f64::from)),
        None => match StageDatasets::find(path, "analysis", "mean_frame")? {
            Some(fourier) => Some(fourier.read_2d::<f64>("mean_frame")?),
            None => None,
        },
    };
    let response = match StageDatasets::find(path, "analysis", "magnitude")? {
        Some(fourier) => Some(levels::response(&fourier.read_3d::<f64>("magnitude")?)),
        None => None,
    };
    let session = read_session(path)?.unwrap_or_default();
    let um_per_pixel = session
        .um_per_pixel
        .map(|um| um.0 * pixel_binning(&maps) as f64);
    Ok(Some(MapSet {
        response,
        um_per_pixel,
        orientation: session.orientation,
        azimuth_deg: maps.read_2d("azimuth_deg")?,
        altitude_deg: maps.read_2d("altitude_deg")?,
        sign_map: maps.read_2d("sign_map_smoothed")?,
        area_labels: maps.read_2d("area_labels")?,
        named_areas: read_named_areas(path, &maps)?,
        baseline,
    }))
}

/// The `areas` image and the names in `area_table` (its `name` column indexes
/// the port attribute `area_names`), when the stage stored them.
fn read_named_areas(
    path: &Path,
    maps: &crate::store::StageDatasets,
) -> Result<Option<NamedAreas>, crate::store::StoreError> {
    if !(maps.has("areas") && maps.has("area_table")) {
        return Ok(None);
    }
    let attributes = maps.port_attributes("area_table")?.unwrap_or_default();
    let known: Vec<String> = serde_json::from_str::<serde_json::Value>(&attributes)
        .ok()
        .and_then(|a| serde_json::from_value(a["area_names"].clone()).ok())
        .ok_or_else(|| {
            crate::store::StoreError::format(
                path,
                "`area_table` has no `area_names` list in its port attributes: run `retinotopy` again",
            )
        })?;
    let codes = maps.read_1d::<i32>("area_table.name")?;
    let rows = maps.read_1d::<f64>("area_table.centroid_row")?;
    let cols = maps.read_1d::<f64>("area_table.centroid_col")?;
    let names = codes
        .iter()
        .zip(rows.iter().zip(&cols))
        .filter(|(&code, _)| code > 0)
        .filter_map(|(&code, (&row, &col))| {
            known.get(code as usize).map(|name| AreaName {
                name: name.clone(),
                centroid: (row, col),
            })
        })
        .collect();
    Ok(Some(NamedAreas {
        labels: maps.read_2d("areas")?,
        names,
    }))
}

/// Like [`find_map_set`], but a file without maps is an error.
pub fn read_map_set(path: &Path) -> Result<MapSet, crate::store::StoreError> {
    find_map_set(path)?.ok_or_else(|| {
        crate::store::StoreError::format(
            path,
            "no retinotopy outputs (`area_labels`) under /analysis: run a `retinotopy` stage first",
        )
    })
}

/// Camera pixels per side of one map pixel: the maps' port attribute
/// `pixel_binning` (written when `fourier-maps` binned the frames), else 1.
fn pixel_binning(maps: &crate::store::StageDatasets) -> u64 {
    maps.port_attributes("area_labels")
        .ok()
        .flatten()
        .and_then(|json| serde_json::from_str::<serde_json::Value>(&json).ok())
        .and_then(|attributes| attributes["pixel_binning"].as_u64())
        .filter(|&bin| bin >= 1)
        .unwrap_or(1)
}

/// The run's session (its `[session]` table), when it has one.
fn read_session(path: &Path) -> Result<Option<Session>, crate::store::StoreError> {
    let Some(json) = crate::store::read_session(path)? else {
        return Ok(None);
    };
    serde_json::from_str(&json).map(Some).map_err(|e| {
        crate::store::StoreError::format(
            path,
            format!("the root attribute `session` is not a session ({e}): rewrite it from the pipeline's [session]"),
        )
    })
}
