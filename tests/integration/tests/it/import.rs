//! A movie recorded elsewhere, brought in with `movie-file`: the camera frames
//! and frame times of a native run, written out as a multi-page TIFF and a
//! CSV, give bit-identical maps when analysed against the same schedule.

use std::fs::File;

use tiff::encoder::{colortype, TiffEncoder};

use crate::pipeline_files::write_pipeline;
use crate::run_file::{dataset_values, stage_group, stimulus_key};

const STIMULUS_AND_ANALYSIS: &str = r#"
[stages.fourier]
plugin = "fourier-maps"
inputs = ["camera.frames", "SCHEDULE"]
params = { skip_sweeps = 0 }

[stages.retinotopy]
plugin = "retinotopy"
inputs = ["fourier.phase", "fourier.magnitude"]
params = { phase_sigma_px = 0.25, sign_sigma_px = 1.5, min_patch_px = 4 }
"#;

/// `content_sha256` of every dataset of stage `stage` under `root`, by name.
fn hashes(file: &hdf5::File, root: &str, stage: &str) -> Vec<(String, String)> {
    let group = stage_group(file, root, stage);
    let mut names = group.member_names().unwrap();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let hash = crate::run_file::text_attr(&group.dataset(&name).unwrap(), "content_sha256");
            (name, hash)
        })
        .collect()
}

#[test]
fn a_tiff_movie_and_a_csv_of_frame_times_give_the_maps_of_the_same_movie_stored_natively() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let native = write_pipeline(
        dir,
        "native",
        &format!(
            r#"
[stages.stimulus]
plugin = "drifting-bar"
params = {{ directions = ["LR", "RL", "BT", "TB"], sweeps_per_direction = 2, downsample = 40, baseline_before_s = 0.5, baseline_after_s = 0.5 }}

[stages.camera]
plugin = "synthetic-cortex"
inputs = ["stimulus.schedule"]
params = {{ width_px = 32, height_px = 24, frame_rate_hz = 5.0, response_amplitude = 0.01 }}
{}"#,
            STIMULUS_AND_ANALYSIS.replace("SCHEDULE", "stimulus.schedule")
        ),
    );
    crate::cli::runs(&native);

    // The native run's camera movie and frame times, as another rig would have them.
    let file = hdf5::File::open(dir.join("native.h5")).unwrap();
    let camera = stage_group(&file, "acquisitions", "camera");
    let frames = camera.dataset("frames").unwrap().read_dyn::<u16>().unwrap();
    let (n, height, width) = (frames.shape()[0], frames.shape()[1], frames.shape()[2]);
    let pixels = frames.as_slice().unwrap();
    let mut tiff = TiffEncoder::new(File::create(dir.join("movie.tif")).unwrap()).unwrap();
    for k in 0..n {
        let page = &pixels[k * height * width..(k + 1) * height * width];
        tiff.write_image::<colortype::Gray16>(width as u32, height as u32, page)
            .unwrap();
    }
    let times: Vec<f64> = dataset_values(&camera, "frames.time_s");
    let csv: String = std::iter::once("frame,time_s".to_owned())
        .chain(times.iter().enumerate().map(|(k, t)| format!("{k},{t}")))
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(dir.join("times.csv"), csv).unwrap();
    let schedule = format!("file:native.h5#/stimuli/{}/schedule", stimulus_key(&file));

    let imported = write_pipeline(
        dir,
        "imported",
        &format!(
            r#"
[stages.camera]
plugin = "movie-file"
params = {{ movie = "{}", times_csv = "{}" }}
{}"#,
            dir.join("movie.tif").display(),
            dir.join("times.csv").display(),
            STIMULUS_AND_ANALYSIS.replace("SCHEDULE", &schedule)
        ),
    );
    crate::cli::runs(&imported);

    let again = hdf5::File::open(dir.join("imported.h5")).unwrap();
    // Not a camera (never dropped when the sink falls behind): stored under /other.
    let camera_again = stage_group(&again, "other", "camera");
    assert_eq!(
        crate::run_file::text_attr(&camera_again.dataset("frames").unwrap(), "content_sha256"),
        crate::run_file::text_attr(&camera.dataset("frames").unwrap(), "content_sha256"),
        "the same frames"
    );
    for stage in ["fourier", "retinotopy"] {
        let (native_maps, imported_maps) = (
            hashes(&file, "analysis", stage),
            hashes(&again, "analysis", stage),
        );
        assert!(!native_maps.is_empty());
        assert_eq!(imported_maps, native_maps, "stage `{stage}`");
    }
}
