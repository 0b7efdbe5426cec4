//! Reads the 2-D datasets of a stage back from a run file by what the stage
//! stored (e.g. the stage group under `/analysis` holding `area_labels`), for
//! figures and the error-vs-truth report. The store knows HDF5 groups, not what
//! the maps mean: the callers build their own types from these arrays.
//! [`read_session`] gives them the run's `session` root attribute as written.

use std::path::Path;

use hdf5::{File, Group, H5Type};
use ndarray::{Array2, Array3};

use super::error::StoreError;
use super::open::open_read;

/// One stage group of a run file, found by a dataset it holds.
pub struct StageDatasets {
    group: Group,
    path: std::path::PathBuf,
}

impl StageDatasets {
    /// The first `/<root>/<run>/<stage>` group of the file at `path` holding a
    /// dataset called `marker` (`root` is a kind group: `analysis`,
    /// `acquisitions`, ...), or `None`.
    pub fn find(path: &Path, root: &str, marker: &str) -> Result<Option<Self>, StoreError> {
        let file = open_read(path)?;
        Ok(
            find_stage_group(&file, root, marker, path)?.map(|group| StageDatasets {
                group,
                path: path.to_owned(),
            }),
        )
    }

    /// The 2-D dataset `name` of this stage.
    pub fn read_2d<T: H5Type>(&self, name: &str) -> Result<Array2<T>, StoreError> {
        self.read(name)
    }

    /// The 1-D dataset `name` of this stage (e.g. a table's column `<port>.<column>`).
    pub fn read_1d<T: H5Type>(&self, name: &str) -> Result<ndarray::Array1<T>, StoreError> {
        self.read(name)
    }

    /// Whether this stage stored a dataset called `name`.
    pub fn has(&self, name: &str) -> bool {
        self.group.link_exists(name)
    }

    /// The port attributes (JSON text) stored with dataset `name`, if any.
    pub fn port_attributes(&self, name: &str) -> Result<Option<String>, StoreError> {
        let dataset = self.group.dataset(name).map_err(|e| {
            StoreError::hdf5(
                &self.path,
                format!("opening {}/{name}", self.group.name()),
                e,
            )
        })?;
        Ok(super::attributes::get_str(
            &dataset,
            super::layout::dataset::PORT_ATTRIBUTES,
        ))
    }

    /// The 3-D dataset `name` of this stage (e.g. per-direction maps [D, H, W]).
    pub fn read_3d<T: H5Type>(&self, name: &str) -> Result<Array3<T>, StoreError> {
        self.read(name)
    }

    fn read<T: H5Type, D: ndarray::Dimension>(
        &self,
        name: &str,
    ) -> Result<ndarray::Array<T, D>, StoreError> {
        self.group
            .dataset(name)
            .and_then(|d| {
                super::element::can_allocate::<T>(Some(d.size()))?;
                d.read::<T, D>()
            })
            .map_err(|e| {
                StoreError::hdf5(
                    &self.path,
                    format!("reading {}/{name}", self.group.name()),
                    e,
                )
            })
    }
}

/// The run's `session` root attribute (the pipeline's `[session]` as
/// canonical JSON, see docs/FORMAT.md "Session"), or `None` when the run had none.
pub fn read_session(path: &Path) -> Result<Option<String>, StoreError> {
    let file = open_read(path)?;
    Ok(super::attributes::get_str(
        &file,
        super::layout::root::SESSION,
    ))
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
