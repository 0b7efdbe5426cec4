//! PNG figures a scientist looks at after a run: azimuth and altitude maps with
//! a colour scale, the visual field sign map (red +, blue −), and area borders
//! over the baseline image.

mod canvas;
mod colormap;
mod font;
mod render;

use std::path::{Path, PathBuf};

use ndarray::Array2;

pub use canvas::Canvas;
pub use render::{render_borders, render_map, render_sign_map};

/// The maps one figure set is drawn from (all the same shape, row-major).
#[derive(Debug, Clone)]
pub struct MapSet {
    /// Azimuth, degrees.
    pub azimuth_deg: Array2<f64>,
    /// Altitude, degrees.
    pub altitude_deg: Array2<f64>,
    /// Smoothed visual field sign, −1..1.
    pub sign_map: Array2<f64>,
    /// Area labels (0 = none).
    pub area_labels: Array2<i32>,
    /// Baseline (reflectance or vasculature) image, any scale; resampled to the maps' shape if needed.
    pub baseline: Option<Array2<f64>>,
}

/// Errors while drawing or writing figures.
#[derive(Debug, thiserror::Error)]
pub enum FigureError {
    /// The PNG could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Writes `azimuth.png`, `altitude.png`, `sign_map.png` and `areas.png` into
/// `dir` (created if missing); returns the files written.
pub fn write_figures(maps: &MapSet, dir: &Path) -> Result<Vec<PathBuf>, FigureError> {
    std::fs::create_dir_all(dir).map_err(|source| FigureError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let figures = [
        ("azimuth.png", render_map(&maps.azimuth_deg, "azimuth (°)")),
        (
            "altitude.png",
            render_map(&maps.altitude_deg, "altitude (°)"),
        ),
        ("sign_map.png", render_sign_map(&maps.sign_map)),
        (
            "areas.png",
            render_borders(maps.baseline.as_ref(), &maps.area_labels, &maps.sign_map),
        ),
    ];
    let mut written = Vec::new();
    for (name, canvas) in figures {
        let path = dir.join(name);
        canvas
            .write_png(&path)
            .map_err(|source| FigureError::Write {
                path: path.clone(),
                source,
            })?;
        written.push(path);
    }
    Ok(written)
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
    Ok(Some(MapSet {
        azimuth_deg: maps.read_2d("azimuth_deg")?,
        altitude_deg: maps.read_2d("altitude_deg")?,
        sign_map: maps.read_2d("sign_map_smoothed")?,
        area_labels: maps.read_2d("area_labels")?,
        baseline,
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
