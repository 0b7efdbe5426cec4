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
        (
            "azimuth.png",
            render_map(&maps.azimuth_deg, "azimuth (deg)"),
        ),
        (
            "altitude.png",
            render_map(&maps.altitude_deg, "altitude (deg)"),
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
