//! The maps as core NWB images (`ImagingRetinotopy` was deprecated in NWB
//! 2.7): a `retinotopy` `ProcessingModule` holding, for each camera or
//! analysis stage that stored maps, an `Images` container named after the
//! stage with one `GrayscaleImage` per map. A 2-D dataset port is one image
//! (copied as stored); a 3-D one [D, H, W] is D images, named after the
//! directions its `directions` attribute lists (`magnitude_LR`, ...) or
//! numbered. Images carry their scale as `resolution` (pixels per cm) when
//! the session gives `um_per_pixel` (per camera pixel): a map whose port
//! attribute `pixel_binning` says `b` has `b` times fewer pixels per cm.

use hdf5::Group;
use ndarray::s;

use super::typed::{self, CORE};
use crate::store::{copy_dataset_bare, RunCatalog, StoredPort, StoredStage};

/// The processing module's name (one of the names NWB's best practices list).
pub const MODULE: &str = "retinotopy";

/// Images written.
pub fn write(
    run: &RunCatalog,
    processing: &Group,
    stages: &[&StoredStage],
    pixels_per_cm: Option<f64>,
) -> hdf5::Result<usize> {
    let with_maps: Vec<(&StoredStage, Vec<&StoredPort>)> = stages
        .iter()
        .map(|stage| {
            (
                *stage,
                stage.ports.iter().filter(|p| is_map(p)).collect::<Vec<_>>(),
            )
        })
        .filter(|(_, maps)| !maps.is_empty())
        .collect();
    if with_maps.is_empty() {
        return Ok(0);
    }
    let module = typed::group(processing, MODULE, CORE, "ProcessingModule")?;
    typed::attr_text(
        &module,
        "description",
        "Retinotopic maps computed from the camera movie (Fourier analysis of the drifting-bar response, visual \
         field sign and area segmentation), one Images container per stage of the run that produced maps",
    )?;
    let mut written = 0;
    for (stage, maps) in with_maps {
        let images = typed::group(&module, &stage.stage, CORE, "Images")?;
        typed::attr_text(
            &images,
            "description",
            &format!(
                "Maps stored by stage `{}` (plugin `{}`)",
                stage.stage, stage.plugin
            ),
        )?;
        for port in maps {
            written += write_port(run, &images, stage, port, pixels_per_cm)?;
        }
    }
    Ok(written)
}

/// A dataset port of one image [H, W] or one per direction [D, H, W].
fn is_map(port: &StoredPort) -> bool {
    !port.stream && (port.shape.len() == 2 || port.shape.len() == 3)
}

fn write_port(
    run: &RunCatalog,
    images: &Group,
    stage: &StoredStage,
    port: &StoredPort,
    pixels_per_cm: Option<f64>,
) -> hdf5::Result<usize> {
    let description = describe(stage, port);
    let bin = port.port_attributes["pixel_binning"]
        .as_u64()
        .filter(|&bin| bin >= 1)
        .unwrap_or(1);
    let pixels_per_cm = pixels_per_cm.map(|per_cm| per_cm / bin as f64);
    if port.shape.len() == 2 {
        copy_dataset_bare(&run.file, &port.path, images, &port.name)?;
        finish_image(images, &port.name, &description, pixels_per_cm)?;
        return Ok(1);
    }
    let planes = run.file.dataset(&port.path)?;
    let names = plane_names(port);
    for (i, plane_name) in names.iter().enumerate() {
        let plane = planes.read_slice_2d::<f64, _>(s![i, .., ..])?;
        let name = format!("{}_{plane_name}", port.name);
        typed::array(images, &name, plane.view())?;
        finish_image(
            images,
            &name,
            &format!("{description}; plane {plane_name}"),
            pixels_per_cm,
        )?;
    }
    Ok(names.len())
}

/// Names of the planes of a [D, H, W] port: its `directions` when it lists D
/// of them, else `0`, `1`, ...
fn plane_names(port: &StoredPort) -> Vec<String> {
    let planes = port.shape[0];
    let directions: Vec<String> = port.port_attributes["directions"]
        .as_array()
        .map(|names| {
            names
                .iter()
                .filter_map(|n| n.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if directions.len() == planes {
        directions
    } else {
        (0..planes).map(|i| i.to_string()).collect()
    }
}

/// The port's description with its unit, or one naming the stage and port.
fn describe(stage: &StoredStage, port: &StoredPort) -> String {
    let what = match port.description.as_str() {
        "" => format!("`{}` of stage `{}`", port.name, stage.stage),
        text => text.to_owned(),
    };
    match port.unit.as_str() {
        "" => what,
        unit => format!("{what} ({unit})"),
    }
}

fn finish_image(
    images: &Group,
    name: &str,
    description: &str,
    pixels_per_cm: Option<f64>,
) -> hdf5::Result<()> {
    let image = images.dataset(name)?;
    typed::mark(&image, CORE, "GrayscaleImage")?;
    typed::attr_text(&image, "description", description)?;
    if let Some(resolution) = pixels_per_cm {
        typed::attr_scalar(&image, "resolution", resolution)?;
    }
    Ok(())
}
