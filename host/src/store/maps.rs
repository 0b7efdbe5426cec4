//! Reads retinotopic maps and a synthetic cortex's ground truth back from a
//! run file, for figures and the error-vs-truth report.

use std::path::Path;

use hdf5::{File, Group, H5Type};
use ndarray::Array2;

use super::error::StoreError;
use super::open::open_read;
use crate::evaluate::Truth;
use crate::figures::MapSet;

/// The maps of the first stage group under `/analysis` that has them, or `None`.
pub fn find_map_set(path: &Path) -> Result<Option<MapSet>, StoreError> {
    let file = open_read(path)?;
    let Some(group) = find_stage_group(&file, "analysis", "area_labels", path)? else {
        return Ok(None);
    };
    let baseline = match find_stage_group(&file, "acquisitions", "baseline", path)? {
        Some(camera) => Some(read_2d::<f32>(&camera, "baseline", path)?.mapv(f64::from)),
        None => match find_stage_group(&file, "analysis", "mean_frame", path)? {
            Some(fourier) => Some(read_2d::<f64>(&fourier, "mean_frame", path)?),
            None => None,
        },
    };
    Ok(Some(MapSet {
        azimuth_deg: read_2d(&group, "azimuth_deg", path)?,
        altitude_deg: read_2d(&group, "altitude_deg", path)?,
        sign_map: read_2d(&group, "sign_map_smoothed", path)?,
        area_labels: read_2d(&group, "area_labels", path)?,
        baseline,
    }))
}

/// Like [`find_map_set`], but a file without maps is an error.
pub fn read_map_set(path: &Path) -> Result<MapSet, StoreError> {
    find_map_set(path)?.ok_or_else(|| {
        StoreError::format(
            path,
            "no retinotopy outputs (`area_labels`) under /analysis: run a `retinotopy` stage first",
        )
    })
}

/// The ground truth a `synthetic-cortex` camera stored, or `None`.
pub fn find_truth(path: &Path) -> Result<Option<Truth>, StoreError> {
    let file = open_read(path)?;
    let Some(group) = find_stage_group(&file, "acquisitions", "true_azimuth_deg", path)? else {
        return Ok(None);
    };
    Ok(Some(Truth {
        azimuth_deg: read_2d(&group, "true_azimuth_deg", path)?,
        altitude_deg: read_2d(&group, "true_altitude_deg", path)?,
        sign: read_2d(&group, "true_sign", path)?,
        areas: read_2d(&group, "true_areas", path)?,
    }))
}

/// The first `/<root>/<run>/<stage>` group holding a dataset called `dataset`.
fn find_stage_group(
    file: &File,
    root: &str,
    dataset: &str,
    path: &Path,
) -> Result<Option<Group>, StoreError> {
    let Ok(root) = file.group(root) else {
        return Ok(None);
    };
    let runs = root
        .groups()
        .map_err(|e| StoreError::hdf5(path, "listing runs", e))?;
    for run in runs {
        let stages = run
            .groups()
            .map_err(|e| StoreError::hdf5(path, "listing stages", e))?;
        if let Some(stage) = stages.into_iter().find(|s| s.link_exists(dataset)) {
            return Ok(Some(stage));
        }
    }
    Ok(None)
}

fn read_2d<T: H5Type>(group: &Group, name: &str, path: &Path) -> Result<Array2<T>, StoreError> {
    group
        .dataset(name)
        .and_then(|d| d.read_2d::<T>())
        .map_err(|e| StoreError::hdf5(path, format!("reading {}/{name}", group.name()), e))
}
